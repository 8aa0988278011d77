"""A blank network file for a shape: `bpcalc new 2-2-2` writes every weight and bias out as 0.0.

The text is written by hand, not by a YAML writer, so that its layout and comments are exactly
as designed (and so that this module never imports yaml). It is the canonical per-neuron form of
docs/format.md, and it loads as it is: a student replaces the numbers, not the structure.

Names, as the textbooks write them:
  inputs   x1, x2, …
  hidden   h1, h2, …, numbered on through every hidden layer (3-4-4-1: h1 … h4, then h5 … h8)
  outputs  o1, o2, … (o1 even when there is one output: the same names as a layer given by size)
  labels   w1, w2, … as Mazur numbers them: neuron by neuron, layer by layer from the input side,
           each neuron's incoming weights in source order; b1, b2, … (or theta1, theta2, … with
           thresholds) one per neuron in the same order
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Sequence

from .errors import BpcalcError
from .functions import ACTIVATIONS, LOSSES, loss_of

# A file to fill in by hand: beyond these it is no longer one a student types numbers into,
# and a layer given by size (docs/format.md, "Layers by size") is the way to write the net.
MAX_LAYER = 50  # neurons (or inputs) in one layer
MAX_WEIGHTS = 200  # in the whole net: 10-10-10 (a 4-16-16-3 has 368; give that one by size)
MAX_LAYERS = 10  # the inputs, the hidden layers and the outputs
WIDTH = 80  # every line of the file fits in this many columns where a break is possible
COMMENT_COLUMN = 34  # where the comments beside the options start, as in docs/format.md

BIAS, THRESHOLD = "bias", "threshold"  # the two ways of writing a neuron's constant term
LABEL_PREFIX = {BIAS: "b", THRESHOLD: "theta"}
HIDDEN_ACTIVATIONS = tuple(name for name in ACTIVATIONS if name != "softmax")
OUTPUT_ACTIVATIONS = tuple(ACTIVATIONS)
_BIGGER = "for a bigger net, give its layers by size with init (docs/format.md, \"Layers by size\")"
_SHAPE = re.compile(r"[0-9]+(?:-[0-9]+)*")


def parse_shape(shape: str) -> tuple[int, ...]:
    """Layer sizes from `2-2-2`: at least two (the inputs and the outputs), each from 1 to MAX_LAYER."""
    shown = shape if len(shape) <= 40 else shape[:40] + "…"
    if not _SHAPE.fullmatch(shape):
        raise BpcalcError(f"shape '{shown}': expected layer sizes joined by '-', such as 2-2-2 "
                          "(inputs, hidden layers, outputs)")
    sizes = tuple(int(part) for part in shape.split("-"))
    check_sizes(sizes, shown)
    return sizes


def check_sizes(sizes: Sequence[int], shown: str | None = None) -> None:
    """Refuse a shape that is no network (fewer than two layers, an empty one) or too big to fill in by hand."""
    shown = "-".join(map(str, sizes)) if shown is None else shown
    if len(sizes) < 2:
        raise BpcalcError(f"shape '{shown}': expected at least two layer sizes, the inputs and the "
                          f"outputs, such as {sizes[0] if sizes else 2}-2-1")
    for number, size in enumerate(sizes, start=1):
        if size < 1:
            raise BpcalcError(f"shape '{shown}': layer {number} has {size} neurons; every layer needs "
                              "at least 1")
        if size > MAX_LAYER:
            raise BpcalcError(f"shape '{shown}': layer {number} has {size:,} neurons; bpcalc new writes "
                              f"at most {MAX_LAYER} a layer, to fill in by hand; {_BIGGER}")
    if len(sizes) > MAX_LAYERS:
        raise BpcalcError(f"shape '{shown}': {len(sizes)} layers; bpcalc new writes at most {MAX_LAYERS} "
                          "(the inputs, the hidden layers and the outputs)")
    weights = weight_count(sizes)
    if weights > MAX_WEIGHTS:
        raise BpcalcError(f"shape '{shown}': {weights:,} weights; bpcalc new writes at most {MAX_WEIGHTS}, "
                          f"to fill in by hand; {_BIGGER}")


def weight_count(sizes: Sequence[int]) -> int:
    return sum(a * b for a, b in zip(sizes, sizes[1:]))


def neuron_names(sizes: Sequence[int]) -> list[list[str]]:
    """The names of every layer, the inputs first: x1 …, then h1 … on through the hidden layers, then o1 …."""
    names = [[f"x{j}" for j in range(1, sizes[0] + 1)]]
    hidden = 0
    for size in sizes[1:-1]:
        names.append([f"h{hidden + j}" for j in range(1, size + 1)])
        hidden += size
    names.append([f"o{j}" for j in range(1, sizes[-1] + 1)])
    return names


def labels(sizes: Sequence[int], constant: str | None = BIAS) -> list[list[tuple[str, str]]]:
    """(label, parameter) for each neuron after the inputs, in Mazur's order: w1: x1->h1, w2: x2->h1, …,
    then the neuron's bias (b1: h1) or threshold (theta1: h1) unless `constant` is None."""
    names = neuron_names(sizes)
    rows, weight, neuron = [], 0, 0
    for sources, layer in zip(names, names[1:]):
        for dest in layer:
            row = []
            for source in sources:
                weight += 1
                row.append((f"w{weight}", f"{source}->{dest}"))
            neuron += 1
            if constant is not None:
                row.append((f"{LABEL_PREFIX[constant]}{neuron}", dest))
            rows.append(row)
    return rows


