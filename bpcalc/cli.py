"""The `bpcalc` command line: a thin typer layer that loads, calls the engine, and hands records to a renderer."""

import errno
import functools
import math
import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Callable, Optional

import typer

from .errors import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, EXIT_OUTPUT_FAILED, EXIT_WRONG_ANSWERS, BpcalcError
from .render import console
from .render.formats import Format

if TYPE_CHECKING:
    from .model import Network
    from .render.symbols import View
    from .trace import TrainRecord

# Each command imports what it needs when it runs: start-up is part of the tool's speed (issue
# 5), so `--help` loads no engine, piped output no rich console, and nothing here loads numpy.
# Nor is there `from __future__ import annotations`: typer would eval every annotation string
# at each start (~9 ms); the names only type checkers know are quoted instead.

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


class DeltaSign(str, Enum):
    """--delta-sign: which sign of δ the working shows."""

    gradient = "gradient"
    error = "error"


NetArg = Annotated[Optional[Path], typer.Argument(
    metavar="[NET]", help="Network file (YAML). Default: the bundled Mazur 2-2-2 example.",
    show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document (full precision) and nothing else.")]
DigitsOpt = Annotated[int, typer.Option(
    "--precision", min=1, max=17,
    help="Significant digits shown, at most that many decimals (Mazur's 0.082167041); "
         "small numbers keep two thirds of them (0.0000351019).")]
FormatOpt = Annotated[Optional[Format], typer.Option(
    "--format", show_default=False,
    help="terminal (the default: fitted to the window), markdown (tables to paste into notes), "
         "latex (an amsmath fragment for an answer key) or html (one self-contained page to open in a "
         "browser or print: `--format html > hw3.html`). The same solution in each.")]
DeltaSignOpt = Annotated[Optional[DeltaSign], typer.Option(
    "--delta-sign", show_default=False,
    help="How δ is signed in the working. gradient: δ = ∂E/∂net and w⁺ = w − η·∂E/∂w (Mazur, "
         "CSC4007). error: δ = −∂E/∂net = (t−out)·f′ and Δw = +η·δ·x (Udacity, Negnevitsky). "
         "Default: the file's delta_sign, else gradient. Display only: --json always gives ∂E/∂net.")]
SymbolicOpt = Annotated[bool, typer.Option(
    "--symbolic", help="The same solution in symbols only, no numbers: the formulas to learn "
                       "(like CSC4007's Exercise 1).")]


def default_network_path() -> Path:
    """The bundled example every command falls back to."""
    return Path(__file__).parent / "data" / "mazur.yaml"  # package data (importlib.resources costs ~5 ms)


def load_network(path: Path) -> "Network":
    """bpcalc.loader.load_network, imported when a command first needs it."""
    from .loader import load_network as load

    return load(path)


def _load(path: Path | None) -> "Network":
    return load_network(path if path is not None else default_network_path())


def _view(network: "Network", delta_sign: DeltaSign | None, symbolic: bool, precision: int,
          show_deltas: bool = True) -> "View":
    """How to write the solution: the δ sign asked for, else the one the file's course uses."""
    from .render.symbols import View

    sign = delta_sign.value if delta_sign is not None else network.options.delta_sign
    return View(delta_sign=sign, symbolic=symbolic, show_deltas=show_deltas, digits=precision)


def _no_json_with(json: bool, fmt: Format | None, symbolic: bool = False) -> Format:
    """The format to print in; --json takes no --format or --symbolic, since it is one fixed document."""
    if json and fmt is not None:
        raise BpcalcError("--json and --format are two ways to print; choose one")
    if json and symbolic:
        raise BpcalcError("--symbolic has no JSON form; drop --json to see the formulas")
    return fmt or Format.terminal


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

    wrapper.reports_user_errors = True  # type: ignore[attr-defined]  # every command has this: tests check it
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


def _note(network: "Network", notes: list[str]) -> None:
    """Why a result is ∞ (ln 0): on stderr, so that --json output stays one document."""
    for note in notes:
        _say(f"note: {network.path or '<input>'}: {note}")


def _with_notes(document: dict, notes: list[str]) -> dict:
    """The JSON document, with the reasons for any null (∞) error under "notes"."""
    return {**document, "notes": notes} if notes else document


@app.command()
@user_errors
def new(shape: Annotated[str, typer.Argument(
            metavar="SHAPE", show_default=False,
            help="Layer sizes joined by '-': the inputs, each hidden layer, the outputs (2-2-2, 3-4-4-1).")],
        activation: Annotated[str, typer.Option(
            "--activation", metavar="NAME",
            help="The hidden layers' activation: sigmoid, tanh, relu, leaky_relu or linear (identity).")] = "sigmoid",
        output_activation: Annotated[Optional[str], typer.Option(
            "--output-activation", metavar="NAME", show_default=False,
            help="The output layer's: any of those, or softmax. Default: the same as --activation.")] = None,
        loss: Annotated[str, typer.Option(
            "--loss", metavar="NAME", help="half_sse, sse, mse or cross_entropy.")] = "half_sse",
        thresholds: Annotated[bool, typer.Option(
            "--thresholds", help="Write a threshold θ for every neuron instead of a bias: net = Σw·x − θ, "
                                 "as Negnevitsky writes it.")] = False,
        no_biases: Annotated[bool, typer.Option("--no-biases", help="No bias at all: net = Σw·x.")] = False,
        learning_rate: Annotated[float, typer.Option(
            "--learning-rate", metavar="ETA", help="η, in w⁺ = w − η·∂E/∂w.")] = 0.5,
        name: Annotated[Optional[str], typer.Option(
            "--name", metavar="TEXT", show_default=False,
            help="The name shown in headings. Default: the shape.")] = None,
        out: Annotated[Optional[Path], typer.Option(
            "-o", "--out", "--output", metavar="FILE", show_default=False,
            help="Write the file here instead of printing it (never over an existing file without --force).")] = None,
        force: Annotated[bool, typer.Option("--force", help="Let --out replace an existing file.")] = False,
        ) -> None:
    """Print a blank network file of the given shape, to fill in with numbers: every weight and
    bias written out as 0.0, labelled w1, w2, … and b1, b2, … as Mazur numbers them.

    \b
    Examples:
      bpcalc new 2-2-2 > hw3.yaml       Mazur's shape: put in your numbers,
      bpcalc forward hw3.yaml           then work the forward pass
      bpcalc new 3-4-4-1 --thresholds   two hidden layers; net = Σw·x − θ
      bpcalc new 2-3-1 --activation tanh --output-activation linear -o hw4.yaml

    Inputs are named x1, x2, …; hidden neurons h1, h2, …, numbered on through the hidden layers
    (3-4-4-1: h1 … h4, then h5 … h8); outputs o1, o2, …. Weights are labelled neuron by neuron
    from the input side, each neuron's incoming weights in order: in a 2-2-2, w1 is x1->h1,
    w2 x2->h1, w3 x1->h2, … and w8 h2->o2.
    """
    from . import skeleton

    if thresholds and no_biases:
        raise BpcalcError("--thresholds and --no-biases: choose one (a threshold is a bias with its sign turned)")
    if out is not None and out.name in skeleton.OUTPUT_ACTIVATIONS and out.name == str(out):
        raise BpcalcError(f"--out/--output names the file to write, not an activation; for the output "
                          f"layer's activation use --output-activation {out}")
    constant = None if no_biases else skeleton.THRESHOLD if thresholds else skeleton.BIAS
    text = skeleton.skeleton(skeleton.parse_shape(shape), activation=activation, output=output_activation,
                             loss=loss, constant=constant, learning_rate=learning_rate, name=name)
    if out is None:
        print(text, end="")
    else:
        from .files import write_atomically

        write_atomically(out, text, force=force)
        _say(f"wrote {out}; put your numbers in it, then run bpcalc forward {out}")


@app.command()
@user_errors
def forward(net: NetArg = None, json: JsonOpt = False, format: FormatOpt = None,
            delta_sign: DeltaSignOpt = None, symbolic: SymbolicOpt = False,
            precision: DigitsOpt = 9) -> None:
    """Feed every sample forward: net = Σw·x + b (or − θ) and out = f(net) for each neuron, each output's error, and the total error, every line worked (without targets: the outputs alone)."""
    from . import engine

    fmt = _no_json_with(json, format, symbolic)
    network = _load(net)
    evaluation = engine.evaluate(network)
    notes = engine.infinite_errors(network, evaluation)
    if json:
        from .render import json as json_render

        print(json_render.dumps(_with_notes(json_render.forward_document(network, evaluation), notes)))
    else:
        view = _view(network, delta_sign, symbolic, precision)
        from .render.formats import show
        from .render.solution import forward_document

        show(forward_document(network, evaluation, view), fmt, precision)
    _note(network, notes)


@app.command()
@user_errors
def step(net: NetArg = None,
         show_deltas: Annotated[bool, typer.Option(
             "--show-deltas", help="Work the whole step as a solution sheet does: forward pass, each "
                                   "δ with its chain-rule factors, each gradient and update, and a "
                                   "further forward pass.")] = False,
         json: JsonOpt = False, format: FormatOpt = None, delta_sign: DeltaSignOpt = None,
         symbolic: SymbolicOpt = False, precision: DigitsOpt = 9,
         update: Annotated[Optional[int], typer.Option(
             "--update", metavar="K", min=1, show_default=False,
             help="The K-th update of training from the file's values (counted across batches and "
                  "epochs; 1 is the first batch's), with the momentum carried into it.")] = None) -> None:
    """One update on the first batch: gradients and new values, the error before and after (all the working with --show-deltas)."""
    from . import engine

    fmt = _no_json_with(json, format, symbolic)
    network = _load(net)
    which = None
    if update is None:
        record = engine.step(network)
    else:
        from .training import update_number

        which = update_number(network, update)
        record = which.step
    assert record.after is not None
    notes = engine.infinite_errors(network, record.before) + [
        f"after the update, {note}" for note in engine.infinite_errors(record.updated, record.after)]
    if json:
        from .render import json as json_render

        print(json_render.dumps(_with_notes(json_render.step_document(record, which), notes)))
    else:
        view = _view(network, delta_sign, symbolic, precision, show_deltas)
        from .render.formats import show
        from .render.solution import step_document

        show(step_document(record, view, which), fmt, precision)
    _note(network, notes)


@app.command()
@user_errors
def explain(
    args: Annotated[list[str], typer.Argument(
        metavar="[NET] PARAM", show_default=False,
        help="The parameter to explain, after the network file if one is given: a label (w1), its "
             "name in the tables (w(i1->h1), b(h1), theta(h1)), an edge written i1-h1 or, quoted, "
             "'i1->h1' (unquoted, > is a shell redirect), or a bias's or threshold's neuron (h1).")],
    format: FormatOpt = None, delta_sign: DeltaSignOpt = None,
    symbolic: SymbolicOpt = False, precision: DigitsOpt = 9,
) -> None:
    """One parameter's derivation in the first step: the chain rule through every layer and along every path to the error, with numbers, and its update; or an input's ∂E/∂x along every path."""
    from . import engine
    from .quantities import explained_named
    from .render.explain import explain_document, explain_input_document
    from .render.formats import show

    if len(args) > 2:
        raise BpcalcError(f"explain takes [NET] PARAM, got {len(args)} arguments")
    if len(args) == 1 and args[0].endswith((".yaml", ".yml")):
        raise BpcalcError(f"say which parameter to explain after the file, e.g. bpcalc explain {args[0]} w1")
    net = Path(args[0]) if len(args) == 2 else None
    network = _load(net)
    is_input, name = explained_named(network, args[-1])
    if is_input:  # ∂E/∂x is a derivative of the error, whatever weights a convention updates through
        network = network._replace(options=network.options._replace(hidden_deltas="old_weights"))
    record = engine.step(network)
    view = _view(network, delta_sign, symbolic, precision)
    document = (explain_input_document if is_input else explain_document)(record, name, view)
    show(document, format or Format.terminal, precision)


# Runs shorter than this many sample passes finish before a progress bar would be seen.
LONG_RUN = 2000


@app.command()
@user_errors
def train(net: NetArg = None,
          epochs: Annotated[Optional[int], typer.Option("-n", "--epochs", min=0, show_default="1", help="Epochs: passes over all samples (one update each with batch: full); with --until, the most to run (default 1,000,000).")] = None,
          until: Annotated[Optional[str], typer.Option(
              "--until", metavar="E", show_default=False,
              help="Stop after the first epoch at whose end E_total ≤ E (0 epochs if the start already is).")] = None,
          json: JsonOpt = False, format: FormatOpt = None, delta_sign: DeltaSignOpt = None,
          precision: DigitsOpt = 9,
          save: Annotated[Optional[Path], typer.Option(
              "--save", metavar="OUT.yaml", show_default=False,
              help="Also write the trained network to OUT.yaml, in the same file format (it loads "
                   "again and gives the same outputs).")] = None,
          force: Annotated[bool, typer.Option("--force", help="Let --save replace an existing file.")] = False,
          ) -> None:
    """Train for N epochs: the error at epochs 1, 10, 100, …, N with a small curve, the outputs against the targets, and the trained parameters."""
    from . import engine, training

    fmt = _no_json_with(json, format)
    target = None if until is None else _target_error(until)
    if epochs is None:
        epochs = 1 if target is None else UNTIL_MAX_EPOCHS
    network = _load(net)
    inputs = [network.path] if network.path else []
    if save is not None:
        from .files import check_target, write_atomically

        check_target(save, force=force, inputs=inputs)
    table = engine.checkpoints_for(epochs)
    if json:
        wanted = table
    else:
        from .render.training import curve_epochs, open_curve_epochs

        # With a target the run's length is not known: enough epochs for a curve of any length.
        wanted = sorted(set(table) | set(curve_epochs(epochs) if target is None else open_curve_epochs(epochs)))
    long_run = not json and fmt is Format.terminal and console.styled() and epochs * len(network.samples) >= LONG_RUN
    # The fastest path that gives the engine's numbers: compiled Python for small nets, numpy
    # for large ones, the engine itself for hand rounding (bpcalc.training).
    record = _train_with_progress(network, epochs, wanted, target) if long_run else (
        training.train(network, epochs, wanted, until=target))
    table = engine.checkpoints_for(record.epochs)  # the epochs run: fewer if the target was reached
    if save is not None:
        comment = (f"Trained by bpcalc: {record.epochs} epochs of {network.path or 'the bundled example'}; "
                   f"E_total after training {record.final.error!r}.")
        from .netfile import dumps as network_text

        write_atomically(save, network_text(record.network, comment), force=force, inputs=inputs)
        _say(f"saved the trained network to {save}")
    notes = _checkpoint_notes(record) + engine.infinite_errors(record.network, record.final)
    if json:
        from .render import json as json_render

        print(json_render.dumps(_with_notes(json_render.train_document(record), notes)))
    else:
        view = _view(network, delta_sign, False, precision)
        from .render.formats import show
        from .render.training import train_document

        show(train_document(network, record, view, table), fmt, precision)
    _note(network, notes)


# `train --until E` without -n: the most epochs it runs.
UNTIL_MAX_EPOCHS = 1_000_000


def _target_error(text: str) -> float:
    """--until's E: a number ≥ 0."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value >= 0:
        raise BpcalcError(f"--until takes a target error, a number 0 or more (such as 0.001), not {text!r}")
    return value


def _train_with_progress(network: "Network", epochs: int, checkpoints: list[int], until: float | None = None):
    """training.train under a rich progress bar that disappears when training ends."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from . import training

    columns = (TextColumn("training"), BarColumn(), TextColumn("{task.completed}/{task.total} epochs"),
               TimeRemainingColumn())
    with Progress(*columns, console=console.rich_console(), transient=True) as bar:
        task = bar.add_task("training", total=epochs)
        every = max(1, epochs // 200)  # a few hundred updates at most: the bar must not slow training

        def tick(epoch: int) -> None:
            if epoch % every == 0 or epoch == epochs:
                bar.update(task, completed=epoch)

        return training.train(network, epochs, checkpoints, progress=tick, until=until)


def _checkpoint_notes(record: "TrainRecord") -> list[str]:
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
              "--details", help="With several answer files, show each file's table too.")] = False,
          delta_sign: Annotated[Optional[DeltaSign], typer.Option(
              "--delta-sign", show_default=False,
              help="How the answers sign δ: gradient (δ = ∂E/∂net) or error (δ = (t−out)·f′ = −∂E/∂net). "
                   "Default: the network file's delta_sign, else gradient.")] = None) -> None:
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
    network, results = check_files(files, default_network_path(), rule,
                                   None if delta_sign is None else delta_sign.value)
    if csv is not None:
        write_atomically(csv, check_render.csv_text(results), force=force, inputs=files)
    if json:
        print(json_render.dumps(check_render.check_document(network, results, rule)))
    else:
        console.rich_console().print(check_render.check_view(network, results, rule, details))
    if not all(r.all_right for r in results):
        raise typer.Exit(EXIT_WRONG_ANSWERS)


def main() -> None:
    """The `bpcalc` console script. Typer turns every command's signature into click options at
    each start (~0.4 ms a command), so only the command named on the command line is built;
    anything else (--help, a misspelt command) gets the whole app."""
    named = [c for c in app.registered_commands
             if len(sys.argv) > 1 and c.callback is not None and c.callback.__name__ == sys.argv[1]]
    if named:
        app.registered_commands = named
    app()


@app.callback()
def _group() -> None:
    """Keeps bpcalc a group of commands even when main() registers only one: a typer app of a
    single command would take that command's name for its first argument."""
