"""A network layout as a tikzpicture that compiles with \\usepackage{tikz} alone.

Cells become centimetres (CELL_X × ROW_Y); labels are set in \\scriptsize math, which is
narrower than the cells the layout gave them, and written as the LaTeX export writes
symbols (w_{5}, \\theta_{3}). Drawn in this order: edges, labels on white, nodes, matrices.
"""

from __future__ import annotations

from ..render import latex as tex
from .layout import Box, Layout

CELL_X = 0.17  # cm per column
ROW_Y = 0.4  # cm per row
PAGE_WIDTH, PAGE_HEIGHT = 15.0, 20.0  # cm: the most a picture takes of a page before it is shrunk
MATRIX_ROOM = 8.0  # cm of that height left to the weight matrices under a picture that has them
FILL = {"input": "blue!8", "neuron": "orange!12"}
DRAW = {"input": "blue!60!black", "neuron": "orange!60!black"}


def _n(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _at(x: float, y: float) -> str:
    return f"({_n(x)},{_n(y)})"


def _centre(box: Box) -> str:
    return _at(box.left + box.width / 2, box.top + box.height / 2)


def _text(words: str) -> str:
    return tex.text(words.replace("…", "..."))


def render(layout: Layout) -> str:
    headings = [t.box.top for t in layout.texts if t.kind == "heading"]
    drawing_rows = min(headings) if headings else layout.height
    # Shrunk, text and all, to fit a page (PAGE_WIDTH × PAGE_HEIGHT); the matrices keep their size.
    room = PAGE_HEIGHT - (MATRIX_ROOM if layout.matrices else 0)
    scale = min(1.0, PAGE_WIDTH / (layout.width * CELL_X), room / (drawing_rows * ROW_Y))
    shrink = f", scale={scale:.3f}, transform shape" if scale < 1 else ""
    out = [f"\\begin{{tikzpicture}}[x={CELL_X}cm, y=-{ROW_Y}cm, font=\\scriptsize, >=stealth{shrink}]"]
    for e in layout.edges:
        style = ("black!30, very thin" if e.label is None else "->, black!65") + (", dashed" if e.skip else "")
        out.append(f"\\draw[{style}] " + " -- ".join(_at(x, y) for x, y in e.points) + ";")
    labels = [e.label for e in layout.edges if e.label is not None] + [
        t for t in layout.texts if t.kind in ("bias", "note")]
    for label in labels:
        content = f"${label.latex}$" if label.kind != "note" else _text(label.plain)
        out.append(f"\\node[fill=white, draw=black!15, rounded corners=1pt, inner sep=1pt] at "
                   f"{_centre(label.box)} {{{content}}};")
    for node in layout.nodes:
        b = node.box
        out.append(f"\\node[draw={DRAW[node.kind]}, fill={FILL[node.kind]}, thick, rounded corners=5pt, "
                   f"minimum width={_n(b.width * CELL_X)}cm, minimum height={_n((b.height - 0.6) * ROW_Y)}cm, "
                   f"inner sep=0pt] at {_centre(b)} {{${node.latex}$}};")
    if layout.matrices:
        top = min(headings)  # the first line of the first heading
        blocks = []
        for heading, rows in layout.matrices:
            spec = "l" + "r" * (len(rows[0]) - 1)
            lines = [" & ".join(_cell(c, k == 0) for c in row) + r" \\" for k, row in enumerate(rows)]
            # As wide as it is, or shrunk to the page (graphicx's \\resizebox; tikz loads graphicx).
            blocks.append(f"\\textbf{{{_text(heading)}}}\\par\\smallskip\n"
                          f"\\resizebox{{\\ifdim\\width>{PAGE_WIDTH}cm {PAGE_WIDTH}cm\\else\\width\\fi}}{{!}}{{"
                          f"\\begin{{tabular}}{{{spec}}}\n" + "\n".join(lines) + "\n\\end{tabular}}")
        unscaled = f", scale={1 / scale:.3f}" if scale < 1 else ""
        out.append(f"\\node[anchor=north west, font=\\tiny, text width={PAGE_WIDTH}cm{unscaled}] "
                   f"at {_at(1, top)} {{\\setlength{{\\tabcolsep}}{{2pt}}%\n"
                   + "\\par\\bigskip\n".join(blocks) + "};")
    out.append("\\end{tikzpicture}")
    return "\n".join(out) + "\n"


def _cell(cell: str, header: bool) -> str:
    """A matrix cell: a number or · in math, a name as the LaTeX export writes it."""
    if not cell:
        return ""
    if cell == "·":
        return r"$\cdot$"
    try:
        float(cell)
    except ValueError:
        return f"${tex.name(cell, standalone=True)}$" if cell not in ("b", "θ") else ("$b$" if cell == "b" else r"$\theta$")
    return f"${cell}$"
