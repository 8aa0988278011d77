"""A worked solution as Markdown: a heading per section and a table per run of equations, to paste into notes."""

from __future__ import annotations

import re

from typing import Iterator, Sequence

from .document import Document, Equation, Figure, Matrices, Note, Plot, Prose, Section, Table, as_prose, runs
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


class MathWriter(Writer):
    """The plain writer, but for formulas, which are written as `$…$` LaTeX math (for notebooks:
    Jupyter, VS Code and Colab typeset it), where plain Markdown writes them as code."""

    def __init__(self, digits: int = 9):
        super().__init__(digits)
        from .latex import LatexWriter

        self.latex = LatexWriter(digits)

    def formula(self, expr) -> str:
        return "$" + self.latex(expr).replace("|", r"\vert ") + "$"


def render(document: Document, digits: int = 9, math: bool = False, figure_files: Sequence[str] = ()) -> str:
    """The document as Markdown: formulas as code spans, or with `math` as `$…$` LaTeX; the k-th
    figure links the k-th of `figure_files` (an SVG file written beside it), or without one is
    shown as its text drawing in a code block."""
    writer = MathWriter(digits) if math else Writer(digits)
    files = iter(figure_files)
    out = [f"## {_prose(as_prose(document.title), writer)}", ""]
    if document.conventions:
        out += [" · ".join(_prose(c, writer) for c in document.conventions), ""]
    for section in document.sections:
        out += _section(section, writer, 3, files)
    return "\n".join(out).rstrip() + "\n"


def _formula(expr, writer: Writer, line: bool = False) -> str:
    if isinstance(writer, MathWriter):
        return writer.formula(expr)
    return code(writer.line(expr) if line else writer(expr))


def _prose(parts: Prose, writer: Writer) -> str:
    return "".join(escape(p) if isinstance(p, str) else writer.number(p.value) if isinstance(p, Num)
                   else _formula(p, writer) for p in parts)


def _section(section: Section, writer: Writer, level: int, files: Iterator[str]) -> list[str]:
    out = [f"{'#' * min(level, 6)} {_prose(section.title, writer)}", ""]
    for block in runs(section.blocks):
        if isinstance(block, list):
            # Consecutive groups make one table: Markdown has no way to space them apart.
            out += _equations([eq for group in block for eq in group.equations], writer) + [""]
        elif isinstance(block, Matrices):
            out += _matrices(block, writer)
        elif isinstance(block, Note):
            out += [_prose(block.text, writer), ""]
        elif isinstance(block, Table):
            out += _table(block, writer) + [""]
        elif isinstance(block, Plot):
            out += ["```", *block.lines, "```", ""]
        elif isinstance(block, Figure):
            out += _figure(block, next(files, None)) + [""]
        elif isinstance(block, Section):
            out += _section(block, writer, level + 1, files)
    return out


def _figure(figure: Figure, file: str | None) -> list[str]:
    """An image linking the figure's SVG file, or its text drawing as a code block."""
    if file is not None:
        target = file.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        return [f"![{escape(figure.caption or 'figure')}]({target})"]
    drawing = figure.text()
    fence = "`" * max(3, max((len(run) for line in drawing for run in re.findall(r"`+", line)), default=0) + 1)
    return [fence, *drawing, fence] if drawing else []


def _matrices(block: Matrices, writer: Writer) -> list[str]:
    """Each matrix equation as a display formula, $$\\begin{aligned}…\\end{aligned}$$ on one line:
    GitHub and Jupyter both typeset that (bmatrix and all), where GitHub's ```math blocks are not
    read by Jupyter and GitHub misreads a $$ block spread over several lines."""
    from .latex import LatexWriter, matrix_rows

    latex = LatexWriter(writer.digits)
    return [f"$$\\begin{{aligned}} {' '.join(matrix_rows(eq, latex, writer)).removesuffix(chr(92) * 2)}\\end{{aligned}}$$\n"
            for eq in block.equations]


def _equations(equations: list[Equation], writer: Writer) -> list[str]:
    numeric = any(eq.value is not None for eq in equations)
    header = ["quantity", "formula"] + (["with numbers", "value"] if numeric else [])
    rows = []
    for eq in equations:
        forms = [f for f in [eq.formula] + ([] if numeric else [eq.numbers]) if f is not None]
        if isinstance(writer, MathWriter):
            formula = " = ".join(writer.formula(f) for f in forms)
        else:  # symbols only: both forms, joined by =
            formula = code(" = ".join(writer.line(f) for f in forms))
        row = [_formula(eq.symbol, writer), formula]
        if numeric:
            value = writer.number(eq.value) if eq.value is not None else ""
            if eq.note:
                value += f" ({_prose(eq.note, writer)})"
            row += [_formula(eq.numbers, writer, line=True) if eq.numbers is not None else "", value]
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
    return writer.formula(cell) if isinstance(writer, MathWriter) else code(writer.cell(cell))


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"
