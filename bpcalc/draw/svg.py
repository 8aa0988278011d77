"""A network layout as one standalone SVG document: no script, no external font or image.

Cells become pixels (CELL_WIDTH × ROW_HEIGHT); the text is set in a monospaced font a little
narrower than a cell (CELL_WIDTH), so it stays inside the boxes the layout made sure do not overlap.
Drawn in this order: edges, then labels on an opaque background, then nodes, then the matrices.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # draw.curve takes FONT and escape from here: train loads no layout
    from .layout import Box, Layout, Text

CELL_WIDTH = 8.4  # px per column: 14 px text in a monospaced font is 8.4 px a character
ROW_HEIGHT = 18.0  # px per row
FONT = "'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', 'Courier New', monospace"
LABEL_SIZE = 13  # px: 7.8 px a character, inside an 8.4 px cell
NAME_SIZE = 14
STYLE = {
    "input": ("#e3eefc", "#2b5797"),
    "neuron": ("#fdf0dc", "#8a5a00"),
}


# XML's escapes, written here: xml.sax.saxutils would import urllib and http (~20 ms), and
# render/training loads this module for every training curve.
def escape(text: str) -> str:
    """Text as XML character data."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    """Text as a quoted XML attribute value."""
    return '"' + escape(text).replace('"', "&quot;") + '"'


def _px(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, content: str, size: int, anchor: str = "middle", weight: str = "") -> str:
    bold = ' font-weight="bold"' if weight else ""
    return (f'<text x="{_px(x)}" y="{_px(y)}" font-size="{size}" text-anchor="{anchor}" '
            f'dominant-baseline="central"{bold}>{escape(content)}</text>')


def _centre(box: Box) -> tuple[float, float]:
    return (box.left + box.width / 2) * CELL_WIDTH, (box.top + box.height / 2) * ROW_HEIGHT


def render(layout: Layout, title: str = "") -> str:
    """The layout as an SVG document; `title` names it for screen readers and as a tooltip."""
    width, height = layout.width * CELL_WIDTH, layout.height * ROW_HEIGHT
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_px(width)}" height="{_px(height)}" '
           f'viewBox="0 0 {_px(width)} {_px(height)}" role="img" font-family={quoteattr(FONT)}>',
           f"<title>{escape(title or 'network')}</title>",
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M0,1 L10,5 L0,9 z" fill="#555"/></marker></defs>',
           f'<rect width="{_px(width)}" height="{_px(height)}" fill="#ffffff"/>']
    out.append('<g fill="none" stroke="#555" stroke-width="1.2">')
    for e in layout.edges:
        points = " ".join(f"{_px(x * CELL_WIDTH)},{_px(y * ROW_HEIGHT)}" for x, y in e.points)
        # An edge of a pair drawn as a matrix is faint, without an arrowhead: sixteen of them
        # meet at each neuron.
        look = ' stroke="#aaa" stroke-width="0.7"' if e.label is None else ' marker-end="url(#arrow)"'
        dashed = ' stroke-dasharray="5 3"' if e.skip else ""
        out.append(f'<g><title>{escape(e.title)}</title><polyline points="{points}"{look}{dashed}/></g>')
    out.append("</g>")
    labels = [e.label for e in layout.edges if e.label is not None] + [
        t for t in layout.texts if t.kind in ("bias", "note")]
    out.append('<g class="labels">')
    for label in labels:
        out += _label(label)
    out.append("</g>")
    out.append('<g class="nodes">')
    for node in layout.nodes:
        fill, stroke = STYLE[node.kind]
        b = node.box
        x, y = b.left * CELL_WIDTH, (b.top + 0.2) * ROW_HEIGHT
        w, h = b.width * CELL_WIDTH, (b.height - 0.4) * ROW_HEIGHT
        out.append(f'<g><title>{escape(node.kind)} {escape(node.name)}</title>'
                   f'<rect x="{_px(x)}" y="{_px(y)}" width="{_px(w)}" height="{_px(h)}" rx="{_px(h / 2)}" '
                   f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
                   + _text(*_centre(b), node.name, NAME_SIZE, weight="bold") + "</g>")
    out.append("</g>")
    for t in layout.texts:
        if t.kind == "heading":
            out.append(_text(t.box.left * CELL_WIDTH, (t.box.top + 0.5) * ROW_HEIGHT, t.plain, LABEL_SIZE,
                             anchor="start", weight="bold"))
        elif t.kind == "cell":
            out.append(_text(*_centre(t.box), t.plain, LABEL_SIZE))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _label(text: Text) -> list[str]:
    """A label's opaque box, then its text."""
    b = text.box
    x, y = b.left * CELL_WIDTH + 1, b.top * ROW_HEIGHT + 1
    w, h = b.width * CELL_WIDTH - 2, b.height * ROW_HEIGHT - 2
    border = "#d9d9d9" if text.kind == "edge" else "#bbbbbb"
    return [f'<rect x="{_px(x)}" y="{_px(y)}" width="{_px(w)}" height="{_px(h)}" rx="3" fill="#ffffff" '
            f'stroke="{border}" stroke-width="0.8"/>',
            _text(*_centre(b), text.plain, LABEL_SIZE)]
