"""The engine's walk of one step, listened to: each named quantity, what it is computed from, and follow-through.

Checking answers needs more than the step's values: every quantity recomputed from a student's
own earlier numbers (follow-through), or under a slip of the pen (a δ without f′). The step is
computed by the engine's one walk (engine.Walk); a `Dataflow` hands it a tape that records each
quantity in solution order with the keys it was computed from, and that may carry a student's
number forward in place of the computed one. So there is no second copy of the maths here.

The sign of δ is the tape's business: under the course's `delta_sign: error` every δ is written
as −∂E/∂net, and under the sign slip every signed value (δ, ∂E/∂out, ∂E/∂θ) is written negated;
the walk computes with the true values, the tape negates what is written and undoes it for what
is carried on.
"""

from __future__ import annotations

from typing import Callable, Collection

from .. import engine
from ..engine import NO_SLIPS, Kind, Slips, Tape
from ..model import Network
from ..records import Record

Choose = Callable[[str, float], float]


class Node(Record):
    """One quantity: its key (its name, or '#…' for a value no sheet names), what it is computed from, and its kind."""

    key: str
    deps: tuple[str, ...]
    kind: Kind = ""  # forward, factor, delta, gradient, step, new, error_after, after; "" for unnamed values

    @property
    def named(self) -> bool:
        return not self.key.startswith("#")


class _Listener(Tape):
    """Records the nodes (once) and the values written; carries a chosen value forward where asked."""

    def __init__(self, choose: Choose | None, flip_signed: bool, error_sign: bool, record: bool):
        self.choose = choose
        self.flip_signed = flip_signed
        self.error_sign = error_sign
        self.nodes: list[Node] | None = [] if record else None
        self.computed: dict[str, float] = {}

    def __call__(self, key: str, value: float, deps: tuple[str, ...], kind: Kind, signed: bool) -> float:
        named = not key.startswith("#")
        negate = (signed and self.flip_signed) != (kind == "delta" and self.error_sign)
        written = -value if negate else value
        self.computed[key] = written
        if self.nodes is not None:
            self.nodes.append(Node(key, deps, kind if named else ""))
        if self.choose is None or not named:
            return value
        carried = self.choose(key, written)
        return -carried if negate else carried


class Dataflow:
    """The quantities of one step of `network` (its first batch), in solution order.

    `sign_flipped` writes every signed value with the other sign (the slip of a student who signs
    δ the other way from the course); the course's own sign is `network.options.delta_sign`.
    """

    def __init__(self, network: Network, slips: Slips = NO_SLIPS, sign_flipped: bool = False):
        self.network = network
        self.slips = slips
        self.sign_flipped = sign_flipped
        listener = self._walk(None, record=True)
        assert listener.nodes is not None
        keys: set[str] = set()
        for node in listener.nodes:
            if node.key in keys:
                raise engine.BpcalcError(f"the name {node.key} would mean two quantities of this network; "
                                         "rename the label that makes it so")
            keys.add(node.key)
        self.nodes: tuple[Node, ...] = tuple(listener.nodes)
        self.order = {node.key: k for k, node in enumerate(self.nodes)}

    @property
    def names(self) -> tuple[str, ...]:
        """Every named quantity, in solution order."""
        return tuple(node.key for node in self.nodes if node.named)

    def run(self, choose: Choose | None = None) -> dict[str, float]:
        """Every quantity's value as written, computed from the values carried before it.

        `choose(key, value)` gives the value to carry forward from a named quantity (a student's
        own number, say); without it each quantity's own value is carried.
        """
        return self._walk(choose, record=False).computed

    def _walk(self, choose: Choose | None, record: bool) -> _Listener:
        network = self.network
        listener = _Listener(choose, self.sign_flipped, network.options.delta_sign == "error", record)
        walk = engine.Walk(network, listener, self.slips)
        if network.options.learning_rate is None or not network.has_targets:
            walk.evaluate(walk.old)  # the forward pass alone: a step needs η and targets
        else:
            walk.step(engine.batches(network)[0], network.previous_steps)
        return listener


def nearest(flow: Dataflow, key: str, among: Collection[str], stop: Collection[str] = frozenset()) -> list[str]:
    """The nodes of `among` that `key` is computed from with none of `among` in between, in solution
    order; the search does not go back past a node of `stop` (a value carried as it should be)."""
    node = flow.nodes[flow.order[key]]
    found, seen, todo = set(), set(), list(node.deps)
    while todo:
        dep = todo.pop()
        if dep in seen:
            continue
        seen.add(dep)
        if dep in among:
            found.add(dep)
        elif dep not in stop:
            todo.extend(flow.nodes[flow.order[dep]].deps)
    return sorted(found, key=flow.order.__getitem__)
