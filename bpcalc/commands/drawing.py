"""bpcalc draw: the network pictured with its weights, in the terminal, as SVG or as TikZ."""

from enum import Enum
from typing import Annotated, Optional

import typer

from ..cli import NetArg, _app as app, load_net, user_errors
from ..commandline import Count
from ..render import console


class DrawFormat(str, Enum):
    """draw --format: where the picture is going."""

    terminal = "terminal"
    svg = "svg"
    tikz = "tikz"


@app.command()
@user_errors
def draw(net: NetArg = None,
         format: Annotated[DrawFormat, typer.Option(
             "--format", help="terminal (a Unicode drawing, or a layer-by-layer summary when wider than the "
                              "window), svg (a standalone SVG document) or tikz (a tikzpicture; needs "
                              "\\usepackage{tikz} only).")] = DrawFormat.terminal,
         after: Annotated[bool, typer.Option(
             "--after", help="Each value old → new after one step (the first batch's update).")] = False,
         update: Annotated[Optional[int], typer.Option(
             "--update", metavar="K", click_type=Count(1, what="the K-th update"), show_default=False,
             help="Each value old → new after the K-th update of training (as step --update K).")] = None,
         ) -> None:
    """Draw the network with its weights: a column per layer, every neuron named, every edge
    labelled with its label and value, each bias or threshold under its neuron.

    \b
    Examples:
      bpcalc draw hw3.yaml                      check the file is the sheet's network
      bpcalc draw hw3.yaml --after              w5 = 0.4 → 0.3589 after one step
      bpcalc draw hw3.yaml --format svg > net.svg
      bpcalc draw hw3.yaml --format tikz > net.tex   then \\input{net} in a tikz document

    A pair of layers with more edges than can be labelled legibly (more than 12) is drawn
    unlabelled, and its weights are listed as a matrix under the picture.
    """
    network = load_net(net)
    record = None
    if update is not None:
        from ..training import update_number

        record = update_number(network, update).step
    elif after:
        from .. import engine

        record = engine.step(network)
    if format is DrawFormat.svg:
        from ..draw import network_layout, svg

        text = svg.render(network_layout(network, record), network.name or network.path or "network")
    elif format is DrawFormat.tikz:
        from ..draw import network_layout, tikz

        text = tikz.render(network_layout(network, record))
    else:
        from ..draw import terminal_lines

        text = "".join(line + "\n" for line in terminal_lines(network, record, console.width()))
    print(text, end="")
