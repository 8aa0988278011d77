"""The `bpcalc` command line: a thin typer layer that loads, calls the engine, and hands records to a renderer.

The worked-solution commands are here; the others are in bpcalc.commands, loaded by main() only
when named (or when every command is listed), and all of them by `bpcalc.cli.app`.
"""

import errno
import functools
import math
import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Callable, Iterable, Optional

import typer

from . import commandline
from .commandline import Count
from .commandline import say as _say
from .errors import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, EXIT_OUTPUT_FAILED, BpcalcError
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

_app = typer.Typer(
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


def load_net(path: Path | None) -> "Network":
    return load_network(path if path is not None else default_network_path())


def _view(network: "Network", delta_sign: DeltaSign | None, symbolic: bool, precision: int,
          show_deltas: bool = True, notation: Notation = Notation.neuron) -> "View":
    """How to write the solution: the δ sign asked for, else the one the file's course uses."""
    from .render.symbols import View

    sign = delta_sign.value if delta_sign is not None else network.options.delta_sign
    return View(delta_sign=sign, symbolic=symbolic, show_deltas=show_deltas, digits=precision,
                notation=notation.value)


def output_format(json: bool, fmt: Format | None, symbolic: bool = False,
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


@_app.command()
@user_errors
def forward(net: NetArg = None, json: JsonOpt = False, format: FormatOpt = None,
            delta_sign: DeltaSignOpt = None, symbolic: SymbolicOpt = False,
            precision: DigitsOpt = 9, notation: NotationOpt = Notation.neuron,
            figure: FigureOpt = False, svg_dir: SvgDirOpt = None, force: SvgForceOpt = False) -> None:
    """Feed every sample forward: net = Σw·x + b (or − θ) and out = f(net) for each neuron, each output's error, and the total error, every line worked (without targets: the outputs alone)."""
    from . import engine

    fmt = output_format(json, format, symbolic, notation)
    _no_figure_with_json(json, figure, svg_dir)
    network = load_net(net)
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


@_app.command()
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

    fmt = output_format(json, format, symbolic, notation)
    _no_figure_with_json(json, figure, svg_dir)
    network = load_net(net)
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


@_app.command()
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
    network = load_net(net)
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


@_app.command()
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

    fmt = output_format(json, format)
    _no_figure_with_json(json, figure, svg_dir)
    target = None if until is None else _target_error(until)
    if epochs is None:
        epochs = 1 if target is None else UNTIL_MAX_EPOCHS
    network = load_net(net)
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


# The commands beyond the worked solution, each defined in a module of bpcalc.commands that is
# loaded only when it is named or every command is listed: defining a command costs start-up
# time in every other one (its options are built as the module runs).
MODULES = {"new": "new", "draw": "drawing", "answers": "checking", "check": "checking",
           "generate": "generate", "quiz": "quiz"}


def load_commands(names: Iterable[str] = tuple(MODULES)) -> None:
    """Define the commands `names` (default: all of them) on the app."""
    import importlib

    for module in dict.fromkeys(MODULES[name] for name in names):
        importlib.import_module(f"{__package__}.commands.{module}")


def __getattr__(name: str):
    """`bpcalc.cli.app`: the app with every command, for tests and code that invoke any of them."""
    if name == "app":
        load_commands()
        return _app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """The `bpcalc` console script. Typer turns every command's signature into click options at
    each start (~0.4 ms a command), so only the command named on the command line is defined and
    built; anything else (--help, a misspelt command) gets the whole app."""
    wanted = sys.argv[1] if len(sys.argv) > 1 else ""
    defined = {c.callback.__name__ for c in _app.registered_commands if c.callback is not None}
    if wanted in MODULES:
        load_commands([wanted])
    elif wanted not in defined:
        load_commands()
    named = [c for c in _app.registered_commands if c.callback is not None and c.callback.__name__ == wanted]
    if named:
        _app.registered_commands = named
    _app()


def _show_version(wanted: bool) -> None:
    if wanted:
        print(f"bpcalc {commandline.version()}")
        raise typer.Exit()


@_app.callback()
def _group(version: Annotated[bool, typer.Option(
        "--version", callback=_show_version, is_eager=True, help="Print bpcalc's version and exit.")] = False) -> None:
    """Keeps bpcalc a group of commands even when main() registers only one: a typer app of a
    single command would take that command's name for its first argument."""
