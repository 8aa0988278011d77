"""Drawing variants of a template, and the rules that make each one a fair problem at the key's precision.

Every draw comes from one random.Random(seed), slot after slot in the plan's fixed order, each
value a whole number of units of 10^−decimals (or one of the choices as written), so the same
template, seed and count give the same variants on any machine. A variant is the template's
own text with its drawn numbers put in, read back by the network reader: what the student's
file loads to is exactly what the rules judged.
"""

from __future__ import annotations

import math
import random
from decimal import Decimal

from .. import engine
from ..check.precision import rounded
from ..errors import BpcalcError
from ..loader import parse_network
from ..loader.template import Choices, Slot, Spec, grid
from ..model import Network, Sample
from ..netfile import dumps, scalar
from ..records import Record
from ..trace import StepRecord
from .template import Plan

MAX_DRAWS = 1000  # draws tried for one variant before the rules are called impossible to meet
SIGMOID_BAND = (0.02, 0.98)  # a sigmoid (or softmax) out outside it has f′ < 0.0196, under 8 % of its most
TANH_LIMIT = 0.96  # |tanh| beyond it: f′ = 1 − out² < 0.0784, the same 8 % of its most

SATURATED = "a saturated unit"
DEAD = "a dead ReLU unit"
TOO_SMALL = "an update too small to show"
NOT_LOWER = "the step does not lower the error"
ALIKE = "the same as an earlier variant"
BEYOND = "numbers beyond a double"


class Variant(Record):
    """One drawn problem: its name, its network file's text, the network it loads to, and the values drawn."""

    name: str
    text: str
    network: Network
    drawn: tuple[str, ...]  # in draw order: two variants are alike when these are
    values: dict[Slot, str]  # each drawn value's text by slot, as the file writes it


def draw_value(rng: random.Random, spec: Spec) -> str:
    """One value of a rule, as its text: a multiple of 10^−decimals written with exactly that many, or a choice."""
    if isinstance(spec, Choices):
        return rng.choice(spec.texts)
    low, high = grid(spec)
    return f"{Decimal(rng.randint(low, high)).scaleb(-spec.decimals):f}"


def variant_text(plan: Plan, values: dict[Slot, str], name: str) -> str:
    """The variant's network file: the template's text with the drawn numbers in place and no `vary:`,
    or, where the template does not write a drawn number out, the whole network written afresh."""
    template = plan.template
    source = plan.path.replace("\\", "/").rsplit("/", 1)[-1]
    comment = f"{name}: a variant of {source}, drawn by bpcalc generate"
    if not template.spans or not all(slot in template.spans for slot in values):
        return dumps(_with_values(plan.network, values)._replace(name=name), comment)
    header = f"# {comment}\n"
    edits = [(template.spans[slot], text) for slot, text in values.items()]
    edits.append((template.vary_span, ""))
    named = template.spans.get(("name",))
    if named is not None:
        edits.append((named, scalar(name)))
    else:
        header += f"name: {scalar(name)}\n"
    text = template.text
    for (start, end), new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return header + text


def _with_values(network: Network, values: dict[Slot, str]) -> Network:
    """The template's network with the drawn values put in (for a template that does not write them all out)."""
    number = {slot: float(text) for slot, text in values.items()}
    parameters = {str(slot[1]): x for slot, x in number.items() if slot[0] == "parameter"}
    samples = []
    for s, sample in enumerate(network.samples):
        inputs = tuple(number.get(("input", s, n), x) for n, x in zip(network.inputs, sample.inputs))
        targets = None if sample.targets is None else tuple(
            number.get(("target", s, n), t) for n, t in zip(network.outputs, sample.targets))
        samples.append(Sample(inputs, targets))
    options = network.options
    if ("learning_rate",) in number:
        options = options._replace(learning_rate=number[("learning_rate",)])
    return network.with_parameters(parameters)._replace(samples=tuple(samples), options=options)


# ---------------------------------------------------------------- fairness

def written_differs(a: float, b: float, precision: int) -> bool:
    """Do `a` and `b` differ when both are written to `precision` significant figures of the larger?"""
    scale = max(abs(a), abs(b))
    if scale == 0:
        return False
    exponent = math.floor(math.log10(scale)) - precision + 1
    return rounded(a, exponent) != rounded(b, exponent)


def _lowered(before: float, after: float, precision: int) -> bool:
    """Is E after the step below E before, as the key writes both (to the figures of E before)?"""
    if not (math.isfinite(before) and math.isfinite(after)) or before <= 0:
        return False
    exponent = math.floor(math.log10(before)) - precision + 1
    return rounded(after, exponent) < rounded(before, exponent)


