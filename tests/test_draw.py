"""bpcalc draw: the network pictured with its weights in SVG, TikZ and terminal text, from one layout.

Golden files pin one picture in each format, among test_formats.py's (regenerate with
BPCALC_REGENERATE=1, and look at them before committing: render the SVG, compile the TikZ).
"""

from __future__ import annotations

import itertools
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bpcalc import engine
from bpcalc.draw import figure, network_layout, terminal_lines
from bpcalc.draw.layout import LABEL_LIMIT, Box
from bpcalc.loader import load_network, parse_network
from bpcalc.render.document import Figure
from conftest import NETWORKS, needs_pdflatex

NETS = sorted(NETWORKS.glob("*.yaml"))
SVG = "{http://www.w3.org/2000/svg}"


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("path", NETS, ids=lambda p: p.stem)
@pytest.mark.parametrize("after", [False, True], ids=["values", "after"])
def test_svg_is_xml_naming_every_neuron_and_weight(path, after):
    network = load_network(path)
    record = engine.step(network) if after else None
    root = ET.fromstring(figure(network, record).svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    texts = _texts(root)
    for name in network.inputs + tuple(n.name for n in network.neurons):
        assert name in texts
    titles = ["".join(t.itertext()) for t in root.iter(f"{SVG}title")]
    labels = {target: label for label, target in network.labels.items()}
    for p in network.parameters():
        if p.is_weight:  # every edge carries its name in its tooltip
            assert any(t.startswith(f"{labels[p.key]} ({p.key}) = ") if p.key in labels
                       else t.startswith(f"w({p.key}) = ") for t in titles), p.key
    written = " ".join(texts)
    labelled = {e.key for e in network_layout(network, record).edges if e.label is not None}
    for label, target in network.labels.items():  # every label is on the picture itself, but in a matrix
        if target in labelled or "->" not in target:
            assert f"{label} = " in written, label
    if not labelled:  # drawn as matrices: every weight's value is in one
        assert len(network.weights()) > LABEL_LIMIT


@pytest.mark.parametrize("path", NETS, ids=lambda p: p.stem)
@pytest.mark.parametrize("after", [False, True], ids=["values", "after"])
def test_no_two_text_boxes_overlap(path, after):
    network = load_network(path)
    picture = network_layout(network, engine.step(network) if after else None)
    boxes = picture.boxes
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)
    for box in boxes:  # and all inside the picture
        assert 0 <= box.left and box.left + box.width <= picture.width
        assert 0 <= box.top and box.top + box.height <= picture.height


@pytest.mark.parametrize("path", [NETWORKS / "sparse.yaml", NETWORKS / "flowers.yaml"], ids=lambda p: p.stem)
def test_svg_is_standalone(path, run):
    svg = run("draw", path, "--format", "svg").stdout
    root = ET.fromstring(svg)
    assert not [e for e in root.iter() if e.tag.endswith(("script", "image", "foreignObject", "style"))]
    assert "href" not in svg and "@import" not in svg
    assert svg.count("http") == 1  # the SVG namespace alone
    assert "monospace" in root.get("font-family", "")


def test_boxes_overlap_as_rectangles_do():
    assert Box(0, 0, 4).overlaps(Box(3, 0, 4))
    assert not Box(0, 0, 4).overlaps(Box(4, 0, 4))
    assert not Box(0, 0, 4).overlaps(Box(0, 1, 4))
    assert Box(0, 0, 4, 3).overlaps(Box(2, 2, 1))


def test_every_label_sits_on_its_edge():
    """A label's box holds a point of its own edge: the reader sees which line it belongs to."""
    for path in NETS:
        picture = network_layout(load_network(path))
        for e in picture.edges:
            if e.label is None:
                continue
            b = e.label.box
            inside = False
            for (x0, y0), (x1, y1) in zip(e.points, e.points[1:]):
                for k in range(101):
                    x, y = x0 + (x1 - x0) * k / 100, y0 + (y1 - y0) * k / 100
                    inside |= b.left <= x <= b.left + b.width and b.top <= y <= b.top + b.height
            assert inside, (path.stem, e.key)


def test_a_busy_pair_of_layers_is_a_matrix():
    network = load_network(NETWORKS / "flowers.yaml")
    picture = network_layout(network)
    assert all(e.label is None for e in picture.edges)  # 64, 256 and 48 edges: none labelled
    assert [heading.split(":")[0] for heading, _ in picture.matrices] == ["W1", "W2", "W3"]
    heading, rows = picture.matrices[0]
    assert rows[0] == ("", *network.inputs, "b")
    first = network.layers[0].neurons[0]
    assert rows[1][0] == first.name and float(rows[1][1]) == pytest.approx(first.weights[0][1], abs=1e-4)
    notes = [t.plain for t in picture.texts if t.kind == "note"]
    assert notes == ["W1: 64 weights, below", "W2: 256 weights, below", "W3: 48 weights, below"]


