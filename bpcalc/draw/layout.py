"""Where every part of a network drawing goes, computed once on a grid of character cells.

The unit is one character cell: x counts columns, y counts rows. The terminal draws the grid as
it is; SVG and TikZ scale it (svg.CELL, tikz.CELL). Every piece of text is a box of whole cells
(its characters plus one cell of padding each side), so "no two labels overlap" is checked
once, here, on integers, and holds in each format: the SVG and TikZ writers set text in a
monospaced font or one narrower than it, inside the same boxes.

The picture: one column per layer, inputs left, outputs right, each column centred; each
neuron a box of three rows named inside, its bias or threshold just under it; each edge
labelled with its label and value at its own place along the edge, tried from a position
staggered by the edge's target neuron until no box is hit (the columns move apart if none is
free); a skip connection routed above the columns, on a lane of its own. A pair of layers with
more edges than LABEL_LIMIT draws them unlabelled and lists its weights as a matrix below.
"""

from __future__ import annotations

import math
import textwrap
from typing import Mapping

from ..model import ARROW, Network, edge
from ..records import Record
from ..render import latex as tex
from ..render.numbers import plain

LABEL_LIMIT = 12  # edges between two layers that can each carry a legible label
DIGITS = 4  # significant digits of the values drawn
NODE_ROWS = 3  # a neuron's box: a border, its name, a border
LANE_ROWS = 2  # rows between two skip lanes (a lane and its label, a blank)
MATRIX_COLUMN_GAP = 2
HEADING_WIDTH = 60  # a matrix's heading is wrapped to the picture's width, but no narrower than this
WIDENINGS = 12  # tries, each with wider gaps where a label found no place, before labels give way to matrices
STRICT_TRIES = 4  # widenings of the gaps tried for a place no other edge crosses, before any free place will do

Point = tuple[float, float]


class Box(Record):
    """A rectangle of cells: columns left … left+width−1, rows top … top+height−1."""

    left: int
    top: int
    width: int
    height: int = 1

    def overlaps(self, other: Box) -> bool:
        return (self.left < other.left + other.width and other.left < self.left + self.width
                and self.top < other.top + other.height and other.top < self.top + self.height)


class Text(Record):
    """A piece of text in its box: `plain` for the terminal and SVG, `latex` (math) for TikZ."""

    plain: str
    latex: str
    box: Box
    kind: str  # "edge", "bias", "note" (on an opaque background), "heading", "cell" (a matrix's)

    @property
    def start(self) -> int:
        """The column of its first character: centred in the box."""
        return self.box.left + (self.box.width - len(self.plain)) // 2


class Node(Record):
    """An input or a neuron: its box, and the rows its edges leave and enter by (the middle one)."""

    name: str
    latex: str
    box: Box
    kind: str  # "input" or "neuron"

    @property
    def row(self) -> int:
        return self.box.top + self.box.height // 2


class Edge(Record):
    """One weight: its path as points (x, y) in cells (x on cell boundaries, y at row centres),
    its label (None when its pair of layers is drawn as a matrix), and its full description."""

    key: str
    points: tuple[tuple[float, float], ...]
    label: Text | None
    title: str  # w5 (h1->o1) = 0.4: the SVG's tooltip, and the name a test looks for
    skip: bool = False


class Layout(Record):
    """A whole picture: its size in cells, and every part in drawing order (edges, text, nodes)."""

    width: int
    height: int
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    texts: tuple[Text, ...]  # biases, notes, matrix headings and cells
    matrices: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = ()  # (heading, rows of cells) for TikZ

    @property
    def boxes(self) -> list[Box]:
        """Every box holding text: a node's, a label's, a bias's, a note's, a matrix cell's."""
        return ([n.box for n in self.nodes] + [e.label.box for e in self.edges if e.label is not None]
                + [t.box for t in self.texts])


# ---------------------------------------------------------------- what is written

def number(x: float, digits: int = DIGITS) -> str:
    return plain(x, digits)


def _latex_number(x: float, digits: int = DIGITS) -> str:
    return tex.LatexWriter(digits).number(x)


