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

from . import commandline
from .commandline import Count
from .commandline import say as _say
from .errors import (EXIT_BAD_INPUT, EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, EXIT_OUTPUT_FAILED, EXIT_WRONG_ANSWERS,
                     BpcalcError)
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
    # A usage mistake is one line on stderr with the nearest valid word (bpcalc.commandline), and
    # -h is --help, for the app and every command.
    cls=commandline.Group,
    context_settings={"help_option_names": commandline.HELP_OPTIONS},
)


class DeltaSign(str, Enum):
    """--delta-sign: which sign of δ the working shows."""

    gradient = "gradient"
    error = "error"


NetArg = Annotated[Optional[Path], typer.Argument(
    metavar="[NET]", help="Network file (YAML), or - to read it from standard input. Default: the "
                          "bundled Mazur 2-2-2 example.",
    show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document (full precision) and nothing else.")]
DigitsOpt = Annotated[int, typer.Option(
    "--precision", metavar="N", click_type=Count(1, 17, "significant digits"),
    help="Significant digits shown, at most that many decimals (Mazur's 0.082167041); "
         "small numbers keep two thirds of them (0.0000351019). A rounded number keeps its "
         "trailing zeros (0.5250 to 4 digits); an exact one prints as it is (0.25).")]
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
FigureOpt = Annotated[bool, typer.Option(
    "--figure", help="Put the network drawn with its values first (bpcalc draw): TikZ in --format latex, "
                     "the drawing in the terminal; in --format markdown an SVG file with --svg-dir, "
                     "else the text drawing.")]
SvgDirOpt = Annotated[Optional[Path], typer.Option(
    "--svg-dir", metavar="DIR", show_default=False,
    help="With --format markdown: write each figure (the network, the error curve) as DIR/NAME-K.svg "
         "and link it, NAME being the network file's (never over a file without --force).")]
SvgForceOpt = Annotated[bool, typer.Option("--force", help="Let --svg-dir replace existing files.")]
SymbolicOpt = Annotated[bool, typer.Option(
    "--symbolic", help="The same solution in symbols only, no numbers: the formulas to learn "
                       "(like CSC4007's Exercise 1).")]


class Notation(str, Enum):
    """--notation: how the working is written."""

    neuron = "neuron"
    matrix = "matrix"


NotationOpt = Annotated[Notation, typer.Option(
    "--notation",
    help="neuron (the default): every neuron's own line, net_h1 = w1·i1 + w2·i2 + b1·1. matrix: a "
         "layer at a time with its vectors and matrices written out, n¹ = W¹x + b¹, "
         "δ¹ = ((W²)ᵀδ²) ⊙ f¹′(n¹) = Ḟ¹(n¹)(W²)ᵀδ² (Hagan), dE/dW¹ = δ¹xᵀ, as courses that teach "
         "backpropagation in matrices write it. Not with --json.")]


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
          show_deltas: bool = True, notation: Notation = Notation.neuron) -> "View":
    """How to write the solution: the δ sign asked for, else the one the file's course uses."""
    from .render.symbols import View

    sign = delta_sign.value if delta_sign is not None else network.options.delta_sign
    return View(delta_sign=sign, symbolic=symbolic, show_deltas=show_deltas, digits=precision,
                notation=notation.value)


def _no_json_with(json: bool, fmt: Format | None, symbolic: bool = False,
                  notation: Notation = Notation.neuron) -> Format:
    """The format to print in; --json takes no --format, --symbolic or --notation matrix, since it
    is one fixed document."""
    if json and fmt is not None:
        raise BpcalcError("--json and --format are two ways to print; choose one")
    if json and symbolic:
        raise BpcalcError("--symbolic has no JSON form; drop --json to see the formulas")
    if json and notation is Notation.matrix:
        raise BpcalcError("--notation matrix has no JSON form (JSON is one fixed document, by neuron); "
                          "drop --json to see the matrices")
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


def _show(document, fmt: Format, precision: int, network: "Network", svg_dir: Path | None,
          force: bool, figure=None) -> None:
    """Print the solution, the figure first if given; with --svg-dir its figures go to SVG files."""
    from .render.formats import show

    if figure is not None:
        from .draw.exports import with_figure

        document = with_figure(document, figure)
    files: list[str] = []
    if svg_dir is not None:
        if fmt is not Format.markdown:
            raise BpcalcError("--svg-dir writes the figures for --format markdown; LaTeX has them inline "
                              "and bpcalc draw --format svg prints one")
        from .draw.exports import write_svg_files

        stem = Path(network.path).stem if network.path else "network"
        files = write_svg_files(document, svg_dir, stem, force=force, inputs=[network.path] if network.path else [])
    show(document, fmt, precision, files)


def _network_figure(wanted: bool, fmt: Format, network: "Network", record=None, caption: str = ""):
    """The network drawn (bpcalc.draw.figure), when --figure asks for it or the page is HTML (a
    browser shows the picture at no cost to the reader)."""
    if not wanted and fmt is not Format.html:
        return None
    from .draw import figure

    return figure(network, record, caption)


def _no_figure_with_json(json: bool, figure: bool, svg_dir: Path | None) -> None:
    if json and (figure or svg_dir is not None):
        raise BpcalcError("--figure and --svg-dir are for the worked solution; --json has no pictures "
                          "(bpcalc draw --format svg draws one)")


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
            precision: DigitsOpt = 9, notation: NotationOpt = Notation.neuron,
            figure: FigureOpt = False, svg_dir: SvgDirOpt = None, force: SvgForceOpt = False) -> None:
    """Feed every sample forward: net = Σw·x + b (or − θ) and out = f(net) for each neuron, each output's error, and the total error, every line worked (without targets: the outputs alone)."""
    from . import engine

    fmt = _no_json_with(json, format, symbolic, notation)
    _no_figure_with_json(json, figure, svg_dir)
    network = _load(net)
    evaluation = engine.evaluate(network)
    notes = engine.infinite_errors(network, evaluation)
    if json:
        from .render import json as json_render

        print(json_render.dumps(_with_notes(json_render.forward_document(network, evaluation), notes)))
    else:
        view = _view(network, delta_sign, symbolic, precision, notation=notation)
        from .render.solution import forward_document

        _show(forward_document(network, evaluation, view), fmt, precision, network, svg_dir, force,
              _network_figure(figure, fmt, network, caption="The network and its values"))
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
             "--update", metavar="K", click_type=Count(1, what="the K-th update"), show_default=False,
             help="The K-th update of training from the file's values (counted across batches and "
                  "epochs; 1 is the first batch's), with the momentum carried into it.")] = None,
         notation: NotationOpt = Notation.neuron,
         figure: FigureOpt = False, svg_dir: SvgDirOpt = None, force: SvgForceOpt = False) -> None:
    """One update on the first batch: gradients and new values, the error before and after (all the working with --show-deltas)."""
    from . import engine

    fmt = _no_json_with(json, format, symbolic, notation)
    _no_figure_with_json(json, figure, svg_dir)
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
        view = _view(network, delta_sign, symbolic, precision, show_deltas, notation)
        from .render.solution import step_document

        _show(step_document(record, view, which), fmt, precision, network, svg_dir, force,
              _network_figure(figure, fmt, network, record, "The network, each value old → new after the update"))
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
    symbolic: SymbolicOpt = False, precision: DigitsOpt = 9, notation: NotationOpt = Notation.neuron,
    figure: FigureOpt = False, svg_dir: SvgDirOpt = None, force: SvgForceOpt = False,
) -> None:
    """One parameter's derivation in the first step: the chain rule through every layer and along every path to the error, with numbers, and its update; or an input's ∂E/∂x along every path."""
    from . import engine
    from .quantities import explained_named
    from .render.explain import explain_document, explain_input_document

    if len(args) > 2:
        raise BpcalcError(f"explain takes [NET] PARAM, got {len(args)} arguments")
    if len(args) == 1 and args[0].endswith((".yaml", ".yml")):
        raise BpcalcError(f"say which parameter to explain after the file, e.g. bpcalc explain {args[0]} w1")
    net = Path(args[0]) if len(args) == 2 else None
    network = _load(net)
    is_input, name = explained_named(network, args[-1])
    if is_input and notation is Notation.matrix:
        raise BpcalcError(f"--notation matrix explains a parameter; for input {name}'s dE/d{name}, "
                          "drop --notation matrix")
    if is_input:  # ∂E/∂x is a derivative of the error, whatever weights a convention updates through
        network = network._replace(options=network.options._replace(hidden_deltas="old_weights"))
    record = engine.step(network)
    view = _view(network, delta_sign, symbolic, precision, notation=notation)
    document = (explain_input_document if is_input else explain_document)(record, name, view)
    _show(document, format or Format.terminal, precision, network, svg_dir, force,
          _network_figure(figure, format or Format.terminal, network, record,
                          "The network, each value old → new after the step"))


