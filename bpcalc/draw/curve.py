"""The error curve of a training run as a figure: E_total against the epoch, in SVG and in TikZ.

Both axes are log-scaled where the numbers call for it, as the text curve decides
(render/training.py): the epoch axis for runs longer than LOG_EPOCHS_FROM (epoch e at
log10(e + 1), so that the start, epoch 0, has a place), the error axis when every error is
positive. The checkpoints (the epochs of the table) are marked with dots, and a target error
(train --until) is drawn as a dashed line. One set of coordinates (`Axes`) serves both formats.
"""

from __future__ import annotations

import math
from typing import Sequence

from ..render.numbers import plain
from ..render.training import LOG_EPOCHS_FROM
from .svg import FONT, escape

WIDTH, HEIGHT = 640.0, 360.0  # px, the SVG's size; TikZ draws the same at TIKZ_SCALE cm a pixel
LEFT, RIGHT, TOP, BOTTOM = 78.0, 40.0, 36.0, 50.0  # margins for the tick labels and titles
TIKZ_SCALE = 0.018  # cm per px: 11.5 cm wide


class Axes:
    """Where an (epoch, error) point goes in a WIDTH × HEIGHT picture, and the ticks of each axis."""

    def __init__(self, points: Sequence[tuple[int, float]], target: float | None):
        finite = [(e, v) for e, v in points if math.isfinite(v)]
        self.points = finite
        self.last = max((e for e, _ in finite), default=1) or 1
        values = [v for _, v in finite] + ([target] if target is not None and target > 0 else [])
        self.low, self.high = min(values, default=1.0), max(values, default=1.0)
        self.log_x = self.last > LOG_EPOCHS_FROM
        self.log_y = self.low > 0
        self.y0: float
        self.y1: float
        if self.log_y:
            self.y0, self.y1 = math.floor(math.log10(self.low)), math.ceil(math.log10(self.high))
            if self.y0 == self.y1:
                self.y1 += 1
        else:
            self.y0, self.y1 = _round_down(self.low), _round_up(self.high)
            if self.y0 == self.y1:
                self.y1 = self.y0 + 1

    def x(self, epoch: float) -> float:
        fraction = math.log10(epoch + 1) / math.log10(self.last + 1) if self.log_x else epoch / self.last
        return LEFT + fraction * (WIDTH - LEFT - RIGHT)

    def y(self, value: float) -> float:
        v = math.log10(value) if self.log_y else value
        fraction = (v - self.y0) / (self.y1 - self.y0)
        return HEIGHT - BOTTOM - fraction * (HEIGHT - TOP - BOTTOM)

    def x_ticks(self) -> list[tuple[int, str]]:
        if self.log_x:
            ticks = [0] + [10 ** k for k in range(len(str(self.last))) if 10 ** k < self.last] + [self.last]
        else:
            step = _nice_step(self.last)
            ticks = list(range(0, self.last, step)) + [self.last]
        shown: list[tuple[int, str]] = []
        for tick in ticks:  # a tick too close to the one before is left out (the last is kept)
            if shown and self.x(tick) - self.x(shown[-1][0]) < 34:
                if tick != self.last:
                    continue
                shown.pop()
            shown.append((tick, f"{tick:,}"))
        return shown

    def y_ticks(self) -> list[tuple[float, str]]:
        if self.log_y:
            decades = list(range(round(self.y0), round(self.y1) + 1))
            ticks = [10.0 ** k for k in decades]
            if len(decades) <= 2:  # less than two decades: 2 and 5 within them too
                ticks = sorted(set(ticks) | {m * 10.0 ** k for k in decades[:-1] for m in (2, 5)})
            return [(t, _power(t)) for t in ticks]
        step = (self.y1 - self.y0) / 4
        return [(self.y0 + k * step, plain(self.y0 + k * step, 3)) for k in range(5)]


def _power(x: float) -> str:
    exponent = round(math.log10(x))
    if -3 <= exponent <= 3:
        return plain(x, 3)
    mantissa = x / 10 ** exponent
    return f"{plain(mantissa, 2)}e{exponent}" if round(mantissa) != 1 else f"1e{exponent}"


def _nice_step(span: float) -> int:
    raw = max(1.0, span / 5)
    magnitude = 10 ** math.floor(math.log10(raw))
    return int(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw))


def _round_down(x: float) -> float:
    return math.floor(x * 100) / 100


def _round_up(x: float) -> float:
    return math.ceil(x * 100) / 100


def _titles(axes: Axes) -> tuple[str, str]:
    return (f"epoch{' (log scale)' if axes.log_x else ''}", f"E_total{' (log scale)' if axes.log_y else ''}")


