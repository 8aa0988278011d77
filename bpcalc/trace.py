"""Frozen records of what the engine computed, term by term, for every renderer to print the same way."""

from __future__ import annotations

from typing import Literal, Mapping, Sequence

from .model import Network, ParameterKind, ParameterValues, count_kinds
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

    def __repr__(self) -> str:
        n = len(self.passes)
        error = "no targets" if self.error is None else f"E_total {_number(self.error)}"
        return f"<Evaluation: {n} sample{'s' if n != 1 else ''}, {error}>"

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(repr(self))


def _number(x: float) -> str:
    """A value as the worked solutions print it (9 significant digits)."""
    from .render.numbers import plain

    return plain(x)


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

    @property
    def gradients(self) -> ParameterValues:
        """∂E/∂θ of every parameter, by label (st.gradients["w5"]) or edge (st.gradients["h1->o1"])."""
        return ParameterValues(self.network, {u.name: u.gradient for u in self.updates})

    @property
    def steps(self) -> ParameterValues:
        """Δθ = new − old of every parameter, by label or edge."""
        return ParameterValues(self.network, {u.name: u.step for u in self.updates})

    def update(self, name: str) -> ParameterUpdate:
        """One parameter's update, by label or edge: st.update("w5").new."""
        keys = ParameterValues(self.network, {u.name: k for k, u in enumerate(self.updates)})
        return self.updates[int(keys[name])]

    def __repr__(self) -> str:
        counts = count_kinds([u.kind for u in self.updates])
        before = "?" if self.before.error is None else _number(self.before.error)
        after = "" if self.after is None or self.after.error is None else f" → {_number(self.after.error)}"
        return f"<StepRecord {self.network.name or self.network.path or ''}: E {before}{after}, {counts}>"

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(repr(self))


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

    def __repr__(self) -> str:
        start = self.checkpoints[0][1] if self.checkpoints else None
        final = self.final.error
        errors = "" if final is None else (f", E {_number(start)} → {_number(final)}" if start is not None
                                           else f", E {_number(final)}")
        epochs = f"{self.epochs} epoch{'s' if self.epochs != 1 else ''}"
        return f"<TrainRecord {self.network.name or self.network.path or ''}: {epochs}{errors}>"

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(repr(self))


class UpdateRecord(Record):
    """The K-th update of training from the file's starting values (`step --update K`): its step,
    and which epoch and which batch of that epoch it is."""

    number: int  # K ≥ 1, counted across batches and epochs
    epoch: int  # from 1
    position: int  # the batch's index within the epoch, from 0
    step: StepRecord  # the update itself, from the parameters (and momentum) just before it
