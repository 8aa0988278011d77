"""The layout of a formula, shared by every format: a subclass supplies only its symbols and number format.

Where brackets go, which signs and products may break a long line, and how prose and table
cells mix words with formulas are decided here once; `text.Writer` and `latex.LatexWriter`
differ only in the tables and small hooks below (− or -, → or \\to, dE/dw5 or \\frac…).
"""

from __future__ import annotations

import re

from .document import Prose
from .numbers import format_number
from ..expr import Call, Deriv, Expr, Matrix, Neg, Num, Param, Paren, Path, Pow, Prod, Ratio, Sum, Sym, Word


SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹ᵀ"


# Greek letters a label may spell out (theta3 is θ₃).
GREEK_NAMES = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ", "eta": "η",
    "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π",
    "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
    "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω"}


def label_parts(label: str) -> tuple[str, str]:
    """A parameter's label as the letters it is typeset with and its subscript: w5 → (w, 5),
    theta3 → (θ, 3), w_{11} and w_11 → (w, 11), theta_x → (θ, x), TF → (TF, ""), wc0 → (wc, 0)."""
    head, underscore, sub = label.partition("_")
    if underscore and head and sub:
        if sub.startswith("{") and sub.endswith("}"):
            sub = sub[1:-1]
    else:
        match = re.fullmatch(r"([A-Za-z]+)(\d+)", label)
        head, sub = (match[1], match[2]) if match else (label, "")
    return GREEK_NAMES.get(head, head), sub


def typeset_in_table(label: str) -> bool:
    """Whether a format with math typesets a label even in a table, where a plain one (w5, TF)
    stays the text an answer file names it by: one written with markup (w_{11}) or naming a
    Greek letter (theta3) is typeset."""
    return not re.fullmatch(r"[A-Za-z0-9]+", label) or label_parts(label)[0] in GREEK_NAMES.values()