def test_after_shows_old_and_new_from_the_engine():
    network = load_network(NETWORKS / "mazur.yaml")
    record = engine.step(network)
    picture = network_layout(network, record)
    labels = {e.key: e.label.plain for e in picture.edges if e.label is not None}
    assert labels["h1->o1"] == "w5 = 0.4 → 0.3589"  # Mazur: w5+ = 0.35891648
    biases = [t.plain for t in picture.texts if t.kind == "bias"]
    assert "b1 = 0.35" in biases  # held fixed (update_biases: false): no arrow


def test_update_k_draws_that_update(run):
    from bpcalc.training import update_number

    network = load_network(NETWORKS / "mitchell-4-7.yaml")
    second = update_number(network, 2).step
    result = run("draw", NETWORKS / "mitchell-4-7.yaml", "--update", "2", "--format", "svg")
    assert result.exit_code == 0, result.stderr
    u = next(u for u in second.updates if u.name == "c->d")
    from bpcalc.render.numbers import plain

    assert f"wdc = {plain(u.old, 4)} → {plain(u.new, 4)}" in result.stdout


def test_skip_connections_go_around_the_layers_between():
    network = load_network(NETWORKS / "rumelhart-xor.yaml")
    picture = network_layout(network)
    hidden = next(n.box for n in picture.nodes if n.name == "h")
    skips = [e for e in picture.edges if e.skip]
    assert {e.key for e in skips} == {"x1->y", "x2->y"}
    for e in skips:  # the part over the hidden column is above or below it, never through it
        over = [(x, y) for x, y in e.points if hidden.left <= x <= hidden.left + hidden.width]
        lanes = {y for (x0, y), (x1, y1) in zip(e.points, e.points[1:]) if y == y1 and x0 < hidden.left < x1}
        assert not over and lanes
        assert all(y < hidden.top or y > hidden.top + hidden.height for y in lanes)


@pytest.mark.parametrize("path", NETS, ids=lambda p: p.stem)
@pytest.mark.parametrize("after", [False, True], ids=["values", "after"])
def test_terminal_drawing_fits_80_columns(path, after):
    network = load_network(path)
    lines = terminal_lines(network, engine.step(network) if after else None, 80)
    assert lines and all(len(line) <= 80 for line in lines)
    if not after and path.stem != "flowers":  # a drawing: every neuron named in a box
        text = "\n".join(lines)
        assert "╭" in text and all(name in text for name in network.outputs)


def test_terminal_falls_back_to_a_summary_then_fits_any_width(run):
    result = run("draw", NETWORKS / "flowers.yaml", env={"COLUMNS": "60"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "layer by layer" in result.stdout and all(len(line) <= 60 for line in lines)
    assert "256 weights from hidden layer 1" in result.stdout.replace("\n  ", " ")


def test_figure_is_the_document_block():
    network = load_network(NETWORKS / "mazur.yaml")
    fig = figure(network, caption="Mazur")
    assert isinstance(fig, Figure) and fig.caption == "Mazur"
    assert fig.tikz.startswith("\\begin{tikzpicture}") and fig.svg.startswith("<svg xmlns=")
    assert fig.text() == tuple(terminal_lines(network))


def test_tikz_writes_symbols_as_the_latex_export():
    network = load_network(NETWORKS / "negnevitsky-xor.yaml")
    tikz = figure(network).tikz
    assert r"$w_{13} = 0.5$" in tikz and r"$\theta_{3} = 0.8$" in tikz and "{$x_{1}$}" in tikz


def _compile_tikz(picture: str, folder: Path) -> subprocess.CompletedProcess:
    document = "\\documentclass{article}\n\\usepackage{tikz}\n\\begin{document}\n" + picture + "\\end{document}\n"
    (folder / "picture.tex").write_text(document, encoding="utf-8")
    return subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "picture.tex"],
                          cwd=folder, capture_output=True, text=True, timeout=120)


@needs_pdflatex
@pytest.mark.parametrize("path", NETS, ids=lambda p: p.stem)
def test_tikz_compiles_with_tikz_alone(path, tmp_path):
    network = load_network(path)
    result = _compile_tikz(figure(network, engine.step(network)).tikz, tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]


