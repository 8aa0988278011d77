"""Hand-calculation rounding: the one place where a value is cut to the digits a student writes down."""

from __future__ import annotations

import math
from functools import cache

from .records import Record


@cache
def _decimal():
    """decimal, with a context wide enough for any double at any number of places (so quantize
    never overflows it); imported on first use, since only hand-rounding mode needs it."""
    from decimal import ROUND_HALF_UP, Context, Decimal

    return Decimal, ROUND_HALF_UP, Context(prec=1000)


class Rounding(Record):
    """Round to `digits` decimal places (`kind="decimals"`) or significant figures (`kind="significant"`)."""

    kind: str
    digits: int

    def __call__(self, x: float) -> float:
        if x == 0 or not math.isfinite(x):
            return x
        places = self.digits
        if self.kind == "significant":
            places = self.digits - 1 - math.floor(math.log10(abs(x)))
        # Round the shortest decimal that prints as x, half away from zero, as on paper: a
        # student rounds 0.125 to 0.13, where binary round-half-even would give 0.12.
        Decimal, half_up, context = _decimal()
        quantum = Decimal(1).scaleb(-places)
        return float(Decimal(repr(x)).quantize(quantum, rounding=half_up, context=context))

    def describe(self) -> str:
        unit = "decimal places" if self.kind == "decimals" else "significant figures"
        return f"{self.digits} {unit}"


def exact(x: float) -> float:
    """No rounding: the default."""
    return x
