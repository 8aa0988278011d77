"""`bpcalc generate`: fair variants of a template, drawn the same on every machine, with keys that check 100 %, sheets and a Moodle quiz."""

from __future__ import annotations

import base64
import math
import os
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest

from bpcalc import engine, generate
from bpcalc.check.grade import Checker
from bpcalc.check.precision import Written
from bpcalc.errors import BpcalcError, NetworkFileError
from bpcalc.generate import draw, files, run
from bpcalc.generate.draw import Drawer, SIGMOID_BAND, TANH_LIMIT, written_differs
from bpcalc.generate.key import key_entries, to_precision
from bpcalc.generate.template import read_template
from bpcalc.loader import load_network, parse_network
from bpcalc.loader.template import Choices, Uniform
from conftest import NETWORKS, TESTS, bpcalc, needs_pdflatex

TEMPLATE = NETWORKS / "templates" / "hw4.yaml"
GOLDEN = TESTS / "golden" / "generate"
REGENERATE = os.environ.get("BPCALC_REGENERATE") == "1"

# A 2-3-1 net: ReLU hidden units (which can die), a tanh and a sigmoid unit (which can saturate).
RELU_TEMPLATE = """\
name: relu
learning_rate: 0.5
layers:
  - inputs: [x1, x2]
  - activation: relu
    neurons:
      h1: {bias: 0.1, weights: {x1: 0.5, x2: -0.2}}
      h2: {bias: 0.1, weights: {x1: 0.3, x2: 0.8}}
  - activation: tanh
    neurons:
      h3: {bias: 0.0, weights: {h1: 0.4, h2: -0.6}}
  - activation: sigmoid
    neurons:
      y: {bias: 0.2, weights: {h3: 0.7}}
samples:
  - {inputs: {x1: 0.5, x2: 0.9}, targets: {y: 1}}
  - {inputs: {x1: 0.2, x2: 0.4}, targets: {y: 0}}
vary:
  weights: {uniform: [-2, 2], decimals: 1}
  biases: {uniform: [-1, 1], decimals: 2}
  inputs: {uniform: [-1, 1], decimals: 1}
  learning_rate: {choices: [0.5, 1, 2]}
"""