def test_labels_written_with_markup_are_typeset():
    network = parse_network("""
layers:
  - inputs: [x1, x2]
  - activation: sigmoid
    neurons:
      h1: {threshold: 0.5, weights: {x1: 0.1, x2: 0.2}}
labels: {"w_{11}": x1->h1, theta1: h1}
samples: [{inputs: {x1: 1, x2: 0}, targets: {h1: 1}}]
learning_rate: 0.5
""", "markup.yaml")
    tikz = figure(network).tikz
    assert r"$w_{11} = 0.1$" in tikz and r"$\theta_{1} = 0.5$" in tikz


def test_bad_draw_input_is_one_line(run, tmp_path):
    result = run("draw", tmp_path / "missing.yaml")
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    result = run("draw", "--update", "1", NETWORKS / "flowers.yaml", "--format", "svg")
    assert result.exit_code == 0


# ---------------------------------------------------------------- the figures in the exports, train --plot

def test_plot_writes_an_svg_curve_and_never_overwrites(run, tmp_path):
    plot = tmp_path / "curve.svg"
    result = run("train", NETWORKS / "negnevitsky-xor.yaml", "--until", "0.1", "--plot", plot)
    assert result.exit_code == 0, result.stderr
    root = ET.parse(plot).getroot()
    texts = _texts(root)
    assert "target 0.1" in texts and "epoch (log scale)" in texts and "E_total (log scale)" in texts
    assert len(list(root.iter(f"{SVG}circle"))) >= 3  # the checkpoints 0, 1, 10, …
    before = plot.read_text(encoding="utf-8")
    again = run("train", "-n", "5", "--plot", plot)
    assert again.exit_code == 2 and "already exists" in again.stderr and "--force" in again.stderr
    assert plot.read_text(encoding="utf-8") == before
    forced = run("train", "-n", "5", "--plot", plot, "--force")
    assert forced.exit_code == 0 and plot.read_text(encoding="utf-8") != before


def test_plot_refuses_before_training_and_keeps_json_checkpoints(run, tmp_path):
    plot = tmp_path / "curve.svg"
    plot.write_text("mine", encoding="utf-8")
    assert run("train", "-n", "5", "--plot", plot).exit_code == 2 and plot.read_text(encoding="utf-8") == "mine"
    fresh = tmp_path / "fresh.svg"
    result = run("train", "-n", "100", "--json", "--plot", fresh)
    assert [c["epoch"] for c in result.json()["checkpoints"]] == [0, 1, 10, 100]
    assert len(list(ET.parse(fresh).getroot().iter(f"{SVG}circle"))) == 4


def test_markdown_links_svg_files_written_beside_it(run, tmp_path):
    result = run("step", "--figure", "--format", "markdown", "--svg-dir", tmp_path)
    assert result.exit_code == 0, result.stderr
    written = tmp_path / "mazur-1.svg"
    assert f"]({written.as_posix()})" in result.stdout
    assert "w5" in _texts(ET.parse(written).getroot()) or "w5 = 0.4 → 0.3589" in _texts(ET.parse(written).getroot())
    again = run("step", "--figure", "--format", "markdown", "--svg-dir", tmp_path)
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert run("step", "--figure", "--format", "latex", "--svg-dir", tmp_path).exit_code == 2


def test_markdown_without_files_shows_the_text_drawing(run):
    result = run("forward", "--figure", "--format", "markdown")
    assert "### The network" in result.stdout and "│ h1 │" in result.stdout


def test_train_curve_is_a_tikz_figure_in_latex(run):
    result = run("train", "-n", "200", "--format", "latex")
    assert "\\begin{tikzpicture}" in result.stdout and "verbatim" not in result.stdout
    assert "pgfplots" not in result.stdout


@needs_pdflatex
@pytest.mark.parametrize("command", [["step", "--show-deltas"], ["forward"], ["explain", "w5"], ["train", "-n", "50"]])
def test_latex_with_the_figure_compiles(run, command, tmp_path):
    result = run(*command, "--figure", "--format", "latex")
    assert result.exit_code == 0 and "\\begin{tikzpicture}" in result.stdout
    document = ("\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{tikz}\n\\allowdisplaybreaks\n"
                "\\begin{document}\n" + result.stdout + "\\end{document}\n")
    (tmp_path / "solution.tex").write_text(document, encoding="utf-8")
    compiled = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "solution.tex"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert compiled.returncode == 0, compiled.stdout[-2000:]