# Runs shorter than this many sample passes finish before a progress bar would be seen.
LONG_RUN = 2000


@app.command()
@user_errors
def train(net: NetArg = None,
          epochs: Annotated[Optional[int], typer.Option("-n", "--epochs", metavar="N", click_type=Count(0, what="epochs"), show_default="1", help="Epochs: passes over all samples (one update each with batch: full); with --until, the most to run (default 1,000,000).")] = None,
          until: Annotated[Optional[str], typer.Option(
              "--until", metavar="E", show_default=False,
              help="Stop after the first epoch at whose end E_total ≤ E (0 epochs if the start already is).")] = None,
          json: JsonOpt = False, format: FormatOpt = None, delta_sign: DeltaSignOpt = None,
          precision: DigitsOpt = 9,
          save: Annotated[Optional[Path], typer.Option(
              "--save", metavar="OUT.yaml", show_default=False,
              help="Also write the trained network to OUT.yaml, in the same file format (it loads "
                   "again and gives the same outputs; with momentum, also each parameter's last step, "
                   "so that training OUT.yaml goes on exactly).")] = None,
          plot: Annotated[Optional[Path], typer.Option(
              "--plot", metavar="FILE.svg", show_default=False,
              help="Also write the error curve as an SVG figure: log-scaled axes, the checkpoints "
                   "marked, the target of --until drawn.")] = None,
          figure: FigureOpt = False, svg_dir: SvgDirOpt = None,
          force: Annotated[bool, typer.Option("--force", help="Let --save, --plot and --svg-dir replace existing files.")] = False,
          updates: Annotated[bool, typer.Option(
              "--updates", help="Also a table of every update: its epoch and samples, every parameter and "
                                "E_total after it (row K is step --update K's); at most 50 updates.")] = False,
          all_updates: Annotated[bool, typer.Option(
              "--all-updates", help="--updates however many updates the run makes.")] = False,
          ) -> None:
    """Train for N epochs: the error at epochs 1, 10, 100, …, N with a small curve, the outputs against the targets, and the trained parameters.

    \b
    Examples:
      bpcalc train hw3.yaml -n 10000               E_total at epochs 1, 10, …, 10000, a curve
      bpcalc train hw3.yaml --until 0.001          the epochs until E_total ≤ 0.001
      bpcalc train hw3.yaml -n 2 --updates         each parameter after each update
      bpcalc train hw3.yaml --save a.yaml          then train a.yaml goes on exactly
      bpcalc train hw3.yaml -n 10000 --plot c.svg  the curve as an SVG figure too
      bpcalc train --until 0.001 --format latex    the curve as a TikZ figure
    """
    from . import engine, training

    fmt = _no_json_with(json, format)
    _no_figure_with_json(json, figure, svg_dir)
    target = None if until is None else _target_error(until)
    if epochs is None:
        epochs = 1 if target is None else UNTIL_MAX_EPOCHS
    network = _load(net)
    tabulate = updates or all_updates
    if tabulate and target is None:  # refused before training; with --until, once the run's length is known
        training.updates_table_size(network, epochs, all_updates)
    inputs = [network.path] if network.path else []
    if save is not None:
        from .files import check_target, write_atomically

        check_target(save, force=force, inputs=inputs)
    if plot is not None:
        from .files import check_target

        if save is not None and plot.resolve() == save.resolve():
            raise BpcalcError(f"--save and --plot both name {plot}; give each its own file")
        check_target(plot, force=force, inputs=inputs)
    table = engine.checkpoints_for(epochs)
    if json and plot is None:
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
    rows = list(training.update_rows(network, training.updates_table_size(network, record.epochs, all_updates))) \
        if tabulate else []
    if save is not None:
        from .words import counted

        comment = (f"Trained by bpcalc: {counted(record.epochs, 'epoch')} of {network.path or 'the bundled example'}; "
                   f"E_total after training {record.final.error!r}.")
        from .netfile import dumps as network_text

        write_atomically(save, network_text(record.network, comment), force=force, inputs=inputs)
        _say(f"saved the trained network to {save}")
    if plot is not None:
        from .draw import curve
        from .files import write_atomically

        write_atomically(plot, curve.svg(record.checkpoints, table, record.until), force=force, inputs=inputs)
        _say(f"wrote the error curve to {plot}")
    notes = _checkpoint_notes(record) + engine.infinite_errors(record.network, record.final)
    if json:
        from .render import json as json_render

        shown = set(table)  # the JSON's checkpoints whatever the curve of --plot measured
        in_table = record._replace(checkpoints=tuple(c for c in record.checkpoints if c[0] in shown))
        document = json_render.train_document(in_table)
        if tabulate:
            document["each_update"] = json_render.each_update(network, rows)
        print(json_render.dumps(_with_notes(document, notes)))
    else:
        view = _view(network, delta_sign, False, precision)
        from .render.training import train_document

        _show(train_document(network, record, view, table, rows), fmt, precision, network, svg_dir, force,
              _network_figure(figure, fmt, record.network, caption=f"The network after {record.epochs} epochs"))
    _note(network, notes)


