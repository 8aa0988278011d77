"""A worked solution as format-neutral blocks (sections, equations, tables, notes), built once and written by every format."""

from __future__ import annotations

from typing import Iterator, Protocol, Union

from ..records import Record
from ..expr import Expr, Param

# Prose is text with formulas inline: ("the output moved towards ", Sym("t", "o1"), ").
Prose = tuple[Union[str, Expr], ...]


class Equation(Record):
    """One line of working: symbol = formula = numbers = value; any part after the symbol may be absent."""

    symbol: Expr
    formula: Expr | None = None  # with symbols: w1·i1 + w2·i2 + b1·1
    numbers: Expr | None = None  # the same with numbers substituted: 0.15×0.05 + …
    value: float | None = None  # the result, from the engine's records
    name: str | None = None  # the quantity's name in answer files (net_h1, dE/dw5, w5+), if it has one
    note: Prose = ()  # a short remark after the value: (held fixed)


class Group(Record):
    """Equations written one under the other with their = signs aligned (one neuron, one parameter)."""

    equations: tuple[Equation, ...]


class MatrixEquation(Record):
    """One line of working in matrix notation: symbol = side = side …, the sides being the
    formula (n¹ = W¹x + b¹), the same with the matrices written out in numbers, and the result, a
    matrix of the engine's values. Every format writes it in two dimensions (bmatrix, or brackets
    over several lines in a terminal); its one-line form is `text.Writer.line` of each part
    ([0.15 0.2; 0.25 0.3]), for a format with no room for more."""

    symbol: Expr
    sides: tuple[Expr, ...]
    note: Prose = ()


class Matrices(Record):
    """Matrix equations written one under the other (a layer's forward pass, its δ, its updates)."""

    equations: tuple[MatrixEquation, ...]


class Note(Record):
    """A sentence of explanation."""

    text: Prose


class ParameterCell(str):
    """A table cell naming a parameter (w5 (h1->o1), b(h2)): written as its text everywhere, and
    kept with its parameter so that LaTeX typesets a label written with markup (w_{11}) rather
    than print the markup."""

    param: Param

    def __new__(cls, text: str, param: Param):
        cell = super().__new__(cls, text)
        cell.param = param
        return cell


class Figures(str):
    """A table cell holding a number already written out (a student's answer, to the digits they
    wrote): shown as it is, and right-aligned as numbers are."""


# A table cell: prose, a formula, or a number (formatted by the format's precision).
Cell = Union[str, Expr, float, None]


class Table(Record):
    """A small table: header row, then rows of cells; numbers are right-aligned.

    `keys` leading columns name a row (an update's number, epoch, samples): a table too wide for
    the page is split into panels of its other columns, each panel with the key columns again.
    """

    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    keys: int = 0

    def numeric(self) -> list[bool]:
        """For each column, whether it holds a number (and so is right-aligned)."""
        return [any(isinstance(row[k], (int, float, Figures)) for row in self.rows) for k in range(len(self.header))]

    def panels(self, widths: list[int], room: int, gap: int) -> list[Table]:
        """The table as panels no wider than `room` (columns `widths` wide, `gap` apart), each with
        the key columns and as many of the rest, in order, as fit; itself if it fits, or has no keys."""
        total = sum(widths) + gap * (len(widths) - 1)
        if total <= room or not self.keys:
            return [self]
        keyed = sum(widths[:self.keys]) + gap * self.keys
        groups: list[list[int]] = [[]]
        used = keyed
        for k in range(self.keys, len(widths)):
            if groups[-1] and used + widths[k] > room:
                groups.append([])
                used = keyed
            groups[-1].append(k)
            used += widths[k] + gap
        columns = [list(range(self.keys)) + group for group in groups]
        return [Table(tuple(self.header[k] for k in cols), tuple(tuple(row[k] for k in cols) for row in self.rows),
                      self.keys) for cols in columns]


class Plot(Record):
    """Preformatted lines (an ASCII curve), shown as they are."""

    lines: tuple[str, ...]


class Picture(Protocol):
    """A picture that draws itself in one form when a writer asks for it, so that a solution
    shown in the terminal never builds its SVG or TikZ."""

    def svg(self) -> str:
        """A standalone <svg> element."""
        ...

    def tikz(self) -> str:
        """A tikzpicture environment."""
        ...

    def text(self, width: int) -> tuple[str, ...]:
        """Lines of text at most `width` columns wide where it can be (else a summary)."""
        ...


class Figure(Record):
    """A picture in a solution (the network drawn with its values, the error curve), in each form
    a format can show: a standalone SVG for HTML and Markdown, a tikzpicture for LaTeX, and
    lines of text for a terminal."""

    caption: str
    picture: Picture

    @property
    def svg(self) -> str:
        return self.picture.svg()

    @property
    def tikz(self) -> str:
        return self.picture.tikz()

    def text(self, width: int = 80) -> tuple[str, ...]:
        return self.picture.text(width)


Block = Union[Group, Matrices, Note, Table, Plot, Figure, "Section"]


class Section(Record):
    """A titled part of the solution; level 1 for the main steps, 2 for a layer or a neuron within one."""

    title: Prose
    blocks: tuple[Block, ...]
    level: int = 1


def runs(blocks: tuple[Block, ...]) -> Iterator[Block | list[Group]]:
    """The blocks in order, each run of consecutive groups gathered into one list (one
    align* in LaTeX, one table in Markdown)."""
    run: list[Group] = []
    for block in blocks:
        if isinstance(block, Group):
            run.append(block)
            continue
        if run:
            yield run
            run = []
        yield block
    if run:
        yield run


def as_prose(title: str | Prose) -> Prose:
    """A title as prose: words alone, or words with formulas (how w_{11} is learned)."""
    return (title,) if isinstance(title, str) else title


class Document(Record):
    """A whole worked solution: a title, the conventions it follows, and its sections."""

    title: str | Prose
    conventions: tuple[Prose, ...] = ()
    sections: tuple[Section, ...] = ()

    def equations(self) -> list[Equation]:
        """Every equation in reading order (for tests and for looking a quantity up by name)."""
        found: list[Equation] = []

        def walk(blocks):
            for block in blocks:
                if isinstance(block, Group):
                    found.extend(block.equations)
                elif isinstance(block, Section):
                    walk(block.blocks)

        walk(self.sections)
        return found
