"""`bpcalc train` as a document: the error at checkpoints, a small error curve, outputs against targets, parameters."""

from __future__ import annotations

import math
from typing import Sequence

from ..model import Network
from ..trace import TrainRecord, UpdateRow
from .document import Cell, Document, Equation, Figure, Group, Note, ParameterCell, Section, Table
from .. import quantities as q
from ..expr import Num, Sym
from ..words import counted
from .numbers import plain
from .conventions import conventions
from .symbols import Symbols, View, parameter_cell, samples_text, targets_of, title

CURVE_WIDTH = 56
CURVE_HEIGHT = 8
LOG_EPOCHS_FROM = 100  # longer runs get a log-scaled epoch axis: the error falls fastest early on


def curve_epochs(epochs: int, width: int = CURVE_WIDTH) -> list[int]:
    """Where to measure the error for the curve: one epoch per column, evenly or log-spaced like the axis."""
    if epochs <= width:
        return list(range(epochs + 1))
    if epochs <= LOG_EPOCHS_FROM:
        return sorted({round(epochs * k / (width - 1)) for k in range(width)})
    return sorted({0} | {round(epochs ** (k / (width - 1))) for k in range(width)})


# A run stopped by a target error (train --until) has a length not known beforehand: its curve
# is measured at every epoch up to CURVE_WIDTH and this many log-spaced epochs a decade beyond.
OPEN_CURVE_PER_DECADE = 20


def open_curve_epochs(most: int, width: int = CURVE_WIDTH) -> list[int]:
    """Where to measure the error for the curve of a run of at most `most` epochs, of any length."""
    points = set(range(min(most, width) + 1))
    k = 0
    while (epoch := round(10 ** (k / OPEN_CURVE_PER_DECADE))) < most:
        points.add(epoch)
        k += 1
    points.add(most)
    return sorted(points)


def stopped_sentence(record: TrainRecord) -> str | None:
    """Whether a run with a target error (--until) reached it, and when."""
    if record.stopped is None or record.until is None:
        return None
    target = plain(record.until, 15)
    if record.stopped == "target":
        if record.epochs == 0:
            return f"Reached E_total ≤ {target} at the start: no epoch was run."
        return f"Reached E_total ≤ {target} after {counted(record.epochs, 'epoch')}."
    error = record.final.error
    return (f"Not reached in {counted(record.epochs, 'epoch')}; "
            f"E_total = {plain(error, 9) if error is not None else '?'} > {target}.")


def updates_section(start: Network, rows: Sequence[UpdateRow]) -> Section:
    """`train --updates`: one row per update, every parameter that moves and E_total after it."""
    sy = Symbols(start)
    fixed = [p for p in start.parameters() if not p.is_weight and not start.options.update_biases]
    moving = [p.key for p in start.parameters() if p not in fixed]
    header = ("update", "epoch", "samples", *(ParameterCell(start.label_of(key), sy.param(key)) for key in moving),
              q.E_TOTAL)
    body = tuple((row.number, row.epoch or None, samples_text(row.batch) or "start",
                  *(row.values[key] for key in moving), row.error) for row in rows)
    count = len(start.samples)
    over = "the sample" if count == 1 else "both samples" if count == 2 else f"all {count} samples"
    blocks: list = [Note((f"Row K holds the parameters after update K (row 0: the file's values), as "
                          f"bpcalc step --update K gives them; E_total is the error over {over} with "
                          "those parameters (E_after of step --update K).",)),
                    Table(header, body, keys=3)]
    if fixed:
        held: list = ["Held fixed (update_biases: false): "]
        for k, p in enumerate(fixed):
            held += [", " if k else "", sy.param(p.key), " = ", Num(p.value)]
        blocks.append(Note((*held, ".")))
    return Section(("Each update: the parameters and E_total after it",), tuple(blocks))


def train_document(start: Network, record: TrainRecord, view: View, table_epochs: Sequence[int],
                   updates: Sequence[UpdateRow] = ()) -> Document:
    """The training run: `table_epochs` (0, 1, 10, …, N) in the table, every checkpoint on the curve;
    with `updates` (train --updates), the table of every update after the curve."""
    network = record.network
    sy = Symbols(network)
    errors = dict(record.checkpoints)
    rows = tuple((f"{e} (start)" if e == 0 else str(e), errors[e]) for e in table_epochs if e in errors)
    progress: list = []
    sentence = stopped_sentence(record)
    if sentence is not None:
        progress.append(Note((sentence,)))
    progress.append(Table(("epoch", "E_total"), rows))
    if len(record.checkpoints) > 2:
        progress.append(curve_figure(record, table_epochs))
    heading = f"Training: {counted(record.epochs, 'epoch')}, {counted(record.updates, 'update')}"
    sections = [Section((heading,), tuple(progress))]
    if updates:
        sections.append(updates_section(start, updates))
    outputs: list[tuple[Cell, ...]] = []
    several = len(network.samples) > 1
    for fp in record.final.passes:
        targets = targets_of(network, fp.sample)
        for name, t, out in zip(network.outputs, targets, fp.outputs):
            outputs.append(((str(fp.sample + 1),) if several else ()) + (name, t, out))
    header = (("sample",) if several else ()) + ("output", "target", "out")
    sections.append(Section(("Outputs after training",), (Table(header, tuple(outputs)),)))
    start_values = start.values()
    params = tuple((parameter_cell(sy, key), start_values[key], value) for key, value in network.values().items())
    sections.append(Section(("Parameters",), (Table(("parameter", "start", "trained"), params),)))
    final = Equation(Sym("E_total"), None, None, record.final.error, name="E_total")
    note = Note((f"E_total is measured after the last update, at the end of epoch {record.epochs}; "
                 f"bpcalc train -n {record.epochs - 1} gives it one epoch earlier.",)
                ) if record.epochs > 0 else Note(("No update was made.",))
    sections.append(Section(("Error after training",), (Group((final,)), note)))
    return Document(title(network, "training"), conventions(start, view, "train"), tuple(sections))