class ExprWriter:
    """Writes an expression tree in one format's symbols, numbers to `digits` significant figures."""

    MINUS = "−"  # a negation, and the − of a sum
    PLUS = "+"
    SLASH = "/"  # a fraction written inline, (a + b)/n
    COMMA = ", "  # between a function's arguments
    ARROW = " → "  # between the steps of a path
    PRODUCT = {"·": "·", "×": "×", "": "", "⊙": " ⊙ "}  # a product's operator, by Prod.op
    SPACED_TIMES = " × "  # × at the top level or between derivatives, where it may break a line
    OPENS: tuple[str, ...] = ("(",)  # how a bracketed expression starts
    BAR_FRACTIONS = False  # a fraction is set with a bar, which groups it: −a/b needs no brackets
    # A parameter in each role, from {value} (its one name: w5, w(i1->h1), b(h1), theta(h1)) and
    # {k} (the sample mark of a per-sample gradient).
    ROLES = {"value": "{value}", "new": "{value}+", "grad": "dE/d{value}{k}", "grad_sample": "dE_d/d{value}",
             "step": "Δ{value}", "previous": "Δ{value}(n−1)"}

    def __init__(self, digits: int = 9):
        self.digits = digits
        self.mark = ""  # put before each place a long line may break, while `chunks` is writing

    def __call__(self, expr: Expr) -> str:
        return self.write(expr, first=True)

    # ------------------------------------------------------------ per format

    def number(self, x: float) -> str:
        raise NotImplementedError

    def sym(self, s: Sym) -> str:
        raise NotImplementedError

    def sample(self, k: int | None) -> str:
        """The mark of sample k's quantities in a network with several samples; nothing for None."""
        raise NotImplementedError

    def param_value(self, p: Param) -> str:
        raise NotImplementedError

    def word(self, w: Word) -> str:
        raise NotImplementedError

    def deriv(self, d: Deriv) -> str:
        raise NotImplementedError

    def fraction(self, r: Ratio, first: bool) -> str:
        """num/den that is not a bracketed sum over something (that one is always written inline)."""
        raise NotImplementedError

    def exponent(self, expr: Expr) -> str:
        raise NotImplementedError

    def power(self, base: str, exp: Expr) -> str:
        """A written base raised to `exp`."""
        return base + self.exponent(exp)

    def function(self, fn: str) -> str:
        return fn

    def matrix(self, m: Matrix) -> str:
        """A matrix on one line, as MATLAB writes it: [0.15 0.2; 0.25 0.3]."""
        return "[" + "; ".join(" ".join(self.write(e, True) for e in row) for row in m.rows) + "]"

    def escape(self, words: str) -> str:
        """Words of prose or of a table cell as the format shows them literally."""
        return words

    def math(self, formula: str) -> str:
        """A written formula set inside prose or a table cell."""
        return formula

    def bracket(self, body: str) -> str:
        """A written expression in round brackets."""
        return f"({body})"

    # ------------------------------------------------------------ layout

    def param(self, p: Param) -> str:
        if p.role not in self.ROLES:
            raise ValueError(p.role)
        return self.ROLES[p.role].format(value=self.param_value(p), k=self.sample(p.sample))

    def write(self, expr: Expr, first: bool = False, top: bool = False) -> str:
        w = self.write
        if isinstance(expr, Num):
            text = self.number(expr.value)
            negative = format_number(expr.value, self.digits)[0].startswith("-")
            return text if first or not negative else self.bracket(text)
        if isinstance(expr, Sym):
            return self.sym(expr)
        if isinstance(expr, Param):
            return self.param(expr)
        if isinstance(expr, Word):
            return self.word(expr)
        if isinstance(expr, Deriv):
            return self.quiet(lambda: self.deriv(expr))
        if isinstance(expr, Sum):
            return "".join(self.term(sign, t, k == 0, expr.tight) for k, (sign, t) in enumerate(expr.terms))
        if isinstance(expr, Prod):
            spaced = expr.op == "×" and (top or any(isinstance(f, Deriv) for f in expr.factors))
            op = self.SPACED_TIMES if spaced else self.PRODUCT[expr.op]
            if top and expr.op == "×":
                op = self.mark + op
            return op.join(self.factor(f, first and k == 0) for k, f in enumerate(expr.factors))
        if isinstance(expr, Neg):
            if isinstance(expr.inner, Prod) and expr.inner.op == "·":  # −t·ln(out): no brackets needed
                return self.MINUS + self.write(expr.inner)
            return self.MINUS + self.atom(expr.inner)
        if isinstance(expr, Paren):
            return self.bracket(w(expr.inner, True))
        if isinstance(expr, Ratio):
            if isinstance(expr.num, Paren):  # (a + b + …)/n stays inline so a long sum may break
                return f"{self.atom(expr.num, first)}{self.SLASH}{self.atom(expr.den)}"
            return self.quiet(lambda: self.fraction(expr, first))
        if isinstance(expr, Pow):
            return self.quiet(lambda: self.power(self.atom(expr.base, first, power=True), expr.exp))
        if isinstance(expr, Call):
            fn = self.function(expr.fn)
            return self.quiet(lambda: fn + self.bracket(self.COMMA.join(w(a, True) for a in expr.args)))
        if isinstance(expr, Path):
            return self.ARROW.join(w(s, True) for s in expr.steps)
        if isinstance(expr, Matrix):
            return self.matrix(expr)
        raise TypeError(expr)

    def quiet(self, write) -> str:
        """Write without break marks: a power, a call or a fraction is never split over lines."""
        mark, self.mark = self.mark, ""
        try:
            return write()
        finally:
            self.mark = mark

    def term(self, sign: str, expr: Expr, first: bool, tight: bool) -> str:
        body = self.write(expr, first=first and sign == "+")
        if isinstance(expr, Sum):
            body = self.bracket(body)
        op = self.MINUS if sign == "−" else self.PLUS
        if first:
            return body if sign == "+" else op + body
        return f"{op}{body}" if tight else f"{self.mark} {op} {body}"

    def factor(self, expr: Expr, first: bool) -> str:
        if isinstance(expr, Sum) or (isinstance(expr, Neg) and not first):
            return self.bracket(self.write(expr, True))
        return self.write(expr, first)

    def atom(self, expr: Expr, first: bool = False, power: bool = False) -> str:
        """The expression, bracketed unless it is a single symbol, number or bracket already."""
        body = self.write(expr, first=first and not power)
        # a¹ squared is (a¹)², not a¹²
        raised = power and isinstance(expr, Word) and any(c in SUPERSCRIPTS for c in expr.text)
        simple = (not raised and isinstance(expr, (Sym, Param, Word, Paren, Call, Deriv, Pow, Matrix))) or (
            isinstance(expr, Num) and (expr.value >= 0 or not power)) or (
            self.BAR_FRACTIONS and isinstance(expr, Ratio) and not isinstance(expr.num, Paren) and not power)
        return body if simple or body.startswith(self.OPENS) else self.bracket(body)

    def chunks(self, expr: Expr) -> list[str]:
        """The expression cut where a long line may break: before each + or − of a sum (at any
        depth, but never inside 1+e^−x), before each × of a top-level product. Every format cuts
        at the same places, so LaTeX rows can be measured by the plain text's chunks."""
        self.mark = "\0"
        try:
            return self.write(expr, first=True, top=True).split("\0")
        finally:
            self.mark = ""

    def prose(self, parts: Prose) -> str:
        return "".join(self.escape(p) if isinstance(p, str) else self.math(self(p)) for p in parts)

    def cell(self, cell) -> str:
        if cell is None:
            return ""
        if isinstance(cell, str):
            return self.escape(cell)
        if isinstance(cell, (int, float)):
            return self.math(self.number(float(cell)))
        if type(cell) is tuple:  # prose; an expression node is a tuple too, but of its own type
            return self.prose(cell)
        return self.math(self(cell))
