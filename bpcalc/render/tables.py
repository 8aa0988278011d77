"""Compact rich tables of a trace: values per neuron and per parameter, named by the network's labels."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..model import Network
from ..trace import Evaluation, StepRecord, TrainRecord


def number(x: float, digits: int = 9) -> str:
    """x to `digits` significant figures, as Mazur prints them (0.593269992); ∞ as ∞."""
    if x in (float("inf"), float("-inf")):
        return "∞" if x > 0 else "-∞"
    return f"{x:.{digits}g}"


def _table(*columns: str) -> Table:
    table = Table(header_style="bold", show_edge=False, pad_edge=False)
    for k, column in enumerate(columns):
        table.add_column(column, justify="left" if k == 0 else "right")
    return table


def _section(title: str, table: Table) -> RenderableType:
    """A table under a bold title line (a table title would wrap to the table's width)."""
    return Group(Text(title, style="bold"), table)


def heading(network: Network) -> Text:
    o = network.options
    parts = [network.name or network.path or "network", f"loss {o.loss}", f"reduction {o.reduction}"]
    if o.learning_rate is not None:
        parts.append(f"η = {o.learning_rate:g}")
    parts.append(f"batch {o.batch}")
    if not o.update_biases:
        parts.append("biases fixed")
    if o.hidden_deltas == "new_weights":
        parts.append("hidden δ through updated weights")
    if o.momentum:
        parts.append(f"momentum α = {o.momentum:g}")
    if o.l2:
        parts.append(f"l2 λ = {o.l2:g}")
    if o.rounding:
        parts.append(f"rounded to {o.rounding.describe()}")
    return Text(" · ".join(parts), style="bold")


def forward_view(network: Network, evaluation: Evaluation, digits: int = 9) -> RenderableType:
    parts: list[RenderableType] = [heading(network)]
    for fp in evaluation.passes:
        title = f"Forward pass, sample {fp.sample + 1}"
        table = _table("neuron", "net", "out")
        for layer in fp.layers:
            for n in layer:
                table.add_row(n.name, number(n.net, digits), number(n.out, digits))
        parts.append(_section(title, table))
        errors = _table("output", "target", "out", "E")
        sample = network.samples[fp.sample]
        for name, t, o, e in zip(network.outputs, sample.targets, fp.outputs, fp.error_terms):
            errors.add_row(name, number(t, digits), number(o, digits), number(e, digits))
        parts.append(errors)
        parts.append(Text(f"E_d = {number(fp.error, digits)}"))
    parts.append(Text(f"E_total = {number(evaluation.error, digits)}", style="bold"))
    return Group(*parts)


def step_view(record: StepRecord, show_deltas: bool, digits: int = 9) -> RenderableType:
    network = record.network
    parts: list[RenderableType] = [heading(network)]
    if show_deltas:
        for fp, deltas in zip(record.passes, record.deltas):
            title = f"Deltas, sample {fp.sample + 1} (δ = ∂E/∂net)"
            table = _table("neuron", "out", "∂E/∂out", "∂out/∂net", "δ")
            for layer in reversed(fp.layers):
                for n in layer:
                    d = deltas[n.name]
                    slope = "" if d.dout_dnet is None else number(d.dout_dnet, digits)
                    table.add_row(n.name, number(n.out, digits), number(d.dE_dout, digits), slope,
                                  number(d.delta, digits))
            parts.append(_section(title, table))
    table = _table("parameter", "∂E/∂θ", "old", "new")
    for u in record.updates:
        name = network.label_of(u.name)
        if name != u.name:
            name = f"{name} ({u.name})"
        new = number(u.new, digits) + (" (fixed)" if u.fixed else "")
        table.add_row(name, number(u.gradient, digits), number(u.old, digits), new)
    parts.append(_section("Update", table))
    after = record.after.error if record.after else float("nan")
    trend = "lower" if after < record.before.error else "not lower"
    parts.append(Text(f"E_total before = {number(record.before.error, digits)}   "
                      f"after = {number(after, digits)} ({trend})", style="bold"))
    return Group(*parts)


def train_view(record: TrainRecord, digits: int = 9) -> RenderableType:
    network = record.network
    parts: list[RenderableType] = [heading(network)]
    table = _table("epoch", "E_total")
    for epoch, error in record.checkpoints:
        table.add_row(str(epoch), number(error, digits))
    parts.append(_section(f"Training: {record.epochs} epochs, {record.updates} updates", table))
    outs = _table("sample", "output", "target", "out")
    for fp in record.final.passes:
        sample = network.samples[fp.sample]
        for name, t, o in zip(network.outputs, sample.targets, fp.outputs):
            outs.add_row(str(fp.sample + 1), name, number(t, digits), number(o, digits))
    parts.append(_section("Outputs after training", outs))
    params = _table("parameter", "value")
    for name, value in {**network.weights(), **network.biases()}.items():
        label = network.label_of(name)
        params.add_row(name if label == name else f"{label} ({name})", number(value, digits))
    parts.append(_section("Parameters after training", params))
    parts.append(Text(f"E_total = {number(record.final.error, digits)}", style="bold"))
    return Group(*parts)
