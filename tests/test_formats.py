"""One layout in four formats: golden outputs pinned, 80 columns, plain text when asked, LaTeX that compiles.

The golden files under tests/golden/ are the exact output of the commands below (80 columns,
no colour). After a deliberate change to the output, regenerate them with

    BPCALC_REGENERATE=1 .venv/bin/python -m pytest tests/test_formats.py

and read every changed line before committing: a golden file that pins a wrong number is a bug.
"""

from __future__ import annotations

import io
import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich import box
from rich.console import Console
from rich.table import Table as RichTable

from bpcalc import engine
from bpcalc.quantities import parameter_names
from bpcalc.loader import load_network, parse_network
from bpcalc.render import latex, markdown, terminal
from bpcalc.render.document import Table
from bpcalc.render.explain import explain_document
from bpcalc.render.solution import step_document
from bpcalc.render.symbols import View
from bpcalc.render.text import Writer
from conftest import NETWORKS, TESTS, bpcalc, compile_latex, needs_pdflatex

GOLDEN = TESTS / "golden"
REGENERATE = os.environ.get("BPCALC_REGENERATE") == "1"

CASES = {
    "mazur.forward.txt": ["forward"],
    "mazur.draw.svg": ["draw", "--format", "svg"],
    "sparse.draw-after.tex": ["draw", NETWORKS / "sparse.yaml", "--after", "--format", "tikz"],
    "rumelhart-xor.draw.txt": ["draw", NETWORKS / "rumelhart-xor.yaml"],
    "mazur.step.txt": ["step", "--show-deltas"],
    "mazur.step.md": ["step", "--show-deltas", "--format", "markdown"],
    "mazur.step.tex": ["step", "--show-deltas", "--format", "latex"],
    "mazur.step-compact.txt": ["step"],
    "mazur.step-symbolic.txt": ["step", "--symbolic"],
    "mazur.explain-w1.txt": ["explain", "w1"],
    "mazur.explain-w1.tex": ["explain", "w1", "--format", "latex"],
    "mazur.step.html": ["step", "--show-deltas", "--format", "html"],
    "mazur.train-100.txt": ["train", "-n", "100"],
    "mazur-new-weights.step.txt": ["step", NETWORKS / "mazur-new-weights.yaml", "--show-deltas"],
    "csc4007-example2.step.txt": ["step", NETWORKS / "csc4007-example2.yaml", "--show-deltas"],
    "csc4007-example2.step.md": ["step", NETWORKS / "csc4007-example2.yaml", "--show-deltas", "--format", "markdown"],
    "csc4007-example2.step.tex": ["step", NETWORKS / "csc4007-example2.yaml", "--show-deltas", "--format", "latex"],
    "csc4007-example2.step-symbolic.tex": ["step", NETWORKS / "csc4007-example2.yaml", "--symbolic",
                                           "--format", "latex"],
    "csc4007-example3.step.txt": ["step", NETWORKS / "csc4007-example3.yaml", "--show-deltas"],
    "udacity.step-error-sign.txt": ["step", NETWORKS / "udacity.yaml", "--show-deltas", "--delta-sign", "error"],
    "mitchell-4-7.step.txt": ["step", NETWORKS / "mitchell-4-7.yaml", "--show-deltas"],
    "brilliant.step-compact.txt": ["step", NETWORKS / "brilliant.yaml"],
    "brilliant.train-20.md": ["train", NETWORKS / "brilliant.yaml", "-n", "20", "--format", "markdown"],
    "mitchell-4-7.train-updates.txt": ["train", NETWORKS / "mitchell-4-7.yaml", "-n", "2", "--updates"],
    "mitchell-4-7.train-updates.md": ["train", NETWORKS / "mitchell-4-7.yaml", "-n", "2", "--updates",
                                      "--format", "markdown"],
    "mitchell-4-7.train-updates.tex": ["train", NETWORKS / "mitchell-4-7.yaml", "-n", "2", "--updates",
                                       "--format", "latex"],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name):
    result = bpcalc(*CASES[name])
    assert result.exit_code == 0, result.stderr
    path = GOLDEN / name
    if REGENERATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == path.read_text(encoding="utf-8")


# ---------------------------------------------------------------- 80 columns, plain text

COMMANDS = [["forward"], ["step"], ["step", "--show-deltas"], ["step", "--symbolic"],
            ["step", "--show-deltas", "--delta-sign", "error"], ["train", "-n", "30"]]


