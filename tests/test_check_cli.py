"""`bpcalc answers` and `bpcalc check` as a student, a TA and an instructor run them."""

from __future__ import annotations

import csv
import io

import pytest

from conftest import NETWORKS, bpcalc

MAZUR = NETWORKS / "mazur.yaml"
UDACITY_KEY = NETWORKS / "keys" / "udacity.answers.yaml"

RIGHT = ("net_h1: 0.3775\nout_h1: 0.5933\nE_total: 0.2984\ndelta_o1: 0.1385\ndE/dw5: 0.0822\nw5+: 0.3589\n"
         "E_after: 0.2910\n")
SIGN = "net_h1: 0.3775\ndelta_o1: -0.1385\ndE/dw5: -0.0822\nw5+: 0.4411\nE_after:\n"
NEW_WEIGHTS = "delta_h1: 0.00729446\nw1+: 0.149817639\n"


@pytest.fixture
def files(tmp_path):
    def write(name: str, text: str):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path
    return write


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def words(text: str) -> str:
    """The text with its line breaks and runs of spaces as single spaces (a wrapped sentence whole)."""
    return " ".join(text.split())


def test_a_student_whose_answers_are_all_right(files):
    result = bpcalc("check", MAZUR, files("mine.yaml", RIGHT))
    assert result.exit_code == 0, result.stderr
    assert "Score: 7 of 7 right" in result.stdout
    assert "✗" not in result.stdout


def test_a_student_with_a_sign_slip(files):
    result = bpcalc("check", MAZUR, files("mine.yaml", SIGN))
    assert result.exit_code == 1
    out = lines(result.stdout)
    assert any(line.startswith("delta_o1") and "✗" in line and "sign_flipped" in line for line in out)
    assert any(line.startswith("dE/dw5") and "follow-through" in line for line in out)
    assert "Score: 3 of 5 right (2 by follow-through); wrong: delta_o1; left blank: E_after" in words(result.stdout)
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert all(line == line.rstrip() for line in result.stdout.splitlines())


def test_without_a_network_the_bundled_example_is_used(files):
    result = bpcalc("check", files("mine.yaml", RIGHT))
    assert result.exit_code == 0
    assert "mazur-2-2-2" in result.stdout


def test_a_published_key_in_its_course_sign():
    """Udacity's network file says delta_sign: error, as their course signs δ: every number holds."""
    result = bpcalc("check", NETWORKS / "udacity.yaml", UDACITY_KEY)
    assert result.exit_code == 0
    assert "delta_o     0.122      0.122   ✓" in lines(result.stdout)
    assert "Score: 8 of 8 right" in lines(result.stdout)


def test_the_table_of_a_published_key():
    """Golden output: Udacity's printed numbers, at 80 columns, checked as if its δ were ∂E/∂net
    (--delta-sign overrides the file's)."""
    result = bpcalc("check", NETWORKS / "udacity.yaml", UDACITY_KEY, "--delta-sign", "gradient")
    assert result.exit_code == 1
    assert lines(result.stdout) == [
        "udacity-one-hidden-unit",
        "loss half_sse · reduction mean · η = 0.5 · batch full",
        "",
        str(UDACITY_KEY),
        "name        given   expected   verdict          diagnosis",
        "─" * 60,
        "net_h       -0.02      -0.02   ✓",
        "out_h       0.495      0.495   ✓",
        "out_o       0.512      0.512   ✓",
        "delta_o     0.122     -0.122   ✗                sign_flipped",
        "ΔW         0.0302     0.0302   ✓",
        "delta_h     0.003     -0.003   follow-through   sign_flipped",
        "Δw1       0.00015    0.00015   ✓",
        "Δw2       0.00045    0.00046   ✓",
        "",
        "Why",
        "name      why",
        "─" * 76,
        "delta_o   The sign is flipped: this is what δ = (t − out)·f′ = −∂E/∂net",
        "gives (this network's δ is ∂E/∂net).",
        "delta_h   Right from your own delta_o. This is minus the expected value: the",
        "sign is flipped.",
        "Δw2       One off in the last place, which rounding allows: this follows",
        "from your earlier numbers rounded as you wrote them, e.g. delta_h",
        "= 0.003.",
        "Score: 7 of 8 right (1 by follow-through); wrong: delta_o",
        "Checked to the digits written, ±1 in the last place; only the names each",
        "file gives were judged (--questions BLANK.answers.yaml scores every question",
        "asked).",
    ]


def test_json_gives_each_answer_and_the_score(files):
    result = bpcalc("check", MAZUR, files("mine.yaml", SIGN), "--json")
    assert result.exit_code == 1
    document = result.json()
    [sheet] = document["files"]
    answers = {a["name"]: a for a in sheet["answers"]}
    assert set(answers) == {"net_h1", "delta_o1", "dE/dw5", "w5+"}
    for answer in answers.values():
        assert {"name", "given", "expected", "verdict", "diagnosis"} <= set(answer)
        assert answer["verdict"] in ("correct", "wrong", "follow_through")
    assert answers["delta_o1"]["verdict"] == "wrong" and answers["delta_o1"]["diagnosis"] == "sign_flipped"
    assert answers["delta_o1"]["given"] == -0.1385 and answers["delta_o1"]["given_text"] == "-0.1385"
    assert answers["dE/dw5"]["verdict"] == "follow_through" and answers["dE/dw5"]["uses"] == ["delta_o1"]
    assert answers["net_h1"]["diagnosis"] is None
    assert sheet["blank"] == ["E_after"]
    assert sheet["score"] == {"right": 3, "asked": 5, "correct": 1, "follow_through": 2, "wrong": 1, "blank": 1}
    assert document["score"] == sheet["score"]


