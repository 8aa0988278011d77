"""Formulas as plain text (the terminal's and Markdown's symbols), and equations broken into lines that fit a width.

The symbols are the names a user types in answer files and `explain`: net_h1, out_o1,
delta_o1, dE/dw5, w5+, E_total. Operators are the sheet's: · between symbols, × between
numbers, σ, η, ½, ². A negative number gets brackets unless it starts the formula.
"""

from __future__ import annotations

from typing import Sequence

from .document import Equation, Prose
from .expr import Call, Deriv, Expr, Neg, Num, Param, Paren, Path, Pow, Prod, Ratio, Sum, Sym, Word
from .numbers import plain

SYMBOLS = {"eta": "η", "alpha": "α", "lambda": "λ", "e": "e", "E": "E", "E_total": "E_total",
           "E_after": "E_after"}


def suffix(sample: int | None) -> str:
    """[k] for sample k of a network with several samples (the answer-file convention)."""
    return f"[{sample}]" if sample else ""


def sym(s: Sym) -> str:
    k = suffix(s.sample)
    if s.kind == "x":
        return f"{s.of}{k}"
    if s.kind == "E_sample":
        return f"E{k}"
    if s.kind in ("net", "out", "t", "delta") or (s.kind == "E" and s.of):
        return f"{s.kind}_{s.of}{k}"
    return SYMBOLS[s.kind] + k


def param_name(p: Param) -> str:
    """The name a user types for the parameter: its label, else its edge or neuron."""
    return p.label or p.name


def param(p: Param) -> str:
    value = p.label or (f"b({p.name})" if p.is_bias else f"w({p.name})")
    if p.role == "value":
        return value
    if p.role == "new":
        return f"{param_name(p)}+"
    if p.role == "grad":
        return f"dE/d{param_name(p)}{suffix(p.sample)}"
    if p.role == "grad_sample":
        return f"dE_d/d{param_name(p)}"
    if p.role == "step":
        return f"Δ{param_name(p)}"
    if p.role == "previous":
        return f"Δ{param_name(p)}(n−1)"
    raise ValueError(p.role)


def _slope(d: Deriv) -> bool:
    """Is this dout_X/dnet_X, one neuron's f′?"""
    return (isinstance(d.of, Sym) and isinstance(d.by, Sym) and d.of.kind == "out" and d.by.kind == "net"
            and d.of.of == d.by.of and d.of.sample == d.by.sample)


class Writer:
    """Writes an expression tree as text, numbers to `digits` significant figures."""

    def __init__(self, digits: int = 9):
        self.digits = digits
        self.mark = ""  # put before each place a long line may break, while `chunks` is writing


    def __call__(self, expr: Expr) -> str:
        return self.write(expr, first=True)

    def number(self, x: float) -> str:
        return plain(x, self.digits)

    def write(self, expr: Expr, first: bool = False, top: bool = False) -> str:
        w = self.write
        if isinstance(expr, Num):
            text = self.number(expr.value)
            return text if first or not text.startswith("-") else f"({text})"
        if isinstance(expr, Sym):
            return sym(expr)
        if isinstance(expr, Param):
            return param(expr)
        if isinstance(expr, Word):
            return expr.text
        if isinstance(expr, Deriv):
            if _slope(expr):  # the answer-file name of f′: dout/dnet_h1
                return f"dout/dnet_{expr.of.of}{suffix(expr.of.sample)}"
            return self.quiet(lambda: f"d{w(expr.of, True)}/d{w(expr.by, True)}")
        if isinstance(expr, Sum):
            return "".join(self.term(sign, t, k == 0, expr.tight) for k, (sign, t) in enumerate(expr.terms))
        if isinstance(expr, Prod):
            spaced = expr.op == "×" and (top or any(isinstance(f, Deriv) for f in expr.factors))
            op = (self.mark if top else "") + " × " if spaced else expr.op
            return op.join(self.factor(f, first and k == 0) for k, f in enumerate(expr.factors))
        if isinstance(expr, Neg):
            if isinstance(expr.inner, Prod) and expr.inner.op == "·":  # −t·ln(out): no brackets needed
                return "−" + self.write(expr.inner)
            return "−" + self.atom(expr.inner)
        if isinstance(expr, Paren):
            return f"({w(expr.inner, True)})"
        if isinstance(expr, Ratio):
            if isinstance(expr.num, Paren):  # (a + b + …)/n: a long sum may break
                return f"{self.atom(expr.num, first)}/{self.atom(expr.den)}"
            return self.quiet(lambda: f"{self.atom(expr.num, first)}/{self.atom(expr.den)}")
        if isinstance(expr, Pow):
            return self.quiet(lambda: self.atom(expr.base, first, power=True) + self.exponent(expr.exp))
        if isinstance(expr, Call):
            return self.quiet(lambda: f"{expr.fn}({', '.join(w(a, True) for a in expr.args)})")
        if isinstance(expr, Path):
            return " → ".join(w(s, True) for s in expr.steps)
        raise TypeError(expr)

    def quiet(self, write) -> str:
        """Write without break marks: a power, a call or a fraction is never split over lines."""
        mark, self.mark = self.mark, ""
        try:
            return write()
        finally:
            self.mark = mark

    def term(self, sign: str, expr: Expr, first: bool, tight: bool) -> str:
        text = self.write(expr, first=first and sign == "+")
        if isinstance(expr, Sum):
            text = f"({text})"
        if first:
            return text if sign == "+" else "−" + text
        return f"{sign}{text}" if tight else f"{self.mark} {sign} {text}"

    def factor(self, expr: Expr, first: bool) -> str:
        if isinstance(expr, (Sum, Neg)) and not first:
            return f"({self.write(expr, True)})"
        if isinstance(expr, Sum):
            return f"({self.write(expr, True)})"
        return self.write(expr, first)

    def atom(self, expr: Expr, first: bool = False, power: bool = False) -> str:
        """The expression, bracketed unless it is a single symbol, number or bracket already."""
        text = self.write(expr, first=first and not power)
        simple = isinstance(expr, (Sym, Param, Word, Paren, Call, Deriv, Pow)) or (
            isinstance(expr, Num) and (expr.value >= 0 or not power))
        return text if simple or text.startswith("(") else f"({text})"

    def exponent(self, expr: Expr) -> str:
        if isinstance(expr, Num) and expr.value == 2:
            return "²"
        text = self.write(expr, first=True)
        simple = isinstance(expr, (Sym, Num)) or (isinstance(expr, Neg) and isinstance(expr.inner, (Sym, Num)))
        return f"^{text}" if simple else f"^({text})"

    def chunks(self, expr: Expr) -> list[str]:
        """The expression cut where a long line may break: before each + or − of a sum (at any
        depth, but never inside 1+e^−x), before each × of a top-level product."""
        self.mark = "\0"
        try:
            return self.write(expr, first=True, top=True).split("\0")
        finally:
            self.mark = ""

    def line(self, expr: Expr) -> str:
        """The expression on one line, a top-level product spaced out (dE/dout × dout/dnet)."""
        return "".join(self.chunks(expr))

    def prose(self, parts: Prose) -> str:
        return "".join(p if isinstance(p, str) else self(p) for p in parts)

    def cell(self, cell) -> str:
        if cell is None:
            return ""
        if isinstance(cell, str):
            return cell
        if isinstance(cell, float) or isinstance(cell, int):
            return self.number(float(cell))
        if isinstance(cell, tuple):
            return self.prose(cell)
        return self(cell)

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
