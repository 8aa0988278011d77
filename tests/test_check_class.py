"""Grading a class: a directory of variants, the questions asked, bad files as rows, the gradebook."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from bpcalc.check.grade import Checker
from bpcalc.check.precision import shown
from bpcalc.loader import load_network
from bpcalc.netfile import dumps
from check_helpers import judge, network, text
from conftest import NETWORKS, bpcalc, compile_latex, needs_pdflatex

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from make_variants import make  # noqa: E402

MAZUR = NETWORKS / "mazur.yaml"


def words(text: str) -> str:
    return " ".join(text.split())


def gradebook(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte order mark Excel reads UTF-8 by
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


@pytest.fixture
def variants(tmp_path):
    """Two variants of Mazur's net with other weights, named hw4-01 and hw4-02."""
    folder = tmp_path / "hw4"
    folder.mkdir()
    base = load_network(MAZUR)
    for k, shift in ((1, 0.1), (2, -0.2)):
        name = f"hw4-{k:02d}"
        net = base.with_parameters({key: round(v + shift, 2) for key, v in base.weights().items()})._replace(name=name)
        (folder / f"{name}.yaml").write_text(dumps(net), encoding="utf-8")
    return folder


def key_of(path: Path, variant: str | None, names=("net_h1", "out_h1", "delta_o1", "w5+")) -> str:
    truth = Checker(load_network(path)).truth
    lines = [f"variant: {variant}"] if variant else []
    return "\n".join(lines + [f"{name}: {truth[name]:.6f}" for name in names]) + "\n"


def write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_each_file_is_graded_against_its_own_variant(variants, tmp_path):
    one = write(tmp_path, "müller.yaml", key_of(variants / "hw4-01.yaml", "hw4-01"))
    two = write(tmp_path, "li.yaml", key_of(variants / "hw4-02.yaml", "hw4-02"))
    # the key of variant 1 handed in as variant 2 is wrong
    swapped = write(tmp_path, "copied.yaml", key_of(variants / "hw4-01.yaml", "hw4-02"))
    grades = tmp_path / "grades.csv"
    result = bpcalc("check", variants, one, two, swapped, "--json", "--csv", grades)
    assert result.exit_code == 1
    files = json.loads(result.stdout)["files"]
    assert [(f["variant"], f["score"]["correct"], f["score"]["asked"]) for f in files] == [
        ("hw4-01", 4, 4), ("hw4-02", 4, 4), ("hw4-02", 0, 4)]  # (out_h1 follows from the copied net_h1)
    assert files[0]["network_file"].endswith("hw4-01.yaml") and files[2]["network_file"].endswith("hw4-02.yaml")
    rows = gradebook(grades)
    assert [(r["student"], r["score"]) for r in rows][:2] == [("hw4-01", "100.0"), ("hw4-02", "100.0")]
    assert rows[2]["student"] == "hw4-02" and rows[2]["net_h1"] == "wrong"


def test_files_that_cannot_be_placed_are_rows_saying_why(variants, tmp_path):
    good = write(tmp_path, "good.yaml", key_of(variants / "hw4-01.yaml", "hw4-01"))
    unnamed = write(tmp_path, "unnamed.yaml", key_of(variants / "hw4-01.yaml", None))
    unknown = write(tmp_path, "unknown.yaml", key_of(variants / "hw4-01.yaml", "hw4-99"))
    sneaky = write(tmp_path, "sneaky.yaml", "variant: ../hw4/hw4-01\nnet_h1: 1\n")
    grades = tmp_path / "grades.csv"
    result = bpcalc("check", variants, good, unnamed, unknown, sneaky, "--csv", grades)
    assert result.exit_code == 2
    out = words(result.stdout)
    assert "4 answer files, 3 not graded" in out
    problems = {r["file"].rsplit("/", 1)[-1]: r["problem"] for r in gradebook(grades)}
    assert problems["good.yaml"] == ""
    assert "names no variant" in problems["unnamed.yaml"]
    assert problems["unknown.yaml"].startswith("unknown variant 'hw4-99'") and "hw4-01, hw4-02" in problems["unknown.yaml"]
    assert problems["sneaky.yaml"].startswith("unknown variant '../hw4/hw4-01'")
    assert len(result.stderr.strip().splitlines()) == 3  # one line for each file not graded
    document = json.loads(bpcalc("check", variants, good, unknown, "--json").stdout)
    assert document["network"] is None and document["directory"] == str(variants)
    assert document["not_graded"] == 1 and document["score"]["asked"] == 4
    assert document["files"][1] == {"file": str(unknown), "variant": "hw4-99", "error": problems["unknown.yaml"]}


