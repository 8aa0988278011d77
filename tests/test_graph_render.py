"""Nets that are not layered render from the graph: skip connections, a sparse layer, thresholds, in every format."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcalc import engine
from bpcalc.chain import MAX_PATHS, count_paths, on_paths, parameter_chains
from bpcalc.loader import parse_network
from bpcalc.render import latex, markdown, terminal
from bpcalc.render.explain import explain_document
from bpcalc.render.numbers import plain
from bpcalc.render.solution import forward_document, step_document
from bpcalc.render.symbols import View
from conftest import compile_latex, needs_pdflatex

# x1 → h1 → g → y, and two skips: x1 → y (past both hidden layers) and h1 → y (past g).
# h1 does not see x3, h2 does not see x1 (sparse); h2 has a threshold.
GRAPH = """name: graph
learning_rate: 0.5
layers:
  - inputs: [x1, x2, x3]
  - activation: sigmoid
    connections: sparse
    neurons:
      h1: {bias: 0.1, weights: {x1: 0.4, x2: -0.6}}
      h2: {threshold: 0.3, weights: {x2: 0.5, x3: 0.7}}
  - activation: tanh
    neurons:
      g: {weights: {h1: 0.2, h2: -0.5}}
  - activation: sigmoid
    neurons:
      y: {bias: 0.2, weights: {h1: 0.3, g: -0.8, x1: 0.9}}
labels: {theta2: h2, u1: x1->y}
samples:
  - inputs: {x1: 1, x2: 0.5, x3: -1}
    targets: {y: 1}
