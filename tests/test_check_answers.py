"""Answer files: the names they may use, every spelling of them, the blank template, and one-line errors."""

from __future__ import annotations

import pytest

from bpcalc.check.answers import read_sheet, template_text
from bpcalc.check.grade import Checker
from bpcalc.check.names import UnknownName
from bpcalc.errors import NetworkFileError
from bpcalc.loader import load_network, parse_answers
from conftest import NETWORKS

EXAMPLES = sorted(NETWORKS.glob("*.yaml"))


@pytest.fixture(scope="module")
def mazur():
    return Checker(load_network(NETWORKS / "mazur.yaml"))


@pytest.mark.parametrize("text, canonical", [
    ("w5+", "w5+"), ("h1->o1+", "w5+"), ("dE/dh1->o1", "dE/dw5"), ("∂E/∂w5", "dE/dw5"), (" dE / dw5 ", "dE/dw5"),
    ("δ_o1", "delta_o1"), ("δo1", "delta_o1"), ("w5⁺", "w5+"), ("out_o1[1]", "out_o1"), ("Δw5", "Δw5"),
    ("step_w5", "Δw5"), ("w5@1", "w5+"), ("E_total@1", "E_after"), ("net_o1@1", "net_o1@1"),
    ("out_o1@10000", "out_o1@10000"), ("h1->o1@5", "w5@5"), ("dE_o2/dout_h1", "dE_o2/dout_h1"),
])
def test_every_spelling_of_a_name(mazur, text, canonical):
    assert mazur.vocabulary.resolve(text).canonical == canonical


@pytest.mark.parametrize("text, close, reason", [
    ("out_o3", ["out_o2", "out_o1", "out_h2", "out_h1"], None),
    ("delta_o1[2]", ["delta_o2", "delta_o1", "delta_h2", "delta_h1"], "there is no sample 2 (the network has 1)"),
    ("out_o1@0", ["out_o1"], "the values before training have no @0: write the name alone"),
])
def test_unknown_names_come_with_the_closest(mazur, text, close, reason):
    with pytest.raises(UnknownName) as problem:
        mazur.vocabulary.resolve(text)
    assert problem.value.close == close
    assert problem.value.reason == reason


def test_a_per_sample_name_outside_the_step():
    checker = Checker(load_network(NETWORKS / "mitchell-4-7.yaml"))
    assert checker.vocabulary.resolve("out_d[2]").canonical == "out_d[2]"  # the forward pass covers both samples
    with pytest.raises(UnknownName) as problem:
        checker.vocabulary.resolve("delta_d[2]")
    assert problem.value.reason == "the step covers sample 1 only (batch: online)"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("everything", [False, True])
def test_the_template_lists_every_name_and_reads_back(tmp_path, path, everything):
    network = load_network(path)
    checker = Checker(network)
    text = template_text(network, checker.vocabulary, path.name, everything)
    entries = parse_answers(text, "template.yaml")
    names = [entry.name for entry in entries]
    assert all(entry.text is None for entry in entries)
    assert names == list(checker.vocabulary.template(everything))
    (tmp_path / "blank.yaml").write_text(text)
    sheet = read_sheet(tmp_path / "blank.yaml", checker.vocabulary)
    assert sheet.answers == () and len(sheet.blank) == len(names)


def test_the_template_is_the_vocabulary_of_the_worked_tables(mazur):
    core = mazur.vocabulary.template()
    assert core[:11] == ("net_h1", "out_h1", "net_h2", "out_h2", "net_o1", "out_o1", "net_o2", "out_o2",
                         "E_o1", "E_o2", "E_total")
    assert core[11:15] == ("delta_o1", "delta_o2", "dE/dw5", "dE/dw6")
    assert core[-1] == "E_after"
    assert "b1+" not in core and "dE/db1" not in core  # Mazur's biases are held fixed
    everything = mazur.vocabulary.template(everything=True)
    assert {"dE/dout_o1", "dout/dnet_o1", "dE_o2/dout_h1", "Δw5", "out_o1@1"} <= set(everything)


def sheet_error(mazur, tmp_path, text: str) -> str:
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    with pytest.raises(NetworkFileError) as problem:
        mazur.read(path)
    return str(problem.value).replace(str(tmp_path) + "/", "")


@pytest.mark.parametrize("text, message", [
    ("net_h1: 0.3775\nout_h3: 0.59\n",
     "mine.yaml:2:1: 'out_h3' is not a quantity of mazur-2-2-2; did you mean out_h2, out_h1, out_o2, out_o1?"),
    ("net_h1: 0.3775\nout_h1: abc\n", "mine.yaml:2:9: out_h1: expected a number, got 'abc'"),
    ("out_h1: yes\n", "mine.yaml:1:9: out_h1: expected a number, got the boolean yes"),
    ("out_h1: .nan\n",
     "mine.yaml:1:9: out_h1: expected a finite number, got .nan (non-finite numbers are not allowed)"),
    ('out_h1: "0.59"\n',
     "mine.yaml:1:9: out_h1: expected a number, got the string '0.59' (numbers are written without quotes)"),
    ("out_h1: [0.59]\n", "mine.yaml:1:9: out_h1: expected a number, got a list"),
    ("w5+: 0.36\nh1->o1+: 0.36\n",
     "mine.yaml:2:1: 'h1->o1+' is the same quantity as line 1 ('w5+'); give each quantity once"),
    ("w5+: 0.36\nw5+: 0.36\n", "mine.yaml:2:1: duplicate key 'w5+' (first at line 1)"),
    ("- 0.5\n", "mine.yaml:1:1: an answer file is a map from quantity names to numbers, e.g. `out_h1: 0.5933`; "
                "got a list"),
    ("# nothing yet\n", "mine.yaml: the file has no answers; write one `name: number` per line, e.g. "
                        "`out_h1: 0.5933` (bpcalc answers prints every name)"),
    ("net_Top: 0.76\nout_Top: 0.68\nnet_Final: 0.80\n",
     "mine.yaml:1:1: 'net_Top' is not a quantity of mazur-2-2-2; did you mean net_o2, net_o1, net_h2, net_h1? "
     "(3 of the 3 names are unknown; is this answer file for another network?)"),
    ("out_o1@1000000: 0.01\n", "mine.yaml:1:1: out_o1@1000000: checking a value after 1000000 epochs would "
                                "take too long; at most 100000 are checked"),
    ((NETWORKS / "mazur.yaml").read_text(),
     "mine.yaml:3:1: this is a network file, not an answer file; give the network first: bpcalc check NET ANSWERS..."),
])
def test_bad_answer_files_get_one_line(mazur, tmp_path, text, message):
    assert sheet_error(mazur, tmp_path, text) == message