class Values(Record):
    """What the picture writes for each parameter: its value, and after a step its new value."""

    old: Mapping[str, float]
    new: Mapping[str, float] | None = None  # None: the values alone
    fixed: frozenset[str] = frozenset()  # held by update_biases: false, shown without an arrow
    names_only: bool = False  # each parameter by its name alone (w5, b(h2)), the values listed apart

    def plain(self, key: str) -> str:
        text = number(self.old[key])
        if self.new is not None and key not in self.fixed:
            text += f" → {number(self.new[key])}"
        return text

    def latex(self, key: str) -> str:
        text = _latex_number(self.old[key])
        if self.new is not None and key not in self.fixed:
            text += rf" \to {_latex_number(self.new[key])}"
        return text


def _labels(network: Network) -> dict[str, str]:
    return {target: label for label, target in network.labels.items()}


def _param_texts(network: Network, values: Values, key: str, kind: str) -> tuple[str, str]:
    """w5 = 0.4 (or 0.4 alone for a weight without a label: the edge names it), b1 = 0.35, θ = 0.8."""
    label = _labels(network).get(key)
    if values.names_only:
        return (label, tex.label(label)) if label else (network.label_of(key), _latex_name(network, key, kind))
    if label is not None:
        name_plain, name_latex = label, tex.label(label)
    elif kind == "weight":
        return values.plain(key), values.latex(key)
    else:
        name_plain, name_latex = ("θ", r"\theta") if kind == "threshold" else ("b", "b")
    return f"{name_plain} = {values.plain(key)}", f"{name_latex} = {values.latex(key)}"


def _latex_name(network: Network, key: str, kind: str) -> str:
    """A parameter without a label as the LaTeX export writes it: w_{h1\\to o1}, b_{h1}, \\theta_{h1}."""
    if kind == "weight":
        source, dest = key.split(ARROW)
        return rf"w_{{{tex.name(source)}\to {tex.name(dest)}}}"
    symbol = r"\theta" if kind == "threshold" else "b"
    return f"{symbol}_{{{tex.name(key)}}}"


def _title(network: Network, values: Values, key: str) -> str:
    label = _labels(network).get(key)
    return f"{label} ({key}) = {values.plain(key)}" if label else f"{network.label_of(key)} = {values.plain(key)}"


# ---------------------------------------------------------------- the layout

def layout(network: Network, values: Values | None = None) -> Layout:
    """The picture of `network`: the first spacing at which every label finds a free place."""
    values = values or Values(network.values())
    gaps: dict[int, int] | None = None
    for tries in range(WIDENINGS):
        attempt = _Attempt(network, values, gaps, strict=tries < STRICT_TRIES)
        result = attempt.run()
        if result is not None:
            return result
        gaps = attempt.wider()
    # Labels that found no place in a picture this wide: every pair of layers as a matrix.
    result = _Attempt(network, values, None, strict=False, limit=0).run()
    assert result is not None, "a picture without edge labels always has room"
    return result


