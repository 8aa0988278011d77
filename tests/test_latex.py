"""The LaTeX export as an answer key needs it: labels typeset (θ₃, w₁₁) wherever they appear, brackets
that grow round a fraction, and nothing run off the page."""

from __future__ import annotations

import re


from bpcalc import engine
from bpcalc.loader import parse_network
from bpcalc.render import latex
from bpcalc.render.explain import explain_document
from bpcalc.render.solution import step_document
from bpcalc.render.symbols import View
from bpcalc.render.training import train_document
from bpcalc import training
from conftest import NETWORKS, bpcalc, compile_latex, needs_pdflatex

# Labels as sheets write them: a Greek letter spelt out with its number, a subscript in braces
# or after an underscore, and plain ones.
LABELLED = """name: labels
learning_rate: 0.5
layers:
  - inputs: [x1, x2]
  - activation: sigmoid
    neurons:
      h1: {threshold: 0.2, weights: {x1: 0.4, x2: -0.6}}
      h2: {threshold: 0.3, weights: {x1: 0.5, x2: 0.7}}
  - activation: sigmoid
    neurons:
      y: {bias: 0.2, weights: {h1: 0.3, h2: -0.8}}
labels: {theta3: h1, theta_4: h2, "w_{11}": x1->h1, w_12: x2->h1, "w_{21}": x1->h2, w22: x2->h2, beta1: y}
samples:
  - inputs: {x1: 1, x2: 0.5}
    targets: {y: 1}
"""


def labelled():
    return parse_network(LABELLED, "labels.yaml")


def labelled_documents():
    network = labelled()
    record = engine.step(network)
    yield step_document(record, View())
    yield step_document(record, View(show_deltas=False))
    yield explain_document(record, "x1->h1", View())
    yield explain_document(record, "h1", View())
    table = engine.checkpoints_for(5)
    yield train_document(network, training.train(network, 5, table), View(), table)


def test_a_greek_label_is_the_letter_with_its_subscript():
    assert latex.label("theta3") == r"\theta_{3}" and latex.label("theta_x") == r"\theta_{x}"
    assert latex.label("beta_{h1}") == r"\beta_{h1}" and latex.label("Theta2") == r"\Theta_{2}"
    assert latex.label("eta") == r"\eta" and latex.label("thetas") == r"\mathit{thetas}"


def test_no_label_is_printed_as_written_anywhere():
    for document in labelled_documents():
        tex = latex.render(document)
        # in equations, prose, headings, titles and tables alike
        assert r"w\_" not in tex and r"\{11\}" not in tex and "theta3" not in tex and "theta\\_4" not in tex, tex
        assert r"\mathit{\theta" not in tex and "beta1" not in tex


def test_labels_in_prose_titles_and_tables_are_typeset():
    record = engine.step(labelled())
    explained = latex.render(explain_document(record, "x1->h1", View()))
    assert r"\subsection*{labels: how $w_{11}$ (x1$\to$h1) is learned}" in explained
    assert r"\subsubsection*{What $w_{11}$ is}" in explained
    assert r"$w_{11}$ is the weight from x1 into h1" in explained
    assert r"It feeds $\mathrm{net}_{h1}$; $\mathrm{out}_{h1}$ reaches the error" in explained
    assert r"\subsubsection*{Every path from $w_{11}$ to the error}" in explained
    threshold = latex.render(explain_document(record, "h1", View()))
    assert r"$\theta_{3}$ is the threshold of h1: $\mathrm{net}_{h1}$ = $\Sigma$w$\cdot$x $-$ $\theta_{3}$." in threshold
    table = latex.render(step_document(record, View(show_deltas=False)))
    assert r"$\theta_{3}$ (h1) &" in table and r"$w_{11}$ (x1$\to$h1) &" in table and r"$w_{12}$ (x2$\to$h1) &" in table
    assert "w22 (x2$\\to$h2) &" in table  # a plain label stays the text answer files name it by


def test_brackets_round_a_fraction_grow_with_it():
    brilliant = bpcalc("step", NETWORKS / "brilliant.yaml", "--show-deltas", "--format", "latex").stdout
    # The mean of six per-sample gradients, broken over two rows: \left( cannot span rows, \biggl( can.
    assert re.search(r"&= \\biggl\(\\frac\{\\partial E\^\{\(1\)\}\}.* \\\\\n&\\quad \+ .*\\biggr\)/6 \\\\", brilliant)
    assert r"\left(" not in brilliant.replace(r"\left(\frac", "")  # no \left( round anything but a fraction
    two = bpcalc("step", NETWORKS / "sparse.yaml", "--show-deltas", "--format", "latex").stdout
    for row in two.splitlines():
        assert row.count(r"\left(") == row.count(r"\right)"), row  # a pair within one row
        assert row.count(r"\biggl(") <= 1


def test_a_fraction_after_a_minus_needs_no_brackets():
    flowers = bpcalc("step", NETWORKS / "flowers.yaml", "--show-deltas", "--format", "latex").stdout
    assert (r"&= -\frac{t_{\mathrm{setosa}}^{(1)}}{\mathrm{out}_{\mathrm{setosa}}^{(1)}} = -\frac{1}{0.813421192}"
            in flowers)
    assert r"-(\frac" not in flowers


def test_a_note_moves_to_the_next_row_rather_than_run_off():
    tex = bpcalc("explain", "w1", "--format", "latex").stdout
    assert ("\\frac{\\partial E}{\\partial w_{1}} &= 0.000668396 + (-0.000229828) \\\\\n"
            "&= 0.000438568\\quad\\text{(the sum of the paths)}") in tex


def test_balanced_fixes_only_the_brackets_a_break_separates():
    assert latex.balanced(r"a \left(\frac{1}{2}\right) + (b") == r"a \left(\frac{1}{2}\right) + (b"
    assert latex.balanced(r"\left(\frac{1}{2} + (c) \\") == r"\biggl(\frac{1}{2} + (c) \\"
    assert latex.balanced(r"&\quad + d)\right)/6") == r"&\quad + d)\biggr)/6"


def overfull(log: str) -> list[str]:
    """The boxes a compiled page lets run into the margin by more than a hair."""
    return [m for m in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log) if float(m) > 1.0]


@needs_pdflatex
def test_the_polished_cases_compile_within_the_page(tmp_path):
    fragments = [latex.render(d) for d in labelled_documents()]
    fragments.append(bpcalc("explain", "w1", "--format", "latex").stdout)
    fragments.append(bpcalc("step", NETWORKS / "brilliant.yaml", "--show-deltas", "--format", "latex").stdout)
    run = compile_latex("\n\\clearpage\n".join(fragments), tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
    assert overfull((tmp_path / "solution.log").read_text(encoding="latin-1")) == []
