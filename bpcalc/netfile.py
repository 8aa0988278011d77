"""A network written back out in the canonical file format: YAML text built by hand, every number exact.

Only the loader package imports yaml; this module writes the per-neuron form of docs/format.md with
each float as repr() prints it, which reads back to the very same double. Every option is
written out, so the saved file says which conventions it was trained under.
"""

from __future__ import annotations

import json
import re

from .arith import Rounding
from .model import Network, Sample

# A name that YAML reads back as the same plain text: letters, digits, _ . + - and an arrow.
_WORD = r"[^\W\d_]\w*(?:[.+\-]\w+)*|\d\w*"
_PLAIN = re.compile(rf"(?:{_WORD})(?:->(?:{_WORD}))?")


def scalar(name: str) -> str:
    """A name as plain YAML where that is safe, else double-quoted (JSON's quoting is valid YAML)."""
    return name if _PLAIN.fullmatch(name) else json.dumps(name, ensure_ascii=False)


def number(x: float) -> str:
    """The shortest text that reads back as exactly `x` (the loader accepts 1e-05, unlike plain YAML)."""
    return repr(float(x))


def _flow(pairs: dict[str, str]) -> str:
    return "{" + ", ".join(f"{scalar(k)}: {v}" for k, v in pairs.items()) + "}"


def _rounding(rounding: Rounding | None) -> str:
    return "none" if rounding is None else f"{{{rounding.kind}: {rounding.digits}}}"


def dumps(network: Network, comment: str = "") -> str:
    """The network as the text of a network file; `comment` lines go at the top."""
    o = network.options
    lines = [f"# {line}" if line else "#" for line in comment.splitlines()]
    if network.name is not None:
        lines.append(f"name: {json.dumps(network.name, ensure_ascii=False)}")
    if o.learning_rate is not None:
        lines.append(f"learning_rate: {number(o.learning_rate)}")
    lines += [f"loss: {o.loss}", f"reduction: {o.reduction}", f"batch: {o.batch}",
              f"l2: {number(o.l2)}", f"momentum: {number(o.momentum)}",
              f"update_biases: {'true' if o.update_biases else 'false'}",
              f"hidden_deltas: {o.hidden_deltas}", f"rounding: {_rounding(o.rounding)}",
              f"delta_sign: {o.delta_sign}", "", "layers:",
              f"  - inputs: [{', '.join(scalar(n) for n in network.inputs)}]"]
    for layer in network.layers:
        act = layer.activation
        written = act.name if act.name != "leaky_relu" or act.slope == 0.01 else (
            f"{{leaky_relu: {{slope: {number(act.slope)}}}}}")
        lines.append(f"  - activation: {written}")
        if layer.sparse:
            lines.append("    connections: sparse")
        lines.append("    neurons:")
        for n in layer.neurons:
            entry: dict[str, str] = {} if n.bias is None else {n.bias_kind: number(n.bias)}
            entry["weights"] = _flow({s: number(w) for s, w in n.weights})
            lines.append(f"      {scalar(n.name)}: " + "{" + ", ".join(f"{k}: {v}" for k, v in entry.items()) + "}")
    if network.labels:
        lines += ["", "labels:"]
        lines += [f"  {scalar(label)}: {scalar(target)}" for label, target in network.labels.items()]
    lines += _previous_steps(network)
    lines += ["", "samples:"]
    for sample in network.samples:
        lines += _sample(network, sample)
    return "\n".join(lines) + "\n"


def _previous_steps(network: Network) -> list[str]:
    """Momentum's state, by each parameter's one name: what the next run needs to go on exactly."""
    if not network.options.momentum or not network.previous_steps:
        return []
    steps = network.previous_steps
    return ["", "# Momentum's state: each parameter's last step Δθ(n−1). The next update adds",
            f"# α = {number(network.options.momentum)} times it, so training resumes as if it had not stopped.",
            "previous_steps:"] + [f"  {scalar(network.label_of(p.key))}: {number(steps[p.key])}"
                                  for p in network.parameters() if p.key in steps]


def _sample(network: Network, sample: Sample) -> list[str]:
    inputs = _flow({n: number(x) for n, x in zip(network.inputs, sample.inputs)})
    if sample.targets is None:
        return [f"  - inputs: {inputs}"]
    targets = _flow({n: number(t) for n, t in zip(network.outputs, sample.targets)})
    return [f"  - inputs: {inputs}", f"    targets: {targets}"]