def curve_figure(record: TrainRecord, table_epochs: Sequence[int]) -> Figure:
    """The error curve in every form: a text curve, an SVG and a tikzpicture, the epochs of
    the table marked and the target of --until drawn."""
    caption = "E_total against the epoch" + (f" (target {plain(record.until, 15)})" if record.until is not None else "")
    return Figure(caption, CurvePicture(record.checkpoints, tuple(table_epochs), record.until, caption))


class CurvePicture:
    """The error curve (render.document.Picture); the SVG and TikZ forms load draw.curve only
    when asked for, so that training in a terminal draws its text curve alone."""

    def __init__(self, checkpoints: Sequence[tuple[int, float]], table_epochs: Sequence[int],
                 until: float | None, caption: str):
        self.checkpoints, self.table_epochs, self.until, self.caption = checkpoints, table_epochs, until, caption

    def svg(self) -> str:
        from ..draw import curve

        return curve.svg(self.checkpoints, self.table_epochs, self.until, self.caption)

    def tikz(self) -> str:
        from ..draw import curve

        return curve.tikz(self.checkpoints, self.table_epochs, self.until)

    def text(self, width: int) -> tuple[str, ...]:
        return tuple(error_curve(self.checkpoints))


def error_curve(points: Sequence[tuple[int, float]], width: int = CURVE_WIDTH,
                height: int = CURVE_HEIGHT) -> list[str]:
    """E_total against the epoch as ASCII art: log-scaled axes when the values span decades.

    A log epoch axis starts where its data start, at the first epoch after the start (epoch 0
    has no place on it; the table gives its error), and the last epoch is always labelled.
    """
    finite = [(e, v) for e, v in points if math.isfinite(v)]
    if len(finite) < 2:
        return []
    last = max(e for e, _ in finite)
    log_x = last > LOG_EPOCHS_FROM
    if log_x:
        finite = [(e, v) for e, v in finite if e > 0]
    first = min(e for e, _ in finite)
    values = [v for _, v in finite]
    low, high = min(values), max(values)
    log_y = low > 0 and high / low > 100

    def x_of(epoch: int) -> float:
        if log_x:
            return math.log10(epoch / first) / math.log10(last / first)
        return epoch / last

    def y_of(value: float) -> float:
        if high == low:
            return 0.5
        if log_y:
            return (math.log10(value) - math.log10(low)) / (math.log10(high) - math.log10(low))
        return (value - low) / (high - low)

    grid = [[" "] * width for _ in range(height)]
    for epoch, value in finite:
        column = min(width - 1, round(x_of(epoch) * (width - 1)))
        row = height - 1 - min(height - 1, round(y_of(value) * (height - 1)))
        grid[row][column] = "*"
    top, bottom = plain(high, 3), plain(low, 3)
    margin = max(len(top), len(bottom))
    lines = [f"E_total{' (log scale)' if log_y else ''} against the epoch{' (log scale)' if log_x else ''}"]
    for k, cells in enumerate(grid):
        label = top if k == 0 else bottom if k == height - 1 else ""
        lines.append(f"{label.rjust(margin)} |{''.join(cells).rstrip()}")
    lines.append(" " * margin + " +" + "-" * width)
    ticks = [10 ** k for k in range(len(str(last))) if first <= 10 ** k < last] if log_x else []
    lines.append(" " * (margin + 2) + _x_labels([first, *ticks, last], width, x_of))
    return lines


def _x_labels(ticks: list[int], width: int, x_of) -> str:
    """Tick labels under the axis, each under its column; the last epoch always, and any other
    only where it fits beside those already placed."""
    line = [" "] * (width + 8)
    last = ticks[-1]
    text = str(last)
    last_column = min(width - len(text), round(x_of(last) * (width - 1)))
    line[last_column:last_column + len(text)] = list(text)
    end = -1
    for tick in dict.fromkeys(ticks[:-1]):  # in order, once each
        text = str(tick)
        column = min(width - len(text), round(x_of(tick) * (width - 1)))
        if column > end and column + len(text) < last_column:
            line[column:column + len(text)] = list(text)
            end = column + len(text)
    return "".join(line).rstrip()
