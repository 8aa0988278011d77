"""The problem sheet and the key document of a set of variants: one Document per variant, written as Markdown and LaTeX.

A problem gives the network's numbers as tables (the layers, every parameter, the samples) and
lists the quantities asked; its key gives each answer as the key file writes it. The documents
are the same blocks the worked solutions are made of, so each format writes them its own way.
"""

from __future__ import annotations

from typing import Sequence

from ..model import ARROW, Network
from ..loader.template import Slot
from ..records import Record
from ..render.conventions import conventions
from ..render.document import Cell, Document, Note, Section, Table
from ..render.symbols import View
from ..render.numbers import plain
from .draw import Variant
from .key import KeyEntry

BLANK = "_" * 16  # the line an answer is written on
ROWS = 40  # rows of a table of questions or answers: a page of a LaTeX sheet
DIGITS = 12  # the template's own numbers, shown in full (a drawn one is shown as its file writes it)


class Problem(Record):
    """One variant with its key: what both documents are built from."""

    variant: Variant
    key: tuple[KeyEntry, ...]


def _layers(network: Network) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for k, layer in enumerate(network.layers):
        where = "output layer" if k == len(network.layers) - 1 else f"hidden layer {k + 1}"
        rows.append((where, ", ".join(layer.names), layer.activation.name))
    return Table(("layer", "neurons", "activation"), (("inputs", ", ".join(network.inputs), ""), *rows))


def _number(variant: Variant, slot: Slot, value: float) -> str:
    """A number of the problem as the variant's file writes it: a drawn one with the decimals asked."""
    return variant.values.get(slot) or plain(value, DIGITS)


def _parameters(variant: Variant) -> Table:
    network = variant.network
    fixed = not network.options.update_biases
    rows: list[tuple[Cell, ...]] = []
    for p in network.parameters():
        if p.is_weight:
            what = f"weight {p.source}{ARROW}{p.neuron}"
        else:
            what = f"{p.kind} of {p.neuron}" + (" (held fixed)" if fixed else "")
        rows.append((network.label_of(p.key), what, _number(variant, ("parameter", p.key), p.value)))
    return Table(("parameter", "what", "value"), tuple(rows))


def _samples(variant: Variant) -> Table:
    network = variant.network
    header = ("sample", *network.inputs, *(f"target {o}" for o in network.outputs))
    rows = tuple((str(s + 1),
                  *(_number(variant, ("input", s, n), x) for n, x in zip(network.inputs, sample.inputs)),
                  *(_number(variant, ("target", s, n), t) for n, t in zip(network.outputs, sample.targets or ())))
                 for s, sample in enumerate(network.samples))
    return Table(header, rows)


def _header(network: Network) -> tuple:
    # Symbolic: the conventions without the line on how many digits the working shows.
    return conventions(network, View(delta_sign=network.options.delta_sign, symbolic=True), "step")


def problem_document(problem: Problem, precision: int, answers: Sequence[Cell] | None = None) -> Document:
    """The problem of one variant; `answers` fills the answer column (a Moodle field each), else it is left blank."""
    network = problem.variant.network
    cells = answers if answers is not None else [BLANK] * len(problem.key)
    rows = [(str(k), e.name, cell) for k, (e, cell) in enumerate(zip(problem.key, cells), start=1)]
    from ..draw import figure

    drawn = figure(network, caption=f"{problem.variant.name}: the network with its weights and biases")
    return Document(
        f"{problem.variant.name}: one step of backpropagation", _header(network), (
            Section(("The network",), (drawn, _layers(network))),
            Section(("Parameters",), (_parameters(problem.variant),)),
            Section(("Training samples",), (_samples(problem.variant),)),
            Section(("Questions",), (
                Note((f"Do one update of backpropagation on this network and give each quantity to {precision} "
                      "significant figures." + ("" if answers is not None else " The names are those of the answer "
                                                f"file {problem.variant.name}.answers.yaml."),)),
                *_tables(("", "quantity", "answer"), rows))),
        ))


def key_document(problem: Problem, precision: int) -> Document:
    """The answers of one variant, as its key file gives them."""
    rows = [(str(k), e.name, e.text) for k, e in enumerate(problem.key, start=1)]
    return Document(f"{problem.variant.name}: answers", (), (
        Section(("Answers",), (
            Note((f"Every answer to {precision} significant figures; bpcalc check accepts ±1 in the last place.",)),
            *_tables(("", "quantity", "answer"), rows))),))


def _tables(header: tuple[Cell, ...], rows: Sequence[tuple[Cell, ...]]) -> tuple[Table, ...]:
    """The rows in tables of at most ROWS, so that a page break (a LaTeX tabular has none) can fall between them."""
    return tuple(Table(header, tuple(rows[k:k + ROWS])) for k in range(0, len(rows), ROWS))


def markdown(title: str, documents: Sequence[Document]) -> str:
    from ..render import markdown as md

    parts = [f"# {md.escape(title)}\n"] + [md.render(d, DIGITS) for d in documents]
    return "\n".join(parts)


def latex(title: str, documents: Sequence[Document]) -> str:
    """A whole LaTeX document (pdflatex, amsmath, tikz for the figures), a page per variant."""
    from ..render import latex as tex

    body = "\n\\clearpage\n".join(tex.render(d, DIGITS) for d in documents)
    return ("\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{tikz}\n\\allowdisplaybreaks\n"
            "\\begin{document}\n"
            f"\\section*{{{tex.text(title)}}}\n{body}\\end{{document}}\n")
