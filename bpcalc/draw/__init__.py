"""The network drawn with its weights: one layout (layout.py), written as SVG, TikZ or terminal text.

    from bpcalc.draw import figure
    fig = figure(network)            # the values of the file
    fig = figure(network, record)    # each value old → new after the step `record`
    fig.svg, fig.tikz, fig.text
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the train command imports draw.curve: nothing else loads until a picture is asked for
    from ..model import Network
    from ..render.document import Figure
    from ..trace import StepRecord
    from .layout import Layout, Values

__all__ = ["figure", "network_layout", "terminal_lines"]


def values_of(network: Network, record: StepRecord | None = None) -> Values:
    """The values to write: the network's, or with `record` each one's old and new value."""
    from .layout import Values

    if record is None:
        return Values(network.values())
    return Values({u.name: u.old for u in record.updates}, {u.name: u.new for u in record.updates},
                  frozenset(u.name for u in record.updates if u.fixed))


def network_layout(network: Network, record: StepRecord | None = None, names_only: bool = False) -> Layout:
    """The picture's layout, with the values after the step `record` when given (or with the
    parameters' names alone)."""
    from .layout import layout

    start = record.network if record is not None else network
    return layout(start, values_of(start, record)._replace(names_only=names_only))


def terminal_lines(network: Network, record: StepRecord | None = None, width: int = 80) -> list[str]:
    """The drawing for a terminal `width` columns wide: with the values on the edges if it fits,
    else with the names alone and the values listed under it, else a layer-by-layer summary."""
    from . import text

    start = record.network if record is not None else network
    full = text.drawing(network_layout(network, record))
    if text.fits(full, width):
        return full
    named = text.drawing(network_layout(network, record, names_only=True))
    if text.fits(named, width):
        values = values_of(start, record)
        entries = [f"{start.label_of(key)} = {values.plain(key)}" for key in values.old]
        return named + [""] + text.columns(entries, width)
    return text.summary(start, width, max(len(line) for line in full))


def figure(network: Network, record: StepRecord | None = None, caption: str = "") -> Figure:
    """The network as a Figure block: a standalone SVG, a tikzpicture and terminal lines, each
    edge labelled with its label and value (old → new after the step `record`, when given),
    each drawn when a writer asks for it."""
    from ..render.document import Figure

    if record is not None and not hasattr(record, "updates"):  # an Evaluation: the network's own values
        record = None
    return Figure(caption, NetworkPicture(network, record, caption or f"{network.name or network.path or 'network'}"))


class NetworkPicture:
    """The network's picture (render.document.Picture): laid out once, at the first form asked for."""

    def __init__(self, network: Network, record: StepRecord | None, title: str):
        self.network, self.record, self.title = network, record, title
        self._layout: Layout | None = None

    def layout(self) -> Layout:
        if self._layout is None:
            self._layout = network_layout(self.network, self.record)
        return self._layout

    def svg(self) -> str:
        from . import svg

        return svg.render(self.layout(), self.title)

    def tikz(self) -> str:
        from . import tikz

        return tikz.render(self.layout())

    def text(self, width: int) -> tuple[str, ...]:
        return tuple(terminal_lines(self.network, self.record, width))
