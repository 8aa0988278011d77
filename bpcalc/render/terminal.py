"""A worked solution for the terminal: lines fitted to the width, each with the style it is shown in.

bpcalc lays the page out itself — equations broken at + and ×, tables in columns — so that
output to a file or a pipe (a grading script's loop) is written without loading rich, which
would double the start-up of a small command (issue 5). On a terminal, rich only styles the
finished lines (`to_rich`): the text is the same either way.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from .document import Block, Document, Figure, Group, Matrices, Note, Plot, Section, Table, as_prose
from .text import Writer, symbol_width

if TYPE_CHECKING:
    from rich.console import RenderableType

INDENT = 2  # per section level
COLUMN_GAP = 3  # between table columns, as rich's SIMPLE_HEAD box draws them

# One line of output and its rich style ("" for none).
Line = tuple[str, str]

# Marks coloured wherever they appear on a styled terminal (the verdicts of `check`).
MARK_COLOURS = {"✓": "green", "✗": "red"}


def render(document: Document, width: int = 80, digits: int = 9) -> list[Line]:
    """The document as lines no wider than `width` (but for a word longer than the line)."""
    writer = Writer(digits)
    lines: list[Line] = [(writer.prose(as_prose(document.title)), "bold")]
    items = [writer.prose(c) for c in document.conventions]
    lines += [(line, "dim") for line in _joined(items, " · ", width)]
    for section in document.sections:
        lines += _section(section, writer, width, 0)
    return lines


def plain(lines: list[Line]) -> str:
    """The lines as text, one per line, styles dropped."""
    return "".join(text + "\n" for text, _ in lines)


def to_rich(lines: list[Line]) -> RenderableType:
    """The lines for a rich console, each in its style (rich is loaded only here)."""
    from rich.console import Group as RichGroup
    from rich.text import Text

    def styled(text: str, style: str) -> Text:
        line = Text(text, style=style, no_wrap=True, overflow="ignore")
        for mark, colour in MARK_COLOURS.items():
            if mark in text:
                line.highlight_words([mark], colour)
        return line

    return RichGroup(*(styled(text, style) for text, style in lines))


def _joined(items: list[str], separator: str, width: int) -> list[str]:
    """Items on as few lines as fit, joined by `separator`, never broken inside an item if avoidable."""
    lines: list[str] = []
    current = ""
    for item in items:
        candidate = f"{current}{separator}{item}" if current else item
        if len(candidate) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = item
    if current:
        lines.append(current)
    return [wrapped for line in lines for wrapped in (textwrap.wrap(line, width) or [""])]


def _fit(line: str, width: int) -> list[str]:
    """A line longer than the width broken at its spaces, continued further in (a softmax over
    three long names is one formula wider than 80 columns); a piece with no space to break at
    is cut at the width, as rich folds it."""
    if len(line) <= width:
        return [line]
    indent = " " * (len(line) - len(line.lstrip()) + 4)
    pieces = textwrap.wrap(line, width, subsequent_indent=indent, break_long_words=False,
                           break_on_hyphens=False) or [line]
    return [piece[k:k + width] for piece in pieces for k in range(0, len(piece), width)]


def _section(section: Section, writer: Writer, width: int, depth: int) -> list[Line]:
    indent = depth * INDENT
    heading = writer.prose(section.title)
    style = "bold underline" if section.level == 1 else "bold"
    # A layer of 16 neurons lists them all in its heading: continue it on the next line.
    wrapped = textwrap.wrap(heading, max(20, width - indent), subsequent_indent="  ") or [""]
    lines: list[Line] = [("", "")] + [(" " * indent + line, style) for line in wrapped]
    inner = indent + INDENT
    previous = None
    for block in section.blocks:
        if isinstance(block, Group) and isinstance(previous, (Group, Matrices)):
            lines.append(("", ""))
        if isinstance(block, Group):
            align = symbol_width(block.equations, writer)
            lines += [(piece, "") for eq in block.equations for line in writer.lines(eq, width, inner, align)
                      for piece in _fit(line, width)]
        elif isinstance(block, Matrices):
            lines += matrix_lines(block, writer, width, inner)
        elif isinstance(block, Note):
            lines += [(line, "italic") for line in
                      textwrap.wrap(writer.prose(block.text), width - inner,
                                    initial_indent=" " * inner, subsequent_indent=" " * inner)]
        elif isinstance(block, Table):
            lines += table_lines(block, writer, width - inner, " " * inner)
        elif isinstance(block, Plot):
            lines += [(" " * inner + line, "") for line in block.lines]
        elif isinstance(block, Figure):  # its text form; a drawing as wide as the window is not indented
            drawing = block.text(width - inner)
            if not all(len(line) + inner <= width for line in drawing):
                drawing, inner = block.text(width), 0
            lines += [(" " * inner + line if line else "", "") for line in drawing]
        elif isinstance(block, Section):
            lines += _section(block, writer, width, depth + 1)
        previous = block
    return lines


def matrix_lines(block: Matrices, writer: Writer, width: int, indent: int) -> list[Line]:
    """Matrix equations, = aligned where the symbols are short; a blank line around each that
    spreads over several lines, so that its matrices stand apart."""
    from .boxes import equation_lines

    widest = max(len(writer(eq.symbol)) for eq in block.equations)
    align = widest if widest <= 24 else 0
    lines: list[Line] = []
    tall = False
    for eq in block.equations:
        text = equation_lines(eq, writer, width, indent, align)
        if lines and (tall or len(text) > 1):
            lines.append(("", ""))
        lines += [(line, "") for line in text]
        tall = len(text) > 1
    return lines


def table_lines(table: Table, writer: Writer, width: int, indent: str = "") -> list[Line]:
    """The table as rich draws Table(box=SIMPLE_HEAD, show_edge=False, pad_edge=False): a bold
    header, a rule, then the rows; numbers right-aligned and never broken. Columns of words
    narrow until the table fits `width`, their cells wrapped at spaces."""
    header = [writer.cell(h) for h in table.header]
    rows = [[writer.cell(c) for c in row] for row in table.rows]
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows)]
    panels = table.panels(widths, width, COLUMN_GAP)
    if len(panels) > 1:  # too wide for the window even with its words wrapped: numbers never break
        return [line for k, panel in enumerate(panels)
                for line in ([("", "")] if k else []) + table_lines(panel, writer, width, indent)]
    numeric = table.numeric()
    _narrow(widths, numeric, [list(column) for column in zip(header, *rows)],
            width - COLUMN_GAP * (len(widths) - 1))

    def row_lines(cells: list[str], style: str) -> list[Line]:
        pieces = [[cell] if is_number or len(cell) <= w else textwrap.wrap(cell, w) or [""]
                  for cell, w, is_number in zip(cells, widths, numeric)]
        out = []
        for k in range(max(len(p) for p in pieces)):
            texts = [(p[k] if k < len(p) else "") for p in pieces]
            text = (" " * COLUMN_GAP).join(t.rjust(w) if is_number else t.ljust(w)
                                           for t, w, is_number in zip(texts, widths, numeric))
            out.append((indent + text.rstrip(), style))
        return out

    rule = (indent + "─" * (sum(widths) + COLUMN_GAP * (len(widths) - 1)), "")
    return row_lines(header, "bold") + [rule] + [line for row in rows for line in row_lines(row, "")]


def _narrow(widths: list[int], numeric: list[bool], columns: list[list[str]], room: int) -> None:
    """Take columns of words down, widest first, until they fit `room`, each no narrower than
    its longest word."""
    floor = [max((len(word) for cell in column for word in cell.split()), default=0) for column in columns]
    while sum(widths) > room:
        wrappable = [k for k, is_number in enumerate(numeric) if not is_number and widths[k] > floor[k]]
        if not wrappable:
            return
        k = max(wrappable, key=lambda j: widths[j])
        widths[k] = max(floor[k], widths[k] - (sum(widths) - room))


def block_lines(block: Block, width: int = 80, digits: int = 9) -> list[Line]:
    """One block alone, as a solution shows it (for a format that cannot typeset that kind of block)."""
    return _section(Section((), (block,)), Writer(digits), width, -1)[2:]  # without the blank line and heading
