"""The alternatives that explain real mistakes, each a named variant of the network's own maths, and their values.

Each alternative is an Options change (old vs updated weights for the hidden deltas, biases
updated or held, the loss, η, rounding), a small change to the network (two weights swapped), or
one of the engine's Slips (a derivative left out, net where out belongs), or δ signed the other
way. All of them are recomputed through the same walk (a Dataflow, or for training the engine),
never through a second copy of the backprop maths.
"""

from __future__ import annotations

from typing import Callable, Mapping

from .. import engine
from ..arith import Rounding
from ..functions import LOSSES
from ..model import Network, edge
from ..quantities import AFTER, STEP, after_quantities
from ..records import Record
from .answers import Answer
from ..engine import NET_FOR_OUT, Slips
from .dataflow import Dataflow
from .precision import rounded
from .training import after_epochs


class Alternative(Record):
    """One alternative convention or slip: what it recomputes under, and how to say it."""

    code: str
    sentence: str
    network: Network
    slips: Slips = Slips()
    sign_flipped: bool = False  # δ, ∂E/∂out and ∂E/∂θ written with the other sign
    digits: bool = False  # round each intermediate to the digits the student wrote it with
    trainable: bool = False  # an Options change that a training run can follow


# ---------------------------------------------------------------- the catalogue

def catalogue(network: Network) -> list[Alternative]:
    """Every alternative that applies to `network`, most telling first."""
    return [*_signs(network), *_hidden_deltas(network), *_biases(network), *_slips(network),
            *_losses(network), *_learning_rates(network), *_momentum(network), *_swaps(network),
            *_roundings(network)]


def _options(network: Network, **changes) -> Network:
    return network._replace(options=network.options._replace(**changes))


def _signs(network):
    if network.options.delta_sign == "error":
        sentence = ("The sign is flipped: this is what δ = ∂E/∂net = −(t − out)·f′ gives "
                    "(this course's δ is (t − out)·f′ = −∂E/∂net, delta_sign: error).")
    else:
        sentence = ("The sign is flipped: this is what δ = (t − out)·f′ = −∂E/∂net gives "
                    "(this network's δ is ∂E/∂net).")
    yield Alternative("sign_flipped", sentence, network, sign_flipped=True)
    yield Alternative("sign_flipped", "The update's sign is flipped: this is what θ + η·∂E/∂θ gives "
                                      "instead of θ − η·∂E/∂θ.", network, Slips(flip_update=True))


def _hidden_deltas(network):
    if len(network.layers) < 2:
        return
    if network.options.hidden_deltas == "old_weights":
        yield Alternative("new_weights", "This is what back-propagating the hidden deltas through the already "
                                         "updated weights gives (hidden_deltas: new_weights); this network uses "
                                         "the weights before the update.",
                          _options(network, hidden_deltas="new_weights"), trainable=True)
    else:
        yield Alternative("old_weights", "This is what back-propagating the hidden deltas through the weights "
                                         "before the update gives (true gradient descent); this network uses the "
                                         "updated ones (hidden_deltas: new_weights).",
                          _options(network, hidden_deltas="old_weights"), trainable=True)


def _biases(network):
    if not network.biases() and not network.thresholds():
        return
    if network.options.update_biases:
        yield Alternative("biases_fixed", "This is what holding the biases fixed gives; this network updates them.",
                          _options(network, update_biases=False), trainable=True)
    else:
        yield Alternative("biases_updated", "This is what updating the biases gives; this network holds them fixed "
                                            "(update_biases: false).",
                          _options(network, update_biases=True), trainable=True)


_NET_FOR_OUT = {
    "forward": "This is what feeding the next layer net instead of out = f(net) gives.",
    "gradient": "This is what multiplying δ by the source's net instead of its out gives.",
    "derivative": "This is what taking f′ of net instead of out gives (e.g. σ′ as net·(1 − net)).",
    "error": "This is what putting net instead of out into the error gives.",
}


def _slips(network):
    yield Alternative("missing_derivative",
                      "This is what leaving the activation's derivative f′(net) out of δ gives.",
                      network, Slips(no_derivative=True))
    for where in NET_FOR_OUT:
        yield Alternative("net_for_out", _NET_FOR_OUT[where], network, Slips(net_for_out=where))


def _losses(network):
    loss = network.options.loss
    if loss != "cross_entropy":
        # Each squared-error loss is a multiple of Σ(t − out)²; one equal to the network's own
        # (mse over two outputs is half_sse) would explain nothing.
        outputs = len(network.outputs)
        scale = {"half_sse": 0.5, "sse": 1.0, "mse": 1.0 / outputs}
        for other in ("half_sse", "sse", "mse"):
            if scale[other] != scale[loss]:
                yield Alternative("loss_factor", f"This is what the error term {LOSSES[other].term} gives; this "
                                                 f"network's is {LOSSES[loss].term}.",
                                  _options(network, loss=other), trainable=True)
    if len(network.samples) > 1:
        other = "sum" if network.options.reduction == "mean" else "mean"
        yield Alternative("loss_factor", f"This is what the {other} over the samples gives; this network takes "
                                         f"the {network.options.reduction}.",
                          _options(network, reduction=other), trainable=True)


def _learning_rates(network):
    eta = network.options.learning_rate
    if eta is None or eta == 1:
        return
    yield Alternative("learning_rate", "This is what leaving out η (η = 1) gives.",
                      _options(network, learning_rate=1.0), trainable=True)
    yield Alternative("learning_rate", f"This is what applying η twice (η² = {eta * eta:g}) gives.",
                      _options(network, learning_rate=eta * eta), trainable=True)