# `train --until E` without -n: the most epochs it runs.
UNTIL_MAX_EPOCHS = 1_000_000


def _target_error(text: str) -> float:
    """--until's E: a finite number ≥ 0."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (value >= 0 and math.isfinite(value)):
        raise BpcalcError(f"--until takes a target error, a number 0 or more (such as 0.001), not {text!r}")
    return value


def _train_with_progress(network: "Network", epochs: int, checkpoints: list[int], until: float | None = None):
    """training.train under a rich progress bar that disappears when training ends."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from . import training

    columns = (TextColumn("training"), BarColumn(),
               TextColumn("{task.completed}/{task.total} " + ("epoch" if epochs == 1 else "epochs")),
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
    network = _load(net)
    record = None
    if update is not None:
        from .training import update_number

        record = update_number(network, update).step
    elif after:
        from . import engine

        record = engine.step(network)
    if format is DrawFormat.svg:
        from .draw import network_layout, svg

        text = svg.render(network_layout(network, record), network.name or network.path or "network")
    elif format is DrawFormat.tikz:
        from .draw import network_layout, tikz

        text = tikz.render(network_layout(network, record))
    else:
        from .draw import terminal_lines

        text = "".join(line + "\n" for line in terminal_lines(network, record, console.width()))
    print(text, end="")


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
              metavar="[NET|DIR] ANSWERS", show_default=False,
              help="The network file, then one or more answer files (YAML: name: number). Without a network "
                   "file first, the answers are checked against the bundled Mazur example. A directory of "
                   "variants first (bpcalc generate): each file against the variant its `variant:` line "
                   "names, DIR/VARIANT.yaml.")],
          json: JsonOpt = False,
          format: FormatOpt = None,
          csv: Annotated[Optional[Path], typer.Option(
              "--csv", help="Also write a gradebook: one row per answer file (student, score, one column per "
                            "question: right, wrong, follow-through or blank), UTF-8 with a byte order mark "
                            "so that Excel keeps names such as Müller.")] = None,
          no_bom: Annotated[bool, typer.Option(
              "--no-bom", help="Write the --csv file as plain UTF-8, without the byte order mark.")] = False,
          questions: Annotated[Optional[Path], typer.Option(
              "--questions", metavar="BLANK.answers.yaml",
              help="The names every student must answer (a blank answer file, e.g. from bpcalc answers or "
                   "generate): a name a file does not give counts as not answered. Without it only the "
                   "names each file gives are judged.")] = None,
          points: Annotated[Optional[Path], typer.Option(
              "--points", metavar="POINTS.yaml",
              help="Points per question for the --csv file: a name, a glob ('w*+') or a group (forward, "
                   "factors, deltas, gradients, steps, updates, after, trained) → points; default: 1 "
                   "(docs/check.md).")] = None,
          force: Annotated[bool, typer.Option("--force", help="Replace the --csv file if it exists.")] = False,
          tolerance: Annotated[Optional[str], typer.Option(
              "--tolerance", help="Right if within this of the expected value: absolute (0.001) or "
                                  "relative (1%), instead of to the digits written.")] = None,
          decimals: Annotated[Optional[int], typer.Option(
              "--decimals", metavar="N", click_type=Count(0, 20, "decimal places"), help="Compare every answer at N decimal places.")] = None,
          sig_figs: Annotated[Optional[int], typer.Option(
              "--sig-figs", metavar="N", click_type=Count(1, 20, "significant figures"), help="Compare every answer at N significant figures.")] = None,
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
    1 if any is wrong, 2 for bad input (with several files, after grading the others: a file that
    cannot be graded is a row saying why).

    \b
    Examples:
      bpcalc check hw3.yaml mine.yaml                 a student's own answers
      bpcalc check hw3.yaml subs/*.yaml --csv grades.csv --questions blank.yaml
      bpcalc check hw4/ subs/*.yaml --csv grades.csv --points points.yaml
                                                      each file against its own variant (hw4/hw4-01.yaml, …)
      bpcalc check hw3.yaml mine.yaml --format markdown > feedback.md
    """
    from .check.precision import rule_from_options
    from .check.run import check_files

    fmt = _no_json_with(json, format)
    try:
        rule = rule_from_options(tolerance, decimals, sig_figs, strict)
    except ValueError as problem:
        raise BpcalcError(str(problem)) from None
    if points is not None and csv is None:
        raise BpcalcError("--points sets the points of the --csv gradebook; give --csv FILE too")
    grading = check_files(files, default_network_path(), rule, None if delta_sign is None else delta_sign.value,
                          questions, points)
    if csv is not None:
        from .check.gradebook import csv_text
        from .files import write_atomically

        inputs = [*files, *(p for p in (questions, points) if p is not None)]
        write_atomically(csv, csv_text(grading, bom=not no_bom), force=force, inputs=inputs)
    if json:
        from .check.render import json_document
        from .render import json as json_render

        print(json_render.dumps(json_document(grading, rule)))
    else:
        from .check.render import document
        from .render.formats import show

        show(document(grading, rule, details), fmt, 9)
    for rejected in grading.rejected:
        _say(rejected.problem)
    if grading.rejected:
        raise typer.Exit(EXIT_BAD_INPUT)
    if not all(r.all_right for r in grading.graded):
        raise typer.Exit(EXIT_WRONG_ANSWERS)


# ---------------------------------------------------------------- instructor tools (bpcalc.generate)

@app.command()
@user_errors
def generate(template: Annotated[Path, typer.Argument(
                 metavar="TEMPLATE", show_default=False,
                 help="A network file with a vary: block saying which numbers to draw afresh (docs/generate.md).")],
             out: Annotated[Path, typer.Option(
                 "--out", metavar="DIR", show_default=False,
                 help="The directory to create, with every variant's files and the sheets.")],
             count: Annotated[Optional[int], typer.Option(
                 "-n", "--count", metavar="COUNT", click_type=Count(1, what="variants"), show_default=False,
                 help="How many variants to draw (with --ids: one per id).")] = None,
             seed: Annotated[int, typer.Option(
                 "--seed", metavar="S", help="The seed: the same template, seed and count give the same files.")] = 0,
             moodle: Annotated[Optional[Path], typer.Option(
                 "--moodle", metavar="QUIZ.xml", show_default=False,
                 help="Also write a Moodle XML quiz: a cloze question per variant.")] = None,
             ids: Annotated[Optional[Path], typer.Option(
                 "--ids", metavar="ROSTER", show_default=False,
                 help="Name the variants after the student ids in this file (one a line, or a CSV's first column).")] = None,
             force: Annotated[bool, typer.Option(
                 "--force", help="Replace DIR (and QUIZ.xml) if it exists.")] = False) -> None:
    """Draw a different, fair problem for every student from one template, with its key, a blank
    answer file, the problem sheets and keys in Markdown and LaTeX, and a Moodle quiz.

    \b
    Examples:
      bpcalc generate hw4.yaml -n 30 --seed 7 --out hw4/
      bpcalc generate hw4.yaml --ids class.csv --out hw4/ --moodle hw4.xml
      bpcalc check hw4/hw4-01.yaml hw4/hw4-01.key.yaml      (the key: 100 %)

    The template is a network file plus, e.g.:

    \b
      vary:
        weights: {uniform: [-1, 1], decimals: 2}
        inputs: {uniform: [0, 1], decimals: 1}
        targets: {choices: [0, 1]}
        precision: 4                  (significant figures of the key)

    DIR gets hw4-01.yaml (the network), hw4-01.key.yaml (every answer), hw4-01.answers.yaml (the
    student's blank file, naming its variant), … and hw4-problems.md/.tex, hw4-keys.md/.tex. A
    draw is redrawn until it is fair: no saturated unit, no dead ReLU, every update visible at the
    key's precision, the error lowered, no two variants alike. The line on stderr says how many
    draws were rejected.
    """
    from .generate.run import generate as run

    _say(run(template, count, seed, out, moodle, ids, force))


# ---------------------------------------------------------------- practice (bpcalc.quiz)

class QuizPart(str, Enum):
    """--part: which quantities a quiz asks for."""

    forward = "forward"
    backward = "backward"
    update = "update"
    all = "all"


@app.command()
@user_errors
def quiz(net: NetArg = None,
         random: Annotated[Optional[Path], typer.Option(
             "--random", metavar="TEMPLATE", help="Quiz on a fresh random variant of TEMPLATE (a network file "
                                                  "with a vary: block), drawn as bpcalc generate draws it.")] = None,
         part: Annotated[Optional[QuizPart], typer.Option(
             "--part", show_default=False, help="Ask for the forward pass, the backward pass (δ and gradients), "
                                                "the update (new values, E_after) or all (the default).")] = None,
         seed: Annotated[Optional[int], typer.Option(
             "--seed", click_type=Count(0, what="the seed"), help="Replay the --random variant drawn with this seed (each quiz prints its seed).")] = None,
         save: Annotated[Optional[Path], typer.Option(
             "--save", metavar="PROGRESS.yaml", help="Keep the progress in this file after every answer, to "
                                                     "continue another day with --resume.")] = None,
         resume: Annotated[Optional[Path], typer.Option(
             "--resume", metavar="PROGRESS.yaml", help="Continue the quiz saved in this file (and save to it).")] = None,
         force: Annotated[bool, typer.Option("--force", help="Let --save replace a file holding another quiz.")] = False,
         ) -> None:
    """Practise one step of backpropagation: each value asked in solution order (the names of
    bpcalc answers), judged at once as bpcalc check judges it, with the slip that explains a wrong
    one; ? gives a hint (the formula, then the formula with numbers), Enter or skip shows the worked
    line and moves on, q stops. Exit 0 if every answer is right, 1 if not.

    \b
    Examples:
      bpcalc quiz                              the bundled Mazur network, every value
      bpcalc quiz hw3.yaml --part backward     only the deltas and gradients of your network
      bpcalc quiz --random template.yaml       a fresh variant; its seed is printed
      bpcalc quiz --random template.yaml --seed 4821 --save week3.yaml
      bpcalc quiz --resume week3.yaml          carry on where you stopped
      bpcalc quiz hw3.yaml < mine.txt          one answer a line, from a file or a script

    Piped, one line answers one question (a wrong answer stands and is followed through), so a
    list of answers can be checked the quiz's way; the output is then plain text.
    """
    from .quiz.command import quiz as run_quiz, stdin_is_terminal

    interactive = stdin_is_terminal()
    status = run_quiz(net, default_network_path(), load_network, template=random,
                      part=part.value if part is not None else None,
                      seed=seed, save=save, resume=resume, force=force, interactive=interactive,
                      colour=interactive and console.styled(), width=console.width())
    if status:
        raise typer.Exit(status)


def main() -> None:
    """The `bpcalc` console script. Typer turns every command's signature into click options at
    each start (~0.4 ms a command), so only the command named on the command line is built;
    anything else (--help, a misspelt command) gets the whole app."""
    named = [c for c in app.registered_commands
             if len(sys.argv) > 1 and c.callback is not None and c.callback.__name__ == sys.argv[1]]
    if named:
        app.registered_commands = named
    app()


def _show_version(wanted: bool) -> None:
    if wanted:
        print(f"bpcalc {commandline.version()}")
        raise typer.Exit()


@app.callback()
def _group(version: Annotated[bool, typer.Option(
        "--version", callback=_show_version, is_eager=True, help="Print bpcalc's version and exit.")] = False) -> None:
    """Keeps bpcalc a group of commands even when main() registers only one: a typer app of a
    single command would take that command's name for its first argument."""
