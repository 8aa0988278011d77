"""A variant's answers: every name `bpcalc answers` lists, its true value written to the key's precision, as `check` reads it."""

from __future__ import annotations

import math
from decimal import Decimal

from ..check.answers import template_text
from ..check.dataflow import Dataflow
from ..check.names import Vocabulary
from ..check.precision import Written, rounded
from ..loader.answers import VARIANT
from ..model import Network
from ..netfile import scalar
from ..records import Record

# Written in plain decimals from 10^-5 up to 10^precision; beyond, in scientific notation, whose
# mantissa's digits are the precision to `check` (12350 would read as exact to the unit).
SMALLEST_PLAIN = -5


class KeyEntry(Record):
    """One answer of the key: its name, its true value (in the course's δ sign) and its text to the key's precision."""

    name: str
    value: float
    text: str

    @property
    def tolerance(self) -> Decimal:
        """How far an answer may be from `text` and still be right: check's ±1 in the last place written,
        plus the half unit that rounding to that place may have taken off."""
        return Decimal(15).scaleb(Written.parse(self.text).exponent - 1)


def to_precision(value: float, precision: int) -> str:
    """`value` to `precision` significant figures, rounded half away from zero as `check` rounds."""
    if value == 0 or not math.isfinite(value):
        return "0." + "0" * (precision - 1) if value == 0 else repr(value)
    leading = math.floor(math.log10(abs(value)))
    exponent = leading - precision + 1
    digits = rounded(value, exponent)
    if abs(digits) >= Decimal(1).scaleb(leading + 1):  # rounded up to a new digit (0.99996 → 1.000)
        leading, exponent = leading + 1, exponent + 1
        digits = rounded(value, exponent)
    if exponent > 0 or leading < SMALLEST_PLAIN:
        return format(digits, f".{precision - 1}e")
    return format(digits, "f")


def vocabulary_of(network: Network) -> tuple[Vocabulary, Dataflow]:
    flow = Dataflow(network)
    return Vocabulary(network, flow), flow


def key_entries(network: Network, precision: int) -> tuple[KeyEntry, ...]:
    """The answer to every name of the blank answer file, in its order (solution order)."""
    vocabulary, flow = vocabulary_of(network)
    truth = flow.run()
    return tuple(KeyEntry(name, truth[name], to_precision(truth[name], precision))
                 for name in vocabulary.template())


def _variant_line(variant: str) -> str:
    return f"{VARIANT}: {scalar(variant)}"


def key_text(variant: str, network_file: str, entries: tuple[KeyEntry, ...], precision: int) -> str:
    """The key as an answer file: `check NETWORK_FILE THIS_FILE` scores it 100 %."""
    lines = [f"# The key of {variant} ({network_file}): every answer to {precision} significant figures.",
             f"# Check a student's file with: bpcalc check {network_file} ANSWERS", _variant_line(variant), ""]
    lines += [f"{e.name}: {e.text}" for e in entries]
    return "\n".join(lines) + "\n"


def blank_text(network: Network, variant: str, network_file: str) -> str:
    """The student's blank answer file, as `bpcalc answers` writes it, with the variant's name first."""
    vocabulary, _ = vocabulary_of(network)
    lines = template_text(network, vocabulary, network_file).split("\n")
    first_blank = lines.index("")
    lines.insert(first_blank, _variant_line(variant))
    return "\n".join(lines)