@pytest.mark.parametrize("body, reason", [
    ("net_h1: 0.3775\ndetla_h4: 0.1\n", "line 2: 'detla_h4' is not a quantity of mazur-2-2-2; did you mean"),
    ("net_h1: abc\n", "line 1: net_h1: expected a number, got 'abc'"),
    ("net_h1: [0.3775\n", "line 2: "),
    ("variant: hw4-07\nnet_h1: 0.3775\n", "this answer file is for variant hw4-07, not mazur-2-2-2"),
])
def test_a_bad_submission_is_a_row_and_the_others_are_graded(tmp_path, body, reason):
    good = write(tmp_path, "good.yaml", "net_h1: 0.3775\n")
    bad = write(tmp_path, "bad.yaml", body)
    grades = tmp_path / "grades.csv"
    result = bpcalc("check", MAZUR, bad, good, "--csv", grades)
    assert result.exit_code == 2  # after grading the others and writing every output
    rows = gradebook(grades)
    assert [r["student"] for r in rows] == ["bad", "good"]
    assert rows[0]["problem"].startswith(reason) and rows[0]["score"] == ""
    assert rows[1]["score"] == "100.0" and rows[1]["problem"] == ""
    assert result.stderr.count("bpcalc: ") == 1 and "bad.yaml" in result.stderr


def test_questions_make_a_missing_name_not_answered(tmp_path):
    blank = tmp_path / "blank.answers.yaml"
    assert bpcalc("answers", MAZUR, "-o", blank).exit_code == 0
    asked = len([line for line in blank.read_text().splitlines() if line and not line.startswith("#")])
    one_right = write(tmp_path, "one.yaml", "net_h1: 0.3775\n")
    result = bpcalc("check", MAZUR, one_right, "--questions", blank)
    assert result.exit_code == 0  # nothing wrong, but not 100 %
    assert f"Score: 1 of {asked} right" in words(result.stdout)
    assert "not answered: out_h1" in words(result.stdout)
    without = bpcalc("check", MAZUR, one_right)
    assert "Score: 1 of 1 right" in words(without.stdout)
    assert "only the names each file gives were judged" in words(without.stdout)
    document = json.loads(bpcalc("check", MAZUR, one_right, "--questions", blank, "--json").stdout)
    assert document["files"][0]["score"]["asked"] == asked and "out_h1" in document["files"][0]["missing"]
    assert document["questions"][0] == "net_h1"


def test_a_question_the_network_does_not_have_stops_the_run(tmp_path):
    questions = write(tmp_path, "q.yaml", "net_h9:\n")
    result = bpcalc("check", MAZUR, write(tmp_path, "a.yaml", "net_h1: 0.3775\n"),
                    write(tmp_path, "b.yaml", "net_h1: 0.3775\n"), "--questions", questions)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"bpcalc: {questions}:1:1: --questions: 'net_h9' is not a quantity")


def test_the_gradebook_has_a_column_per_question_and_points(tmp_path):
    questions = write(tmp_path, "q.yaml", "net_h1:\nout_h1:\ndelta_o1:\nw5+:\nw6+:\nE_after:\n")
    points = write(tmp_path, "points.yaml", 'default: 1\ndeltas: 2\n"w*+": 3\nE_after: 4\n')
    müller = write(tmp_path, "Müller.yaml", "net_h1: 0.3775\nout_h1: 0.71\ndelta_o1: -0.1385\nw5+: 0.4492\nw6+:\n")
    grades = tmp_path / "grades.csv"
    result = bpcalc("check", MAZUR, müller, write(tmp_path, "zoë.yaml", "net_h1: 0.3775\n"),
                    "--questions", questions, "--points", points, "--csv", grades)
    assert result.exit_code == 1
    rows = gradebook(grades)
    assert list(rows[0])[:7] == ["student", "file", "score", "right", "asked", "points", "max_points"]
    assert [r["student"] for r in rows] == ["Müller", "zoë"]
    m = rows[0]
    assert [m[q] for q in ("net_h1", "out_h1", "delta_o1", "w5+", "w6+", "E_after")] == [
        "right", "wrong", "wrong", "follow-through", "blank", "blank"]
    # net_h1 1 + w5+ 3 (follow-through earns its points); of 1 + 1 + 2 + 3 + 3 + 4
    assert (m["points"], m["max_points"], m["right"], m["asked"]) == ("4", "14", "2", "6")
    assert rows[1]["points"] == "1" and rows[1]["E_after"] == "blank"