def write(folder: Path, text: str, name: str = "hw.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def read_all(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_template_seed_and_count_give_the_same_bytes(tmp_path):
    for k in (1, 2):
        run.generate(TEMPLATE, 6, 11, tmp_path / f"set{k}", moodle=tmp_path / f"quiz{k}.xml")
    assert read_all(tmp_path / "set1") == read_all(tmp_path / "set2")
    assert (tmp_path / "quiz1.xml").read_bytes() == (tmp_path / "quiz2.xml").read_bytes()
    run.generate(TEMPLATE, 6, 12, tmp_path / "other")
    assert read_all(tmp_path / "other") != read_all(tmp_path / "set1")


def test_a_small_set_is_pinned(tmp_path):
    """The whole output for two variants, byte for byte (BPCALC_REGENERATE=1 rewrites it: read the diff)."""
    run.generate(TEMPLATE, 2, 1, tmp_path / "hw4", moodle=tmp_path / "hw4" / "quiz.xml")
    made = read_all(tmp_path / "hw4")
    if REGENERATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for old in GOLDEN.iterdir():
            old.unlink()
        for name, data in made.items():
            (GOLDEN / name).write_bytes(data)
    assert made == read_all(GOLDEN)


def test_every_variant_loads_and_its_key_checks_right_against_it_and_wrong_against_another(tmp_path):
    out = tmp_path / "hw4"
    run.generate(TEMPLATE, 4, 3, out)
    names = [f"hw4-0{k}" for k in range(1, 5)]
    for k, name in enumerate(names):
        network = load_network(out / f"{name}.yaml")
        assert network.name == name
        assert "vary" not in (out / f"{name}.yaml").read_text()
        checker = Checker(network)
        key = checker.check(checker.read(out / f"{name}.key.yaml"))
        assert key.sheet.variant == name
        assert key.all_right and key.right == key.asked == len(key_entries(network, 4))
        blank = checker.check(checker.read(out / f"{name}.answers.yaml"))
        assert blank.sheet.variant == name and blank.asked == key.asked and not blank.judgements
        other = Checker(load_network(out / f"{names[(k + 1) % 4]}.yaml"))
        assert not other.check(other.read(out / f"{name}.key.yaml")).all_right
    result = bpcalc("check", out / "hw4-01.yaml", out / "hw4-01.key.yaml")
    asked = len(key_entries(load_network(out / "hw4-01.yaml"), 4))
    assert result.exit_code == 0 and f"Score: {asked} of {asked} right\n" in result.stdout


def test_the_variant_line_comes_first_after_the_comments(tmp_path):
    run.generate(TEMPLATE, 1, 0, tmp_path / "hw4")
    for suffix in ("key", "answers"):
        lines = (tmp_path / "hw4" / f"hw4-01.{suffix}.yaml").read_text().splitlines()
        first = next(line for line in lines if not line.startswith("#"))
        assert first == "variant: hw4-01"


def test_drawn_values_have_the_decimals_asked_and_stay_in_range():
    plan = read_template(TEMPLATE)
    drawer = Drawer(plan, 5)
    for k in range(50):
        variant = drawer.next_variant(f"v{k}")
        network = variant.network
        for (slot, spec), text in zip(plan.draws, variant.drawn):
            if isinstance(spec, Uniform):
                assert -Decimal(text).as_tuple().exponent == spec.decimals, text
                assert spec.low <= Decimal(text) <= spec.high
            else:
                assert isinstance(spec, Choices) and text in spec.texts
            value = float(text)
            if slot[0] == "parameter":
                assert network.values()[slot[1]] == value
            elif slot[0] == "input":
                assert network.samples[slot[1]].inputs[network.inputs.index(slot[2])] == value
            elif slot[0] == "target":
                assert network.samples[slot[1]].targets[network.outputs.index(slot[2])] == value
            else:
                assert network.options.learning_rate == value


def test_the_fairness_rules_hold_on_1000_variants(tmp_path):
    """Each rule checked afresh on the engine's numbers, not by the code that enforces it."""
    plan = read_template(write(tmp_path, RELU_TEMPLATE))
    drawer = Drawer(plan, 2024)
    seen = set()
    for k in range(1000):
        network = drawer.next_variant(f"relu-{k}").network
        record = engine.step(network)
        for sample in record.before.passes:
            for layer, passes in zip(network.layers, sample.layers):
                for n in passes:
                    if layer.activation.name == "sigmoid":
                        assert SIGMOID_BAND[0] <= n.out <= SIGMOID_BAND[1]
                    if layer.activation.name == "tanh":
                        assert abs(n.out) <= TANH_LIMIT
        for name in ("h1", "h2"):  # the template's ReLUs are alive, so every variant's are
            assert any(sample.neuron(name).net > 0 for sample in record.passes)
        for u in record.updates:
            exponent = math.floor(math.log10(max(abs(u.old), abs(u.new)))) - 3
            assert round(Decimal(u.old).scaleb(-exponent)) != round(Decimal(u.new).scaleb(-exponent)), u
        assert record.after.error < record.before.error
        values = tuple(sorted(network.values().items())) + tuple(network.samples) + (network.options.learning_rate,)
        assert values not in seen
        seen.add(values)
    assert drawer.rejections > 0 and set(drawer.rejected) <= {draw.SATURATED, draw.DEAD, draw.TOO_SMALL,
                                                              draw.NOT_LOWER, draw.ALIKE}


def test_a_dead_relu_the_template_has_is_allowed(tmp_path):
    dead = RELU_TEMPLATE.replace("h1: {bias: 0.1, weights: {x1: 0.5, x2: -0.2}}",
                                 "h1: {bias: -5, weights: {x1: 0.5, x2: -0.2}}")
    dead = dead.replace("  weights: {uniform: [-2, 2], decimals: 1}\n", "  w(h2->h3): {uniform: [-2, 2], decimals: 1}\n")
    dead = dead.replace("  biases: {uniform: [-1, 1], decimals: 2}\n", "")
    plan = read_template(write(tmp_path, dead))
    drawer = Drawer(plan, 1)
    for k in range(20):
        record = engine.step(drawer.next_variant(f"d{k}").network)
        assert all(sample.neuron("h1").net < 0 for sample in record.passes)


def test_rules_that_cannot_be_met_stop_with_a_clear_message(tmp_path):
    # Two outputs' targets from two choices, and nothing else drawn: four problems at most.
    path = write(tmp_path, TEMPLATE.read_text().split("vary:")[0] + "vary:\n  targets: {choices: [0.01, 0.99]}\n")
    result = bpcalc("generate", path, "-n", "5", "--out", tmp_path / "out")
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert "no fair variant 'hw4-05' in 1,000 draws" in line and "the same as an earlier variant" in line
    assert not (tmp_path / "out").exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_the_update_must_show_at_the_precision():
    assert written_differs(0.15, 0.1498, 4) and not written_differs(0.15, 0.149999, 4)
    assert not written_differs(0.0, 0.0, 4) and written_differs(0.0, 1e-9, 4)


@pytest.mark.parametrize(("value", "text"), [(0.593269992, "0.5933"), (-0.0004385677, "-0.0004386"),
                                            (12345.67, "1.235e+4"), (3.5101e-8, "3.510e-8"), (0.0, "0.000"),
                                            (0.99996, "1.000"), (2.0, "2.000")])
def test_key_numbers_are_written_to_the_precision_as_check_reads_them(value, text):
    assert to_precision(value, 4) == text
    from bpcalc.check.precision import Rule, agrees

    assert agrees(Written.parse(text), value, Rule(slack=0))


def test_the_moodle_quiz_parses_and_its_answers_are_checks_expected_values(tmp_path):
    quiz = tmp_path / "quiz.xml"
    run.generate(TEMPLATE, 3, 4, tmp_path / "hw4", moodle=quiz)
    root = ET.parse(quiz).getroot()
    assert root.tag == "quiz"
    category, *questions = root.findall("question")
    assert category.get("type") == "category" and category.findtext("category/text") == "$course$/top/hw4"
    assert [q.findtext("name/text") for q in questions] == ["hw4-01", "hw4-02", "hw4-03"]
    field = re.compile(r"\{1:NUMERICAL:=(-?[0-9.]+(?:e[-+]?[0-9]+)?):([0-9.]+)\}")
    for question in questions:
        assert question.get("type") == "cloze" and question.find("questiontext").get("format") == "html"
        network = load_network(tmp_path / "hw4" / f"{question.findtext('name/text')}.yaml")
        checker = Checker(network)
        text = question.findtext("questiontext/text")
        ET.fromstring(f"<div>{text}</div>")  # the question's HTML is well formed
        rows = re.findall(r"<tr><td[^>]*>\d+</td><td[^>]*>([^<]+)</td><td[^>]*>([^<]+)</td></tr>", text)
        assert [name for name, _ in rows] == list(checker.vocabulary.template())
        for name, cell in rows:
            value, tolerance = field.fullmatch(cell).groups()
            expected = checker.truth[name]
            assert abs(Decimal(value) - Decimal(repr(expected))) <= Decimal(tolerance) / 3  # half a unit
            assert Decimal(tolerance) == Decimal("1.5") * Decimal(1).scaleb(Written.parse(value).exponent)


def test_each_question_and_sheet_shows_its_own_network(tmp_path):
    quiz = tmp_path / "quiz.xml"
    run.generate(TEMPLATE, 2, 4, tmp_path / "hw4", moodle=quiz)
    for question in ET.parse(quiz).getroot().findall("question")[1:]:
        name = question.findtext("name/text")
        assert f'<img src="@@PLUGINFILE@@/{name}.svg"' in question.findtext("questiontext/text")
        carried = question.find("questiontext/file")
        assert carried.get("name") == f"{name}.svg" and carried.get("encoding") == "base64"
        svg = ET.fromstring(base64.b64decode(carried.text))
        labels = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
        network = load_network(tmp_path / "hw4" / f"{name}.yaml")
        assert all(neuron.name in labels for neuron in network.neurons)
        assert all(f"{network.label_of(p.key)} = " in labels for p in network.parameters() if p.is_weight)
    sheet = (tmp_path / "hw4" / "hw4-problems.tex").read_text(encoding="utf-8")
    assert sheet.count("\\begin{tikzpicture}") == 2 and "\\usepackage{tikz}" in sheet


def test_names_in_the_quiz_are_escaped(tmp_path):
    text = (RELU_TEMPLATE.replace("x1", '"a<b>&{1:NUMERICAL:=1:1}"').replace("name: relu", "name: \"r&d <1>\""))
    quiz = tmp_path / "quiz.xml"
    run.generate(write(tmp_path, text), 1, 0, tmp_path / "out", moodle=quiz)
    question = ET.parse(quiz).getroot().findall("question")[1]
    html = question.findtext("questiontext/text")
    assert "a&lt;b&gt;&amp;&#123;1:NUMERICAL:=1:1&#125;" in html and "a<b>" not in html
    assert html.count("{1:NUMERICAL:") == len(key_entries(load_network(tmp_path / "out" / "r_d_1-01.yaml"), 4))
    assert question.findtext("name/text") == "r_d_1-01"


@needs_pdflatex
def test_the_latex_sheets_compile(tmp_path):
    import subprocess

    run.generate(TEMPLATE, 2, 0, tmp_path / "hw4")
    odd = RELU_TEMPLATE.replace("x1", '"a_b&{c}%$#^~"').replace("name: relu", "name: odd")  # names TeX must escape
    run.generate(write(tmp_path, odd), 2, 0, tmp_path / "odd")
    for folder, name in (("hw4", "hw4-problems.tex"), ("hw4", "hw4-keys.tex"), ("odd", "odd-problems.tex")):
        done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", name],
                              cwd=tmp_path / folder, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout[-2000:]


def test_the_sheets_give_the_problem_and_the_key(tmp_path):
    run.generate(TEMPLATE, 2, 0, tmp_path / "hw4")
    problems = (tmp_path / "hw4" / "hw4-problems.md").read_text()
    keys = (tmp_path / "hw4" / "hw4-keys.md").read_text()
    network = load_network(tmp_path / "hw4" / "hw4-02.yaml")
    entries = key_entries(network, 4)
    second = problems.split("## hw4-02")[1]
    for p in network.parameters():
        assert f"| {network.label_of(p.key)} |" in second
    assert all(e.text not in second.split("### Questions")[1] for e in entries)
    assert all(f"| {e.text} |" in keys.split("## hw4-02")[1] for e in entries)


def test_ids_name_the_variants(tmp_path):
    roster = write(tmp_path, "# class of 2026\nid,name\ns123,Anna\n\nMüller K.,Karl\nab/c\n", "class.csv")
    run.generate(TEMPLATE, None, 0, tmp_path / "hw4", roster=roster)
    made = sorted(p.name for p in (tmp_path / "hw4").glob("*.key.yaml"))
    assert made == ["hw4-M_ller_K.key.yaml", "hw4-ab_c.key.yaml", "hw4-s123.key.yaml"]  # not the header
    duplicate = write(tmp_path, "s1\nab/c\nab c\n", "dup.txt")
    with pytest.raises(NetworkFileError, match=r"dup.txt:3: the id 'ab c' is the same as line 2"):
        run.generate(TEMPLATE, None, 0, tmp_path / "again", roster=duplicate)


def test_fresh_variant_is_the_first_variant_generate_draws(tmp_path):
    network = generate.fresh_variant(TEMPLATE, 9)
    assert network == generate.fresh_variant(TEMPLATE, 9) and network.name == "hw4-9"
    with pytest.raises(NetworkFileError, match=r"hw.yaml:28:3: vary 'wieghts' names nothing"):
        generate.fresh_variant(write(tmp_path, TEMPLATE.read_text().replace("  weights:", "  wieghts:")), 9)
    run.generate(TEMPLATE, 1, 9, tmp_path / "hw4")
    first = load_network(tmp_path / "hw4" / "hw4-01.yaml")
    assert (network.values(), network.samples, network.options) == (first.values(), first.samples, first.options)


def test_a_single_parameter_by_label_overrides_its_group(tmp_path):
    path = write(tmp_path, TEMPLATE.read_text().replace("  precision: 4", "  w5: {choices: [7]}\n  i1->h1: {choices: [3]}"))
    plan = read_template(path)
    rules = dict(plan.draws)
    assert rules[("parameter", "h1->o1")] == Choices(("7",)) and rules[("parameter", "i1->h1")] == Choices(("3",))
    assert isinstance(rules[("parameter", "h2->o1")], Uniform)


def test_an_existing_directory_is_replaced_only_with_force_and_never_half_written(tmp_path, monkeypatch):
    out = tmp_path / "hw4"
    run.generate(TEMPLATE, 2, 0, out)
    before = read_all(out)
    result = bpcalc("generate", TEMPLATE, "-n", "2", "--out", out)
    assert result.exit_code == 2 and result.stderr == f"bpcalc: {out}: already exists; use --force to replace it, or give a new directory\n"

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "rename", broken)
    with pytest.raises(BpcalcError, match="No space left on device"):
        run.generate(TEMPLATE, 3, 1, out, force=True)
    monkeypatch.undo()
    assert read_all(out) == before and sorted(p.name for p in tmp_path.iterdir()) == ["hw4"]
    result = bpcalc("generate", TEMPLATE, "-n", "3", "--seed", "1", "--out", out, "--force")
    assert result.exit_code == 0 and "hw4-03.yaml" in read_all(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hw4"]


BAD = [
    ("  wieghts: {uniform: [-1, 1]}", ":28:3: vary 'wieghts' names nothing in this network: expected weights, "
                                       "biases, thresholds, inputs, targets, learning_rate, a parameter (w5, b(h1), "
                                       "i1->h1) or an input; did you mean 'weights'?"),
    ("  weights: {uniform: [-1, 1], decimals: 11}", ":28:41: vary weights decimals: expected a whole number from 0 "
                                                     "to 10, got 11"),
    ("  weights: {uniform: [1, -1]}", ":28:22: vary weights uniform: expected low < high, got [1, -1]"),
    ("  weights: {uniform: [0.5, 0.5]}", ":28:22: vary weights uniform: expected low < high, got [0.5, 0.5]"),
    ("  weights: {choices: []}", ":28:22: vary weights choices: expected at least one value, got an empty list"),
    ("  thresholds: {choices: [1]}", ":28:3: vary thresholds: the network has no thresholds to draw"),
    ("  w5: {choices: [1]}\n  h1->o1: {choices: [2]}", ":29:3: vary 'h1->o1' draws the same number as 'w5' "
                                                        "(line 28); give it one rule"),
    ("  learning_rate: {uniform: [0, 1]}", ":28:3: vary learning_rate: the learning rate must be > 0, but the "
                                            "rule may draw 0"),
]


@pytest.mark.parametrize(("line", "message"), BAD)
def test_a_bad_vary_rule_is_one_line_naming_it(tmp_path, line, message):
    text = TEMPLATE.read_text()
    text = text.replace("  weights: {uniform: [-1, 1], decimals: 2}", line)
    if line.startswith("  learning_rate"):
        text = text.replace("  learning_rate: {choices: [0.1, 0.5]}\n", "")
    path = write(tmp_path, text)
    assert text.splitlines()[27] == line.splitlines()[0]
    result = bpcalc("generate", path, "-n", "2", "--out", tmp_path / "out")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"bpcalc: {path}{message}\n"
    assert not (tmp_path / "out").exists()


def test_other_bad_input_is_one_line(tmp_path):
    no_vary = write(tmp_path, TEMPLATE.read_text().split("# What each")[0])
    cases = [
        (["generate", no_vary, "-n", "2", "--out", tmp_path / "o"],
         f"{no_vary}: the template has no `vary:` block saying what to draw afresh"),
        (["generate", TEMPLATE, "-n", "0", "--out", tmp_path / "o"], "-n/--count takes a whole number 1 or more (variants), not 0"),
        (["generate", TEMPLATE, "--out", tmp_path / "o"], "say how many variants to draw: -n COUNT"),
        (["generate", TEMPLATE, "-n", "2", "--out", tmp_path / "missing" / "o"], "the folder"),
    ]
    for args, start in cases:
        result = bpcalc(*args)
        assert result.exit_code == 2, args
        [line] = result.stderr.splitlines()
        assert start in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hw.yaml"]


def test_a_variant_line_that_is_not_a_name_is_refused(tmp_path):
    answers = write(tmp_path, "variant: [1, 2]\nout_h1: 0.5\n", "a.yaml")
    result = bpcalc("check", answers)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"bpcalc: {answers}:1:10: variant: expected the name of the variant")


