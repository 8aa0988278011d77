"""The Python API in a notebook: networks from text or a dict, values by label, short reprs, rich displays."""

from __future__ import annotations

import re

import pytest
import yaml

import bpcalc
from bpcalc.errors import NetworkFileError

from conftest import NETWORKS, TESTS

MAZUR = NETWORKS / "mazur.yaml"
TEXT = MAZUR.read_text()


# ---------------------------------------------------------------- networks without files

def test_text_dict_and_path_give_the_same_network():
    from_path = bpcalc.load_network(MAZUR)
    assert bpcalc.load_network(str(MAZUR)) == from_path
    assert bpcalc.load_network(TEXT)._replace(path=None) == from_path._replace(path=None)
    assert bpcalc.load_network(yaml.safe_load(TEXT))._replace(path=None) == from_path._replace(path=None)
    assert bpcalc.step(TEXT).updated["w5"] == bpcalc.step(MAZUR).updated["w5"]


def test_text_errors_name_the_line_of_the_text():
    text = TEXT.replace("learning_rate: 0.5", "learning_rate: fast")
    line = next(k for k, l in enumerate(text.splitlines(), 1) if "fast" in l)
    with pytest.raises(NetworkFileError) as caught:
        bpcalc.load_network(text)
    assert str(caught.value).startswith(f"<text>:{line}:")
    assert "learning_rate" in str(caught.value)


def test_dict_errors_name_the_dict():
    data = yaml.safe_load(TEXT)
    data["learning_rate"] = "fast"
    with pytest.raises(NetworkFileError) as caught:
        bpcalc.load_network(data)
    assert str(caught.value).startswith("<dict>: learning_rate")


def test_a_missing_file_is_still_a_path():
    with pytest.raises(bpcalc.errors.BpcalcError) as caught:
        bpcalc.load_network("no-such-net.yaml")
    assert "no-such-net.yaml" in str(caught.value)


def test_is_yaml_text_rule(tmp_path):
    from bpcalc.loader.network import is_yaml_text

    assert is_yaml_text("name: x\nlayers: []")
    assert is_yaml_text("{name: x}")
    assert not is_yaml_text("hw3.yaml") and not is_yaml_text("a:b.yml") and not is_yaml_text("hw3")
    odd = tmp_path / "odd:name"
    odd.write_text(TEXT)
    assert not is_yaml_text(str(odd))


# ---------------------------------------------------------------- by label as well as by edge

def test_values_by_label_and_by_edge():
    net = bpcalc.load_network(MAZUR)
    st = bpcalc.step(net)
    assert net["w5"] == net["h1->o1"] == net["h1-o1"] == 0.4
    assert net["b(h2)"] == net["h2"] == 0.35
    assert st.gradients["w5"] == st.gradients["h1->o1"] == pytest.approx(0.082167041, abs=1e-9)
    assert st.updated["w5"] == pytest.approx(0.35891648, abs=1e-8)
    assert st.steps["w5"] == pytest.approx(st.updated["w5"] - net["w5"])
    assert st.update("w5").new == st.updated["w5"]
    assert list(st.gradients)[:2] == ["w1", "w2"] and len(st.gradients) == 12
    tr = bpcalc.train(net, 100)
    assert tr.network["w5"] == tr.network.weights()["h1->o1"]
    with pytest.raises(KeyError, match="no parameter 'w99'"):
        net["w99"]
    assert net[0] == ("i1", "i2")  # a record's fields still index as a tuple


# ---------------------------------------------------------------- short reprs

def test_record_reprs_are_one_line():
    net = bpcalc.load_network(MAZUR)
    assert repr(net) == "<Network mazur-2-2-2: 2-2-2, 8 weights, 4 biases, 1 sample>"
    assert repr(bpcalc.forward(net)) == "<Evaluation: 1 sample, E_total 0.298371109>"
    new = bpcalc.load_network(NETWORKS / "mazur-new-weights.yaml")
    assert re.fullmatch(r"<StepRecord .+: E 0\.298371109 → 0\.291027924, 8 weights, 4 biases>", repr(bpcalc.step(new)))
    assert re.fullmatch(r"<TrainRecord mazur-2-2-2: 10000 epochs, E 0\.298371109 → 0\.0000351019>",
                        repr(bpcalc.train(net, 10_000)))
    thresholds = bpcalc.load_network(NETWORKS / "negnevitsky-xor.yaml")
    assert "thresholds" in repr(thresholds)


def test_pretty_printer_uses_the_short_repr():
    class Printer:
        def __init__(self):
            self.out = ""

        def text(self, s):
            self.out += s

    p = Printer()
    bpcalc.step(MAZUR)._repr_pretty_(p, False)
    assert p.out.startswith("<StepRecord mazur-2-2-2: E 0.298371109")


