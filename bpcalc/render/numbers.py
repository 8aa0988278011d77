"""How a worked solution writes a number: significant digits the way Mazur's tutorial prints them."""

from __future__ import annotations

import math

# Plain decimals from 10⁻⁸ up to 10¹⁵; outside that a decimal would be mostly zeros.
SMALLEST_PLAIN_EXPONENT = -8
LARGEST_PLAIN_EXPONENT = 14


def decimal_places(exponent: int, digits: int) -> int:
    """Decimals to show for a number whose leading digit is at 10^exponent.

    `digits` significant figures, but no more than `digits` decimal places, as Mazur prints
    (0.593269992, 0.082167041, 0.000438568); a small number still keeps at least ⌈2·digits/3⌉
    significant figures (0.0000351019) so that it never reads as 0.
    """
    significant = digits - 1 - exponent
    floor = (2 * digits + 2) // 3 - 1 - exponent
    return max(0, max(min(significant, digits), floor))


def format_number(x: float, digits: int = 9) -> tuple[str, int | None]:
    """(mantissa text, power of ten or None): the number as plain decimals, or as m×10^p when extreme."""
    if x == 0:
        return "0", None
    if math.isnan(x):
        return "nan", None
    if math.isinf(x):
        return ("∞" if x > 0 else "-∞"), None  # cross-entropy's ln 0 is a true infinity
    exponent = int(f"{x:.{digits - 1}e}".split("e")[1])
    if not SMALLEST_PLAIN_EXPONENT <= exponent <= LARGEST_PLAIN_EXPONENT:
        mantissa, power = f"{x:.{digits - 1}e}".split("e")
        return _trim(mantissa), int(power)
    places = decimal_places(exponent, digits)
    text = f"{x:.{places}f}"
    # Rounding may carry into a new leading digit (0.0999999999 → 0.1); re-round at its exponent.
    carried = int(f"{float(text):.{digits - 1}e}".split("e")[1]) if float(text) else exponent
    if carried != exponent:
        text = f"{x:.{decimal_places(carried, digits)}f}"
    if carried >= digits:  # 123456.789 to 4 digits: 123500, not digits beyond the precision
        text = f"{round(x, digits - 1 - carried):.0f}"
    text = _trim(text)
    return ("0" if text in ("-0", "0") else text), None


def plain(x: float, digits: int = 9) -> str:
    """The number as one piece of plain text: 0.593269992, -0.038098237, 1.5e-12."""
    mantissa, power = format_number(x, digits)
    return mantissa if power is None else f"{mantissa}e{power}"


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text