def test_draw_stays_out_of_the_other_commands_start_up():
    code = ("import sys, bpcalc.cli, bpcalc.render.training; "
            "print(sorted(m for m in sys.modules if m.startswith('bpcalc.draw')))")
    out = subprocess.run([os.sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"  # the curve's SVG and TikZ load draw only when a format asks for them
    out = subprocess.run([os.sys.executable, "-c", "import sys, bpcalc.cli; print([m for m in sys.modules "
                          "if m.startswith('bpcalc.draw')])"], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ---------------------------------------------------------------- other networks than the bundled ones

def _graph_net() -> str:
    """Every input wired to every later layer, a threshold, a neuron with neither, long names."""
    return """
name: skips everywhere
learning_rate: 0.5
layers:
  - inputs: [x1, x2, x3]
  - activation: tanh
    connections: sparse
    neurons:
      first_hidden: {bias: -0.25, weights: {x1: 0.5, x2: -1.5}}
      h2: {threshold: 2.5, weights: {x2: 0.125, x3: 10}}
  - activation: sigmoid
    connections: sparse
    neurons:
      g1: {weights: {first_hidden: 0.3, h2: -0.7, x1: 0.01, x3: -123.456}}
      g2: {bias: 1, weights: {h2: 0.2, x2: 0.05}}
  - activation: sigmoid
    connections: sparse
    neurons:
      out: {bias: 0.5, weights: {g1: 1, g2: -1, first_hidden: 0.75, x1: 0.33, x3: 1e-7}}
labels: {alpha1: x1->first_hidden, "w_{23}": x3->h2, theta2: h2}
samples: [{inputs: {x1: 1, x2: 0, x3: 1}, targets: {out: 1}}]
"""


def _shaped(shape: str, **options) -> str:
    from bpcalc import skeleton

    return skeleton.skeleton(skeleton.parse_shape(shape), activation="sigmoid", output=None, loss="half_sse",
                             constant=options.get("constant", skeleton.BIAS), learning_rate=0.5, name=None)


OTHER_NETS = {"graph": _graph_net, "1-1": lambda: _shaped("1-1"), "5-3-3-1": lambda: _shaped("5-3-3-1"),
              "2-6-1": lambda: _shaped("2-6-1"), "3-4-4-4-2": lambda: _shaped("3-4-4-4-2"),
              "2-7-2 (busy)": lambda: _shaped("2-7-2"), "8-1": lambda: _shaped("8-1")}


@pytest.mark.parametrize("name", sorted(OTHER_NETS))
def test_other_networks_draw_cleanly(name, tmp_path):
    network = parse_network(OTHER_NETS[name](), f"{name}.yaml")
    for record in (None, engine.step(network)):
        picture = network_layout(network, record)
        for a, b in itertools.combinations(picture.boxes, 2):
            assert not a.overlaps(b), (a, b)
        fig = figure(network, record)
        texts = _texts(ET.fromstring(fig.svg))
        assert all(n in texts for n in network.inputs + tuple(n.name for n in network.neurons))
        assert all(len(line) <= 80 for line in fig.text())
    if name == "graph":
        assert {e.key for e in picture.edges if e.skip} == {"x1->g1", "x3->g1", "x2->g2", "first_hidden->out",
                                                          "x1->out", "x3->out"}
        assert r"\alpha_{1}" in fig.tikz and r"w_{23}" in fig.tikz and r"\theta_{2}" in fig.tikz


def test_figure_options_in_the_terminal_fit_its_width(run):
    for columns in ("80", "100"):
        result = run("step", "--figure", env={"COLUMNS": columns})
        assert result.exit_code == 0 and "The network" in result.stdout
        assert all(len(line) <= int(columns) for line in result.stdout.splitlines())
        assert all(line == line.rstrip() for line in result.stdout.splitlines())
    assert "w5 = 0.4 → 0.3589" in run("step", "--figure", env={"COLUMNS": "140"}).stdout
    assert run("forward", "--figure", "--json").exit_code == 2


def test_plot_and_save_need_two_files(run, tmp_path):
    target = tmp_path / "both"
    result = run("train", "-n", "2", "--save", target, "--plot", target)
    assert result.exit_code == 2 and "--save and --plot" in result.stderr and not target.exists()


def test_names_only_pictures_are_valid_latex_too():
    network = load_network(NETWORKS / "sparse.yaml")
    picture = network_layout(network, names_only=True)
    latex = [e.label.latex for e in picture.edges if e.label is not None] + [t.latex for t in picture.texts]
    assert r"w_{h1\to o1}" in latex and r"\theta_{2}" in latex and "b_{o2}" in latex
    assert not any("$" in text for text in latex)
