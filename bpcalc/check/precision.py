"""How precisely an answer was written, and whether a value agrees with it to that precision."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from ..records import Record

# Wide enough for any double at any number of places (as in arith.py).
_CONTEXT = Context(prec=1000)


class Written(Record):
    """A number as the student wrote it: its exact decimal value and the place of its last digit.

    "0.50" has its last digit at 10^-2 (two decimal places, the trailing zero counts); "0.5" at
    10^-1; "1" at 10^0; "5e-1" and "1e3" count the significant figures written (one each), so
    their last digits sit at 10^-1 and 10^3.
    """

    text: str
    value: Decimal
    exponent: int  # the last written digit is in the place 10**exponent

    @classmethod
    def parse(cls, text: str) -> Written:
        """The number in `text`; raises ValueError if it is not a finite number."""
        try:
            value = Decimal(text.strip())
        except InvalidOperation:
            raise ValueError(f"not a number: {text!r}") from None
        if not value.is_finite():
            raise ValueError(f"not a finite number: {text!r}")
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)  # a finite Decimal's exponent is a whole number
        return cls(text.strip(), value, exponent)

    @property
    def scientific(self) -> bool:
        return "e" in self.text.lower()

    def describe(self) -> str:
        """How precise the answer is, in words: "2 decimal places", "3 significant figures"."""
        if self.scientific:
            figures = len(self.value.as_tuple().digits)
            return f"{figures} significant figure{'s' if figures != 1 else ''}"
        places = max(0, -self.exponent)
        return f"{places} decimal place{'s' if places != 1 else ''}"

    def __float__(self) -> float:
        return float(self.value)


class Rule(Record):
    """How closely an answer must agree with a value.

    By default, to the places written, allowing `slack` units in the last place (a hand-rounded
    intermediate shifts the last digit). `decimals` or `sig_figs` fix the places for every answer
    instead; `tolerance` replaces all that by |given − value| ≤ tolerance (× |value| if `relative`).
    """

    decimals: int | None = None
    sig_figs: int | None = None
    tolerance: float | None = None
    relative: bool = False
    slack: int = 1

    def describe(self) -> str:
        if self.tolerance is not None:
            return (f"within {self.tolerance:g}" + (" relative" if self.relative else "") + " of the expected value")
        allowance = f", ±{self.slack} in the last place" if self.slack else ""
        if self.decimals is not None:
            return f"to {self.decimals} decimal places{allowance}"
        if self.sig_figs is not None:
            return f"to {self.sig_figs} significant figures{allowance}"
        return f"to the digits written{allowance}"


def exponent_for(written: Written, value: float, rule: Rule) -> int:
    """The place, 10**exponent, at which `written` and `value` are compared."""
    if rule.decimals is not None:
        return -rule.decimals
    if rule.sig_figs is not None:
        scale = abs(value) if value else abs(float(written.value))
        return (math.floor(math.log10(scale)) if scale else 0) - rule.sig_figs + 1
    return written.exponent


def rounded(value: float, exponent: int) -> Decimal:
    """`value` rounded half away from zero to the place 10**exponent, as on paper (0.125 → 0.13)."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP, context=_CONTEXT)


def units_off(written: Written, value: float, rule: Rule) -> int | None:
    """How many units in the compared place `written` is from `value` rounded there; None if not comparable."""
    if not math.isfinite(value):
        return None
    exponent = exponent_for(written, value, rule)
    unit = Decimal(1).scaleb(exponent)
    given = written.value.quantize(unit, rounding=ROUND_HALF_UP, context=_CONTEXT)
    return int(abs(given - rounded(value, exponent)).scaleb(-exponent, context=_CONTEXT))


def agrees(written: Written, value: float, rule: Rule, *, exactly: bool = False) -> bool:
    """Is `written` right for `value` under `rule`? `exactly`: with no last-place allowance."""
    if not math.isfinite(value):
        return False
    if rule.tolerance is not None:
        bound = rule.tolerance * abs(value) if rule.relative else rule.tolerance
        return abs(float(written.value) - value) <= bound * (1 + 1e-12)
    off = units_off(written, value, rule)
    return off is not None and off <= (0 if exactly else rule.slack)


def shown(value: float, written: Written, rule: Rule) -> str:
    """`value` printed the way the answer is compared: at the answer's places, or to 9 significant figures."""
    if not math.isfinite(value):
        return str(value)
    if rule.tolerance is not None:
        return f"{value:.9g}"
    exponent = exponent_for(written, value, rule)
    if written.scientific and rule.decimals is None and rule.sig_figs is None:
        return format(rounded(value, exponent), "e")  # as the answer was written: 3.51019e-5
    text = format(rounded(value, exponent), "f")
    return text[1:] if text.startswith("-") and set(text[1:]) <= set("0.") else text  # no "-0.00"


def rule_from_options(tolerance: str | None = None, decimals: int | None = None, sig_figs: int | None = None,
                      strict: bool = False) -> Rule:
    """The rule the command-line options ask for; at most one of tolerance, decimals and sig_figs.

    `tolerance` is absolute ("0.001") or relative to the expected value ("1%").
    """
    chosen = [name for name, value in (("--tolerance", tolerance), ("--decimals", decimals),
                                       ("--sig-figs", sig_figs)) if value is not None]
    if len(chosen) > 1:
        raise ValueError(f"choose one of {' and '.join(chosen)}")
    slack = 0 if strict else 1
    if tolerance is None:
        return Rule(decimals=decimals, sig_figs=sig_figs, slack=slack)
    text = tolerance.strip()
    relative = text.endswith("%")
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise ValueError(f"--tolerance: expected a number such as 0.001 or 1%, got '{tolerance}'") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"--tolerance: expected a number ≥ 0, got '{tolerance}'")
    return Rule(tolerance=value / 100 if relative else value, relative=relative, slack=slack)
