"""The `--json` documents of shared/spec/json-output.md, built from trace records."""

from __future__ import annotations

import json
import math
from typing import Any

from ..model import Network
from ..trace import Evaluation, ForwardPass, StepRecord, TrainRecord, UpdateRecord, UpdateRow


GROUP = {"weight": "weights", "bias": "biases", "threshold": "thresholds"}  # where each kind is listed


def dumps(document: dict[str, Any]) -> str:
    """Full double precision; a non-finite number becomes null so the document stays valid JSON."""
    return json.dumps(_finite(document), indent=1, ensure_ascii=False, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _sample(network: Network, fp: ForwardPass) -> dict[str, Any]:
    """A sample's inputs, targets, every neuron's net and out, and E_d; without targets, no error."""
    sample = network.samples[fp.sample]
    document: dict[str, Any] = {"inputs": dict(zip(network.inputs, sample.inputs))}
    if sample.targets is not None:
        document["targets"] = dict(zip(network.outputs, sample.targets))
    document["neurons"] = {n.name: {"net": n.net, "out": n.out} for layer in fp.layers for n in layer}
    if fp.error is not None:
        document["error"] = fp.error
    return document


def forward_document(network: Network, evaluation: Evaluation) -> dict[str, Any]:
    document: dict[str, Any] = {"samples": [_sample(network, fp) for fp in evaluation.passes]}
    if evaluation.error is not None:
        document["error"] = evaluation.error
    return document


def _parameters(network: Network) -> dict[str, dict[str, float]]:
    """Every parameter: weights by edge, biases and thresholds by neuron."""
    return {"weights": network.weights(), "biases": network.biases(), "thresholds": network.thresholds()}


def step_document(record: StepRecord, which: UpdateRecord | None = None) -> dict[str, Any]:
    """The step's document; for `step --update K` (`which`), also `update` and, with momentum,
    `steps`: the change Δθ(K) = −η·∂E/∂θ + α·Δθ(K−1) that the update applied to each parameter."""
    samples = []
    for fp, deltas in zip(record.passes, record.deltas):
        doc = _sample(record.network, fp)
        for name, neuron in doc["neurons"].items():
            neuron["delta"] = deltas[name].delta
        samples.append(doc)
    gradients: dict[str, dict[str, float]] = {"weights": {}, "biases": {}, "thresholds": {}}
    for u in record.updates:
        gradients.setdefault(GROUP[u.kind], {})[u.name] = u.gradient
    document: dict[str, Any] = {
        "samples": samples,
        "error": record.before.error,
        # The error of the batch's samples alone (λΣw² included): what online and mini-batch
        # sheets call "the error" of the step. `error` is over all samples, as the contract says.
        "batch_error": record.batch_error,
        "gradients": gradients,
        "updated": _parameters(record.updated),
        "error_after": record.after.error if record.after else None,
        "batch": [i + 1 for i in record.batch],
    }
    if which is not None:
        document["update"] = which.number
        if record.network.options.momentum:
            steps: dict[str, dict[str, float]] = {"weights": {}, "biases": {}, "thresholds": {}}
            for u in record.updates:
                steps[GROUP[u.kind]][u.name] = u.step
            document["steps"] = steps
    return document


def each_update(network: Network, rows: list[UpdateRow]) -> list[dict[str, Any]]:
    """`train --updates`: for each update (0: the start) its epoch, its samples (1-based), every
    parameter by its one name after it, and E_total over all samples after it."""
    names = {p.key: network.label_of(p.key) for p in network.parameters()}
    return [{"update": row.number, "epoch": row.epoch, "samples": [i + 1 for i in row.batch],
             "parameters": {names[key]: value for key, value in row.values.items()}, "error": row.error}
            for row in rows]


def train_document(record: TrainRecord) -> dict[str, Any]:
    network = record.network
    return {
        "epochs": record.epochs,
        "updates": record.updates,
        "error": record.final.error,
        "outputs": [dict(zip(network.outputs, fp.outputs)) for fp in record.final.passes],
        **_parameters(network),
        "checkpoints": [{"epoch": e, "error": err} for e, err in record.checkpoints],
        # With a target error (--until): "target" if it was reached, "epochs" if not within -n.
        **({"stopped": record.stopped} if record.stopped is not None else {}),
    }