def skeleton(sizes: Sequence[int], *, activation: str = "sigmoid", output: str | None = None,
             loss: str = "half_sse", constant: str | None = BIAS, learning_rate: float = 0.5,
             name: str | None = None) -> str:
    """The text of a network file of these layer sizes, every number 0.0, to fill in.

    `output` is the output layer's activation (default: `activation`); `constant` is BIAS,
    THRESHOLD (net = Σ w·x − θ) or None (no bias at all).
    """
    check_sizes(sizes)
    output = activation if output is None else output
    _check_choices(activation, output, loss, learning_rate, constant)
    names = neuron_names(sizes)
    title = "-".join(map(str, sizes)) if name is None else _title(name)
    loss_term = loss_of(loss, output == "softmax").term
    about = (f"A blank {'-'.join(map(str, sizes))} network for bpcalc: put your numbers in place of the "
             "0.0s, then run bpcalc forward FILE (or step, train). The format, with more options "
             "(batch, momentum, update_biases, …), is in docs/format.md.")
    lines = [
        *textwrap.wrap(about, WIDTH - 2, initial_indent="# ", subsequent_indent="# ", break_on_hyphens=False),
        _beside(f"name: {title}", "shown in headings"),
        _beside(f"learning_rate: {float(learning_rate)!r}", "η, in w+ = w − η·∂E/∂w"),
        _beside(f"loss: {loss}", f"E = Σ {loss_term}", ", over the outputs"),
        "",
        *_net_comment(constant),
        "layers:",
        *_wrapped("  - inputs: [", names[0], "]"),
    ]
    hidden = len(names) - 2
    for number, (sources, layer) in enumerate(zip(names, names[1:]), start=1):
        is_output = number == len(names) - 1
        what = "output layer" if is_output else "hidden layer" if hidden == 1 else f"hidden layer {number}"
        lines += [_beside(f"  - activation: {output if is_output else activation}", f"{what}: {_span(layer)}"),
                  "    neurons:"]
        for dest in layer:
            start = f"      {dest}: {{" + ("" if constant is None else f"{constant}: 0.0, ") + "weights: {"
            lines += _wrapped(start, [f"{source}: 0.0" for source in sources], "}}")
    lines += ["", "# The names the tables and answer files use, numbered as Mazur does: the",
              "# weights into each neuron in turn, input side first; a row per neuron."]
    rows = labels(sizes, constant)
    for index, row in enumerate(rows):
        start = "labels: {" if index == 0 else " " * len("labels: {")
        end = "}" if index == len(rows) - 1 else ","
        lines += _wrapped(start, [f"{label}: {target}" for label, target in row], end)
    lines += ["", "# One training pair; to add another, copy its two lines below it.", "samples:",
              *_wrapped("  - inputs: {", [f"{x}: 0.0" for x in names[0]], "}"),
              *_wrapped("    targets: {", [f"{o}: 0.0" for o in names[-1]], "}")]
    return "\n".join(lines) + "\n"


