"""`--notation matrix`: each layer's vectors and matrices written out, with the engine's numbers."""

from __future__ import annotations

import re

import pytest

from bpcalc import engine
from bpcalc.loader import load_network
from bpcalc.render import boxes
from bpcalc.render.document import Matrices, MatrixEquation
from bpcalc.render.matrix import step_document
from bpcalc.render.numbers import plain
from bpcalc.render.solution import forward_document, step_document as solution_step
from bpcalc.training import update_number
from bpcalc.render.symbols import View
from bpcalc.render.text import Writer
from bpcalc.expr import Matrix, Num, Sum
from conftest import NETWORKS, bpcalc, compile_latex, needs_pdflatex

HAGAN = NETWORKS / "hagan-11.yaml"
MAZUR = NETWORKS / "mazur.yaml"
BRACKETS = "⎡⎢⎣["
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")
# An equation's first line: a symbol (no bracket, no space) and its " = ".
EQUATION_START = re.compile(r"^\s*[^\s⎡⎢⎣⎛⎜⎝⎤⎥⎦⎞⎟⎠=]+\s*= ")


def printed(*args: str) -> str:
    result = bpcalc(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def result_of(text: str, symbol: str) -> list[list[float]]:
    """The matrix (rows of numbers) an equation `symbol = … = result` ends in, as the terminal prints it."""
    lines = text.splitlines()
    first = next(k for k, line in enumerate(lines) if re.match(rf"\s*{re.escape(symbol)}\s*= ", line))
    start, end = first, first
    while start > 0 and lines[start - 1].strip() and not EQUATION_START.match(lines[start - 1]):
        start -= 1
    while end + 1 < len(lines) and lines[end + 1].strip() and not EQUATION_START.match(lines[end + 1]):
        end += 1
    block = lines[start:end + 1]
    base = max(k for k, line in enumerate(block) if "= " in line)
    column = block[base].rindex("= ") + 2
    top, bottom = base, base
    while top > 0 and block[top - 1][column:column + 1] in ("⎡", "⎢"):
        top -= 1
    while bottom + 1 < len(block) and block[bottom + 1][column:column + 1] in ("⎢", "⎣"):
        bottom += 1
    return [[float(x) for x in NUMBER.findall(line[column:].split("   (")[0])] for line in block[top:bottom + 1]]


def rounds_to(value: float, written: str) -> bool:
    """Whether `value` rounded to the decimals of `written` (a book's figure) is that figure."""
    places = len(written.split(".")[1]) if "." in written else 0
    return round(value, places) == float(written)


# Hagan, Demuth & Beale, Neural Network Design, ch. 11: the book's figures, by symbol.
HAGAN_FIGURES = {
    "a¹": [["0.321"], ["0.368"]],
    "a²": [["0.446"]],
    "e": [["1.261"]],
    "δ²": [["-2.522"]],
    "δ¹": [["-0.0495"], ["0.0997"]],
    "W²(new)": [["0.171", "-0.0772"]],
    "b²(new)": [["0.732"]],
    "W¹(new)": [["-0.265"], ["-0.420"]],
    "b¹(new)": [["-0.475"], ["-0.140"]],
}


def test_hagan_chapter_11_in_matrix_notation():
    text = printed("step", HAGAN, "--show-deltas", "--notation", "matrix", "--precision", "4")
    for symbol, figures in HAGAN_FIGURES.items():
        values = result_of(text, symbol)
        assert [len(r) for r in values] == [len(r) for r in figures], (symbol, values)
        for row, book in zip(values, figures):
            for value, figure in zip(row, book):
                assert rounds_to(value, figure), (symbol, value, figure)
    # the forward pass and the sensitivities as the book writes them
    assert "n¹ = W¹x + b¹" in text and "n² = W²a¹ + b²" in text
    assert "δ¹      = ((W²)ᵀδ²) ⊙ f¹′(n¹) = Ḟ¹(n¹)(W²)ᵀδ²" in text
    assert "dE/dW¹  = δ¹xᵀ" in text and "W¹(new) = W¹ − η·dE/dW¹" in text


def test_hagan_figures_are_the_engines_rounded():
    """The printed figures are the engine's own numbers rounded, not a rounding of a rounding."""
    network = load_network(HAGAN)
    record = engine.step(network)
    fp = record.passes[0]
    assert rounds_to(engine.error_vector(network, fp)[0], "1.261")
    assert [rounds_to(record.deltas[0][j].delta, f) for j, f in (("o1", "-2.522"), ("h1", "-0.0495"), ("h2", "0.0997"))] == [True] * 3
    new = record.updated.values()
    book = {"h1->o1": "0.171", "h2->o1": "-0.0772", "o1": "0.732", "p->h1": "-0.265", "p->h2": "-0.420",
            "h1": "-0.475", "h2": "-0.140"}
    assert all(rounds_to(new[key], figure) for key, figure in book.items())


def neuron_values(path, command: str = "step", *args: str) -> dict[str, float]:
    """name → value of every line of the neuron form's worked solution, as printed (9 digits)."""
    network = load_network(path)
    view = View(show_deltas=True, delta_sign=network.options.delta_sign)
    if command == "forward":
        document = forward_document(network, engine.evaluate(network), view)
    else:
        document = solution_step(engine.step(network) if not args else update_number(network, int(args[0])).step, view)
    return {eq.name: float(plain(eq.value, 9)) for eq in document.equations() if eq.name and eq.value is not None}


def test_mazur_matrix_numbers_are_the_neuron_forms():
    neuron = neuron_values(MAZUR)
    matrix = printed("step", MAZUR, "--show-deltas", "--notation", "matrix")
    expected = {
        "n¹": [["net_h1"], ["net_h2"]], "a¹": [["out_h1"], ["out_h2"]],
        "n²": [["net_o1"], ["net_o2"]], "a²": [["out_o1"], ["out_o2"]],
        "δ²": [["delta_o1"], ["delta_o2"]], "δ¹": [["delta_h1"], ["delta_h2"]],
        "dE/dW²": [["dE/dw5", "dE/dw6"], ["dE/dw7", "dE/dw8"]],
        "dE/dW¹": [["dE/dw1", "dE/dw2"], ["dE/dw3", "dE/dw4"]],
        "W²(new)": [["w5+", "w6+"], ["w7+", "w8+"]], "W¹(new)": [["w1+", "w2+"], ["w3+", "w4+"]],
    }
    for symbol, names in expected.items():
        assert result_of(matrix, symbol) == [[neuron[n] for n in row] for row in names], symbol
    assert "E_total = ½eᵀe" in matrix and "= 0.298371109" in matrix
    assert "dE/da²  = −(t − a²)" in matrix


def test_neuron_notation_is_the_default():
    assert printed("step", MAZUR, "--show-deltas", "--notation", "neuron") == printed("step", MAZUR, "--show-deltas")


def test_a_skip_connection_is_a_term_of_its_own():
    text = printed("step", NETWORKS / "rumelhart-xor.yaml", "--show-deltas", "--notation", "matrix")
    assert "n²[1] = W²˒¹a¹[1] + W²˒⁰x[1] + b²" in text
    assert "= [0.2][0.524979187] + [0.15  -0.25]⎡0⎤ + (-0.1) = 0.004995837" in text  # y's weights from h, then from x1, x2
    # the hidden δ flows back through the one weight h -> y, and each sample's terms are combined
    assert "δ¹[1]      = ((W²˒¹)ᵀδ²[1]) ⊙ f¹′(n¹[1])" in text
    assert "dE/dW²˒⁰  = dE[1]/dW²˒⁰ + dE[2]/dW²˒⁰ + dE[3]/dW²˒⁰ + dE[4]/dW²˒⁰" in text
    neuron = neuron_values(NETWORKS / "rumelhart-xor.yaml")
    assert result_of(text, "W²˒⁰(new)") == [[neuron["w(x1->y)+"], neuron["w(x2->y)+"]]]
    latex = printed("step", NETWORKS / "rumelhart-xor.yaml", "--show-deltas", "--notation", "matrix",
                    "--format", "latex")
    assert r"\mathbf{W}^{2,1}\mathbf{a}^{1}[1] + \mathbf{W}^{2,0}\mathbf{x}[1] + \mathbf{b}^{2}" in latex


def test_a_sparse_layers_missing_weights_are_zeros_said_once():
    text = printed("step", NETWORKS / "sparse.yaml", "--show-deltas", "--notation", "matrix")
    assert text.count("A 0 in a weight matrix stands for a weight the network does not have") == 1
    # h1 does not see x3, h2 not x1, h3 only x3: W¹ as the file writes it, with zeros
    assert result_of(text, "W¹(new)")[0][2] == 0 and result_of(text, "W¹(new)")[2][:2] == [0, 0]
    assert "n¹[1] = W¹x[1] + b¹ − θ¹" in text  # h2's threshold
    neuron = neuron_values(NETWORKS / "sparse.yaml")
    assert result_of(text, "θ¹(new)") == [[0], [neuron["theta2+"]], [0]]
    assert result_of(text, "W²˒⁰(new)") == [[neuron["u1+"], 0, 0], [0, 0, 0]]


def test_error_sign_writes_the_step_with_plus_eta():
    text = printed("step", NETWORKS / "udacity.yaml", "--show-deltas", "--notation", "matrix")
    neuron = neuron_values(NETWORKS / "udacity.yaml")
    assert "−dE/da² = t − a²" in text
    assert "ΔW²     = η·δ²(a¹)ᵀ = 0.5×[0.121832235][0.495000167] = 0.030153488" in text
    assert result_of(text, "δ²") == [[neuron["delta_o"]]]
    assert result_of(text, "W¹(new)") == [[neuron["w1+"], neuron["w2+"]]]


def test_momentum_shows_its_term_mitchell_4_7_second_update():
    text = printed("step", NETWORKS / "mitchell-4-7.yaml", "--update", "2", "--show-deltas", "--notation", "matrix")
    assert "W¹(new)    = W¹ − η·dE/dW¹ + α·ΔW¹(n−1)" in text
    assert result_of(text, "W¹(new)") == [[0.101617435, 0.098798528]]
    assert result_of(text, "b¹(new)") == [[0.100415963]]
    assert result_of(text, "W²(new)") == [[0.113474164]]
    assert result_of(text, "b²(new)") == [[0.124521521]]


def test_updated_weights_for_the_hidden_deltas():
    text = printed("step", NETWORKS / "csc4007-example2.yaml", "--show-deltas", "--notation", "matrix")
    assert "δ¹      = ((W²(new))ᵀδ²) ⊙ f¹′(n¹)" in text
    assert "⎛⎡0.27⎤[0.041]⎞" in text  # W² after its update (0.3 → 0.27), not before


def test_softmax_output_delta_by_its_jacobian(tmp_path):
    net = tmp_path / "soft.yaml"
    net.write_text("""learning_rate: 0.5
layers:
  - inputs: [x1, x2]
  - activation: tanh
    neurons:
      h1: {bias: 0.1, weights: {x1: 0.2, x2: -0.3}}
      h2: {bias: -0.1, weights: {x1: 0.4, x2: 0.1}}
  - activation: softmax
    neurons:
      o1: {bias: 0.0, weights: {h1: 0.5, h2: -0.5}}
      o2: {bias: 0.1, weights: {h1: -0.3, h2: 0.2}}
samples:
  - inputs: {x1: 1, x2: 0.5}
    targets: {o1: 1, o2: 0}
""")
    text = printed("step", net, "--show-deltas", "--notation", "matrix")
    neuron = neuron_values(net)
    assert "δ²      = (diag(a²) − a²(a²)ᵀ)dE/da²" in text
    assert result_of(text, "δ²") == [[neuron["delta_o1"]], [neuron["delta_o2"]]]


def test_compact_step_is_each_layers_update():
    text = printed("step", MAZUR, "--notation", "matrix")
    assert "New values" in text and "W²(new) = W² − η·dE/dW²" in text and "δ" not in text.split("New values")[1]
    assert "E_after = 0.291027774" in text


def test_symbolic_matrix_notation_has_no_numbers():
    text = printed("step", MAZUR, "--notation", "matrix", "--symbolic")
    body = text.split("\n\n", 1)[1]
    assert "⎡" not in body and not re.search(r"\d\.\d", body)
    assert "δ¹      = ((W²)ᵀδ²) ⊙ f¹′(n¹) = Ḟ¹(n¹)(W²)ᵀδ²" in body


def test_forward_in_matrix_notation():
    text = printed("forward", NETWORKS / "brilliant.yaml", "--notation", "matrix")
    assert "Forward pass, sample 6" in text and "Total error" in text
    neuron = neuron_values(NETWORKS / "brilliant.yaml", "forward")
    assert result_of(text, "a²[2]") == [[neuron["out_o[2]"]]]
    assert result_of(text, "a¹[2]") == [[neuron["out_h1[2]"]], [neuron["out_h2[2]"]], [neuron["out_h3[2]"]]]


def test_explain_in_matrix_notation():
    text = printed("explain", MAZUR, "w5", "--notation", "matrix")
    assert "dE/dw5  = [δ²(a¹)ᵀ]₁,₁ = δ²₁a¹₁ = 0.138498562×0.593269992 = 0.082167041" in text
    assert "w5+ = w5 − η·dE/dw5 = 0.4 − 0.5×0.082167041 = 0.35891648" in text
    # down to the parameter's layer: δ² then δ¹ for w1 (h1's weight from i1)
    text = printed("explain", MAZUR, "w1", "--notation", "matrix")
    assert text.index("δ²      =") < text.index("δ¹      =") < text.index("dE/dw1  = [δ¹xᵀ]₁,₁ = δ¹₁x₁")
    threshold = printed("explain", NETWORKS / "sparse.yaml", "theta2", "--notation", "matrix")
    assert "dE/dtheta2[1] = −δ¹[1]₂" in threshold and "(row 2: h2)" in threshold


def test_refusals_are_one_line():
    for args in (("forward", "--json"), ("step", "--json")):
        result = bpcalc(*args, "--notation", "matrix")
        assert result.exit_code == 2 and result.stdout == ""
        assert result.stderr.splitlines() == ["bpcalc: --notation matrix has no JSON form (JSON is one fixed "
                                              "document, by neuron); drop --json to see the matrices"]
    result = bpcalc("explain", MAZUR, "i1", "--notation", "matrix")
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1 and "input i1" in result.stderr


def test_markdown_writes_each_equation_as_one_display_formula():
    text = printed("step", HAGAN, "--show-deltas", "--notation", "matrix", "--format", "markdown")
    displays = [line for line in text.splitlines() if line.startswith("$$")]
    assert displays and all(line.startswith(r"$$\begin{aligned} ") and line.endswith(r"\end{aligned}$$")
                            for line in displays)
    assert r"\boldsymbol{\delta}^{1} &= (\left(\mathbf{W}^{2}\right)^{\mathsf{T}}\boldsymbol{\delta}^{2}) \odot" in text
    assert r"&= \begin{bmatrix} 0.170899887 & -0.077155996 \end{bmatrix} \end{aligned}$$" in text
    assert "⎡" not in text


@needs_pdflatex
@pytest.mark.parametrize("args", [
    ("step", HAGAN, "--show-deltas", "--precision", "4"),
    ("step", NETWORKS / "sparse.yaml", "--show-deltas"),
    ("step", NETWORKS / "udacity.yaml", "--show-deltas", "--symbolic"),
    ("step", NETWORKS / "mitchell-4-7.yaml", "--update", "2", "--show-deltas"),
    ("explain", NETWORKS / "sparse.yaml", "x2-h1"),
    ("forward", NETWORKS / "negnevitsky-xor.yaml"),
])
def test_latex_compiles(args, tmp_path):
    fragment = printed(*args, "--notation", "matrix", "--format", "latex")
    assert r"\begin{bmatrix}" in fragment or "--symbolic" in args
    compiled = compile_latex(fragment, tmp_path)
    assert compiled.returncode == 0, compiled.stdout[-2000:]


def test_the_document_is_made_of_the_records_numbers():
    """Each result of a matrix equation is a matrix of the engine's values, not a recomputation."""
    network = load_network(MAZUR)
    record = engine.step(network)
    found = matrix_equations(step_document(record, View()))
    result = found["W²(new)"].sides[-1]
    assert isinstance(result, Matrix)
    new = record.updated.values()
    assert [[e.value for e in row] for row in result.rows] == [[new["h1->o1"], new["h2->o1"]],
                                                                [new["h1->o2"], new["h2->o2"]]]


def test_boxes_lay_a_matrix_out_over_lines():
    eq = MatrixEquation(Num(1.0), (Sum((("+", Matrix(((Num(1.0),), (Num(-2.5),)))), ("−", Num(3.0)))),))
    assert boxes.equation_lines(eq, Writer(), 80) == ["1 = ⎡   1⎤ − 3", "    ⎣-2.5⎦"]
    assert boxes.one_line(eq, Writer()) == "1 = [1; -2.5] − 3"


def matrix_equations(document) -> dict[str, MatrixEquation]:
    found = {}

    def walk(blocks):
        for block in blocks:
            if isinstance(block, Matrices):
                for eq in block.equations:
                    found[Writer()(eq.symbol)] = eq
            elif hasattr(block, "blocks"):
                walk(block.blocks)

    walk(document.sections)
    return found


def entries(expr) -> list[float]:
    if isinstance(expr, Num):
        return [expr.value]
    assert isinstance(expr, Matrix)
    return [e.value for row in expr.rows for e in row]


@pytest.mark.parametrize("path", sorted(NETWORKS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_new_value_is_the_engines(path):
    """For every bundled network: the (new) matrices hold exactly the updated parameters (and 0
    for the ones the network lacks), and every format writes the document."""
    network = load_network(path)
    record = engine.step(network)
    document = step_document(record, View(show_deltas=True))
    new = [v for symbol, eq in matrix_equations(document).items() if symbol.endswith("(new)")
           for v in entries(eq.sides[-1])]
    updated = list(record.updated.values().values())
    assert sorted(v for v in new if v != 0) == sorted(v for v in updated if v != 0)
    for fmt in ("terminal", "markdown", "latex"):
        assert bpcalc("step", path, "--show-deltas", "--notation", "matrix", "--format", fmt).exit_code == 0


def test_l2_adds_its_term_to_each_weight_matrix(tmp_path):
    net = tmp_path / "l2.yaml"
    net.write_text(MAZUR.read_text().replace("update_biases: false", "update_biases: true\nl2: 0.01"))
    text = printed("step", net, "--show-deltas", "--notation", "matrix")
    neuron = neuron_values(net)
    assert "dE/dW²  = dE_d/dW² + 2·λ·W²" in text and "2×0.01×⎡0.4  0.45⎤" in text
    assert result_of(text, "dE/dW²") == [[neuron["dE/dw5"], neuron["dE/dw6"]], [neuron["dE/dw7"], neuron["dE/dw8"]]]
    assert "dE/db²  = dE_d/db²" in text  # no L2 on a bias
    assert result_of(text, "b²(new)") == [[neuron["b2+"]], [neuron["b(o2)+"]]]
