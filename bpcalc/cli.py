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
from .check import render as check_render
from .check.answers import template_text
from .check.grade import Checker
from .check.precision import rule_from_options
from .check.run import check_files
from .files import write_atomically

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


# ---------------------------------------------------------------- checking answers (bpcalc.check)

@app.command()
@user_errors
def answers(net: NetArg = None,
            everything: Annotated[bool, typer.Option(
                "--all", help="Also list the chain-rule factors (dE/dout_X, dout/dnet_X, dE_K/dout_X), each "
                              "step ΔP and the forward pass after the update (X@1).")] = False,
            output: Annotated[Optional[Path], typer.Option(
                "-o", "--output", help="Write the template to this file instead of printing it.")] = None,
            force: Annotated[bool, typer.Option("--force", help="Replace --output if it exists.")] = False) -> None:
    """Print a blank answer file: every quantity name of one step, in solution order, to fill in and check."""
    path = net if net is not None else default_network_path()
    network = _load(net)
    text = template_text(network, Checker(network).vocabulary, str(net) if net is not None else None, everything)
    if output is None:
        print(text, end="")
    else:
        write_atomically(output, text, force=force, inputs=[path])


@app.command()
@user_errors
def check(files: Annotated[list[Path], typer.Argument(
              metavar="[NET] ANSWERS", show_default=False,
              help="The network file, then one or more answer files (YAML: name: number). Without a network "
                   "file first, the answers are checked against the bundled Mazur example.")],
          json: JsonOpt = False,
          csv: Annotated[Optional[Path], typer.Option(
              "--csv", help="Also write one row per answer file (file, score, wrong names, reasons) for a "
                            "gradebook.")] = None,
          force: Annotated[bool, typer.Option("--force", help="Replace the --csv file if it exists.")] = False,
          tolerance: Annotated[Optional[str], typer.Option(
              "--tolerance", help="Right if within this of the expected value: absolute (0.001) or "
                                  "relative (1%), instead of to the digits written.")] = None,
          decimals: Annotated[Optional[int], typer.Option(
              "--decimals", min=0, max=20, help="Compare every answer at N decimal places.")] = None,
          sig_figs: Annotated[Optional[int], typer.Option(
              "--sig-figs", min=1, max=20, help="Compare every answer at N significant figures.")] = None,
          strict: Annotated[bool, typer.Option(
              "--strict", help="No allowance of ±1 in the last place for hand rounding.")] = False,
          details: Annotated[bool, typer.Option(
              "--details", help="With several answer files, show each file's table too.")] = False) -> None:
    """Check answer files: each number right to the digits written, right by follow-through from the
    student's own earlier numbers, or wrong, with the slip that explains it. Exit 0 if all are right,
    1 if any is wrong, 2 for bad input."""
    try:
        rule = rule_from_options(tolerance, decimals, sig_figs, strict)
    except ValueError as problem:
        raise BpcalcError(str(problem)) from None
    network, results = check_files(files, default_network_path(), rule)
    if csv is not None:
        write_atomically(csv, check_render.csv_text(results), force=force, inputs=files)
    if json:
        print(json_render.dumps(check_render.check_document(network, results, rule)))
    else:
        _console().print(check_render.check_view(network, results, rule, details))
    if not all(r.all_right for r in results):
        raise typer.Exit(1)


def main() -> None:
    app()
