"""The header of a worked solution: which loss, η, δ sign, biases and thresholds, hidden-δ weights and rounding its numbers follow."""

from __future__ import annotations

from ..model import Network
from . import formulas as fx
from .document import Prose
from ..expr import ALPHA, ETA, LAMBDA, Neg, Num, Param, Sum, Sym, Word, dot, minus
from .symbols import View

WEIGHTED_SUM = Word("Σw·x", r"\sum w \cdot x")


def conventions(network: Network, view: View, command: str) -> tuple[Prose, ...]:
    """The header: which loss, η, δ sign, biases and thresholds, hidden-δ weights and rounding the numbers follow."""
    o = network.options
    softmax = network.layers[-1].activation.is_softmax
    k_t, k_out = Sym("t", "k"), Sym("out", "k")
    term = fx.error_term(o.loss, softmax, k_t, k_out, len(network.outputs))
    items: list[Prose] = []
    if any(s.targets is not None for s in network.samples):  # without targets there is no error
        items.append((f"loss {o.loss}: ", Sym("E", "k"), " = ", term))
    thresholds = network.thresholds()
    theta = Param("θ", "θ", "θ", "threshold")
    threshold_net = (Sym("net", "X"), " = ", Sum((("+", WEIGHTED_SUM), ("−", theta))))
    if thresholds and command == "forward":
        items.append(("thresholds: ", *threshold_net))
    if len(network.samples) > 1 and network.has_targets:
        items.append((Sym("E_total"), f" = {o.reduction} of the {len(network.samples)} samples' errors",))
    if o.l2:
        items.append(("L2 ", LAMBDA, " = ", Num(o.l2)))
    if command != "forward":
        if o.learning_rate is not None:
            items.append((ETA, " = ", Num(o.learning_rate)))
        w = Param("w", "w", "w", "weight")
        x_delta = dot(Sym("delta", "X"), Sym("x", "x"))
        if view.error_sign:
            items.append((Sym("delta", "X"), " = −", fx.dE(Sym("net", "X")), " (error sign), ",
                          w.as_("step"), " = +", dot(ETA, x_delta)))
        else:
            items.append((Sym("delta", "X"), " = ", fx.dE(Sym("net", "X")), ", ",
                          w.as_("new"), " = ", minus(w, dot(ETA, w.as_("grad")))))
        if thresholds:  # ∂net/∂θ = −1, so ∂E/∂θ = −∂E/∂net, which is +δ under the error sign
            items.append(("thresholds: ", *threshold_net, ", ", theta.as_("grad"), " = ",
                          Sym("delta", "X") if view.error_sign else Neg(Sym("delta", "X"))))
        kinds = " and ".join(kind for kind, present in (("biases", network.biases()), ("thresholds", thresholds))
                             if present)
        items.append(("no biases" if not kinds else
                      f"{kinds} updated" if o.update_biases else f"{kinds} held fixed",))
        if len(network.layers) > 1:
            items.append((f"hidden δ through the {'updated' if o.hidden_deltas == 'new_weights' else 'old'} weights",))
        if len(network.samples) > 1:
            items.append((f"batch: {o.batch}",))
        if o.momentum:
            previous = Param("θ", "θ", "θ", "weight").as_("previous")
            state = (", carried on from the file's previous_steps ", previous) if network.previous_steps else (
                ", from rest (the file has no previous_steps ", previous, ")")
            items.append(("momentum ", ALPHA, " = ", Num(o.momentum), *state))
    if o.rounding:
        items.append((f"hand rounding: every value written down is rounded to {o.rounding.describe()} "
                      "and carried forward rounded",))
    elif not view.symbolic:
        items.append((f"exact arithmetic, shown to {view.digits} significant digits",))
    return tuple(items)