def test_a_ta_grades_several_files_into_a_gradebook(files, tmp_path):
    alice, bob, carol = files("alice.yaml", RIGHT), files("bob.yaml", SIGN), files("carol.yaml", NEW_WEIGHTS)
    grades = tmp_path / "grades.csv"
    result = bpcalc("check", MAZUR, alice, bob, carol, "--csv", grades)
    assert result.exit_code == 1
    out = words(result.stdout)
    assert "3 answer files" in out and "alice.yaml" in out and "bob.yaml" in out
    assert "delta_o1 (sign_flipped)" in out and "delta_h1 (new_weights)" in out
    assert "Why" not in out  # a summary, not every table (--details adds them)
    rows = list(csv.DictReader(io.StringIO(grades.read_text(encoding="utf-8-sig"))))
    assert [(r["file"].rsplit("/", 1)[-1], r["score"], r["right"], r["asked"], r["wrong_names"]) for r in rows] == [
        ("alice.yaml", "100.0", "7", "7", ""),
        ("bob.yaml", "60.0", "3", "5", "delta_o1"),
        ("carol.yaml", "50.0", "1", "2", "delta_h1"),
    ]
    assert rows[1]["reasons"] == "delta_o1 (sign_flipped); E_after (blank)"
    assert rows[2]["follow_through"] == "1"
    details = bpcalc("check", MAZUR, alice, bob, "--details")
    assert details.stdout.count("Score:") == 2


def test_the_gradebook_is_never_overwritten_by_accident(files, tmp_path):
    alice = files("alice.yaml", RIGHT)
    grades = tmp_path / "grades.csv"
    grades.write_text("keep me\n")
    result = bpcalc("check", MAZUR, alice, "--csv", grades)
    assert result.exit_code == 2 and grades.read_text() == "keep me\n"
    assert result.stderr.strip() == f"bpcalc: {grades}: already exists; use --force to replace it"
    assert bpcalc("check", MAZUR, alice, "--csv", grades, "--force").exit_code == 0
    assert grades.read_text(encoding="utf-8-sig").startswith("student,file,score")
    result = bpcalc("check", MAZUR, alice, "--csv", alice, "--force")
    assert result.exit_code == 2 and "refusing to overwrite an input file" in result.stderr
    assert alice.read_text() == RIGHT


@pytest.mark.parametrize("text, message", [
    ("net_h1: 0.3775\nout_h3: 0.59\n",
     "mine.yaml:2:1: 'out_h3' is not a quantity of mazur-2-2-2; did you mean out_h2, out_h1, out_o2, out_o1?"),
    ("net_h1: 0.3775\nout_h1: abc\n", "mine.yaml:2:9: out_h1: expected a number, got 'abc'"),
    ("net_Top: 0.76\nout_Top: 0.68\n",
     "mine.yaml:1:1: 'net_Top' is not a quantity of mazur-2-2-2; did you mean net_o2, net_o1, net_h2, net_h1? "
     "(2 of the 2 names are unknown; is this answer file for another network?)"),
])
def test_bad_input_is_one_line_and_exit_2(files, tmp_path, text, message):
    result = bpcalc("check", MAZUR, files("mine.yaml", text))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip().replace(f"{tmp_path}/", "") == f"bpcalc: {message}"


def test_a_bad_file_among_several_is_a_row_and_the_others_are_graded(files):
    """One student's typo no longer stops the batch: it is a row saying why, and the exit is 2."""
    result = bpcalc("check", MAZUR, files("a.yaml", RIGHT), files("b.yaml", "w9+: 1\n"))
    assert result.exit_code == 2
    assert "7/7" in result.stdout and "not graded" in result.stdout and "'w9+' is not a" in words(result.stdout)
    assert result.stderr.count("\n") == 1 and "b.yaml:1:1: 'w9+' is not a quantity" in result.stderr


def test_the_network_goes_first(files):
    result = bpcalc("check", files("mine.yaml", RIGHT), MAZUR)
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"bpcalc: {MAZUR}: this is a network file; give the network first and "
                                     "then the answer files: bpcalc check NET ANSWERS...")
    result = bpcalc("check", MAZUR)
    assert result.exit_code == 2 and "give one or more answer files after it" in result.stderr


@pytest.mark.parametrize("options, exit_code", [
    (["--decimals", "2"], 0), (["--sig-figs", "2"], 0), (["--tolerance", "0.0005"], 0), (["--tolerance", "1%"], 0),
    (["--decimals", "5"], 1), (["--strict"], 0), (["--decimals", "2", "--tolerance", "1"], 2),
])
def test_precision_options(files, options, exit_code):
    result = bpcalc("check", MAZUR, files("mine.yaml", RIGHT), *options)
    assert result.exit_code == exit_code, result.stdout + result.stderr


def test_answers_prints_a_template_to_fill_in(files, tmp_path):
    result = bpcalc("answers", MAZUR)
    assert result.exit_code == 0
    names = [line[:-1] for line in result.stdout.splitlines() if line and not line.startswith("#")]
    assert names[:2] == ["net_h1", "out_h1"]
    assert "delta_o1" in names and "w1+" in names and names[-1] == "E_after"
    everything = bpcalc("answers", MAZUR, "--all").stdout
    assert "dE_o2/dout_h1:" in everything and "Δw5:" in everything and "out_o1@1:" in everything
    target = tmp_path / "blank.yaml"
    assert bpcalc("answers", MAZUR, "-o", target).exit_code == 0
    assert target.read_text() == result.stdout
    assert bpcalc("answers", MAZUR, "-o", target).exit_code == 2
    # a blank template checks with nothing right and nothing wrong
    checked = bpcalc("check", MAZUR, target)
    assert checked.exit_code == 0 and "Score: 0 of 32 right" in checked.stdout
