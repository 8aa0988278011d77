"""Reads a template for `bpcalc generate`: a network file plus a `vary:` block, and where each number is written.

The network is read by the network reader, with the `vary` block left out, so a template holds
exactly the rules of a network file. The `vary` block is read here as plain data, each rule with
its line; what its keys name (weights, a label, an input) is for bpcalc.generate to judge, as it
needs the network. Beside both, the place in the text of every number a rule may redraw, so that
a variant is the template's own text with its numbers replaced: comments and layout kept.
"""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Union

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import NetworkFileError
from ..model import Network, edge
from ..records import Record
from .network import _network
from .yamltext import (_check_keys, _check_line_lengths, _compose, _describe, _fields, _Invalid, _is_null,
                       _items, _Loader, _number, _whole_number, read_text)

MAX_DECIMALS = 10
MAX_PRECISION = 15  # significant figures of the key: a double holds about 16
SPEC_KEYS = ("uniform", "choices", "decimals")
DEFAULT_DECIMALS = 2

# Where a number stands, named the same way whatever form the file writes it in:
# ("learning_rate",), ("parameter", key), ("input", sample, name), ("target", sample, name), ("name",).
Slot = tuple[Union[str, int], ...]


class Uniform(Record):
    """A value drawn evenly from the multiples of 10^−decimals between low and high (both included)."""

    low: Decimal
    high: Decimal
    decimals: int


class Choices(Record):
    """A value drawn from a list, each written as the template writes it."""

    texts: tuple[str, ...]


Spec = Union[Uniform, Choices]


class VaryRule(Record):
    """One entry of `vary:`: the name it gives (a group such as weights, or one parameter or input) and the rule."""

    key: str
    spec: Spec
    line: int
    column: int


class Template(Record):
    """A template as read: the network, the vary rules in file order, the key's precision, and the text."""

    network: Network
    rules: tuple[VaryRule, ...]
    precision: int | None  # significant figures of the key; None: the default
    text: str
    vary_span: tuple[int, int]  # the characters of the vary block, to leave out of a variant
    spans: dict[Slot, tuple[int, int]]  # where each number (and the name) is written in `text`


def load_template(path: str | os.PathLike) -> Template:
    """The template at `path`; any problem is a NetworkFileError naming the line."""
    shown = os.fsdecode(path)
    text = read_text(path)
    try:
        if not text.strip():
            raise _Invalid(None, "the file is empty; expected a network file with a `vary:` block")
        _check_line_lengths(text)
        root = _compose(text, _Loader)
        _check_keys(root)
        if not isinstance(root, MappingNode):
            raise _Invalid(root, f"a template is a network file with a `vary:` block; got {_describe(root)}")
        vary = next(((k, v) for k, v in root.value if k.value == "vary"), None)
        if vary is None:
            raise _Invalid(None, "the template has no `vary:` block saying what to draw afresh, e.g. "
                                 "vary: {weights: {uniform: [-1, 1], decimals: 2}} (see docs/generate.md)")
        rest = MappingNode(root.tag, [pair for pair in root.value if pair[0] is not vary[0]],
                           root.start_mark, root.end_mark, root.flow_style)
        network = _network(rest, shown)
        rules, precision = _vary(vary[1])
        flow = bool(root.flow_style)
        spans = {} if flow else _spans(rest, network)
        vary_span = (0, 0) if flow else _block_span(text, root, vary[0])
        return Template(network, rules, precision, text, vary_span, spans)
    except _Invalid as problem:
        raise NetworkFileError(shown, problem.line, problem.message, problem.column) from None
    except RecursionError:
        raise NetworkFileError(shown, None, "the file is nested too deeply to be a network file") from None


# ---------------------------------------------------------------- the vary block

def _vary(node: Node) -> tuple[tuple[VaryRule, ...], int | None]:
    if not isinstance(node, MappingNode) or not node.value:
        raise _Invalid(node, "vary: expected a map of what to draw, e.g. "
                             f"{{weights: {{uniform: [-1, 1], decimals: 2}}}}; got {_describe(node)}")
    rules, precision = [], None
    for key, value in node.value:
        if not isinstance(key, ScalarNode) or _is_null(key) or not key.value.strip():
            raise _Invalid(key, f"vary: expected a name (weights, biases, …, or a parameter's), got {_describe(key)}")
        name = key.value.strip()  # a group, a label, a one name such as w(i1->h1), an edge or an input
        if name == "precision":
            precision = _whole_number(value, "vary precision (significant figures of the key)", 1, MAX_PRECISION)
            continue
        rules.append(VaryRule(name, _spec(value, f"vary {name}"), key.start_mark.line + 1, key.start_mark.column + 1))
    if not rules:
        raise _Invalid(node, "vary: nothing to draw; add e.g. weights: {uniform: [-1, 1], decimals: 2}")
    return tuple(rules), precision