def _check_choices(activation: str, output: str, loss: str, learning_rate: float, constant: str | None) -> None:
    """The names the loader accepts (bpcalc.functions), and the combinations it accepts."""
    if activation == "softmax":
        raise BpcalcError("--activation softmax: softmax is only allowed on the output layer; "
                          "use --output-activation softmax")
    _known(activation, HIDDEN_ACTIVATIONS, "--activation", "activation")
    _known(output, OUTPUT_ACTIVATIONS, "--output-activation", "activation")
    _known(loss, tuple(LOSSES), "--loss", "loss")
    if loss == "cross_entropy" and output not in ("sigmoid", "softmax"):
        raise BpcalcError(f"--loss cross_entropy needs a sigmoid or softmax output layer (the loss takes "
                          f"ln out), but the output activation is {output}; add --output-activation sigmoid")
    if not learning_rate > 0 or learning_rate == float("inf"):
        raise BpcalcError(f"--learning-rate: expected a number > 0, got {learning_rate:g}")
    if constant not in (BIAS, THRESHOLD, None):
        raise ValueError(f"constant must be {BIAS!r}, {THRESHOLD!r} or None, not {constant!r}")


def _known(value: str, choices: tuple[str, ...], option: str, kind: str) -> None:
    if value not in choices:
        raise BpcalcError(f"{option}: there is no {kind} '{value}'; expected one of {', '.join(choices)}")


def _title(name: str) -> str:
    """--name as YAML: plain where that reads back as the same text, else double-quoted."""
    if not name.strip() or not name.isprintable():
        raise BpcalcError("--name: expected a line of printable text")
    if re.fullmatch(r"\w(?:[\w .+()/-]*[\w.+()/-])?", name):
        return name
    return json.dumps(name, ensure_ascii=False)  # JSON's quoting is valid YAML


def _net_comment(constant: str | None) -> list[str]:
    net = {BIAS: "net = Σ w·x + b and out = f(net)",
           THRESHOLD: "net = Σ w·x − θ and out = f(net), θ its threshold",
           None: "net = Σ w·x and out = f(net) (no biases)"}[constant]
    return [f"# Every neuron: {net}.",
            "# f is its layer's activation; each weight is keyed by the neuron it comes from."]


def _span(names: Sequence[str]) -> str:
    return ", ".join(names) if len(names) <= 3 else f"{names[0]} … {names[-1]}"


def _beside(line: str, comment: str, more: str = "") -> str:
    """`line` with `comment` after it at COMMENT_COLUMN (or two spaces further, if the line is long),
    and `more` after that if it still fits in WIDTH columns."""
    line = f"{line.ljust(COMMENT_COLUMN - 2)}  # {comment}"
    return line + more if len(line + more) <= WIDTH else line


def _wrapped(start: str, items: Sequence[str], end: str) -> list[str]:
    """`start`, the items joined by ', ', then `end`: on one line if it fits in WIDTH columns, else
    broken after a comma, each further line starting under the first item (valid in YAML's flow style)."""
    lines, line = [], start
    indent = " " * len(start)
    for index, item in enumerate(items):
        text = item + (", " if index < len(items) - 1 else end)
        if line != start and line != indent and len(line + text.rstrip()) > WIDTH:
            lines.append(line.rstrip())
            line = indent
        line += text
    lines.append(line.rstrip())
    return lines
