"""The `bpcalc` command line: a thin typer layer that loads, calls the engine, and hands records to a renderer."""

from __future__ import annotations

import errno
import functools
import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Callable, Optional

import typer

from .errors import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, EXIT_OUTPUT_FAILED, EXIT_WRONG_ANSWERS, BpcalcError

if TYPE_CHECKING:
    from rich.console import Console

    from .model import Network
    from .trace import TrainRecord

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


def load_network(path: Path) -> Network:
    """bpcalc.loader.load_network, imported when a command first needs it."""
    from .loader import load_network as load

    return load(path)


def _load(path: Path | None) -> Network:
    return load_network(path if path is not None else default_network_path())


def _console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def user_errors(command: Callable) -> Callable:
    """Turn a BpcalcError into one line on stderr and its exit status (errors.EXIT_*); likewise
    Ctrl-C (130), a reader that went away (141, silently) and output that cannot be written (74)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return _run_and_flush(command, args, kwargs)
        except BpcalcError as error:
            _say(str(error))
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            _say("interrupted")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except BrokenPipeError:
            _drop_stdout()
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except OSError as error:  # only printing is left: reading and --save report their own
            _say(f"cannot write the output: {error.strerror or error}")
            raise typer.Exit(EXIT_OUTPUT_FAILED) from None

    wrapper.reports_user_errors = True  # every command has this: tests check it
    return wrapper


def _run_and_flush(command: Callable, args, kwargs):
    """Run the command and flush its output, so that a full disk or a closed pipe is reported by
    user_errors rather than as a traceback when Python exits."""
    try:
        result = command(*args, **kwargs)
    except typer.Exit:  # `check` exits 1 after its output, which must still arrive
        _flush_stdout()
        raise
    _flush_stdout()
    return result


def _flush_stdout() -> None:
    if sys.stdout is None:  # started with standard output closed: nothing printed can arrive
        raise OSError(errno.EBADF, "standard output is closed")
    sys.stdout.flush()


def _say(message: str) -> None:
    """One line on stderr, whatever a file name holds: control characters are shown escaped."""
    line = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in message)
    if sys.stderr is not None:  # with standard error closed, print would fall back to stdout
        print(f"bpcalc: {line}", file=sys.stderr)


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that Python's final flush does not fail on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests), or already closed
        pass


def _note(network: Network, notes: list[str]) -> None:
    """Why a result is ∞ (ln 0): on stderr, so that --json output stays one document."""
    for note in notes:
        _say(f"note: {network.path or '<input>'}: {note}")


def _with_notes(document: dict, notes: list[str]) -> dict:
    """The JSON document, with the reasons for any null (∞) error under "notes"."""
    return {**document, "notes": notes} if notes else document


@app.command()
@user_errors
def forward(net: NetArg = None, json: JsonOpt = False, precision: DigitsOpt = 9) -> None:
    """Feed every sample forward: net and out for each neuron, each output's error, and the total error."""
    from . import engine

    network = _load(net)
    evaluation = engine.evaluate(network)
    notes = engine.infinite_errors(network, evaluation)
    if json:
        from .render import json as json_render

        print(json_render.dumps(_with_notes(json_render.forward_document(network, evaluation), notes)))
    else:
        from .render import tables

        _console().print(tables.forward_view(network, evaluation, precision))
    _note(network, notes)


@app.command()
@user_errors
def step(net: NetArg = None,
         show_deltas: Annotated[bool, typer.Option("--show-deltas", help="Show each neuron's δ and its chain-rule factors.")] = False,
         json: JsonOpt = False, precision: DigitsOpt = 9) -> None:
    """One update on the first batch: deltas, gradients, the new weights, and the error before and after."""
    from . import engine

    network = _load(net)
    record = engine.step(network)
    notes = engine.infinite_errors(network, record.before) + [
        f"after the update, {note}" for note in engine.infinite_errors(record.updated, record.after)]
    if json:
        from .render import json as json_render

        print(json_render.dumps(_with_notes(json_render.step_document(record), notes)))
    else:
        from .render import tables

        _console().print(tables.step_view(record, show_deltas, precision))
    _note(network, notes)


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
    notes = _checkpoint_notes(record) + engine.infinite_errors(record.network, record.final)
    if json:
        from .render import json as json_render

        print(json_render.dumps(_with_notes(json_render.train_document(record), notes)))
    else:
        from .render import tables

        _console().print(tables.train_view(record, precision))
    _note(network, notes)


def _checkpoint_notes(record: TrainRecord) -> list[str]:
    """Why E_total is ∞ at a checkpoint before the last (the last one is the final evaluation's)."""
    infinite = [str(epoch) for epoch, error in record.checkpoints[:-1] if math.isinf(error)]
    if not infinite:
        return []
    return [f"E_total is ∞ at epoch {', '.join(infinite)}: an output was exactly 0 or 1 against "
            "another target, and cross-entropy took ln 0"]


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
    from .check.answers import template_text
    from .check.grade import Checker
    from .files import write_atomically

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
    from .check import render as check_render
    from .check.precision import rule_from_options
    from .check.run import check_files
    from .files import write_atomically
    from .render import json as json_render

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
        raise typer.Exit(EXIT_WRONG_ANSWERS)


def main() -> None:
    app()
