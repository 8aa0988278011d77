"""How bpcalc writes a count in prose: 1 epoch, 2 epochs, 10,000 updates — never "1 epochs"."""

from __future__ import annotations


def number(n: int) -> str:
    """1088, 10,000, 1,000,000: thousands separated from five digits on."""
    return f"{n:,}" if abs(n) >= 10_000 else str(n)


def counted(n: int, noun: str) -> str:
    """`n` and the noun, singular for exactly one: 1 epoch, 0 epochs, 10,000 epochs."""
    return f"{number(n)} {noun if n == 1 else noun + 's'}"
