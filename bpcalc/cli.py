"""The `bpcalc` command line: a thin typer layer that loads, calls the engine, and hands records to a renderer."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Callable, Optional

import typer

from .errors import BpcalcError

if TYPE_CHECKING:
    from rich.console import Console

    from .model import Network

# Each command imports the modules it needs when it runs (start-up is part of the tool's
# speed: `--help` loads no engine, `--json` no rich console, nothing here loads numpy).

app = typer.Typer(
    name="bpcalc",
    help="A step-by-step backpropagation calculator: the forward pass, the deltas, every "
         "gradient and the updated weights of a small network described in a YAML file, shown "
         "like a solution sheet. Without a NET file, commands use a bundled example "
         "(Mazur's 2-2-2 network).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain click help: typer's rich help panels load most of rich and double the start-up of
    # `bpcalc --help` (issue 5 keeps every start within 1.2× of importing typer, rich and yaml).
    rich_markup_mode=None,
)

NetArg = Annotated[Optional[Path], typer.Argument(
    metavar="[NET]", help="Network file (YAML). Default: the bundled Mazur 2-2-2 example.",
    show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document (full precision) and nothing else.")]
DigitsOpt = Annotated[int, typer.Option("--precision", min=1, max=17, help="Significant digits shown in tables.")]


def default_network_path() -> Path:
    """The bundled example every command falls back to (package data beside this module)."""
    return Path(__file__).parent / "data" / "mazur.yaml"


def _load(path: Path | None) -> Network:
    from .loader import load_network

    return load_network(path if path is not None else default_network_path())


def _console() -> Console:
    from rich.console import Console

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
    from . import engine

    network = _load(net)
    evaluation = engine.evaluate(network)
    if json:
        from .render import json as json_render

        print(json_render.dumps(json_render.forward_document(network, evaluation)))
    else:
        from .render import tables

        _console().print(tables.forward_view(network, evaluation, precision))


@app.command()
@user_errors
def step(net: NetArg = None,
         show_deltas: Annotated[bool, typer.Option("--show-deltas", help="Show each neuron's δ and its chain-rule factors.")] = False,
         json: JsonOpt = False, precision: DigitsOpt = 9) -> None:
    """One update on the first batch: deltas, gradients, the new weights, and the error before and after."""
    from . import engine

    network = _load(net)
    record = engine.step(network)
    if json:
        from .render import json as json_render

        print(json_render.dumps(json_render.step_document(record)))
    else:
        from .render import tables

        _console().print(tables.step_view(record, show_deltas, precision))


@app.command()
@user_errors
def train(net: NetArg = None,
          epochs: Annotated[int, typer.Option("-n", "--epochs", min=0, help="Epochs: passes over all samples (one update each with batch: full).")] = 1,
          json: JsonOpt = False, precision: DigitsOpt = 9) -> None:
    """Train for N epochs; report the error at checkpoints, the outputs and the final parameters."""
    from . import engine, training

    network = _load(net)
    # The fastest path that gives the engine's numbers: compiled Python for small nets, numpy
    # for large ones, the engine itself for hand rounding (bpcalc.training).
    record = training.train(network, epochs, engine.checkpoints_for(epochs))
    if json:
        from .render import json as json_render

        print(json_render.dumps(json_render.train_document(record)))
    else:
        from .render import tables

        _console().print(tables.train_view(record, precision))


def main() -> None:
    app()
