"""Formulas as plain text (the terminal's and Markdown's symbols), and equations broken into lines that fit a width.

The symbols are the names a user types in answer files and `explain`, as quantities.py spells
them: net_h1, out_o1, delta_o1, dE/dw5, w5+, dE/db(h2), E_total. Operators are the sheet's: ·
between symbols, × between numbers, σ, η, ½, ². A negative number gets brackets unless it
starts the formula.
"""

from __future__ import annotations

from typing import Sequence

from .. import quantities as q
from .document import Equation
from ..expr import Deriv, Expr, Neg, Num, Param, Ratio, Sym, Word
from .numbers import plain
from .writer import ExprWriter

SYMBOLS = {"eta": "η", "alpha": "α", "lambda": "λ", "e": "e", "E": "E", "E_total": q.E_TOTAL,
           "E_after": q.E_AFTER}
# The quantities of one neuron, named as answer files name them.
NAMED = {"net": q.net, "out": q.out, "delta": q.delta}


def suffix(sample: int | None) -> str:
    """[k] for sample k of a network with several samples (the answer-file convention)."""
    return f"[{sample}]" if sample else ""


def _slope(d: Deriv) -> Sym | None:
    """The out of dout_X/dnet_X, when this is one neuron's f′; else None."""
    out, net = d.of, d.by
    if (isinstance(out, Sym) and isinstance(net, Sym) and out.kind == "out" and net.kind == "net"
            and out.of == net.of and out.sample == net.sample):
        return out
    return None


class Writer(ExprWriter):
    """Writes an expression tree as text, numbers to `digits` significant figures."""

    def number(self, x: float) -> str:
        return plain(x, self.digits)

    def sym(self, s: Sym) -> str:
        k = self.sample(s.sample)
        if s.kind == "x":
            return f"{s.of}{k}"
        if s.kind == "E_sample":
            return f"E{k}"
        if s.kind in NAMED:
            return NAMED[s.kind](s.of, k)
        if s.kind == "E" and s.of:
            return q.error_term(s.of, k)
        if s.kind == "t":
            return f"t_{s.of}{k}"
        return SYMBOLS[s.kind] + k

    def sample(self, k: int | None) -> str:
        return suffix(k)

    def param_value(self, p: Param) -> str:
        return p.called

    def param(self, p: Param) -> str:
        """A parameter in a role that answer files name is spelled by quantities.py: w5+, dE/dw5[2], Δw5."""
        if p.role == "new":
            return q.new(p.called)
        if p.role == "grad":
            return q.gradient(p.called, suffix(p.sample))
        if p.role == "step":
            return q.step(p.called)
        return super().param(p)

    def word(self, w: Word) -> str:
        return w.text

    def deriv(self, d: Deriv) -> str:
        out = _slope(d)
        if out is not None:  # the answer-file name of f′: dout/dnet_h1
            return q.dout_dnet(out.of, suffix(out.sample))
        return f"d{self.write(d.of, True)}/d{self.write(d.by, True)}"

    def fraction(self, r: Ratio, first: bool) -> str:
        return f"{self.atom(r.num, first)}/{self.atom(r.den)}"

    def exponent(self, expr: Expr) -> str:
        if isinstance(expr, Num) and expr.value == 2:
            return "²"
        text = self.write(expr, first=True)
        simple = isinstance(expr, (Sym, Num)) or (isinstance(expr, Neg) and isinstance(expr.inner, (Sym, Num)))
        return f"^{text}" if simple else f"^({text})"

    def line(self, expr: Expr) -> str:
        """The expression on one line, a top-level product spaced out (dE/dout × dout/dnet)."""
        return "".join(self.chunks(expr))

    # ------------------------------------------------------------ equations

    def sides(self, eq: Equation) -> list[list[str]]:
        """The parts after the symbol, each cut into chunks: formula, numbers, value."""
        sides = [self.chunks(e) for e in (eq.formula, eq.numbers) if e is not None]
        if eq.value is not None:
            sides.append([self.number(eq.value)])
        return sides

    def note(self, eq: Equation) -> str:
        return f"   ({self.prose(eq.note)})" if eq.note else ""

    def lines(self, eq: Equation, width: int, indent: int = 0, symbol_width: int = 0) -> list[str]:
        """The equation broken to fit `width`: first before an =, then within a long side
        at its + or ×, continuation lines aligned under the first =."""
        symbol = self(eq.symbol).ljust(symbol_width)
        head = " " * indent + symbol
        if len(head) + 3 > width // 2:  # a very long symbol: continue under it, not after it
            under = " " * (indent + 4)
        else:
            under = " " * len(head)
        lines: list[str] = []
        current = head
        broken = False  # the side before was spread over lines: start the next on its own
        for k, side in enumerate(self.sides(eq)):
            whole = " = " + "".join(side)
            if len(current) + len(whole) <= width and not broken:
                current += whole
                continue
            if k > 0:
                lines.append(current)
                current = under
                if len(current) + len(whole) <= width:
                    current += whole
                    continue
            current += " = " + side[0]
            for chunk in side[1:]:
                if len(current) + len(chunk) > width and current.strip():
                    lines.append(current.rstrip())  # a chunk may end in the space after its + or ×
                    current = under + "   " + chunk.lstrip()
                    broken = True
                else:
                    current += chunk
        note = self.note(eq)
        if note:
            if len(current) + len(note) > width:
                lines.append(current)
                current = under + "  " + note.strip()
            else:
                current += note
        lines.append(current.rstrip())
        return lines


def symbol_width(equations: Sequence[Equation], writer: Writer, cap: int = 24) -> int:
    """The width that aligns the = signs of a group, unless one symbol is too long to pad to."""
    widest = max((len(writer(eq.symbol)) for eq in equations), default=0)
    return widest if widest <= cap else 0
