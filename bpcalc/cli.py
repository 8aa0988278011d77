"""The `bpcalc` command line: a thin typer layer that loads, calls the engine, and hands records to a renderer."""

from __future__ import annotations

import functools
import sys
from importlib import resources
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer
from rich.console import Console

from . import engine
from .errors import BpcalcError
from .loader import load_network
from .model import Network
from .render import json as json_render
from .render import tables

app = typer.Typer(
    name="bpcalc",
    help="A step-by-step backpropagation calculator: the forward pass, the deltas, every "
         "gradient and the updated weights of a small network described in a YAML file, shown "
         "like a solution sheet. Without a NET file, commands use a bundled example "
         "(Mazur's 2-2-2 network).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

NetArg = Annotated[Optional[Path], typer.Argument(
    metavar="[NET]", help="Network file (YAML). Default: the bundled Mazur 2-2-2 example.",
    show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document (full precision) and nothing else.")]
DigitsOpt = Annotated[int, typer.Option("--precision", min=1, max=17, help="Significant digits shown in tables.")]


def default_network_path() -> Path:
    """The bundled example every command falls back to."""
    return Path(str(resources.files("bpcalc") / "data" / "mazur.yaml"))


def _load(path: Path | None) -> Network:
    return load_network(path if path is not None else default_network_path())


def _console() -> Console:
    return Console(highlight=False)


def user_errors(command: Callable) -> Callable:
    """Turn a BpcalcError into one line on stderr and its exit status; Ctrl-C into exit 130."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except BpcalcError as error:
            print(f"bpcalc: {error}", file=sys.stderr)
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            print("bpcalc: interrupted", file=sys.stderr)
            raise typer.Exit(130) from None

    return wrapper


@app.command()
@user_errors
def forward(net: NetArg = None, json: JsonOpt = False, precision: DigitsOpt = 9) -> None:
    """Feed every sample forward: net and out for each neuron, each output's error, and the total error."""
    network = _load(net)
    evaluation = engine.evaluate(network)
    if json:
        print(json_render.dumps(json_render.forward_document(network, evaluation)))
    else:
        _console().print(tables.forward_view(network, evaluation, precision))


@app.command()
@user_errors
def step(net: NetArg = None,
         show_deltas: Annotated[bool, typer.Option("--show-deltas", help="Show each neuron's δ and its chain-rule factors.")] = False,
         json: JsonOpt = False, precision: DigitsOpt = 9) -> None:
    """One update on the first batch: deltas, gradients, the new weights, and the error before and after."""
    network = _load(net)
    record = engine.step(network)
    if json:
        print(json_render.dumps(json_render.step_document(record)))
    else:
        _console().print(tables.step_view(record, show_deltas, precision))


@app.command()
@user_errors
def train(net: NetArg = None,
          epochs: Annotated[int, typer.Option("-n", "--epochs", min=0, help="Epochs: passes over all samples (one update each with batch: full).")] = 1,
          json: JsonOpt = False, precision: DigitsOpt = 9) -> None:
    """Train for N epochs; report the error at checkpoints, the outputs and the final parameters."""
    network = _load(net)
    record = engine.train(network, epochs, engine.checkpoints_for(epochs))
    if json:
        print(json_render.dumps(json_render.train_document(record)))
    else:
        _console().print(tables.train_view(record, precision))


def main() -> None:
    app()
