"""A worked solution as Markdown: a heading per section and a table per run of equations, to paste into notes."""

from __future__ import annotations

import re

from .document import Document, Equation, Note, Plot, Prose, Section, Table, as_prose, runs
from ..expr import Num
from .text import Writer

_SPECIAL = re.compile(r"([\\`*_\[\]<|])")


def escape(text: str) -> str:
    """Plain text that Markdown shows as written (no emphasis, links or table breaks)."""
    return _SPECIAL.sub(r"\\\1", text)


def code(text: str) -> str:
    """A code span holding `text` exactly; | is escaped, as a table cell needs even inside code."""
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text.replace('|', chr(92) + '|')}{pad}{fence}"


def render(document: Document, digits: int = 9) -> str:
    writer = Writer(digits)
    out = [f"## {_prose(as_prose(document.title), writer)}", ""]
    if document.conventions:
        out += [" · ".join(_prose(c, writer) for c in document.conventions), ""]
    for section in document.sections:
        out += _section(section, writer, 3)
    return "\n".join(out).rstrip() + "\n"


def _prose(parts: Prose, writer: Writer) -> str:
    return "".join(escape(p) if isinstance(p, str) else writer.number(p.value) if isinstance(p, Num)
                   else code(writer(p)) for p in parts)


def _section(section: Section, writer: Writer, level: int) -> list[str]:
    out = [f"{'#' * min(level, 6)} {_prose(section.title, writer)}", ""]
    for block in runs(section.blocks):
        if isinstance(block, list):
            # Consecutive groups make one table: Markdown has no way to space them apart.
            out += _equations([eq for group in block for eq in group.equations], writer) + [""]
        elif isinstance(block, Note):
            out += [_prose(block.text, writer), ""]
        elif isinstance(block, Table):
            out += _table(block, writer) + [""]
        elif isinstance(block, Plot):
            out += ["```", *block.lines, "```", ""]
        elif isinstance(block, Section):
            out += _section(block, writer, level + 1)
    return out


def _equations(equations: list[Equation], writer: Writer) -> list[str]:
    numeric = any(eq.value is not None for eq in equations)
    header = ["quantity", "formula"] + (["with numbers", "value"] if numeric else [])
    rows = []
    for eq in equations:
        forms = [eq.formula] + ([] if numeric else [eq.numbers])  # symbols only: both forms, joined by =
        formula = " = ".join(writer.line(f) for f in forms if f is not None)
        row = [code(writer(eq.symbol)), code(formula)]
        if numeric:
            value = writer.number(eq.value) if eq.value is not None else ""
            if eq.note:
                value += f" ({_prose(eq.note, writer)})"
            row += [code(writer.line(eq.numbers)) if eq.numbers is not None else "", value]
        rows.append(row)
    aligns = ["---"] * 2 + (["---", "---:"] if numeric else [])
    return [_row(header), _row(aligns)] + [_row(r) for r in rows]


def _table(table: Table, writer: Writer) -> list[str]:
    header = [escape(writer.cell(h)) for h in table.header]
    aligns = ["---:" if n else "---" for n in table.numeric()]
    rows = [[_cell(c, writer) for c in row] for row in table.rows]
    return [_row(header), _row(aligns)] + [_row(r) for r in rows]


def _cell(cell, writer: Writer) -> str:
    if isinstance(cell, str):
        return escape(cell)
    if isinstance(cell, (int, float)) or cell is None:
        return writer.cell(cell)
    return code(writer.cell(cell))


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"