def _saturated(network: Network, record: StepRecord) -> bool:
    for sample in record.before.passes:
        for layer, passes in zip(network.layers, sample.layers):
            kind = layer.activation.name
            for n in passes:
                if kind == "sigmoid" and not SIGMOID_BAND[0] <= n.out <= SIGMOID_BAND[1]:
                    return True
                if kind == "softmax" and n.out > SIGMOID_BAND[1]:
                    return True
                if kind == "tanh" and abs(n.out) > TANH_LIMIT:
                    return True
    return False


def dead_units(network: Network, record: StepRecord, strictly: bool = False) -> set[str]:
    """The ReLU units whose net is ≤ 0 (or < 0, `strictly`) on every sample of the step: no gradient passes them."""
    dead: set[str] | None = None
    for sample in record.passes:
        here = {n.name for layer, passes in zip(network.layers, sample.layers) if layer.activation.name == "relu"
                for n in passes if (n.net < 0 if strictly else n.net <= 0)}
        dead = here if dead is None else dead & here
    return dead or set()


class Intent(Record):
    """What the template's own numbers show on purpose, and so a variant may show too."""

    dead: frozenset[str]  # ReLU units dead in the template (net < 0 on every sample of the step)
    zero: frozenset[str]  # parameters whose gradient the template makes exactly 0 through such a unit or an input of 0


def intent(plan: Plan) -> Intent:
    """The template's dead units, and the exactly-zero gradients they (or an input of 0 not drawn) cause."""
    network = plan.network
    try:
        record = engine.step(network)
    except BpcalcError:
        return Intent(frozenset(), frozenset())
    dead = dead_units(network, record, strictly=True)
    drawn = {slot for slot, _ in plan.draws}
    zero_inputs = any(x == 0 and ("input", s, name) not in drawn
                      for s in record.batch for name, x in zip(network.inputs, network.samples[s].inputs))
    zero = {u.name for u in record.updates if u.gradient == 0} if dead or zero_inputs else set()
    return Intent(frozenset(dead), frozenset(zero))


def unfairness(network: Network, precision: int, allowed: Intent) -> str | None:
    """Why a variant is not a fair problem at `precision` significant figures, or None when it is."""
    try:
        record = engine.step(network)
    except BpcalcError:
        return BEYOND
    if _saturated(network, record):
        return SATURATED
    if dead_units(network, record) - allowed.dead:
        return DEAD
    for update in record.updates:
        if update.fixed or (update.gradient == 0 and update.name in allowed.zero):
            continue
        if not written_differs(update.old, update.new, precision):
            return TOO_SMALL
    assert record.before.error is not None and record.after is not None and record.after.error is not None
    if not _lowered(record.before.error, record.after.error, precision):
        return NOT_LOWER
    return None


class Drawer:
    """Draws fair variants one after another from one seed, none alike, counting the draws it rejects and why."""

    def __init__(self, plan: Plan, seed: int):
        self.plan = plan
        self.rng = random.Random(seed)
        self.allowed = intent(plan)
        self.seen: set[tuple[str, ...]] = set()
        self.rejected: dict[str, int] = {}  # reason → draws, in the order first met

    @property
    def rejections(self) -> int:
        return sum(self.rejected.values())

    def next_variant(self, name: str) -> Variant:
        """The next fair variant, called `name`; BpcalcError after MAX_DRAWS draws that all fail the rules."""
        plan = self.plan
        for _ in range(MAX_DRAWS):
            values = {slot: draw_value(self.rng, spec) for slot, spec in plan.draws}
            drawn = tuple(values.values())
            reason = ALIKE if drawn in self.seen else None
            if reason is None:
                text = variant_text(plan, values, name)
                network = parse_network(text, f"{name}.yaml")
                reason = unfairness(network, plan.precision, self.allowed)
            if reason is None:
                self.seen.add(drawn)
                return Variant(name, text, network, drawn, values)
            self.rejected[reason] = self.rejected.get(reason, 0) + 1
        raise BpcalcError(f"{plan.path}: no fair variant '{name}' in {MAX_DRAWS:,} draws; {self.summary()}; "
                          "widen the ranges in vary (or allow more decimals or choices), or ask for fewer "
                          "variants (docs/generate.md, 'Fair variants')")

    def summary(self) -> str:
        """The rejected draws by reason: "12 draws rejected in all (7 a saturated unit, 5 an update too small to show)"."""
        if not self.rejected:
            return "no draw rejected"
        reasons = ", ".join(f"{count:,} {reason}" for reason, count in
                            sorted(self.rejected.items(), key=lambda item: -item[1]))
        total = self.rejections
        return f"{total:,} draw{'s' if total != 1 else ''} rejected in all ({reasons})"
