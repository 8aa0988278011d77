"""Frozen records of what the engine computed, term by term, for every renderer to print the same way."""

from __future__ import annotations

from typing import Literal, Mapping, Sequence

from .model import Network, ParameterKind
from .records import Record


class NeuronPass(Record):
    """net = Σ w·x + b (or − θ) and out = f(net) for one neuron on one sample."""

    name: str
    net: float
    out: float


class ForwardPass(Record):
    """One sample fed forward: every neuron's net and out, each output's error term E_k, and E_d."""

    sample: int  # index into network.samples
    layers: tuple[tuple[NeuronPass, ...], ...]
    error_terms: tuple[float, ...]  # E_k for each output, in output order; () without targets
    error: float | None  # E_d = Σ_k E_k; None without targets

    @property
    def neurons(self) -> dict[str, NeuronPass]:
        """Every neuron's pass by name."""
        return {n.name: n for layer in self.layers for n in layer}

    def neuron(self, name: str) -> NeuronPass:
        for layer in self.layers:
            for n in layer:
                if n.name == name:
                    return n
        raise KeyError(name)

    @property
    def outputs(self) -> tuple[float, ...]:
        return tuple(n.out for n in self.layers[-1])


class Evaluation(Record):
    """Every sample fed forward, and the total error E = reduce(E_d) + λΣw²."""

    passes: Sequence[ForwardPass]  # a tuple, or the fast path's sequence that makes each when asked
    l2_term: float  # λΣw², already inside `error`
    error: float | None  # None when a sample has no targets


class Downstream(Record):
    """One term δ_k·w_kj of a hidden neuron's sum: a neuron k it feeds, the weight used, and δ_k."""

    neuron: str
    weight: float  # old or already-updated w_kj, as `hidden_deltas` says
    delta: float

    @property
    def product(self) -> float:
        """δ_k·w_kj, one term of the sum (Mazur's ∂E_o1/∂out_h1 = 0.055399425); the engine sums exactly these."""
        return self.weight * self.delta


class NeuronDelta(Record):
    """δ = ∂E_d/∂net = ∂E_d/∂out × ∂out/∂net for one neuron on one sample."""

    name: str
    dE_dout: float  # output: from the loss; hidden: Σ_k δ_k·w_kj
    dout_dnet: float | None  # f'(net); None for softmax, whose Jacobian couples the layer
    delta: float
    downstream: tuple[Downstream, ...] = ()  # hidden neurons only


class ParameterUpdate(Record):
    """One parameter's batch gradient and update: θ⁺ = θ − η·∂E/∂θ + α·Δθ(n−1)."""

    name: str  # "src->dst" for a weight, the neuron for a bias or threshold
    kind: ParameterKind
    old: float
    per_sample: tuple[float, ...]  # ∂E_d/∂θ = δ·x (a bias: δ, a threshold: −δ) for each sample of the batch
    gradient: float  # ∂E/∂θ: per-sample terms combined by the reduction, plus 2λw
    l2: float  # the 2λw inside `gradient`
    previous_step: float  # Δθ(n−1), which momentum adds α times
    step: float  # Δθ(n) = new − old
    new: float
    fixed: bool = False  # a bias or threshold held by `update_biases: false`

    @property
    def is_weight(self) -> bool:
        return self.kind == "weight"


class StepRecord(Record):
    """One update on one batch: forward, deltas, gradients, the new network, and the error after."""

    network: Network
    batch: tuple[int, ...]  # sample indices
    before: Evaluation  # all samples, before the update
    batch_error: float  # E over the batch's samples alone (reduced, plus λΣw²)
    deltas: tuple[dict[str, NeuronDelta], ...]  # per batch sample, by neuron
    updates: tuple[ParameterUpdate, ...]  # in Network.parameters() order: weights, then biases and thresholds
    updated: Network
    after: Evaluation | None  # all samples, after the update

    @property
    def passes(self) -> tuple[ForwardPass, ...]:
        """The forward passes of the batch's samples."""
        return tuple(self.before.passes[i] for i in self.batch)

    @property
    def velocity(self) -> dict[str, float]:
        """Each parameter's step, which momentum carries into the next update."""
        return {u.name: u.step for u in self.updates if not u.fixed}


class TrainRecord(Record):
    """N epochs of training: the final network and evaluation, and the error at checkpoints."""

    epochs: int
    updates: int
    network: Network
    final: Evaluation
    checkpoints: tuple[tuple[int, float], ...]  # (epoch, error after that epoch), epoch 0 = start
    velocity: Mapping[str, float] | None = None  # each parameter's last step, for momentum to carry on ({} without)
    # With a target error (train --until): "target" if E_total reached it after `epochs` epochs,
    # "epochs" if it did not within the most epochs allowed; None for a run of a fixed length.
    stopped: Literal["target", "epochs"] | None = None
    until: float | None = None  # the target error, if any


class UpdateRecord(Record):
    """The K-th update of training from the file's starting values (`step --update K`): its step,
    and which epoch and which batch of that epoch it is."""

    number: int  # K ≥ 1, counted across batches and epochs
    epoch: int  # from 1
    position: int  # the batch's index within the epoch, from 0
    step: StepRecord  # the update itself, from the parameters (and momentum) just before it
    start: Network | None = None  # the file's network that training started from


class UpdateRow(Record):
    """One row of the per-update table (`train --updates`): every parameter and the total error
    after update `number`, as `step --update K` computes them; row 0 is the start."""

    number: int  # K, from 0 (the file's values)
    epoch: int  # from 1; 0 for the start
    batch: tuple[int, ...]  # the update's sample indices; () for the start
    values: Mapping[str, float]  # every parameter by key, after the update
    error: float  # E_total over all samples, with the parameters after the update
