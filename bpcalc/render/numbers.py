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
    """(mantissa text, power of ten or None): the number as plain decimals, or as m×10^p when extreme.

    A number that the digits shown give exactly (up to binary rounding, see EXACT_RELATIVE) prints
    without trailing zeros (0.25, 0.05, 0.3925, 1.5e-12); a rounded one keeps them, since they are
    significant: 0.52500003 to 4 digits is 0.5250.
    """
    if x == 0:
        return "0", None
    if math.isnan(x):
        return "nan", None
    if math.isinf(x):
        return ("∞" if x > 0 else "-∞"), None  # cross-entropy's ln 0 is a true infinity
    exponent = int(f"{x:.{digits - 1}e}".split("e")[1])
    if not SMALLEST_PLAIN_EXPONENT <= exponent <= LARGEST_PLAIN_EXPONENT:
        text = f"{x:.{digits - 1}e}"
        mantissa, power = text.split("e")
        return _exact(mantissa, text, x), int(power)
    places = decimal_places(exponent, digits)
    text = f"{x:.{places}f}"
    # Rounding may carry into a new leading digit (0.0999999999 → 0.1); re-round at its exponent.
    carried = int(f"{float(text):.{digits - 1}e}".split("e")[1]) if float(text) else exponent
    if carried != exponent:
        text = f"{x:.{decimal_places(carried, digits)}f}"
    if carried >= digits:  # 123456.789 to 4 digits: 123500, not digits beyond the precision
        text = f"{round(x, digits - 1 - carried):.0f}"
    text = _exact(text, text, x)
    return ("0" if text.lstrip("-").strip("0.") == "" else text), None


def plain(x: float, digits: int = 9) -> str:
    """The number as one piece of plain text: 0.593269992, -0.038098237, 1.5e-12."""
    mantissa, power = format_number(x, digits)
    return mantissa if power is None else f"{mantissa}e{power}"


# Binary arithmetic leaves a few units in the last place of a double on a number that is a short
# decimal as written: 0.25×0.05 + 0.3×0.1 + 0.35×1 is 0.39250000000000007. Within this much of
# the rounded digits, a number counts as given exactly by them (2⁻⁴⁹: 8 units in the last place).
EXACT_RELATIVE = 2.0 ** -49


def _exact(shown: str, whole: str, x: float) -> str:
    """`shown` (the digits of `whole`, the number as written) without its trailing zeros if
    `whole` gives x exactly, up to binary rounding: zeros after the last digit of an exact number
    say nothing, while those of a rounded one are significant."""
    if "." not in shown or abs(float(whole) - x) > EXACT_RELATIVE * abs(x):
        return shown
    return shown.rstrip("0").rstrip(".")
