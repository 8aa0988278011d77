"""What a network file leaves out: seeded weights for layers given by size, and samples in a CSV file."""

from __future__ import annotations

import math
import os

from yaml.nodes import Node, ScalarNode

from ..errors import NetworkFileError
from ..model import Sample
from .yamltext import _count, _describe, _fields, _Invalid, _is_null, _items, _number, _whole_number, read_text

INIT_KEYS = ("uniform", "seed")


# ---------------------------------------------------------------- seeded initialisation, names for layers by size

class _Init:
    """`init: {uniform: [low, high], seed: s}`: the weights and biases of layers written without them.

    One random.Random(seed) serves the whole file. Layers are filled in file order; in each, neuron
    by neuron, first its weights (one per source, in the order of the layer before), then its
    bias, each `rng.uniform(low, high)`. Python guarantees that sequence for a seed, so a file
    gives the same network on every machine.
    """

    def __init__(self, low: float, high: float, seed: int):
        import random

        self.low, self.high = low, high
        self.rng = random.Random(seed)

    def draw(self, neurons: int, sources: int) -> tuple[tuple[tuple[float, ...], ...], tuple[float, ...]]:
        uniform, low, high = self.rng.uniform, self.low, self.high
        rows, biases = [], []
        for _ in range(neurons):
            rows.append(tuple(uniform(low, high) for _ in range(sources)))
            biases.append(uniform(low, high))
        return tuple(rows), tuple(biases)


def _init(node: Node | None) -> _Init | None:
    if _is_null(node):
        return None
    fields = _fields(node, "init", INIT_KEYS, required=("uniform",))
    bounds = _items(fields["uniform"], "init uniform", "[low, high]")
    if len(bounds) != 2:
        raise _Invalid(fields["uniform"], f"init uniform: expected [low, high], got {_count(len(bounds), 'number')}")
    low, high = (_number(b, "init uniform") for b in bounds)
    if not low < high:
        raise _Invalid(fields["uniform"], f"init uniform: expected low < high, got [{low:g}, {high:g}]")
    seed = _whole_number(fields["seed"], "init seed", 0) if "seed" in fields else 0
    return _Init(low, high, seed)


def generated_names(hidden_number: int, size: int, is_output: bool) -> tuple[str, ...]:
    """Names for a layer given by size: o1 … oK for the output layer, hL_1 … hL_n for the L-th hidden one."""
    if is_output:
        return tuple(f"o{j}" for j in range(1, size + 1))
    return tuple(f"h{hidden_number}_{j}" for j in range(1, size + 1))


# ---------------------------------------------------------------- samples from a CSV file

def _csv_samples(node: Node, path: str | None, inputs: tuple[str, ...],
                 outputs: tuple[str, ...], probabilities: bool = False) -> tuple[Sample, ...]:
    """`samples: {csv: data.csv}`: one sample per row, columns named after the inputs and outputs.

    The CSV's path is relative to the network file. Its first line names the columns (extra
    columns are ignored); every later line is a sample. Problems name the CSV file and line.
    """
    fields = _fields(node, "samples", ("csv",), required=("csv",))
    name = fields["csv"]
    if not isinstance(name, ScalarNode) or _is_null(name) or not name.value.strip():
        raise _Invalid(name, f"samples csv: expected a file name, got {_describe(name)}")
    folder = os.path.dirname(path) if path else ""
    csv_path = os.path.join(folder, name.value)
    try:
        text = read_text(csv_path)
    except NetworkFileError as error:
        raise _Invalid(name, f"samples csv '{csv_path}': {error.message}") from None
    return parse_csv_samples(text, csv_path, inputs, outputs, probabilities)


def parse_csv_samples(text: str, csv_path: str, inputs: tuple[str, ...],
                      outputs: tuple[str, ...], probabilities: bool = False) -> tuple[Sample, ...]:
    """The samples in CSV `text` (from the file `csv_path`, named in messages); `probabilities`:
    every target must lie in 0..1 (cross-entropy's targets)."""
    import csv

    rows = csv.reader(text.splitlines())
    try:
        header = next(rows)
    except StopIteration:
        raise NetworkFileError(csv_path, None, "the file is empty; expected a header line naming "
                                               f"the columns {', '.join(inputs + outputs)}") from None
    header = [column.strip() for column in header]
    where = {}
    for k, column in enumerate(header):
        if column in where:
            raise NetworkFileError(csv_path, 1, f"column '{column}' appears twice in the header")
        where[column] = k
    missing = [n for n in inputs + outputs if n not in where]
    if missing:
        kinds = ["input" if n in inputs else "output" for n in missing]
        listed = ", ".join(f"'{n}' ({kind})" for n, kind in zip(missing, kinds))
        raise NetworkFileError(csv_path, 1, f"missing column{'s' if len(missing) > 1 else ''} {listed}; "
                                            f"the header has {', '.join(header)}")
    wanted_in = [where[n] for n in inputs]
    wanted_out = [where[n] for n in outputs]
    samples = []
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line, e.g. at the end
        if len(row) != len(header):
            raise NetworkFileError(csv_path, line, f"expected {_count(len(header), 'value')} (one per column of "
                                                   f"the header), got {len(row)}")
        targets = tuple(_csv_number(row, k, header, csv_path, line) for k in wanted_out)
        if probabilities:
            for name, target in zip(outputs, targets):
                if not 0.0 <= target <= 1.0:
                    raise NetworkFileError(csv_path, line, f"column '{name}': loss cross_entropy needs "
                                                           f"targets from 0 to 1 (probabilities), got {target:g}")
        samples.append(Sample(tuple(_csv_number(row, k, header, csv_path, line) for k in wanted_in), targets))
    if not samples:
        raise NetworkFileError(csv_path, None, "no samples: the file has a header but no rows")
    return tuple(samples)


def _csv_number(row: list[str], k: int, header: list[str], csv_path: str, line: int) -> float:
    cell = row[k].strip()
    try:
        value = float(cell)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value):
        shown = cell if len(cell) <= 40 else cell[:37] + "..."
        why = "expected a finite number" if value is not None else "expected a number"
        raise NetworkFileError(csv_path, line, f"column '{header[k]}': {why}, got '{shown}'")
    return value
