"""A worked solution for the terminal: equations broken to the console's width, tables drawn by rich."""

from __future__ import annotations

import textwrap

from rich import box
from rich.console import Group as RichGroup
from rich.console import RenderableType
from rich.padding import Padding
from rich.table import Table as RichTable
from rich.text import Text

from ..model import Network
from .document import Document, Group, Note, Plot, Section, Table
from .text import Writer, symbol_width

INDENT = 2  # per section level


def heading(network: Network) -> Text:
    """One bold line naming the network and its conventions, for compact views (bpcalc check) to open with."""
    o = network.options
    parts = [network.name or network.path or "network", f"loss {o.loss}", f"reduction {o.reduction}"]
    if o.learning_rate is not None:
        parts.append(f"η = {o.learning_rate:g}")
    parts.append(f"batch {o.batch}")
    if not o.update_biases:
        parts.append("biases fixed")
    if o.hidden_deltas == "new_weights":
        parts.append("hidden δ through updated weights")
    if o.momentum:
        parts.append(f"momentum α = {o.momentum:g}")
    if o.l2:
        parts.append(f"l2 λ = {o.l2:g}")
    if o.rounding:
        parts.append(f"rounded to {o.rounding.describe()}")
    return Text(" · ".join(parts), style="bold")


def render(document: Document, width: int = 80, digits: int = 9) -> RenderableType:
    """The document as rich renderables, no line wider than `width`."""
    writer = Writer(digits)
    parts: list[RenderableType] = [Text(document.title, style="bold")]
    items = [writer.prose(c) for c in document.conventions]
    parts += [Text(line, style="dim") for line in _joined(items, " · ", width)]
    for section in document.sections:
        parts += _section(section, writer, width, 0)
    return RichGroup(*parts)


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
    """A line longer than the console broken at its spaces, continued further in: as rich would,
    but without leaving the space at the end of each piece (a softmax over three long names is
    one formula wider than 80 columns)."""
    if len(line) <= width:
        return [line]
    indent = " " * (len(line) - len(line.lstrip()) + 4)
    return textwrap.wrap(line, width, subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False) or [line]


def _section(section: Section, writer: Writer, width: int, depth: int) -> list[RenderableType]:
    indent = depth * INDENT
    heading = writer.prose(section.title)
    style = "bold underline" if section.level == 1 else "bold"
    # Wrapped here rather than by rich, which keeps the space at each break (a layer of 16 neurons
    # lists them all in its heading).
    wrapped = textwrap.wrap(heading, max(20, width - indent), subsequent_indent="  ") or [""]
    parts: list[RenderableType] = [Text("")] + [Text(" " * indent + line, style=style) for line in wrapped]
    inner = indent + INDENT
    previous = None
    for block in section.blocks:
        if isinstance(block, Group) and isinstance(previous, Group):
            parts.append(Text(""))
        if isinstance(block, Group):
            align = symbol_width(block.equations, writer)
            for eq in block.equations:
                parts += [Text(piece) for line in writer.lines(eq, width, inner, align)
                          for piece in _fit(line, width)]
        elif isinstance(block, Note):
            parts += [Text(line, style="italic") for line in
                      textwrap.wrap(writer.prose(block.text), width - inner,
                                    initial_indent=" " * inner, subsequent_indent=" " * inner)]
        elif isinstance(block, Table):
            parts.append(Padding(_table(block, writer), (0, 0, 0, inner), expand=False))
        elif isinstance(block, Plot):
            parts += [Text(" " * inner + line) for line in block.lines]
        elif isinstance(block, Section):
            parts += _section(block, writer, width, depth + 1)
        previous = block
    return parts


def _table(table: Table, writer: Writer) -> RichTable:
    out = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for head, is_number in zip(table.header, table.numeric()):
        out.add_column(writer.cell(head), justify="right" if is_number else "left", no_wrap=is_number)
    for row in table.rows:
        out.add_row(*(writer.cell(c) for c in row))
    return out