def _spec(node: Node, where: str) -> Spec:
    fields = _fields(node, where, SPEC_KEYS)
    if ("uniform" in fields) == ("choices" in fields):
        raise _Invalid(node, f"{where}: give one of uniform: [low, high] or choices: [a, b, …]")
    if "choices" in fields:
        if "decimals" in fields:
            raise _Invalid(fields["decimals"], f"{where}: decimals go with uniform; choices are used as written")
        items = _items(fields["choices"], f"{where} choices", "the values to choose from")
        if not items:
            raise _Invalid(fields["choices"], f"{where} choices: expected at least one value, got an empty list")
        for item in items:
            _number(item, f"{where} choice")
        return Choices(tuple(item.value.strip() for item in items))
    bounds = _items(fields["uniform"], f"{where} uniform", "[low, high]")
    if len(bounds) != 2:
        raise _Invalid(fields["uniform"], f"{where} uniform: expected [low, high], got {len(bounds)} values")
    low, high = (_number(b, f"{where} uniform") for b in bounds)
    if low >= high:
        raise _Invalid(fields["uniform"], f"{where} uniform: expected low < high, got [{bounds[0].value}, "
                                          f"{bounds[1].value}]")
    decimals = DEFAULT_DECIMALS
    if "decimals" in fields:
        decimals = _whole_number(fields["decimals"], f"{where} decimals", 0, MAX_DECIMALS)
    spec = Uniform(Decimal(bounds[0].value.strip()), Decimal(bounds[1].value.strip()), decimals)
    if grid(spec)[0] > grid(spec)[1]:
        raise _Invalid(fields["uniform"], f"{where} uniform: no number with {decimals} decimals lies between "
                                          f"{bounds[0].value} and {bounds[1].value}; allow more decimals")
    return spec


def grid(spec: Uniform) -> tuple[int, int]:
    """The draw's range in units of 10^−decimals: the smallest and largest whole number of units inside [low, high]."""
    low, high = spec.low.scaleb(spec.decimals), spec.high.scaleb(spec.decimals)
    return int(low.to_integral_value(rounding="ROUND_CEILING")), int(high.to_integral_value(rounding="ROUND_FLOOR"))


# ---------------------------------------------------------------- where each number is written

def _span(node: Node) -> tuple[int, int]:
    return node.start_mark.index, node.end_mark.index


def _pairs(node: Node) -> dict[str, Node]:
    return {key.value: value for key, value in node.value} if isinstance(node, MappingNode) else {}


def _spans(root: MappingNode, network: Network) -> dict[Slot, tuple[int, int]]:
    """The text span of every written number a variant may replace; a number not written out (a layer
    given by size, samples from CSV) has none."""
    fields = _pairs(root)
    spans: dict[Slot, tuple[int, int]] = {}
    if not isinstance(fields["samples"], SequenceNode):
        return spans  # samples from a CSV file, which a variant elsewhere would not find: none kept
    for key, slot in (("learning_rate", ("learning_rate",)), ("name", ("name",))):
        if key in fields and isinstance(fields[key], ScalarNode) and not _is_null(fields[key]):
            spans[slot] = _span(fields[key])
    before = network.inputs
    for entry, layer in zip(fields["layers"].value[1:], network.layers):
        _layer_spans(_pairs(entry), before, spans)
        before = layer.names
    for s, item in enumerate(fields["samples"].value):
        parts = _pairs(item)
        for part, names, kind in (("inputs", network.inputs, "input"), ("targets", network.outputs, "target")):
            node = parts.get(part)
            values = (list(zip(names, node.value)) if isinstance(node, SequenceNode)
                      else [(k.value, v) for k, v in node.value] if isinstance(node, MappingNode) else [])
            for name, value in values:
                spans[(kind, s, name)] = _span(value)
    return spans


def _layer_spans(fields: dict[str, Node], before: tuple[str, ...], spans: dict[Slot, tuple[int, int]]) -> None:
    neurons = fields.get("neurons")
    if isinstance(neurons, MappingNode):
        for key, value in neurons.value:
            entry = _pairs(value)
            for kind in ("bias", "threshold"):
                if kind in entry and not _is_null(entry[kind]):
                    spans[("parameter", key.value)] = _span(entry[kind])
            for source, weight in entry["weights"].value:
                spans[("parameter", edge(source.value, key.value))] = _span(weight)
    elif isinstance(neurons, SequenceNode) and "weights" in fields:
        names = [n.value for n in neurons.value]
        for name, row in zip(names, fields["weights"].value):
            for source, weight in zip(before, row.value):
                spans[("parameter", edge(source, name))] = _span(weight)
        for key in ("biases", "thresholds"):
            if isinstance(fields.get(key), SequenceNode):
                for name, value in zip(names, fields[key].value):
                    if not _is_null(value):
                        spans[("parameter", name)] = _span(value)


def _block_span(text: str, root: MappingNode, key: Node) -> tuple[int, int]:
    """The characters of the top-level `vary:` block: its lines with the comment lines just above it,
    up to the next top-level key (whose own comment lines above it stay)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    first = key.start_mark.line
    while first > 0 and lines[first - 1].startswith("#"):
        first -= 1
    keys = [k.start_mark.line for k, _ in root.value]
    later = [line for line in keys if line > key.start_mark.line]
    last = min(later) if later else len(lines)  # the line after the block
    while last - 1 > key.start_mark.line and (not lines[last - 1].strip() or lines[last - 1].startswith("#")):
        last -= 1
    if not later:  # the last block: the blank lines before it go too
        while first > 0 and not lines[first - 1].strip():
            first -= 1
    return starts[first], starts[last]