def test_the_gradebook_without_a_byte_order_mark(tmp_path):
    grades = tmp_path / "grades.csv"
    assert bpcalc("check", MAZUR, write(tmp_path, "a.yaml", "net_h1: 0.3775\n"), "--csv", grades,
                  "--no-bom").exit_code == 0
    assert grades.read_bytes().startswith(b"student,")


@pytest.mark.parametrize("body, message", [
    ("detlas: 2\n", "points.yaml:1:1: 'detlas' is neither a quantity nor a group"),
    ('"x*": 2\n', "points.yaml:1:1: 'x*' matches none of the questions"),
    ("deltas: -1\n", "points.yaml:1:9: deltas: points must be 0 or more"),
    ("deltas: two\n", "points.yaml:1:9: deltas: expected a number"),
])
def test_a_bad_points_file_is_one_line(tmp_path, body, message):
    points = write(tmp_path, "points.yaml", body)
    result = bpcalc("check", MAZUR, write(tmp_path, "a.yaml", "net_h1: 0.3775\n"), "--points", points,
                    "--csv", tmp_path / "g.csv")
    assert result.exit_code == 2 and not (tmp_path / "g.csv").exists()
    assert result.stderr.strip().replace(f"{tmp_path}/", "").startswith(f"bpcalc: {message}")


def test_markdown_and_plain_output_go_through_the_document_writers(tmp_path):
    mine = write(tmp_path, "mine.yaml", "net_h1: 0.3775\ndelta_o1: -0.1385\n")
    markdown = bpcalc("check", MAZUR, mine, "--format", "markdown")
    assert markdown.exit_code == 1
    assert "| delta\\_o1 | -0.1385 | 0.1385 | ✗ | sign\\_flipped |" in markdown.stdout
    assert markdown.stdout.startswith("## mazur-2-2-2")
    plain = bpcalc("check", MAZUR, mine)
    assert all(line == line.rstrip() for line in plain.stdout.splitlines())
    assert "\x1b[" not in plain.stdout
    coloured = bpcalc("check", MAZUR, mine, env={"FORCE_COLOR": "1", "NO_COLOR": "", "TERM": "xterm-256color"})
    assert "\x1b[31m✗" in coloured.stdout and "\x1b[32m✓" in coloured.stdout
    assert bpcalc("check", MAZUR, mine, "--json", "--format", "markdown").exit_code == 2


def test_a_correct_answer_has_no_diagnosis_only_a_remark(tmp_path):
    """Mazur's −0.019049119 is one off in the last place: right, with a remark on its last digit."""
    document = json.loads(bpcalc("check", MAZUR, NETWORKS / "keys" / "mazur.answers.yaml", "--json").stdout)
    answers = {a["name"]: a for a in document["files"][0]["answers"]}
    for answer in answers.values():
        if answer["verdict"] == "correct":
            assert answer["diagnosis"] is None
    assert answers["dE_o2/dout_h1"]["remark"].startswith("This is what rounding every intermediate value")
    assert answers["net_h1"]["remark"] is None


def test_worked_on_from_right_but_rounded_numbers_is_follow_through():
    """out_h1 = 0.5933 and out_h2 = 0.5969 are right; net_o1 from them, to 6 places, differs from
    the exact value in the last places: it follows from the student's own numbers."""
    out_h1, out_h2 = 0.5933, 0.5969
    net_o1 = 0.40 * out_h1 + 0.45 * out_h2 + 0.60
    checker = Checker(network("mazur"))
    judged = judge(checker, {"out_h1": "0.5933", "out_h2": "0.5969", "net_o1": text(net_o1, 6)})
    assert abs(net_o1 - checker.truth["net_o1"]) > 2e-6  # not right at six places
    j = judged["net_o1"]
    assert j.verdict == "follow_through" and j.uses == ("out_h1", "out_h2") and j.diagnosis is None
    from bpcalc.check.precision import Rule
    from bpcalc.check.render import explanation

    assert explanation(j, Rule()) == f"Right from your own out_h1, out_h2 as you wrote them, which give {text(net_o1, 6)}."


