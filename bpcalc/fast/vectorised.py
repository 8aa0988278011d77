"""Larger layered networks and batches as float64 numpy matrix products: backpropagation a whole batch at a time.

Only a layered network (`supported`: every layer fed by all of the layer before and by nothing
else) is a product of matrices; one with skip connections or sparse layers is the compiled
path's. A layer's weights are held as V, the transpose of its neurons' rows of weights (one row
per source, one column per neuron), so that for a batch of samples stacked as rows every
product below runs on contiguous memory (Δ.T @ A, the rows' own orientation, is several times
slower in BLAS):

    forward    Z = A_prev @ V + b             A = f(Z)
    output     Δ = ∂E_d/∂net per sample        (the loss's δ template, or ∂E/∂out × f'(Z))
    gradients  ∂E/∂V = A_prev.T @ Δ / n        ∂E/∂b = Σ_rows Δ / n      (mean; sum: no / n)
    hidden     Δ_prev = (Δ @ V.T) × f'(Z_prev) through V before its update, or after it for
               hidden_deltas: new_weights
    update     Δθ = −η·(∂E/∂θ + 2λθ) + α·Δθ(n−1)

A threshold θ (net = … − θ) is held as the bias b = −θ, which it is exactly: its gradient −δ,
its step and its velocity are those of b negated, and negation is exact, so θ comes back as
the engine has it (and update_biases: false holds it as it holds a bias).

When a full batch follows a checkpoint, the checkpoint's forward pass over all samples is the
update's own, so measuring the error there costs only the loss terms.

The activation and loss expressions are the `array_*` and loss templates of bpcalc.functions.
Only this module imports numpy, and only bpcalc.training imports this module, when it picks
this path.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import engine
from ..functions import LOSSES, SOFTMAX_CROSS_ENTROPY, Activation
from ..model import Network, edge
from ..trace import Evaluation, ForwardPass, NeuronPass


def supported(network: Network) -> bool:
    """Whether the network is matrices: dense layers, each fed by exactly the layer before.
    (The activations and the loss are bpcalc.fast.compiled.supported's to judge.)"""
    return network.layered


def times(x, y):
    """x·y elementwise where a zero x wins over an infinite y, as functions._times."""
    return np.where(x == 0.0, 0.0, x * y)


def softplus(x):
    """ln(1 + e^x) elementwise without overflow, as functions._softplus."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def log_sum_exp(z):
    """ln Σ e^net along each row, shifted by the largest, as functions._log_sum_exp."""
    top = z.max(axis=1, keepdims=True)
    return top + np.log(np.exp(z - top).sum(axis=1, keepdims=True))


_NAMESPACE = {"np": np, "times": times, "softplus": softplus}


def _function(arguments: str, template: str, **names: str):
    """A template of bpcalc.functions as a function over arrays."""
    return eval(f"lambda {arguments}: {template.format(**names)}", dict(_NAMESPACE))


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _activation(activation: Activation):
    if activation.is_softmax:
        return _softmax
    return _function("net", activation.array_source, net="net")


def _derivative(activation: Activation):
    """f'(net, out) over arrays, or None where it is 1 (multiplying by it is exact and skipped)."""
    if activation.is_softmax or activation.array_derivative_source == "1.0":
        return None  # softmax: output_delta applies its Jacobian
    return _function("net, out", activation.array_derivative_source, net="net", out="out")


_last_samples: list = [None, None, None]  # (samples, X, T): the arrays of the last samples trained on


def _sample_arrays(samples):
    """Inputs and targets as matrices, one row per sample. Converting 1,024 samples of 784 floats
    takes ~15 ms, so the arrays of the last samples are kept for the next run on the same
    network (training a loaded network again, in a notebook or a benchmark); read-only."""
    if _last_samples[0] is not samples:
        X = np.array([s.inputs for s in samples], dtype=np.float64)
        T = np.array([s.targets for s in samples], dtype=np.float64)
        X.flags.writeable = T.flags.writeable = False
        _last_samples[:] = [samples, X, T]
    return _last_samples[1], _last_samples[2]


class VectorisedTrainer:
    """One network's parameters as arrays, advanced a batch at a time with matrix products."""

    def __init__(self, network: Network):
        if not supported(network):
            raise ValueError("the vectorised path trains only layered networks (vectorised.supported)")
        options = network.options
        self.start = network
        self.L = len(network.layers)
        self.eta = -engine.require_learning_rate(network)  # the factor of ∂E/∂θ in Δθ
        self.alpha = options.momentum
        self.l2x2 = 2 * options.l2
        self.new_weights = options.hidden_deltas == "new_weights"
        self.W = [np.array([[w for _, w in n.weights] for n in layer.neurons], dtype=np.float64).T.copy()
                  for layer in network.layers]
        # Thresholds as the biases −θ they are (see the module's docstring); 0 for no bias.
        self.b = [np.array([0.0 if n.bias is None else -n.bias if n.threshold else n.bias for n in layer.neurons])
                  for layer in network.layers]
        self.has_bias = [any(n.bias is not None for n in layer.neurons) for layer in network.layers]
        # Which biases move: all of a layer's (mask None), some (a 0/1 mask), or none (False).
        self.bias_update: list = []
        for layer in network.layers:
            present = [n.bias is not None for n in layer.neurons]
            if not options.update_biases or not any(present):
                self.bias_update.append(False)
            else:
                self.bias_update.append(None if all(present) else np.array(present, dtype=np.float64))
        self.vW, self.vb = self._previous_steps(network) if self.alpha else ([], [])
        self.f = [_activation(layer.activation) for layer in network.layers]
        self.df = [_derivative(layer.activation) for layer in network.layers]
        self.X, self.T = _sample_arrays(network.samples)
        self.output_delta = self._output_delta_function()
        mean = options.reduction == "mean"
        self.version = 0  # bumped by every update; tags the forward pass kept for reuse
        self.kept = (-1, None)  # (version, (nets, outs)) of the last forward pass over all samples
        self.batches = []
        for batch in engine.batches(network):
            rows = slice(batch[0], batch[-1] + 1)  # batches are consecutive samples in file order
            scale = 1.0 / len(batch) if mean and len(batch) > 1 else None
            whole = len(batch) == len(network.samples)  # the very arrays, so a checkpoint's pass is reused
            self.batches.append((self.X, self.T, scale) if whole else (self.X[rows], self.T[rows], scale))

    def _previous_steps(self, network: Network):
        """Momentum's previous steps as arrays shaped as W and b: a saved run's
        (Network.previous_steps; a threshold's negated, as θ is held as −b), else from rest."""
        steps = network.previous_steps
        vW = [np.array([[steps.get(edge(source, n.name), 0.0) for source in n.sources] for n in layer.neurons],
                       dtype=np.float64).T.copy() for layer in network.layers]
        vb = [np.array([0.0 if moving is False or n.bias is None else
                        -steps.get(n.name, 0.0) if n.threshold else steps.get(n.name, 0.0)
                        for n in layer.neurons], dtype=np.float64)
              for layer, moving in zip(network.layers, self.bias_update)]
        return vW, vb

    def _output_delta_function(self):
        """Δ of the output layer for a batch: functions.output_deltas over arrays."""
        options = self.start.options
        output = self.start.layers[-1].activation
        loss = LOSSES[options.loss]
        cancelled = dict(loss.delta_sources).get(output.name)
        if cancelled:
            if "{total}" in cancelled and np.all(self.T.sum(axis=1) == 1.0):
                cancelled = cancelled.replace(" * {total}", "")  # one-hot targets: out × 1 is out
            delta = _function("out, target, total", cancelled, out="out", target="target", total="total")
            return lambda z, a, t: delta(a, t, t.sum(axis=1, keepdims=True))
        K = repr(float(len(self.start.outputs)))
        gradient = _function("out, target", loss.gradient_source, out="out", target="target", K=K)
        if output.is_softmax:
            return lambda z, a, t: a * ((g := gradient(a, t)) - (g * a).sum(axis=1, keepdims=True))
        df = self.df[-1]
        if df is None:
            return lambda z, a, t: gradient(a, t)
        return lambda z, a, t: gradient(a, t) * df(z, a)

    # ---- the state, for the driver's snapshots

    @property
    def state(self):
        return [a.copy() for a in self.W + self.b + self.vW + self.vb]

    @state.setter
    def state(self, arrays):
        L = self.L
        self.version += 1
        self.W, self.b = list(arrays[:L]), list(arrays[L:2 * L])
        if self.alpha:
            self.vW, self.vb = list(arrays[2 * L:3 * L]), list(arrays[3 * L:])

    def sound(self) -> bool:
        """Every parameter and the error finite: nothing has gone beyond a double."""
        return all(np.isfinite(a).all() for a in self.W + self.b) and np.isfinite(self.error())

    def velocity(self) -> dict[str, float]:
        """Each parameter's previous step, by the model's names (as StepRecord.velocity)."""
        if not self.alpha:
            return {}
        steps = {}
        for layer, vW, vb, moving in zip(self.start.layers, self.vW, self.vb, self.bias_update):
            for j, n in enumerate(layer.neurons):
                for i, source in enumerate(n.sources):
                    steps[edge(source, n.name)] = float(vW[i, j])
                if moving is not False and n.bias is not None:
                    steps[n.name] = -float(vb[j]) if n.threshold else float(vb[j])
        return steps

    # ---- training

    def advance(self, epochs: int) -> None:
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            for _ in range(epochs):
                for X, T, scale in self.batches:
                    self._update(X, T, scale)

    def _forward(self, X):
        if X is self.X and self.kept[0] == self.version:
            return self.kept[1]
        nets, outs = [], [X]
        a = X
        for W, b, has_bias, f in zip(self.W, self.b, self.has_bias, self.f):
            z = a @ W
            if has_bias:
                z += b
            a = f(z)
            nets.append(z)
            outs.append(a)
        if X is self.X:
            self.kept = (self.version, (nets, outs))
        return nets, outs

    def _update(self, X, T, scale) -> None:
        nets, outs = self._forward(X)
        self.version += 1
        delta = self.output_delta(nets[-1], outs[-1], T)
        if scale is not None:
            delta *= scale  # the mean's 1/n, carried by Δ into every gradient below
        for l in range(self.L - 1, -1, -1):
            W = self.W[l]
            if l and not self.new_weights:
                below = self._back(delta, W, l, nets, outs)
            gradient = outs[l].T @ delta
            if self.l2x2:
                gradient += self.l2x2 * W
            self._step(W, gradient, self.vW[l] if self.alpha else None)
            mask = self.bias_update[l]
            if mask is not False:
                gradient = delta.sum(axis=0)
                if mask is not None:
                    gradient *= mask
                self._step(self.b[l], gradient, self.vb[l] if self.alpha else None)
            if l and self.new_weights:
                below = self._back(delta, W, l, nets, outs)
            if l:
                delta = below

    def _back(self, delta, W, l, nets, outs):
        """Δ of layer l−1 (0-based l): (Δ @ V.T) × f'(net, out)."""
        total = delta @ W.T
        df = self.df[l - 1]
        return total if df is None else total * df(nets[l - 1], outs[l])

    def _step(self, theta, gradient, velocity) -> None:
        """θ += −η·g + α·v, in place (v becomes the step)."""
        gradient *= self.eta
        if velocity is None:
            theta += gradient
        else:
            velocity *= self.alpha
            velocity += gradient
            theta += velocity

    # ---- results

    def network(self) -> Network:
        layers = []
        updatable = self.start.options.update_biases
        for layer, W, b in zip(self.start.layers, self.W, self.b):
            neurons = []
            for n, row, bias in zip(layer.neurons, W.T.tolist(), b.tolist()):
                n = n._replace(weights=tuple(zip(n.sources, row)))
                if updatable and n.bias is not None:
                    n = n._replace(bias=-bias if n.threshold else bias)
                neurons.append(n)
            layers.append(layer._replace(neurons=tuple(neurons)))
        return self.start._replace(layers=tuple(layers), previous_steps=self.velocity())

    def _errors(self):
        """Every sample's nets and outs, error terms E_k and E_d, and the total error E."""
        options = self.start.options
        output = self.start.layers[-1].activation
        loss = SOFTMAX_CROSS_ENTROPY if options.loss == "cross_entropy" and output.is_softmax \
            else LOSSES[options.loss]
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            nets, outs = self._forward(self.X)
            term = _function("out, net, target, lse", loss.term_source, out="out", net="net", target="target",
                             K=repr(float(self.T.shape[1])), lse="lse")
            lse = log_sum_exp(nets[-1]) if "{lse}" in loss.term_source else None
            terms = term(outs[-1], nets[-1], self.T, lse) + np.zeros_like(self.T)  # broadcast, whatever the template
            per_sample = terms.sum(axis=1)
            total = per_sample.sum()
            if options.reduction == "mean":
                total /= len(per_sample)
            penalty = options.l2 * sum(float((W * W).sum()) for W in self.W) if options.l2 else 0.0
            if not all(np.isfinite(z).all() for z in nets):  # engine.evaluate would refuse these
                total = np.nan
        return nets, outs[1:], terms, per_sample, float(total) + penalty, penalty

    def error(self) -> float:
        return self._errors()[4]

    def evaluation(self) -> Evaluation:
        nets, outs, terms, per_sample, total, penalty = self._errors()
        return Evaluation(_Passes(self.start, nets, outs, terms, per_sample), penalty, total)


class _Passes(Sequence):
    """The ForwardPass of each sample, built when asked for: a batch of 1,024 samples through
    138 neurons is 141,000 records, which only a renderer that shows them needs."""

    def __init__(self, network: Network, nets, outs, terms, per_sample):
        self.names = [layer.names for layer in network.layers]
        self.nets, self.outs = nets, outs
        self.terms, self.per_sample = terms, per_sample

    def __len__(self) -> int:
        return len(self.per_sample)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        layers = tuple(tuple(NeuronPass(n, z, a) for n, z, a in zip(names, Z[index].tolist(), A[index].tolist()))
                       for names, Z, A in zip(self.names, self.nets, self.outs))
        return ForwardPass(index, layers, tuple(self.terms[index].tolist()), float(self.per_sample[index]))

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __repr__(self) -> str:
        return f"<{len(self)} forward passes>"