def test_a_template_need_not_write_out_what_it_draws(tmp_path):
    """Layers given by size have no written weights to replace: the variant is written afresh, and loads."""
    text = ("name: sized\nlearning_rate: 0.5\ninit: {uniform: [-1, 1], seed: 3}\nlayers:\n  - inputs: [a, b]\n"
            "  - {activation: sigmoid, size: 3}\n  - {activation: sigmoid, size: 1}\n"
            "samples:\n  - {inputs: [0.5, 0.2], targets: [1]}\n"
            "vary:\n  weights: {uniform: [-1, 1], decimals: 2}\n")
    plan = read_template(write(tmp_path, text))
    variant = Drawer(plan, 0).next_variant("sized-01")
    assert parse_network(variant.text, "v.yaml").values() == variant.network.values()
    assert all(-Decimal(repr(w)).as_tuple().exponent <= 2 for w in variant.network.weights().values())


def test_a_template_reading_its_samples_from_csv_gives_variants_that_stand_alone(tmp_path):
    write(tmp_path, "a,b,y\n0.5,0.2,1\n0.1,0.9,0\n", "data.csv")
    text = ("name: csv\nlearning_rate: 0.5\nlayers:\n  - inputs: [a, b]\n  - activation: sigmoid\n"
            "    neurons:\n      y: {bias: 0.1, weights: {a: 0.3, b: -0.2}}\nsamples: {csv: data.csv}\n"
            "vary:\n  weights: {uniform: [-1, 1], decimals: 2}\n")
    run.generate(write(tmp_path, text), 1, 0, tmp_path / "out")
    written = (tmp_path / "out" / "csv-01.yaml").read_text()
    assert "csv:" not in written
    assert load_network(tmp_path / "out" / "csv-01.yaml").samples == read_template(tmp_path / "hw.yaml").network.samples


def test_the_variant_line_is_read_quoted_or_plain_and_is_not_graded(tmp_path):
    network = load_network(NETWORKS / "mazur.yaml")
    checker = Checker(network)
    for line, name in (('variant: "hw4-M_ller_K."', "hw4-M_ller_K."), ("variant: 0012", "0012"),
                       ("variant: hw4-01", "hw4-01")):
        sheet = checker.read(write(tmp_path, f"# mine\n{line}\nout_h1: 0.5933\n", "a.yaml"))
        assert sheet.variant == name and [a.key for a in sheet.answers] == ["out_h1"]
        assert checker.check(sheet).asked == 1
    assert checker.read(write(tmp_path, "out_h1: 0.5933\n", "b.yaml")).variant is None


def test_a_count_that_disagrees_with_the_roster_is_refused(tmp_path):
    roster = write(tmp_path, "s1\ns2\n", "class.txt")
    result = bpcalc("generate", TEMPLATE, "-n", "3", "--ids", roster, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr == f"bpcalc: -n 3, but the roster {roster} lists 2 ids; give one of the two\n"