# ---------------------------------------------------------------- worked solutions

def test_solution_markdown_has_math_and_escaped_underscores():
    s = bpcalc.solution(MAZUR)
    md = s._repr_markdown_()
    assert md.startswith("## mazur-2-2-2: one step of backpropagation")
    assert r"| $\mathrm{net}_{h1}$ | $w_{1} \cdot i_{1} + w_{2} \cdot i_{2} + b_{1} \cdot 1$ |" in md
    assert "| 0.3775 |" in md
    assert r"loss half\_sse" in md  # underscores in prose escaped, not emphasis
    assert "`" not in md  # formulas are math, not code
    assert s._repr_latex_().lstrip().startswith("% bpcalc worked solution")
    assert repr(s) == "<Solution mazur-2-2-2: one step of backpropagation: 5 sections>"
    assert "delta_o1     = dE/dout_o1 × dout/dnet_o1 = 0.741365070 × 0.186815602" in str(s)


def test_solution_html_is_the_html_page():
    page = bpcalc.solution(MAZUR)._repr_html_()
    assert page.startswith("<!DOCTYPE html>") and "<mn>0.3775</mn>" in page


@pytest.mark.parametrize("what, extra, needle", [
    ("forward", {}, "out_o1"), ("explain", {"param": "w5"}, "Every path from w5 to the error"),
    ("train", {"epochs": 100}, "0.020046828"),
])
def test_solution_kinds(what, extra, needle):
    s = bpcalc.solution(MAZUR, what, **extra)
    assert needle in str(s)
    assert "$" in s._repr_markdown_()


def test_solution_asks_for_what_it_needs():
    with pytest.raises(bpcalc.errors.BpcalcError, match="param="):
        bpcalc.solution(MAZUR, "explain")
    with pytest.raises(bpcalc.errors.BpcalcError, match="epochs="):
        bpcalc.solution(MAZUR, "train")
    with pytest.raises(bpcalc.errors.BpcalcError, match="one of"):
        bpcalc.solution(MAZUR, "everything")


def test_diagram():
    d = bpcalc.diagram(MAZUR)
    assert d._repr_svg_().lstrip().startswith("<")
    assert repr(d)


# ---------------------------------------------------------------- checking

def test_check_a_dict():
    c = bpcalc.check(MAZUR, {"out_h1": "0.5933", "delta_o1": -0.1385, "w5+": 0.3589, "E_total": "0.30"})
    assert (c.right, c.asked, c.all_right) == (3, 4, False)
    assert c["delta_o1"].verdict == "wrong" and c["delta_o1"].diagnosis.code == "sign_flipped"
    assert [j.answer.key for j in c] == ["out_h1", "E_total", "delta_o1", "w5+"]
    md = c._repr_markdown_()
    assert md.startswith("**3 of 4 right**")
    assert "| `delta_o1` | -0.1385 | 0.1385 | ✗ | The sign is flipped" in md
    assert "<td>delta_o1</td><td>-0.1385</td>" in c._repr_html_()
    assert repr(c) == "<Checked: 3 of 4 right; wrong: delta_o1>"


def test_check_is_callable_after_the_package_loads():
    import bpcalc.check.grade  # noqa: F401  (makes bpcalc.check the package)

    assert bpcalc.check(MAZUR, {"net_h1": "0.3775"}).all_right


def test_check_a_file_and_its_errors(tmp_path):
    key = NETWORKS / "keys" / "mazur.answers.yaml"
    if key.exists():
        assert len(bpcalc.check(MAZUR, key)) > 10
    with pytest.raises(NetworkFileError, match="<dict>.*'out_h9' is not a quantity"):
        bpcalc.check(MAZUR, {"out_h9": 0.5})
    with pytest.raises(NetworkFileError, match="expected a number"):
        bpcalc.check(MAZUR, {"out_h1": "about a half"})


# ---------------------------------------------------------------- a real kernel

def test_example_notebook_runs_in_a_kernel():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.read(TESTS.parent / "examples" / "notebook.ipynb", as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
    outputs = [cell.outputs for cell in notebook.cells if cell.cell_type == "code"]
    assert all(o and o[-1].output_type == "execute_result" for o in outputs)
    assert outputs[0][-1].data["text/plain"] == "<Network tiny-2-1-1: 2-1-1, 3 weights, 2 biases, 1 sample>"
    assert outputs[1][-1].data["text/plain"].startswith("<StepRecord tiny-2-1-1: E ")
    solution = outputs[3][-1].data
    assert {"text/markdown", "text/latex", "text/plain"} <= set(solution)
    assert r"$\mathrm{net}_{h1}$" in solution["text/markdown"]
    checked = outputs[4][-1].data
    assert checked["text/markdown"].startswith("**2 of 3 right**")
    assert "The sign is flipped" in checked["text/html"]
