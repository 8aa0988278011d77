"""A template's `vary:` rules resolved against its network: which written numbers each redraws, in the one draw order."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

from ..errors import BpcalcError, NetworkFileError
from ..loader.template import Choices, Slot, Spec, Template, Uniform, VaryRule, load_template
from ..model import Network
from ..quantities import parameter_named
from ..records import Record

DEFAULT_PRECISION = 4  # significant figures the key gives each answer to
GROUPS = ("weights", "biases", "thresholds", "inputs", "targets", "learning_rate")


class Plan(Record):
    """What to draw: every slot with its rule, in draw order, and all a variant is built from."""

    template: Template
    path: str
    name: str  # the template's name, for the variants' file names: hw4 → hw4-01
    precision: int
    draws: tuple[tuple[Slot, Spec], ...]  # in the fixed draw order (slots())

    @property
    def network(self) -> Network:
        return self.template.network


def read_template(path: str | os.PathLike) -> Plan:
    """The template at `path` and what its `vary:` draws; a rule that names nothing, or draws what the
    network cannot take, is a NetworkFileError naming its line."""
    shown = os.fsdecode(path)
    template = load_template(path)
    network = template.network
    if network.options.learning_rate is None or not network.has_targets:
        raise NetworkFileError(shown, None, "a template needs a learning_rate and targets for every sample: "
                                            "each variant is a problem of one step")
    rules: dict[Slot, Spec] = {}
    singles: dict[Slot, VaryRule] = {}  # a rule for one parameter or input overrides its group's
    for rule in template.rules:
        slots = _named(network, rule, shown)
        _check_values(network, rule, slots, shown)
        if rule.key in GROUPS:
            rules.update((slot, rule.spec) for slot in slots)
            continue
        for slot in slots:
            if slot in singles:
                other = singles[slot]
                raise NetworkFileError(shown, rule.line, f"vary '{rule.key}' draws the same number as "
                                                         f"'{other.key}' (line {other.line}); give it one rule",
                                       rule.column)
            singles[slot] = rule
    rules.update((slot, rule.spec) for slot, rule in singles.items())
    draws = tuple((slot, rules[slot]) for slot in slots_of(network) if slot in rules)
    precision = template.precision if template.precision is not None else DEFAULT_PRECISION
    return Plan(template, shown, safe_name(network.name or Path(shown).stem) or "variant", precision, draws)


def slots_of(network: Network) -> list[Slot]:
    """Every number a rule may redraw, in draw order: η, the parameters in the network's order
    (weights neuron by neuron, then biases and thresholds), then each sample's inputs and targets."""
    slots: list[Slot] = [("learning_rate",)]
    slots += [("parameter", p.key) for p in network.parameters()]
    for s, sample in enumerate(network.samples):
        slots += [("input", s, name) for name in network.inputs]
        if sample.targets is not None:
            slots += [("target", s, name) for name in network.outputs]
    return slots


def _named(network: Network, rule: VaryRule, path: str) -> list[Slot]:
    """The slots a rule's key names: a group, or one parameter (w5, b(h1), i1->h1, h1) or input (i1)."""
    every = slots_of(network)
    groups: dict[str, list[Slot]] = {
        "weights": [s for s in every if s[0] == "parameter" and "->" in str(s[1])],
        "biases": [("parameter", n) for n in network.biases()],
        "thresholds": [("parameter", n) for n in network.thresholds()],
        "inputs": [s for s in every if s[0] == "input"],
        "targets": [s for s in every if s[0] == "target"],
        "learning_rate": [("learning_rate",)],
    }
    if rule.key in groups:
        if not groups[rule.key]:
            raise NetworkFileError(path, rule.line, f"vary {rule.key}: the network has no {rule.key} to draw",
                                   rule.column)
        return groups[rule.key]
    if rule.key in network.inputs:
        return [s for s in every if s[0] == "input" and s[2] == rule.key]
    try:
        return [("parameter", parameter_named(network, rule.key))]
    except BpcalcError:
        import difflib

        close = difflib.get_close_matches(rule.key, GROUPS, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise NetworkFileError(path, rule.line, f"vary '{rule.key}' names nothing in this network: expected "
                                                f"{', '.join(GROUPS)}, a parameter (w5, b(h1), i1->h1) or an "
                                                f"input{hint}", rule.column) from None


def _check_values(network: Network, rule: VaryRule, slots: list[Slot], path: str) -> None:
    """Refuse a rule whose values the network file would refuse: η ≤ 0, a cross-entropy target outside 0..1."""
    low, high = bounds(rule.spec)
    kinds = {slot[0] for slot in slots}
    if "learning_rate" in kinds and low <= 0:
        raise NetworkFileError(path, rule.line, f"vary {rule.key}: the learning rate must be > 0, but the rule "
                                                f"may draw {low}", rule.column)
    if "target" in kinds and network.options.loss == "cross_entropy" and (low < 0 or high > 1):
        raise NetworkFileError(path, rule.line, f"vary {rule.key}: loss cross_entropy needs targets from 0 to 1, "
                                                f"but the rule may draw {low if low < 0 else high}", rule.column)


def bounds(spec: Spec) -> tuple[Decimal, Decimal]:
    """The smallest and largest value a rule can draw."""
    if isinstance(spec, Choices):
        values = [Decimal(t) for t in spec.texts]
        return min(values), max(values)
    assert isinstance(spec, Uniform)
    return spec.low, spec.high


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def safe_name(text: str) -> str:
    """`text` as a file name that is safe on every system: letters, digits, _ . and -; others become _."""
    return _UNSAFE.sub("_", text.strip()).strip("._")