def svg(points: Sequence[tuple[int, float]], checkpoints: Sequence[int] = (), target: float | None = None,
        title: str = "E_total against the epoch") -> str:
    """A standalone SVG of the curve through `points`, dots at the epochs `checkpoints`."""
    axes = Axes(points, target)
    x_title, y_title = _titles(axes)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH:g}" height="{HEIGHT:g}" '
           f'viewBox="0 0 {WIDTH:g} {HEIGHT:g}" role="img" font-family="{FONT}" font-size="12">',
           f"<title>{escape(title)}</title>",
           f'<rect width="{WIDTH:g}" height="{HEIGHT:g}" fill="#ffffff"/>',
           f'<text x="{WIDTH / 2:g}" y="20" text-anchor="middle" font-size="14" font-weight="bold">{escape(title)}</text>']
    left, right, top, bottom = LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM
    out.append('<g stroke="#e4e4e4" stroke-width="1">')
    for tick, _ in axes.y_ticks():
        out.append(f'<line x1="{left:g}" y1="{axes.y(tick):.1f}" x2="{right:g}" y2="{axes.y(tick):.1f}"/>')
    for tick, _ in axes.x_ticks():
        out.append(f'<line x1="{axes.x(tick):.1f}" y1="{top:g}" x2="{axes.x(tick):.1f}" y2="{bottom:g}"/>')
    out.append("</g>")
    out.append(f'<rect x="{left:g}" y="{top:g}" width="{right - left:g}" height="{bottom - top:g}" '
               'fill="none" stroke="#333"/>')
    for tick, label in axes.y_ticks():
        out.append(f'<text x="{left - 6:g}" y="{axes.y(tick):.1f}" text-anchor="end" '
                   f'dominant-baseline="central">{escape(label)}</text>')
    for tick, label in axes.x_ticks():
        out.append(f'<text x="{axes.x(tick):.1f}" y="{bottom + 16:g}" text-anchor="middle">{escape(label)}</text>')
    out.append(f'<text x="{(left + right) / 2:g}" y="{HEIGHT - 10:g}" text-anchor="middle">{escape(x_title)}</text>')
    out.append(f'<text x="14" y="{(top + bottom) / 2:g}" text-anchor="middle" '
               f'transform="rotate(-90 14 {(top + bottom) / 2:g})">{escape(y_title)}</text>')
    if target is not None and target > 0 or target == 0 and not axes.log_y:
        y = axes.y(target) if target else bottom
        out.append(f'<line x1="{left:g}" y1="{y:.1f}" x2="{right:g}" y2="{y:.1f}" stroke="#c0392b" '
                   'stroke-dasharray="6 4" stroke-width="1.5"/>')
        out.append(f'<text x="{left + 6:g}" y="{y - 6:.1f}" text-anchor="start" fill="#c0392b">'
                   f'target {escape(plain(target, 6))}</text>')
    line = " ".join(f"{axes.x(e):.1f},{axes.y(v):.1f}" for e, v in axes.points)
    out.append(f'<polyline points="{line}" fill="none" stroke="#2b5797" stroke-width="2"/>')
    marked = set(checkpoints)
    for e, v in axes.points:
        if e in marked:
            out.append(f'<circle cx="{axes.x(e):.1f}" cy="{axes.y(v):.1f}" r="3.5" fill="#2b5797">'
                       f"<title>epoch {e:,}: E_total = {escape(plain(v, 9))}</title></circle>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def tikz(points: Sequence[tuple[int, float]], checkpoints: Sequence[int] = (), target: float | None = None) -> str:
    """The same curve as a tikzpicture (TikZ alone, no pgfplots)."""
    from ..render import latex as tex

    axes = Axes(points, target)
    x_title, y_title = _titles(axes)
    s = TIKZ_SCALE

    def at(x: float, y: float) -> str:
        return f"({x * s:.3f},{(HEIGHT - y) * s:.3f})"

    left, right, top, bottom = LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM
    out = ["\\begin{tikzpicture}[font=\\footnotesize]"]
    for tick, label in axes.y_ticks():
        out.append(f"\\draw[black!12] {at(left, axes.y(tick))} -- {at(right, axes.y(tick))};")
        out.append(f"\\node[anchor=east] at {at(left - 3, axes.y(tick))} {{{tex.text(label)}}};")
    for tick, label in axes.x_ticks():
        out.append(f"\\draw[black!12] {at(axes.x(tick), top)} -- {at(axes.x(tick), bottom)};")
        out.append(f"\\node[anchor=north] at {at(axes.x(tick), bottom + 3)} {{{tex.text(label)}}};")
    out.append(f"\\draw {at(left, top)} rectangle {at(right, bottom)};")
    out.append(f"\\node at {at((left + right) / 2, HEIGHT - 10)} {{{tex.text(x_title)}}};")
    out.append(f"\\node[rotate=90] at {at(14, (top + bottom) / 2)} {{{tex.text(y_title)}}};")
    if target is not None and target > 0 or target == 0 and not axes.log_y:
        y = axes.y(target) if target else bottom
        out.append(f"\\draw[red!70!black, dashed, thick] {at(left, y)} -- {at(right, y)} "
                   f"node[above right, pos=0] {{target {tex.text(plain(target, 6))}}};")
    if len(axes.points) > 1:
        out.append("\\draw[blue!60!black, thick] " + " -- ".join(at(axes.x(e), axes.y(v)) for e, v in axes.points) + ";")
    marked = set(checkpoints)
    for e, v in axes.points:
        if e in marked:
            out.append(f"\\fill[blue!60!black] {at(axes.x(e), axes.y(v))} circle (1.6pt);")
    out.append("\\end{tikzpicture}")
    return "\n".join(out) + "\n"