def _momentum(network):
    """Momentum changes nothing in the first update (there is no step before it to carry on), so
    this is found in values after training (X@N), the second update of an online epoch included."""
    alpha = network.options.momentum
    if alpha:
        yield Alternative("momentum_left_out", f"This is what leaving out the momentum term α·Δw(n−1) "
                                               f"(α = {alpha:g}) gives: each update as if it were the first.",
                          _options(network, momentum=0.0), trainable=True)


def _swaps(network):
    """Two weights of one layer swapped by misreading a diagram: the pairs that read the layer's
    matrix the other way round (w2 and w3 of a 2-2 layer: i2->h1 and i1->h2), then, in a layer fed
    by two neurons, the two weights into one neuron. Swapping any two at all would fit too many
    wrong numbers by chance."""
    weights = network.weights()
    before = network.inputs
    for layer in network.layers:
        names = {(j, before.index(source)): edge(source, n.name)
                 for j, n in enumerate(layer.neurons) for source in n.sources if source in before}
        transposed = [(a, b) for a in names for b in names if a < b and a == b[::-1]]
        same_neuron = [(a, b) for a in names for b in names if a < b and a[0] == b[0] and len(before) == 2]
        before = layer.names
        for a, b in transposed + same_neuron:
            first, second = names[a], names[b]
            if weights[first] == weights[second]:
                continue
            swapped = network.with_parameters({first: weights[second], second: weights[first]})
            yield Alternative("swapped_weights", f"This is what swapping {network.label_of(first)} and "
                                                 f"{network.label_of(second)} ({first} and {second}) gives.", swapped)


def _roundings(network):
    own = network.options.rounding
    yield Alternative("hand_rounding", "This follows from your earlier numbers rounded as you wrote them",
                      _options(network, rounding=None), digits=True)
    if own is not None:
        yield Alternative("hand_rounding", "This is what computing without rounding the intermediate values gives.",
                          _options(network, rounding=None))
    for kind, unit in (("decimals", "decimal places"), ("significant", "significant figures")):
        for digits in range(1, 13):
            if Rounding(kind, digits) != own:
                yield Alternative("hand_rounding", f"This is what rounding every intermediate value to {digits} "
                                                   f"{unit} gives.", _options(network, rounding=Rounding(kind, digits)))


# ---------------------------------------------------------------- values under the alternatives

class Alternatives:
    """The catalogue for one network, with each alternative's dataflow and from-scratch values cached."""

    def __init__(self, network: Network, truth: Mapping[str, float]):
        self.network = network
        self.truth = truth
        self.catalogue = catalogue(network)
        self._flows: dict[int, Dataflow] = {}
        self._pure: dict[int, dict[str, float]] = {}
        self._updates: dict[str, dict[str, float]] | None = None
        self._trained: dict[tuple[int, int], dict[int, dict[str, float]]] = {}

    def flow(self, k: int) -> Dataflow:
        if k not in self._flows:
            alternative = self.catalogue[k]
            self._flows[k] = Dataflow(alternative.network, alternative.slips, alternative.sign_flipped)
        return self._flows[k]

    def pure(self, k: int, written: Mapping[str, Answer]) -> dict[str, float]:
        """The alternative done from scratch (for `digits`, with each written value rounded as written)."""
        if self.catalogue[k].digits:
            return self.flow(k).run(_rounded_as(written))
        if k not in self._pure:
            self._pure[k] = self.flow(k).run()
        return self._pure[k]

    def local(self, k: int, given: Mapping[str, float]) -> dict[str, float]:
        """The alternative computed from the student's own numbers wherever they gave one."""
        return self.flow(k).run(substitute(given))

    def updates(self) -> dict[str, dict[str, float]]:
        """The step's values had there been no update, or two."""
        if self._updates is None:
            self._updates = {"none": _no_update(self.network, self.truth), "two": _two_updates(self.network)}
        return self._updates

    def trained(self, k: int | None, epochs: int) -> dict[int, dict[str, float]]:
        """Values after epochs−1, epochs, epochs+1 under alternative k (None: the network itself)."""
        key = (-1 if k is None else k, epochs)
        if key not in self._trained:
            network = self.network if k is None else self.catalogue[k].network
            self._trained[key] = after_epochs(network, epochs)
        return self._trained[key]


def substitute(given: Mapping[str, float]) -> Callable[[str, float], float]:
    return lambda key, value: given.get(key, value)


def _rounded_as(written: Mapping[str, Answer]) -> Callable[[str, float], float]:
    def choose(key, value):
        answer = written.get(key)
        if answer is None or value != value:
            return value
        return float(rounded(value, answer.written.exponent))
    return choose


def _no_update(network: Network, truth: Mapping[str, float]) -> dict[str, float]:
    values = {"E_after": truth["E_total"]}
    for parameter, old in network.values().items():
        label = network.label_of(parameter)
        values[f"{label}+"] = old
        values[f"{STEP}{label}"] = 0.0
    for name, value in truth.items():
        if f"{name}{AFTER}1" in truth:
            values[f"{name}{AFTER}1"] = value
    return values


def _two_updates(network: Network) -> dict[str, float]:
    plan = engine.batches(network)
    first = engine.step(network, plan[0], evaluate_after=False)
    second = engine.step(first.updated, plan[1 % len(plan)], first.velocity)
    assert second.after is not None and second.after.error is not None
    values = {"E_after": second.after.error}
    old = network.values()
    for parameter, value in second.updated.values().items():
        label = network.label_of(parameter)
        values[f"{label}+"] = value
        values[f"{STEP}{label}"] = value - old[parameter]
    for name, value in after_quantities(second.updated, second.after, 1).items():
        values.setdefault(name, value)
    return values