class _Attempt:
    """One try at laying the picture out with given gaps between the columns."""

    def __init__(self, network: Network, values: Values, gaps: dict[int, int] | None, strict: bool,
                 limit: int = LABEL_LIMIT):
        self.network, self.values, self.strict = network, values, strict
        self.columns: list[tuple[str, ...]] = [network.inputs] + [layer.names for layer in network.layers]
        self.column_of = {name: c for c, names in enumerate(self.columns) for name in names}
        self.pairs: dict[tuple[int, int], list[tuple[str, str]]] = {}
        for n in network.neurons:
            for source in n.sources:
                self.pairs.setdefault((self.column_of[source], self.column_of[n.name]), []).append((source, n.name))
        self.matrix_pairs = sorted(pair for pair, edges in self.pairs.items() if len(edges) > limit)
        self.label_texts = {edge(s, d): _param_texts(network, values, edge(s, d), "weight")
                            for edges in self.pairs.values() for s, d in edges}
        # The note between the columns of a pair drawn as a matrix, which names that matrix.
        self.notes = {pair: f"W{k}: {len(self.pairs[pair])} weights, below"
                      for k, pair in enumerate(self.matrix_pairs, 1)}
        self.gaps = gaps or {c: self._first_gap(c) for c in range(len(self.columns) - 1)}
        self.failed: set[int] = set()

    def _first_gap(self, c: int) -> int:
        widest = max((len(self.label_texts[edge(s, d)][0]) + 2 for s, d in self.pairs.get((c, c + 1), ())
                      if (c, c + 1) not in self.matrix_pairs), default=8)
        note = self.notes.get((c, c + 1))
        return max(12, widest + 4, len(note) + 6 if note else 0)

    def wider(self) -> dict[int, int]:
        """The gaps for the next try: those where a label found no place a third wider."""
        return {c: g + max(2, g // 3) if c in self.failed or not self.failed else g for c, g in self.gaps.items()}

    # -------------------------------------------------------- columns and nodes

    def _lane_rows(self, skip: tuple[str, str]) -> int:
        """The rows a skip connection's lane takes: room for its label, or one row unlabelled."""
        pair = (self.column_of[skip[0]], self.column_of[skip[1]])
        return LANE_ROWS if pair not in self.matrix_pairs else 1

    def _biased(self, c: int) -> bool:
        """Whether the neurons of column c show their bias under them (not when it is in a matrix)."""
        if c == 0:
            return False
        return (any(n.bias is not None for n in self.network.layers[c - 1].neurons)
                and not any(pair[1] == c for pair in self.matrix_pairs))

    def run(self) -> Layout | None:
        network = self.network
        skips = [(s, d) for (a, b), edges in sorted(self.pairs.items()) if b > a + 1 for s, d in edges]
        pitch = {c: NODE_ROWS + 2 + (1 if self._biased(c) else 0) for c in range(len(self.columns))}
        heights = {c: (len(names) - 1) * pitch[c] + NODE_ROWS for c, names in enumerate(self.columns)}
        tallest = max(heights.values())
        # A skip connection from the upper half of its column goes over the columns, one from the
        # lower half under them: two of them then never cross.
        above = [sd for sd in skips if 2 * self.columns[self.column_of[sd[0]]].index(sd[0])
                 < len(self.columns[self.column_of[sd[0]]]) - 1 or len(self.columns[self.column_of[sd[0]]]) == 1]
        below = [sd for sd in skips if sd not in above]
        top = 1 + sum(self._lane_rows(sd) for sd in above)
        bottom = top + tallest
        widths = {c: max(5, max(len(name) for name in names) + 4) for c, names in enumerate(self.columns)}
        lefts, x = {}, 1
        for c in range(len(self.columns)):
            lefts[c] = x
            x += widths[c] + (self.gaps[c] if c < len(self.columns) - 1 else 0)
        width = x + 1
        nodes: dict[str, Node] = {}
        texts: list[Text] = []
        for c, names in enumerate(self.columns):
            first = top + (tallest - heights[c]) // 2
            for k, name in enumerate(names):
                box = Box(lefts[c], first + k * pitch[c], widths[c], NODE_ROWS)
                nodes[name] = Node(name, tex.name(name, standalone=True), box, "input" if c == 0 else "neuron")
        for n in network.neurons:
            c = self.column_of[n.name]
            if n.bias is not None and self._biased(c):
                plain_text, latex_text = _param_texts(network, self.values, n.name, n.bias_kind)
                node = nodes[n.name].box
                w = len(plain_text) + 2
                texts.append(Text(plain_text, latex_text,
                                  Box(node.left + (node.width - w) // 2, node.top + NODE_ROWS, w), "bias"))
        placed: list[Box] = [node.box for node in nodes.values()] + [t.box for t in texts]
        labels: list[Box] = []
        edges: list[Edge] = []
        leaving: dict[int, int] = {}
        entering: dict[int, int] = {}
        # Skip connections first, each on a lane of its own: the innermost for the shortest, and
        # of those for the one nearest the columns' edge.
        for side, chosen, lane, step in (("above", above, top - 2, -1), ("below", below, bottom + 1, 1)):
            for s, d in sorted(chosen, key=lambda sd: (self.column_of[sd[1]] - self.column_of[sd[0]],
                                                      nodes[sd[0]].row * -step)):
                a, b = self.column_of[s], self.column_of[d]
                out_x = lefts[a] + widths[a] + 1 + leaving.setdefault(a, 0)
                in_x = lefts[b] - 2 - entering.setdefault(b, 0)
                leaving[a] += 1
                entering[b] += 1
                points = ((lefts[a] + widths[a], nodes[s].row + 0.5), (out_x + 0.5, nodes[s].row + 0.5),
                          (out_x + 0.5, lane + 0.5), (in_x + 0.5, lane + 0.5), (in_x + 0.5, nodes[d].row + 0.5),
                          (lefts[b], nodes[d].row + 0.5))
                label = None
                if (a, b) not in self.matrix_pairs:
                    plain_text, latex_text = self.label_texts[edge(s, d)]
                    w = len(plain_text) + 2
                    label = Text(plain_text, latex_text, Box((out_x + in_x + 1 - w) // 2, lane, w), "edge")
                    placed.append(label.box)
                edges.append(Edge(edge(s, d), points, label, _title(network, self.values, edge(s, d)), True))
                lane += step * self._lane_rows((s, d))
            if side == "below" and chosen:
                bottom = lane - 1
        # Edges between neighbouring columns, each label at the first free place along its edge.
        straight = [(s, d, (lefts[a] + widths[a], nodes[s].row + 0.5), (lefts[b], nodes[d].row + 0.5))
                    for (a, b), pair_edges in sorted(self.pairs.items()) if b == a + 1 for s, d in pair_edges]
        segments = [(edge(s, d), p, q) for s, d, p, q in straight] + [
            (e.key, p, q) for e in edges for p, q in zip(e.points, e.points[1:])]
        for s, d, start, end in straight:
            pair = (self.column_of[s], self.column_of[d])
            label = None
            if pair not in self.matrix_pairs:
                targets = list(dict.fromkeys(dest for _, dest in self.pairs[pair]))
                label = self._place(edge(s, d), start, end, targets.index(d), len(targets), placed, labels,
                                    [(p, q) for key, p, q in segments if key != edge(s, d)])
                if label is None:
                    self.failed.add(pair[0])
                    return None
                placed.append(label.box)
                labels.append(label.box)
            edges.append(Edge(edge(s, d), (start, end), label, _title(network, self.values, edge(s, d))))
        height = bottom + 1
        matrices, matrix_texts, height = self._matrices(lefts, widths, top, tallest, height, width)
        texts += matrix_texts
        width = max([width] + [t.box.left + t.box.width + 1 for t in texts])
        return Layout(width, height, tuple(nodes.values()), tuple(edges), tuple(texts), tuple(matrices))

    def _place(self, key: str, start: tuple[float, float], end: tuple[float, float], target: int, targets: int,
               placed: list[Box], labels: list[Box], others: list[tuple[Point, Point]]) -> Text | None:
        """The label of the edge from `start` to `end` at the first good place, trying first the
        fraction of the way staggered by its target, then places further and further from it.

        A good place overlaps no box, is on no row next to another label (the two would read as
        one) and is crossed by no other edge (which would seem to carry it). Failing that, unless
        this attempt must be strict, the first place that overlaps no box will do."""
        plain_text, latex_text = self.label_texts[key]
        w = len(plain_text) + 2
        (x0, y0), (x1, y1) = start, end
        first, last = math.ceil(x0) + 1, math.floor(x1) - 1 - w  # a cell from each node
        if last < first:
            return None
        span = last - first
        preferred = round(first + (target + 1) / (targets + 1) * span)
        tried = sorted(range(first, last + 1), key=lambda left: (abs(left - preferred), left))
        fallback = None
        for left in tried:
            middle = left + w / 2
            box = Box(left, math.floor(y0 + (y1 - y0) * (middle - x0) / (x1 - x0)), w)
            if any(Box(left - 1, box.top, w + 2).overlaps(other) for other in placed):  # a cell apart
                continue
            spaced = Box(left, box.top - 1, w, 3)
            if not any(spaced.overlaps(o) for o in labels) and not any(_crosses(p, q, box) for p, q in others):
                return Text(plain_text, latex_text, box, "edge")
            fallback = fallback or Text(plain_text, latex_text, box, "edge")
        return None if self.strict else fallback

    # -------------------------------------------------------- weights as matrices

    def _matrices(self, lefts: dict[int, int], widths: dict[int, int], top: int,
                  tallest: int, height: int, width: int):
        """Each pair of layers with too many edges to label: a note between its columns, and its
        weights (and the biases of its neurons) as a matrix under the picture, its heading
        wrapped to the picture's width. After a step, the matrix holds the new values."""
        network = self.network
        shown = self.values.new if self.values.new is not None else self.values.old
        matrices: list[tuple[str, tuple[tuple[str, ...], ...]]] = []
        texts: list[Text] = []
        row = height + 1
        for number_, (a, b) in enumerate(self.matrix_pairs, 1):
            pair_edges = self.pairs[(a, b)]
            sources = list(dict.fromkeys(s for s, _ in pair_edges))
            dests = list(dict.fromkeys(d for _, d in pair_edges))
            weights = {(s, d) for s, d in pair_edges}
            biased = [network.neuron(d) for d in dests if network.neuron(d).bias is not None]
            name = f"W{number_}"
            note = self.notes[(a, b)]
            w = len(note) + 2
            x = lefts[a] + widths[a] + (lefts[b] - lefts[a] - widths[a] - w) // 2 if b == a + 1 else lefts[b] - w - 1
            texts.append(Text(note, note,
                              Box(max(0, x), top + tallest // 2, w), "note"))
            kinds = {n.bias_kind for n in biased}
            bias_head = ("θ" if kinds == {"threshold"} else "b") if biased else None
            when = " after the update" if self.values.new is not None else ""
            heading = (f"{name}: the {len(pair_edges)} weights into {_span(dests)} from {_span(sources)}{when}, "
                       f"too many to label (a row per neuron, a column per source"
                       + (f"; {bias_head}: its {'threshold' if bias_head == 'θ' else 'bias'})" if biased else ")"))
            header = [""] + sources + ([bias_head] if bias_head else [])
            rows: list[list[str]] = [header]
            for d in dests:
                neuron = network.neuron(d)
                cells = [d] + [number(shown[edge(s, d)]) if (s, d) in weights else "·" for s in sources]
                if bias_head:
                    cells.append(number(shown[d]) if neuron.bias is not None else "·")
                rows.append(cells)
            matrices.append((heading, tuple(tuple(r) for r in rows)))
            for line in textwrap.wrap(heading, max(HEADING_WIDTH, width - 3)):
                texts.append(Text(line, line, Box(1, row, len(line) + 2), "heading"))
                row += 1
            row += 1
            column_widths = [max(len(r[k]) for r in rows) for k in range(len(header))]
            for r, cells in enumerate(rows):
                x = 1
                for k, cell in enumerate(cells):
                    if cell:
                        left = x if k == 0 else x + column_widths[k] - len(cell)  # numbers to the right
                        texts.append(Text(cell, cell, Box(left, row, len(cell)), "cell"))
                    x += column_widths[k] + MATRIX_COLUMN_GAP
                row += 1
            row += 1
        return matrices, texts, row if self.matrix_pairs else height


def _crosses(p: Point, q: Point, box: Box) -> bool:
    """Whether the segment p–q passes through the inside of `box` (a cell's margin kept off the
    box's ends, where a line leaves its label anyway)."""
    left, right = box.left + 0.5, box.left + box.width - 0.5
    top, bottom = box.top + 0.1, box.top + box.height - 0.1
    (x0, y0), (x1, y1) = p, q
    low, high = 0.0, 1.0  # Liang–Barsky: the part of the segment inside the box
    for delta, distance in ((x0 - x1, x0 - left), (x1 - x0, right - x0), (y0 - y1, y0 - top), (y1 - y0, bottom - y0)):
        if delta == 0:
            if distance < 0:
                return False
            continue
        t = distance / delta
        if delta < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def _span(names: list[str]) -> str:
    """h1…h16, or the names themselves when there are few."""
    return ", ".join(names) if len(names) <= 4 else f"{names[0]}…{names[-1]}"
