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


def sample_suffix(network: Network, sample: int) -> str:
    """"[k]" (1-based) for a per-sample name when the network has several samples, else ""."""
    return f"[{sample + 1}]" if len(network.samples) > 1 else ""


def forward_quantities(network: Network, evaluation: Evaluation) -> dict[str, float]:
    """net_X, out_X, E_X for each sample, then E_total, in solution order."""
    values: dict[str, float] = {}
    for fp in evaluation.passes:
        k = sample_suffix(network, fp.sample)
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
        k = sample_suffix(network, fp.sample)
        for layer in reversed(fp.layers):
            for n in layer:
                values[f"delta_{n.name}{k}"] = deltas[n.name].delta
    by_layer = _output_first(network, record)
    for u in by_layer:
        p = parameter_name(network, u.name)
        if len(record.batch) > 1:
            for sample, term in zip(record.batch, u.per_sample):
                values[f"dE/d{p}{sample_suffix(network, sample)}"] = term
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


# ---------------------------------------------------------------- chain-rule factors, steps, after N epochs
# Worked solutions also write the factors on the way to each δ (Mazur's ∂E/∂out_o1 = 0.74136507),
# the step Δw of each parameter (Udacity's Δw2 = 0.00045) and the values after training or in a
# further forward pass; answer files name them so.

STEP = "Δ"  # ΔP: new − old of parameter P
AFTER = "@"  # X@N: quantity X after N epochs


def factor_quantities(record: StepRecord) -> dict[str, float]:
    """dE/dout_X, dout/dnet_X (not for softmax, whose Jacobian couples the layer) and, for a hidden X,
    each dE_K/dout_X = δ_K·w_KX, the part of dE/dout_X that flows back through neuron K; then
    each parameter's step ΔP = P+ − P."""
    network = record.network
    values: dict[str, float] = {}
    for fp, deltas in zip(record.passes, record.deltas):
        k = sample_suffix(network, fp.sample)
        for layer in reversed(fp.layers):
            for n in layer:
                d = deltas[n.name]
                for term in d.downstream:
                    values[f"dE_{term.neuron}/dout_{n.name}{k}"] = term.weight * term.delta
                values[f"dE/dout_{n.name}{k}"] = d.dE_dout
                if d.dout_dnet is not None:
                    values[f"dout/dnet_{n.name}{k}"] = d.dout_dnet
    for u in _output_first(network, record):
        values[f"{STEP}{parameter_name(network, u.name)}"] = u.step
    return values


def after_quantities(trained: Network, evaluation: Evaluation, epochs: int) -> dict[str, float]:
    """net_X, out_X, E_X and E_total of `trained` (the network after `epochs` epochs), and every
    parameter's value, each named with the suffix @N: out_o1@10000, E_total@1, w5@1."""
    at = f"{AFTER}{epochs}"
    values = {f"{name}{at}": value for name, value in forward_quantities(trained, evaluation).items()}
    for parameter, value in {**trained.weights(), **trained.biases()}.items():
        values[f"{parameter_name(trained, parameter)}{at}"] = value
    return values
