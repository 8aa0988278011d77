"""The names of the quantities a solution writes down — one vocabulary for the engine, tables, answer files and `check`.

net_X, out_X, E_X (output X's error term), E_total, delta_X, dE/dP, P+ and E_after, where X is
a neuron and P a parameter's one name (Network.label_of): its label (w5, b1) if it has one, else
w(h1->o1) for a weight, b(h1) for a bias, theta(h1) for a threshold. With several samples,
per-sample names take a suffix [k] (1-based, the sample's number in the file): out_o1[2].
E_total is the total error over all samples before the step; dE/dP is the batch's combined
gradient and P+ the new value, so neither takes a suffix; dE/dP[k] is one sample's term δ·x of
it. Every name is spelled by a function here and nowhere else.
"""

from __future__ import annotations

from .errors import BpcalcError
from .model import ARROW, Network
from .trace import Evaluation, StepRecord

STEP = "Δ"  # ΔP: new − old of parameter P
AFTER = "@"  # X@N: quantity X after N epochs
E_TOTAL = "E_total"
E_AFTER = "E_after"


def net(neuron: str, k: str = "") -> str:
    return f"net_{neuron}{k}"


def out(neuron: str, k: str = "") -> str:
    return f"out_{neuron}{k}"


def error_term(neuron: str, k: str = "") -> str:
    """E_X: output X's term of the error."""
    return f"E_{neuron}{k}"


def delta(neuron: str, k: str = "") -> str:
    return f"delta_{neuron}{k}"


def dE_dout(neuron: str, k: str = "") -> str:
    return f"dE/dout_{neuron}{k}"


def dout_dnet(neuron: str, k: str = "") -> str:
    return f"dout/dnet_{neuron}{k}"


def dE_part(upper: str, neuron: str, k: str = "") -> str:
    """dE_K/dout_X = δ_K·w_XK: the part of dE/dout_X that flows back through neuron K (Mazur's ∂E_o1/∂out_h1)."""
    return f"dE_{upper}/dout_{neuron}{k}"


def gradient(parameter: str, k: str = "") -> str:
    """dE/dP, or one sample's term dE/dP[k]; `parameter` is the parameter's one name."""
    return f"dE/d{parameter}{k}"


def new(parameter: str) -> str:
    return f"{parameter}+"


def step(parameter: str) -> str:
    return f"{STEP}{parameter}"


def after_suffix(epochs: int) -> str:
    return f"{AFTER}{epochs}"


def parameter_name(network: Network, parameter: str) -> str:
    """How everything names a parameter: its label, else w(SRC->DST), b(X) or theta(X)."""
    return network.label_of(parameter)


LISTED = 24  # parameters a message names before it stops: a big net has hundreds


def parameter_names(network: Network) -> list[str]:
    """Every parameter's one name, in the network's order: what `explain` and answer files take."""
    return [network.label_of(p.key) for p in network.parameters()]


def parameter_named(network: Network, text: str, inputs_too: bool = False) -> str:
    """The parameter (its key) that `text` names: its label or one name (w5, w(i1->h1), b(h1),
    theta(h1)), its edge (i1->h1, or i1-h1, which needs no quotes in a shell), or the neuron of
    a bias or threshold (h1)."""
    wanted = "".join(text.split())
    spellings: dict[str, set[str]] = {}
    for p in network.parameters():
        forms = {network.label_of(p.key), p.key}
        if p.is_weight:
            forms.add(f"{p.source}-{p.neuron}")
        for form in forms:
            spellings.setdefault("".join(form.split()), set()).add(p.key)
    found = spellings.get(wanted, set())
    if len(found) == 1:
        return found.pop()
    every = parameter_names(network)
    names = ", ".join(every[:LISTED]) + (f", … ({len(every)} in all)" if len(every) > LISTED else "")
    if found:
        raise BpcalcError(f"'{text}' could mean {' or '.join(sorted(found))}; write the edge with its arrow, "
                          f"in quotes: '{sorted(found)[0]}'")
    hint = " (an edge is written i1-h1, or 'i1->h1' in quotes: unquoted, > is a shell redirect)" \
        if "-" in wanted and ARROW not in wanted else ""
    inputs = f"; an input is accepted too: {', '.join(network.inputs[:LISTED])}" if inputs_too else ""
    raise BpcalcError(f"no parameter '{text}'{hint}; the parameters are: {names}{inputs}")


def explained_named(network: Network, text: str) -> tuple[bool, str]:
    """What `explain` was asked about: (True, the input) for an input's name, else (False, the
    parameter's key) as parameter_named reads it. Inputs are never parameters, and no label may
    equal an input's name, so the two cannot clash."""
    wanted = "".join(text.split())
    if wanted in network.inputs:
        return True, wanted
    return False, parameter_named(network, text, inputs_too=True)


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
                values[net(n.name, k)] = n.net
                values[out(n.name, k)] = n.out
        for name, term in zip(network.outputs, fp.error_terms):
            values[error_term(name, k)] = term
    if evaluation.error is not None:
        values[E_TOTAL] = evaluation.error
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
                values[delta(n.name, k)] = deltas[n.name].delta
    by_layer = _output_first(network, record)
    for u in by_layer:
        p = parameter_name(network, u.name)
        if len(record.batch) > 1:
            for sample, term in zip(record.batch, u.per_sample):
                values[gradient(p, sample_suffix(network, sample))] = term
        values[gradient(p)] = u.gradient
    for u in by_layer:
        values[new(parameter_name(network, u.name))] = u.new
    if record.after is not None and record.after.error is not None:
        values[E_AFTER] = record.after.error
    return values


def _output_first(network: Network, record: StepRecord):
    """The updates ordered output layer first, then back towards the inputs."""
    layer_of = network.layer_of()
    dest = {p.key: p.neuron for p in network.parameters()}
    return sorted(record.updates, key=lambda u: -layer_of[dest[u.name]])


# ---------------------------------------------------------------- chain-rule factors, steps, after N epochs
# Worked solutions also write the factors on the way to each δ (Mazur's ∂E/∂out_o1 = 0.74136507),
# the step Δw of each parameter (Udacity's Δw2 = 0.00045) and the values after training or in a
# further forward pass; answer files name them so.


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
                    values[dE_part(term.neuron, n.name, k)] = term.weight * term.delta
                values[dE_dout(n.name, k)] = d.dE_dout
                if d.dout_dnet is not None:
                    values[dout_dnet(n.name, k)] = d.dout_dnet
    for u in _output_first(network, record):
        values[step(parameter_name(network, u.name))] = u.step
    return values


def after_quantities(trained: Network, evaluation: Evaluation, epochs: int) -> dict[str, float]:
    """net_X, out_X, E_X and E_total of `trained` (the network after `epochs` epochs), and every
    parameter's value, each named with the suffix @N: out_o1@10000, E_total@1, w5@1."""
    at = after_suffix(epochs)
    values = {f"{name}{at}": value for name, value in forward_quantities(trained, evaluation).items()}
    for parameter, value in trained.values().items():
        values[f"{parameter_name(trained, parameter)}{at}"] = value
    return values


def input_gradient(name: str, k: str = "") -> str:
    """dE/dX for input X (its saliency), or one sample's dE/dX[k]: an input is per sample, never combined."""
    return gradient(name, k)
