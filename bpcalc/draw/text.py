"""A network layout as Unicode lines for a terminal, or a layer-by-layer summary when it is wider than the window.

The grid is the layout's own: one character a cell. Drawn in this order: edges (─ ╲ ╱ │ and
rounded corners; none for a pair of layers drawn as a matrix), labels with a blank cell each
side (their opaque background), nodes (╭─╮ boxes), matrices.
"""

from __future__ import annotations

import math
import textwrap

from ..model import Network
from .layout import Box, Layout, Point

ARROW = "▸"
CORNERS = {  # (coming from, going to) → the corner
    ("left", "up"): "╯", ("left", "down"): "╮", ("down", "right"): "╭", ("up", "right"): "╰",
    ("right", "up"): "╰", ("right", "down"): "╭",
}


class Canvas:
    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.rows = [[" "] * width for _ in range(height)]

    def put(self, x: int, y: int, c: str) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            here = self.rows[y][x]
            self.rows[y][x] = "┼" if {here, c} == {"─", "│"} else c

    def write(self, x: int, y: int, text: str) -> None:
        for k, c in enumerate(text):
            if 0 <= x + k < self.width and 0 <= y < self.height:
                self.rows[y][x + k] = c

    def clear(self, box: Box) -> None:
        for y in range(box.top, box.top + box.height):
            self.write(box.left, y, " " * box.width)

    def lines(self) -> list[str]:
        return ["".join(row).rstrip() for row in self.rows]


def _straight(canvas: Canvas, p: Point, q: Point) -> None:
    """A slanting edge: ─ along a row, ╲ or ╱ where it steps to the next row."""
    (x0, y0), (x1, y1) = p, q
    slope = (y1 - y0) / (x1 - x0)
    for x in range(math.ceil(x0), math.floor(x1)):
        here, there = math.floor(y0 + slope * (x - x0)), math.floor(y0 + slope * (x + 1 - x0))
        if here == there:
            canvas.put(x, here, "─")
        else:
            step = 1 if there > here else -1
            for y in range(here, there, step):
                canvas.put(x, y, "╲" if step > 0 else "╱")


def _orthogonal(canvas: Canvas, points: tuple[Point, ...]) -> None:
    """A skip connection's path of horizontal and vertical runs, with rounded corners."""
    cells = [(math.floor(x), math.floor(y)) for x, y in points]
    cells[0] = (math.ceil(points[0][0]), cells[0][1])
    cells[-1] = (math.ceil(points[-1][0]) - 1, cells[-1][1])
    for (xa, ya), (xb, yb) in zip(cells, cells[1:]):
        if ya == yb:
            for x in range(min(xa, xb), max(xa, xb) + 1):
                canvas.put(x, ya, "─")
        else:
            for y in range(min(ya, yb), max(ya, yb) + 1):
                canvas.put(xa, y, "│")
    for before, (x, y), after in zip(cells, cells[1:], cells[2:]):
        came = "left" if before[0] < x else "right" if before[0] > x else "down" if before[1] > y else "up"
        goes = "right" if after[0] > x else "left" if after[0] < x else "down" if after[1] > y else "up"
        if came in ("left", "right") and goes in ("left", "right") or came in ("up", "down") and goes in ("up", "down"):
            continue
        canvas.put(x, y, CORNERS.get((came, goes), "┼"))


def drawing(layout: Layout) -> list[str]:
    canvas = Canvas(layout.width, layout.height)
    # Skip connections after the straight edges: their corners stay where a straight edge leaves.
    # The edges of a pair drawn as a matrix are left out: in characters they would be a tangle.
    for e in sorted((e for e in layout.edges if e.label is not None), key=lambda e: e.skip):
        if e.skip:
            _orthogonal(canvas, e.points)
        else:
            _straight(canvas, e.points[0], e.points[-1])
        x, y = e.points[-1]
        canvas.put(math.ceil(x) - 1, math.floor(y), ARROW)
    for t in [e.label for e in layout.edges if e.label is not None] + [
            t for t in layout.texts if t.kind in ("bias", "note")]:
        canvas.clear(t.box)
        canvas.write(t.start, t.box.top, t.plain)
    for node in layout.nodes:
        b = node.box
        inner = b.width - 2
        canvas.write(b.left, b.top, "╭" + "─" * inner + "╮")
        canvas.write(b.left, b.top + 1, "│" + node.name.center(inner) + "│")
        canvas.write(b.left, b.top + 2, "╰" + "─" * inner + "╯")
    for t in layout.texts:
        if t.kind in ("heading", "cell"):
            canvas.write(t.box.left, t.box.top, t.plain)
    lines = canvas.lines()
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return lines


def summary(network: Network, width: int, needed: int) -> list[str]:
    """The network layer by layer, for a window too narrow for its drawing."""
    name = network.name or network.path or "network"
    lines = [f"{name}: the drawing needs {needed} columns, more than the {width} here; layer by layer "
             "(bpcalc draw --format svg draws it):",
             f"inputs ({len(network.inputs)}): {', '.join(network.inputs)}"]
    before = "the inputs"
    for index, layer in enumerate(network.layers):
        title = "output layer" if index == len(network.layers) - 1 else f"hidden layer {index + 1}"
        weights = sum(len(n.weights) for n in layer.neurons)
        sources = sorted({s for n in layer.neurons for s in n.sources}, key=list(network.inputs + tuple(
            m.name for m in network.neurons)).index)
        biases = sum(1 for n in layer.neurons if n.bias is not None and not n.threshold)
        thresholds = sum(1 for n in layer.neurons if n.bias is not None and n.threshold)
        constants = ", ".join(part for part in (_count(biases, "bias", "biases"),
                                                 _count(thresholds, "threshold", "thresholds")) if part)
        names = ", ".join(layer.names) if len(layer.names) <= 6 else f"{layer.names[0]} … {layer.names[-1]}"
        lines.append(f"{title} ({layer.activation.name}, {_count(len(layer.neurons), 'neuron', 'neurons')}: "
                     f"{names}): {_count(weights, 'weight', 'weights') or 'no weights'} from {before if network.layered else _few(sources)}"
                     + (f"; {constants}" if constants else ""))
        before = f"hidden layer {index + 1}"
    return [piece for line in lines for piece in textwrap.wrap(line, width, subsequent_indent="  ")]


def _count(n: int, one: str, many: str) -> str:
    """3 biases, 1 bias, or nothing for none."""
    return "" if n == 0 else f"{n} {one if n == 1 else many}"


def _few(names: list[str]) -> str:
    return ", ".join(names) if len(names) <= 6 else f"{len(names)} sources ({names[0]} … {names[-1]})"


def fits(lines: list[str], width: int) -> bool:
    return all(len(line) <= width for line in lines)


def columns(entries: list[str], width: int) -> list[str]:
    """Short entries in as many columns as fit, read down each column."""
    cell = max((len(e) for e in entries), default=0) + 3
    count = max(1, (width + 3) // cell)
    height = -(-len(entries) // count)
    return ["".join(entries[k].ljust(cell) for k in range(row, len(entries), height)).rstrip()
            for row in range(height)]