def test_each_sentence_is_true_of_the_number_given():
    """A δ_h1 of the wrong sign from a δ_o1 of the wrong sign: the sentence gives what the
    student's own numbers give, with its sign, and does not call it their number."""
    from bpcalc.check.render import explanation
    from bpcalc.check.precision import Rule

    checker = Checker(network("mazur"))
    judged = judge(checker, {"delta_o1": "-0.138499", "delta_h1": "0.0123"})
    j = judged["delta_h1"]
    assert j.verdict == "wrong" and j.follows is not None
    sentence = explanation(j, Rule())
    assert f"Your own delta_o1 gives {shown(j.follows, j.answer.written, Rule())} here, not 0.0123." in sentence


def test_bench_variants_grade_like_their_networks(tmp_path):
    """The bench's class: every file placed, and the one-network files graded against Mazur's."""
    make(MAZUR, tmp_path, 3, 6)
    answers = sorted((tmp_path / "answers").glob("*.yaml"))
    result = bpcalc("check", tmp_path / "variants", *answers, "--json")
    assert result.exit_code in (0, 1)
    files = json.loads(result.stdout)["files"]
    assert [f["variant"] for f in files] == [f"mazur-2-2-2-0{k % 3 + 1}" for k in range(6)]
    assert all("error" not in f for f in files)


def test_the_variant_line_is_not_a_quantity(tmp_path):
    checker = Checker(network("mazur"))
    sheet = checker.read(write(tmp_path, "a.yaml", "variant: hw4-01\nnet_h1: 0.3775\n"))
    assert sheet.variant == "hw4-01" and [a.name.canonical for a in sheet.answers] == ["net_h1"]
    assert checker.read(write(tmp_path, "b.yaml", "net_h1: 0.3775\n")).variant is None
    for body, message in (("variant:\nnet_h1: 1\n", "variant: expected the name of the variant"),
                          ("variant: [a]\nnet_h1: 1\n", "variant: expected the name of the variant")):
        with pytest.raises(Exception, match=message):
            checker.read(write(tmp_path, "c.yaml", body))


@pytest.mark.parametrize("name, epochs", [("mazur", 300), ("mitchell-4-7", 200), ("mazur-new-weights", 3)])
def test_values_after_training_are_the_engines(name, epochs):
    """X@N and the runs around it come from training's fast path (300 epochs are compiled) and the
    engine: the engine's numbers, to the 1e-12 the fast paths hold (tests/test_fast.py)."""
    from bpcalc import engine
    from bpcalc.check.training import after_epochs
    from bpcalc.quantities import after_quantities

    net = network(name)
    per_epoch = engine.updates_per_epoch(net)
    runs = after_epochs(net, epochs)
    for offset in {-per_epoch, -1, 0, 1, per_epoch}:
        current, velocity = net, {}
        plan = engine.batches(net)
        for k in range(epochs * per_epoch + offset):
            record = engine.step(current, plan[k % per_epoch], velocity, evaluate_after=False)
            current, velocity = record.updated, record.velocity
        expected = after_quantities(current, engine.evaluate(current), epochs)
        assert runs[offset].keys() == expected.keys()
        assert all(v == pytest.approx(expected[k], rel=1e-12, abs=1e-15) for k, v in runs[offset].items())


@needs_pdflatex
def test_the_latex_report_compiles_with_its_marks(tmp_path):
    mine = write(tmp_path, "Müller.yaml", "net_h1: 0.3775\ndelta_o1: -0.1385\ndE/dw5: -0.0822\n")
    fragment = bpcalc("check", MAZUR, mine, "--format", "latex").stdout
    assert r"$\surd$" in fragment and r"$\times$" in fragment and "Müller.yaml" in fragment
    assert r"$\pm$1 in the last place" in fragment and "-{}-questions" in fragment
    compiled = compile_latex(fragment, tmp_path)
    assert compiled.returncode == 0, compiled.stdout[-2000:]