@pytest.mark.parametrize("path", sorted(NETWORKS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_command_fits_80_columns(path):
    network = load_network(path)
    first, last = parameter_names(network)[0], parameter_names(network)[-1]
    for command in COMMANDS + [["explain", first], ["explain", last, "--delta-sign", "error"],
                               ["explain", first, "--symbolic"]]:
        result = bpcalc(command[0], path, *command[1:])
        assert result.exit_code == 0, (command, result.stderr)
        wide = [line for line in result.stdout.splitlines() if len(line) > 80]
        assert not wide, (command, wide)
        assert not [line for line in result.stdout.splitlines() if line != line.rstrip()], command


@pytest.mark.parametrize("command", [["step", "--show-deltas"], ["train", "-n", "3"], ["explain", "w1"]])
def test_no_color_means_no_escape_codes_even_on_a_terminal(command):
    forced = bpcalc(*command, env={"FORCE_COLOR": "1", "NO_COLOR": None, "TERM": "xterm-256color"})
    assert "\x1b[" in forced.stdout  # a terminal gets styles…
    plain = bpcalc(*command, env={"FORCE_COLOR": "1", "NO_COLOR": "1", "TERM": "xterm-256color"})
    assert "\x1b[" not in plain.stdout  # …unless NO_COLOR says no
    assert plain.stdout == bpcalc(*command).stdout  # and then it is exactly the piped text


def test_piped_output_has_no_escape_codes():
    assert "\x1b[" not in bpcalc("step", "--show-deltas", env={"NO_COLOR": None}).stdout


# ---------------------------------------------------------------- Markdown and LaTeX

def _cells(row: str) -> int:
    return len(re.findall(r"(?<!\\)\|", row)) - 1


@pytest.mark.parametrize("path", sorted(NETWORKS.glob("*.yaml")), ids=lambda p: p.stem)
def test_markdown_tables_are_well_formed(path):
    out = bpcalc("step", path, "--show-deltas", "--format", "markdown").stdout
    assert out.startswith("## ")
    for table in re.findall(r"(?:^\|.*\n)+", out, re.M):
        rows = table.splitlines()
        assert re.fullmatch(r"\| (-{3}:? \| )+", rows[1] + " ") or re.fullmatch(r"\|( ---:?\s\|)+", rows[1]), rows[1]
        assert len({_cells(r) for r in rows}) == 1, table


def latex_outputs():
    for path in sorted(NETWORKS.glob("*.yaml")):
        yield pytest.param(["step", path, "--show-deltas", "--format", "latex"], id=f"{path.stem}-step")
    yield pytest.param(["explain", NETWORKS / "brilliant.yaml", "x1->h1", "--format", "latex"], id="explain")
    yield pytest.param(["train", "-n", "20", "--format", "latex"], id="train")
    yield pytest.param(["step", "--symbolic", "--delta-sign", "error", "--format", "latex"], id="symbolic")


@pytest.mark.parametrize("command", list(latex_outputs()))
def test_latex_is_balanced_ascii(command):
    out = bpcalc(*command).stdout
    assert out.isascii(), sorted({c for c in out if not c.isascii()})
    body = re.sub(r"\\begin\{verbatim\}.*?\\end\{verbatim\}", "", out, flags=re.S)
    body = re.sub(r"\\[{}]", "", body)
    assert body.count("{") == body.count("}")
    for env in ("align*", "tabular"):
        assert out.count(f"\\begin{{{env}}}") == out.count(f"\\end{{{env}}}")
    for math in re.findall(r"^(?!%).*$", body, re.M):
        assert math.count("$") % 2 == 0, math


@needs_pdflatex
@pytest.mark.parametrize("name", ["mazur.step.tex", "csc4007-example2.step.tex", "mazur.explain-w1.tex"])
def test_latex_compiles(name, tmp_path):
    run = compile_latex((GOLDEN / name).read_text(encoding="utf-8"), tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]


def test_the_readme_excerpt_is_real_output():
    readme = (TESTS.parent / "README.md").read_text(encoding="utf-8")
    excerpt = readme.split("```\nBackward pass: hidden layer (h1, h2)\n", 1)[1].split("```", 1)[0]
    assert "Backward pass: hidden layer (h1, h2)\n" + excerpt in bpcalc("step", "--show-deltas").stdout


def test_json_takes_no_format_or_symbolic():
    both = bpcalc("step", "--json", "--format", "markdown")
    assert both.exit_code == 2 and both.stderr == "bpcalc: --json and --format are two ways to print; choose one\n"
    symbolic = bpcalc("forward", "--json", "--symbolic")
    assert symbolic.exit_code == 2 and "--symbolic has no JSON form" in symbolic.stderr


# ---------------------------------------------------------------- any network renders


@st.composite
def network_texts(draw):
    widths = draw(st.lists(st.integers(1, 3), min_size=3, max_size=4))
    hidden = draw(st.sampled_from(["sigmoid", "tanh", "relu", "linear", "{leaky_relu: {slope: 0.1}}"]))
    output, loss = draw(st.sampled_from([("sigmoid", "half_sse"), ("sigmoid", "cross_entropy"),
                                         ("softmax", "cross_entropy"), ("linear", "mse"), ("softmax", "sse")]))
    options = draw(st.sampled_from(["", "rounding: {significant: 3}\n", "hidden_deltas: new_weights\n",
                                    "l2: 0.01\nmomentum: 0.5\n", "update_biases: false\nbatch: online\n"]))
    value = st.floats(-3, 3, allow_nan=False).map(lambda x: round(x, 3))
    lines = ["name: random", "learning_rate: 0.5", f"loss: {loss}", options + "layers:",
             "  - inputs: [" + ", ".join(f"x{i}" for i in range(widths[0])) + "]"]
    previous = [f"x{i}" for i in range(widths[0])]
    for depth, width in enumerate(widths[1:]):
        last = depth == len(widths) - 2
        names = [f"{'y' if last else 'h'}{depth}{j}" for j in range(max(width, 2) if last and output == "softmax" else width)]
        lines += [f"  - activation: {output if last else hidden}", "    neurons:"]
        for name in names:
            incoming = ", ".join(f"{p}: {draw(value)}" for p in previous)
            bias = f"bias: {draw(value)}, " if draw(st.booleans()) else ""
            lines.append(f"      {name}: {{{bias}weights: {{{incoming}}}}}")
        previous = names
    lines.append("samples:")
    for _ in range(draw(st.integers(1, 2))):
        inputs = ", ".join(f"{draw(value)}" for _ in range(widths[0]))
        if output == "softmax":
            targets = ", ".join("1" if k == 0 else "0" for k in range(len(previous)))
        else:
            targets = ", ".join(f"{draw(st.sampled_from([0, 0.25, 1]))}" for _ in previous)
        lines.append(f"  - {{inputs: [{inputs}], targets: [{targets}]}}")
    return "\n".join(lines) + "\n"


@settings(max_examples=25, deadline=None)
@given(text=network_texts(), sign=st.sampled_from(["gradient", "error"]), symbolic=st.booleans())
def test_any_network_renders_in_every_format(text, sign, symbolic):
    network = parse_network(text, "random.yaml")
    record = engine.step(network)
    view = View(delta_sign=sign, symbolic=symbolic)
    parameter = record.updates[0].name
    for document in (step_document(record, view), explain_document(record, parameter, view)):
        assert all(len(text) <= 80 for text, _ in terminal.render(document, 80))
        assert markdown.render(document).startswith("## ")
        assert latex.render(document).isascii()


# ---------------------------------------------------------------- tables laid out without rich

_words = st.text(alphabet="abcxyz_()->0123456789.", min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), columns=st.integers(1, 4), rows=st.integers(1, 4))
def test_a_table_that_fits_is_drawn_as_rich_draws_it(data, columns, rows):
    """Piped output is laid out by bpcalc alone; on a terminal rich only styles it. A table that
    fits must come out as rich's own SIMPLE_HEAD table did, character for character."""
    numeric = [data.draw(st.booleans()) for _ in range(columns)]
    cell = [st.floats(-1e3, 1e3, allow_nan=False) if n else st.lists(_words, min_size=1, max_size=3).map(" ".join)
            for n in numeric]
    header = tuple(data.draw(_words) for _ in range(columns))
    body = tuple(tuple(data.draw(cell[k]) for k in range(columns)) for _ in range(rows))
    table = Table(header, body)
    writer = Writer(9)
    ours = [text for text, _ in terminal.table_lines(table, writer, 200, "  ")]

    drawn = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for head, is_number in zip(header, table.numeric()):
        drawn.add_column(writer.cell(head), justify="right" if is_number else "left", no_wrap=is_number)
    for row in body:
        drawn.add_row(*(writer.cell(c) for c in row))
    console = Console(width=200, color_system=None, record=True, file=io.StringIO())
    console.print(drawn)
    theirs = ["  " + line.rstrip() for line in console.export_text().splitlines()]
    assert ours == theirs


def test_a_wide_table_narrows_its_word_columns_and_keeps_every_word():
    note = "the output moved towards its target after the update, as the gradient said it would"
    table = Table(("parameter", "note", "value"), (("w1 (i1->h1)", note, 0.149780716),))
    lines = [text for text, _ in terminal.table_lines(table, Writer(9), 40)]
    assert all(len(line) <= 40 for line in lines)
    assert sorted(" ".join(lines[2:]).split()) == sorted(["w1", "(i1->h1)", "0.149780716", *note.split()])
    assert lines[2].endswith("0.149780716")  # the number stays whole, on the row's first line