"""


def network(text: str = GRAPH):
    return parse_network(text, "graph.yaml")


def flat(text: str) -> str:
    """Terminal text with each equation on one line: continuation lines joined, single spaces."""
    return re.sub(r" +", " ", re.sub(r"\n\s+(?=[=+×−] )", " ", text))


def text_of(document) -> str:
    return flat(terminal.plain(terminal.render(document, 80)))


@pytest.fixture(scope="module")
def record():
    return engine.step(network())


def test_forward_writes_each_neurons_own_edges_and_the_threshold(record):
    out = text_of(forward_document(record.network, record.before, View()))
    # sparse: only the edges written; a threshold is subtracted, in symbols and in numbers
    assert "net_h1 = w(x1->h1)·x1 + w(x2->h1)·x2 + b(h1)·1 = 0.4×1 + (-0.6)×0.5 + 0.1×1 = 0.2" in out
    assert "net_h2 = w(x2->h2)·x2 + w(x3->h2)·x3 − theta2·1 = 0.5×0.5 + 0.7×(-1) − 0.3×1 = -0.75" in out
    # the skip sources: an input's value and the out of a neuron two layers back
    net_y = record.before.passes[0].neuron("y").net
    assert (f"net_y = u1·x1 + w(h1->y)·out_h1 + w(g->y)·out_g + b(y)·1 = 0.9×1 + 0.3×0.549833997 + "
            f"(-0.8)×(-0.050401108) + 0.2×1 = {plain(net_y)}") in out
    assert "thresholds: net_X = Σw·x − θ" in out
    # layers stay the headings
    assert "Hidden layer 1 (sigmoid)" in out and "Hidden layer 2 (tanh)" in out and "Output layer (sigmoid)" in out


def test_step_works_the_threshold_and_the_skips_backward(record):
    out = text_of(step_document(record, View()))
    h2 = record.deltas[0]["h2"]
    theta = {u.name: u for u in record.updates}["h2"]
    assert theta.kind == "threshold" and theta.gradient == -h2.delta
    assert "dnet_h2/dtheta2 = -1" in out
    assert f"dE/dtheta2 = −delta_h2 = −({plain(h2.delta)}) = {plain(theta.gradient)}" in out
    assert f"theta2+ = theta2 − η·dE/dtheta2 = 0.3 − 0.5×{plain(theta.gradient)} = {plain(theta.new)}" in out
    # h1 feeds g and, skipping a layer, y: its δ sums over both
    assert "dE/dout_h1 = delta_g·w(h1->g) + delta_y·w(h1->y) = " in out
    assert "dE_y/dout_h1 = delta_y·w(h1->y) = " in out
    # the skip weight's gradient multiplies the input it comes from
    assert "dnet_y/du1 = x1 = 1" in out
    assert "thresholds: net_X = Σw·x − θ, dE/dθ = −delta_X" in out and "biases and thresholds updated" in out
    table = out.split("New values", 1)[1]
    assert re.search(r"theta2 \(h2\) +0\.3 ", table) and re.search(r"\n +w\(h1->g\) +0\.2 ", table)


def test_error_sign_threshold_lines(record):
    out = text_of(step_document(record, View(delta_sign="error")))
    h2 = record.deltas[0]["h2"]
    assert f"dE/dtheta2 = delta_h2 = {plain(-h2.delta)}" in out
    assert f"Δtheta2 = −η·delta_h2 = −0.5×{plain(-h2.delta)} = " in out
    assert "dE/dθ = delta_X" in out


def test_symbolic_threshold_and_skip_lines(record):
    out = text_of(step_document(record, View(symbolic=True)))
    for line in ["net_h2 = w(x2->h2)·x2 + w(x3->h2)·x3 − theta2·1",
                 "delta_h1 = (delta_g·w(h1->g) + delta_y·w(h1->y))·out_h1(1−out_h1)",
                 "dE/dtheta2 = −delta_h2", "theta2+ = theta2 + η·delta_h2", "u1+ = u1 − η·delta_y·x1"]:
        assert line in out, line


def test_explain_lists_the_path_that_skips_a_layer(record):
    chains = parameter_chains(record, "x1->h1")
    assert chains[0].path_count == count_paths(record.network, "h1") == 2
    assert [p.neurons for p in chains[0].paths] == [("h1", "g", "y"), ("h1", "y")]
    gradient = {u.name: u for u in record.updates}["x1->h1"].gradient
    assert math.isclose(chains[0].total, gradient, rel_tol=1e-12)
    out = text_of(explain_document(record, "x1->h1", View()))
    assert "out_h1 feeds g, y (skipping a layer)" in " ".join(out.split()) and ": 2 paths." in out
    assert "w(x1->h1) → h1 → g → y → E" in out and "w(x1->h1) → h1 → y → E" in out
    short = next(p for p in chains[0].paths if p.neurons == ("h1", "y"))
    assert f"= {plain(short.value)}" in out
    assert f"dE/dw(x1->h1) = {plain(chains[0].paths[0].value)} + ({plain(short.value)}) = {plain(gradient)}" in out


def test_explain_a_threshold_and_a_skip_weight(record):
    out = text_of(explain_document(record, "h2", View()))
    assert "theta2 is the threshold of h2: net_h2 = Σw·x − theta2." in out
    assert "dnet_h2/dtheta2 = −1" in out  # the chain rule's last factor
    theta = {u.name: u for u in record.updates}["h2"]
    [chain] = parameter_chains(record, "h2")
    assert chain.paths[0].factors[-1].value == -1.0
    assert math.isclose(chain.total, theta.gradient, rel_tol=1e-12)
    skip = text_of(explain_document(record, "x1->y", View()))
    assert "u1 is the weight from x1 into y (edge x1->y, skipping 2 layers)." in " ".join(skip.split())


def test_markdown_and_latex_write_the_same_terms(record):
    document = step_document(record, View())
    md = markdown.render(document)
    assert "`w(x2->h2)·x2 + w(x3->h2)·x3 − theta2·1`" in md and "`0.5×0.5 + 0.7×(-1) − 0.3×1`" in md
    assert "`u1·x1 + w(h1->y)·out_h1 + w(g->y)·out_g + b(y)·1`" in md
    assert "| `dE/dtheta2` | `−delta_h2` |" in md
    tex = latex.render(document)
    assert r"\mathrm{net}_{h2} &= w_{x2\to h2} \cdot x_{2} + w_{x3\to h2} \cdot x_{3} - \theta_{2} \cdot 1" in tex
    assert r"u_{1} \cdot x_{1} + w_{h1\to y} \cdot \mathrm{out}_{h1} + w_{g\to y} \cdot \mathrm{out}_{g} + b_{y} \cdot 1" in tex
    assert r"\frac{\partial E}{\partial \theta_{2}} &= -\delta_{h2}" in tex
    explained = latex.render(explain_document(record, "x1->h1", View()))
    assert r"w_{x1\to h1} \to h_{1} \to y \to E" in explained


def test_latex_typesets_labels_and_generated_names():
    assert latex.label("theta3") == r"\theta_{3}" and latex.label("w5") == "w_{5}"
    assert latex.label("w_{11}") == "w_{11}" and latex.label("w_11") == "w_{11}"
    assert latex.label("TF") == r"\mathit{TF}" and latex.label("wc0") == r"\mathit{wc}_{0}"
    text = GRAPH.replace("labels: {theta2: h2, u1: x1->y}", 'labels: {"w_{11}": x1->h1}')
    tex = latex.render(step_document(engine.step(network(text)), View()))
    assert r"\theta_{h2}" in tex and "w_{11}" in tex and r"w\_" not in tex and r"\{11\}" not in tex


def test_a_fixed_threshold_is_held(record):
    fixed = engine.step(network("update_biases: false\n" + GRAPH))
    out = text_of(step_document(fixed, View()))
    assert "theta2+ = theta2 = 0.3 (held fixed: update_biases is false)" in out
    assert "dE/dtheta2" not in out
    assert "biases and thresholds held fixed" in out


def test_a_neuron_that_feeds_nothing_has_no_path():
    text = GRAPH.replace("g: {weights: {h1: 0.2, h2: -0.5}}", "g: {weights: {h1: 0.2}}").replace(
        "  - activation: tanh\n", "  - activation: tanh\n    connections: sparse\n")
    record = engine.step(network(text))
    assert count_paths(record.network, "h2") == 0 and on_paths(record.network, "h2") == []
    out = text_of(step_document(record, View()))
    assert "dE/dout_h2 = 0 (h2 feeds no neuron)" in out
    explained = text_of(explain_document(record, "h2", View()))
    assert "out_h2 feeds no neuron, so it never reaches the error" in explained
    assert "None: out_h2 feeds no neuron, so theta2 does not change the error" in explained


def test_forward_without_targets_shows_the_outputs_and_no_error():
    text = GRAPH.replace("    targets: {y: 1}\n", "")
    net = network(text)
    out = terminal.plain(terminal.render(forward_document(net, engine.evaluate(net), View()), 80))
    assert "no targets" in out and "out_y = σ(net_y)" in out
    assert "Error (" not in out and "E_total" not in out and "loss half_sse" not in out


def test_every_view_fits_80_columns(record):
    for view in (View(), View(delta_sign="error"), View(symbolic=True), View(show_deltas=False)):
        documents = [step_document(record, view), forward_document(record.network, record.before, view)]
        documents += [explain_document(record, u.name, view) for u in record.updates]
        for document in documents:
            lines = [line for line, _ in terminal.render(document, 80)]
            assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
            assert latex.render(document).isascii()


def test_too_many_paths_are_counted_over_the_graph_not_listed():
    # 5 hidden layers of 3, each neuron also fed by every neuron two layers back: paths multiply faster
    names = [["x1", "x2"]] + [[f"n{d}_{j}" for j in range(3)] for d in range(5)] + [["y"]]
    lines = ["learning_rate: 0.1", "layers:", "  - inputs: [x1, x2]"]
    for depth in range(1, len(names)):
        lines += ["  - activation: sigmoid", "    neurons:"]
        sources = names[depth - 1] + (names[depth - 2] if depth >= 2 else [])
        for name in names[depth]:
            weights = ", ".join(f"{s}: 0.1" for s in sources)
            lines.append(f"      {name}: {{weights: {{{weights}}}}}")
    lines += ["samples:", "  - {inputs: [1, 0], targets: [1]}"]
    record = engine.step(network("\n".join(lines) + "\n"))
    count = count_paths(record.network, "n0_0")
    assert count == 216 and count > MAX_PATHS  # the layer sizes alone would give 3⁴ = 81
    [chain] = parameter_chains(record, "x1->n0_0")
    assert chain.path_count == count and chain.paths == () and chain.total is None
    out = text_of(explain_document(record, "x1->n0_0", View()))
    assert f"{count} paths: too many to list one by one" in out


@st.composite
def graphs(draw):
    """A random net whose neurons take, besides the layer before (all of it, or some of it when
    the layer is sparse), any input or earlier neuron, with a bias, a threshold or neither."""
    value = st.floats(-2, 2, allow_nan=False).map(lambda x: round(x, 3))
    widths = draw(st.lists(st.integers(1, 3), min_size=3, max_size=5))
    earlier = [f"x{i}" for i in range(widths[0])]
    before = list(earlier)
    lines = ["learning_rate: 0.5", f"hidden_deltas: {draw(st.sampled_from(['old_weights', 'new_weights']))}",
             "layers:", f"  - inputs: [{', '.join(earlier)}]"]
    for depth, width in enumerate(widths[1:]):
        last = depth == len(widths) - 2
        sparse = not last and draw(st.booleans())
        names = [f"n{depth}_{j}" for j in range(width)]
        lines += [f"  - activation: {'sigmoid' if last else draw(st.sampled_from(['sigmoid', 'tanh']))}"]
        lines += ["    connections: sparse"] if sparse else []
        lines += ["    neurons:"]
        for name in names:
            fed = [s for s in before if not sparse or draw(st.booleans())] or [before[0]]
            fed += [s for s in earlier if s not in before and draw(st.booleans())]
            weights = ", ".join(f"{s}: {draw(value)}" for s in fed)
            constant = draw(st.sampled_from(["", "bias", "threshold"]))
            extra = f"{constant}: {draw(value)}, " if constant else ""
            lines.append(f"      {name}: {{{extra}weights: {{{weights}}}}}")
        earlier += names
        before = names
    inputs = ", ".join(str(draw(value)) for _ in range(widths[0]))
    targets = ", ".join(str(draw(st.sampled_from([0, 0.5, 1]))) for _ in before)
    lines += ["samples:", f"  - {{inputs: [{inputs}], targets: [{targets}]}}"]
    return "\n".join(lines) + "\n"


@settings(max_examples=30, deadline=None)
@given(text=graphs(), pick=st.integers(0, 1000), sign=st.sampled_from(["gradient", "error"]))
def test_paths_over_any_graph_add_up_to_the_steps_gradient(text, pick, sign):
    record = engine.step(network(text))
    update = record.updates[pick % len(record.updates)]
    [chain] = parameter_chains(record, update.name)
    assert math.isclose(chain.total, update.per_sample[0], rel_tol=1e-9, abs_tol=1e-12)
    view = View(delta_sign=sign)
    for document in (step_document(record, view), explain_document(record, update.name, view)):
        assert all(len(line) <= 80 for line, _ in terminal.render(document, 80))
        assert markdown.render(document).startswith("## ")
        assert latex.render(document).isascii()


@needs_pdflatex
def test_graph_latex_compiles(record, tmp_path):
    fragment = latex.render(step_document(record, View())) + latex.render(explain_document(record, "x1->h1", View()))
    run = compile_latex(fragment, tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
