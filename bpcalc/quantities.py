"""The names of the quantities a solution writes down — one vocabulary for tables, answer files and `check`.

net_X, out_X, E_X (output X's error term), E_total, delta_X, dE/dP, P+ and E_after, where X is
a neuron and P a parameter: its label (w5, b1) if it has one, else its edge (h1->o1) or, for
a bias, its neuron (h1). With several samples, per-sample names take a suffix [k] (1-based,
the sample's number in the file): out_o1[2]. E_total is the total error over all samples
before the step; dE/dP is the batch's combined gradient and P+ the new value, so neither takes
a suffix; dE/dP[k] is one sample's term δ·x of it.
"""

from __future__ import annotations

from .model import Network
from .trace import Evaluation, StepRecord


def parameter_name(network: Network, parameter: str) -> str:
    """How tables and answer files name a parameter: its label, else its edge or neuron."""
    return network.label_of(parameter)


def _suffix(network: Network, sample: int) -> str:
    return f"[{sample + 1}]" if len(network.samples) > 1 else ""


def forward_quantities(network: Network, evaluation: Evaluation) -> dict[str, float]:
    """net_X, out_X, E_X for each sample, then E_total, in solution order."""
    values: dict[str, float] = {}
    for fp in evaluation.passes:
        k = _suffix(network, fp.sample)
        for layer in fp.layers:
            for n in layer:
                values[f"net_{n.name}{k}"] = n.net
                values[f"out_{n.name}{k}"] = n.out
        for name, term in zip(network.outputs, fp.error_terms):
            values[f"E_{name}{k}"] = term
    values["E_total"] = evaluation.error
    return values


def step_quantities(record: StepRecord) -> dict[str, float]:
    """Every quantity of one step in solution order: forward, deltas (output layer first),
    gradients and new values (output layer first, as the sheets work), and E_after."""
    network = record.network
    values = forward_quantities(network, Evaluation(record.passes, record.before.l2_term, record.before.error))
    for fp, deltas in zip(record.passes, record.deltas):
        k = _suffix(network, fp.sample)
        for layer in reversed(fp.layers):
            for n in layer:
                values[f"delta_{n.name}{k}"] = deltas[n.name].delta
    by_layer = _output_first(network, record)
    for u in by_layer:
        p = parameter_name(network, u.name)
        if len(record.batch) > 1:
            for sample, term in zip(record.batch, u.per_sample):
                values[f"dE/d{p}{_suffix(network, sample)}"] = term
        values[f"dE/d{p}"] = u.gradient
    for u in by_layer:
        values[f"{parameter_name(network, u.name)}+"] = u.new
    if record.after is not None:
        values["E_after"] = record.after.error
    return values


def _output_first(network: Network, record: StepRecord):
    """The updates ordered output layer first, then back towards the inputs."""
    layer_of = {name: l for l, _, _, name in network.weight_names()}
    layer_of.update({name: l for l, _, name in network.bias_names()})
    return sorted(record.updates, key=lambda u: -layer_of[u.name])
