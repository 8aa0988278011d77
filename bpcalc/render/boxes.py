"""Formulas with matrices laid out in two dimensions, for the terminal (and to measure them for LaTeX).

A matrix of more than one row is written over several lines in ⎡ ⎤ … ⎣ ⎦ brackets, and the
rest of its formula runs along the line through the matrix's middle:

    n¹ = W¹x + b¹ = ⎡-0.27⎤[1] + ⎡-0.48⎤ = ⎡-0.75⎤
                    ⎣-0.41⎦      ⎣-0.13⎦   ⎣-0.54⎦

A formula without a matrix is one line, exactly as text.Writer writes it.
"""

from __future__ import annotations

from .document import MatrixEquation
from ..expr import Call, Expr, Matrix, Neg, Paren, Prod, Ratio, Sum
from .text import Writer

COLUMN_GAP = "  "  # between the columns of a matrix
BRACKETS = ("⎡⎢⎣", "⎤⎥⎦")  # top, middle, bottom of a tall [ and ]
PARENS = ("⎛⎜⎝", "⎞⎟⎠")


class Box:
    """Lines of one width, and the row through which the formula's own line runs."""

    def __init__(self, lines: list[str], base: int = 0):
        width = max((len(line) for line in lines), default=0)
        self.lines = [line.ljust(width) for line in lines]
        self.base = base

    @property
    def width(self) -> int:
        return len(self.lines[0]) if self.lines else 0


def beside(*boxes: Box) -> Box:
    """The boxes side by side, their formula lines level."""
    above = max(b.base for b in boxes)
    below = max(len(b.lines) - b.base - 1 for b in boxes)
    rows = [""] * (above + below + 1)
    for b in boxes:
        top = above - b.base
        for r in range(len(rows)):
            k = r - top
            rows[r] += b.lines[k] if 0 <= k < len(b.lines) else " " * b.width
    return Box(rows, above)


def text(s: str) -> Box:
    return Box([s])


def delimited(inner: Box, pair: tuple[str, str], flat: tuple[str, str]) -> Box:
    """inner between tall delimiters, or the flat ones when it is one line."""
    n = len(inner.lines)
    if n == 1:
        return Box([flat[0] + inner.lines[0] + flat[1]])
    (lt, lm, lb), (rt, rm, rb) = tuple(pair[0]), tuple(pair[1])
    lines = [(lt if r == 0 else lb if r == n - 1 else lm) + line + (rt if r == 0 else rb if r == n - 1 else rm)
             for r, line in enumerate(inner.lines)]
    return Box(lines, inner.base)


def has_matrix(expr: object) -> bool:
    """Whether a matrix is anywhere in the expression."""
    if isinstance(expr, Matrix):
        return True
    if isinstance(expr, tuple):
        return any(has_matrix(part) for part in expr)
    return False


def matrix_box(m: Matrix, w: Writer) -> Box:
    cells = [[w.write(e, True) for e in row] for row in m.rows]
    widths = [max(len(row[c]) for row in cells) for c in range(len(cells[0]))]
    body = Box([COLUMN_GAP.join(cell.rjust(width) for cell, width in zip(row, widths)) for row in cells],
               (len(cells) - 1) // 2)
    return delimited(body, BRACKETS, ("[", "]"))


def terms(expr: Sum, w: Writer) -> list[Box]:
    """Each term of a sum with the sign before it (" + ", " − "; a leading − only if written)."""
    pieces = []
    for k, (sign, term) in enumerate(expr.terms):
        body = layout(term, w, first=k == 0 and sign == "+")
        if isinstance(term, Sum):
            body = delimited(body, PARENS, ("(", ")"))
        op = w.MINUS if sign == "−" else "+"
        pieces.append(beside(text(("" if sign == "+" else op) if k == 0 else f" {op} "), body))
    return pieces


def long_sum(side: Expr) -> tuple[Sum, str] | None:
    """The sum a side may be broken in, and whether it is a mean's ("(a + b + …)/n": "mean"):
    the side itself, or the bracketed numerator of a ratio."""
    if isinstance(side, Sum) and len(side.terms) > 1:
        return side, "sum"
    if isinstance(side, Ratio) and isinstance(side.num, Paren) and isinstance(side.num.inner, Sum) \
            and len(side.num.inner.terms) > 1:
        return side.num.inner, "mean"
    return None


def side_rows(side: Expr, w: Writer, room: int) -> list[Box]:
    """A side of an equation; a sum (or a mean's sum) too wide for `room` broken before its + and −."""
    whole = layout(side, w)
    broken = long_sum(side)
    if whole.width <= room or broken is None:
        return [whole]
    total, kind = broken
    pieces = terms(total, w)
    if kind == "mean":
        assert isinstance(side, Ratio)
        pieces[0] = beside(text("("), pieces[0])
        pieces[-1] = beside(pieces[-1], text(")/"), layout(side.den, w))
    rows: list[Box] = []
    current: Box | None = None
    for piece in pieces:
        if current is not None and current.width + piece.width > room:
            rows.append(current)
            current = None
        current = piece if current is None else beside(current, piece)
    assert current is not None
    return rows + [current]


def layout(expr: Expr, w: Writer, first: bool = True) -> Box:
    """The expression in two dimensions; one line, as `w` writes it, when it holds no matrix."""
    if not has_matrix(expr):
        return text(w.write(expr, first))
    if isinstance(expr, Matrix):
        return matrix_box(expr, w)
    if isinstance(expr, Sum):
        return beside(*terms(expr, w))
    if isinstance(expr, Prod):
        op = w.PRODUCT[expr.op]
        pieces = []
        for k, f in enumerate(expr.factors):
            body = layout(f, w, first=first and k == 0)
            if isinstance(f, Sum) or (isinstance(f, Neg) and k > 0):
                body = delimited(body, PARENS, ("(", ")"))
            pieces += ([text(op)] if k and op else []) + [body]
        return beside(*pieces)
    if isinstance(expr, Neg):
        inner = layout(expr.inner, w)
        if isinstance(expr.inner, Sum):
            inner = delimited(inner, PARENS, ("(", ")"))
        return beside(text(w.MINUS), inner)
    if isinstance(expr, Paren):
        return delimited(layout(expr.inner, w), PARENS, ("(", ")"))
    if isinstance(expr, Ratio):
        return beside(layout(expr.num, w), text("/"), layout(expr.den, w))
    if isinstance(expr, Call):
        args = [layout(a, w) for a in expr.args]
        inner = beside(*[piece for k, a in enumerate(args) for piece in ([text(", ")] if k else []) + [a]])
        return beside(text(w.function(expr.fn)), delimited(inner, PARENS, ("(", ")")))
    raise TypeError(f"a matrix inside {type(expr).__name__} has no two-dimensional layout")


def equation_rows(eq: MatrixEquation, w: Writer, width: int, indent: int = 0, symbol_width: int = 0) -> list[Box]:
    """The equation in rows no wider than `width` where it can be: each side after its =, a side
    that does not fit starting a row of its own under the first =."""
    symbol = " " * indent + w(eq.symbol).ljust(symbol_width)
    under = text(" " * len(symbol))
    rows: list[Box] = []
    current = text(symbol)
    broken = False
    for k, side in enumerate(eq.sides):
        pieces = side_rows(side, w, width - under.width - 3)
        piece = beside(text(" = "), pieces[0])
        if k and (current.width + piece.width > width or broken):
            rows.append(current)
            current = beside(under, piece)
        else:
            current = beside(current, piece)
        for more in pieces[1:]:  # a long sum continued under its first term
            rows.append(current)
            current = beside(under, text("   "), more)
        broken = len(pieces) > 1  # the side after a broken one starts a row of its own
    if eq.note:
        note = text(f"   ({w.prose(eq.note)})")
        if current.width + note.width > width:
            rows.append(current)
            current = beside(under, text(f"  ({w.prose(eq.note)})"))
        else:
            current = beside(current, note)
    rows.append(current)
    return rows


def equation_lines(eq: MatrixEquation, w: Writer, width: int, indent: int = 0, symbol_width: int = 0) -> list[str]:
    return [line.rstrip() for row in equation_rows(eq, w, width, indent, symbol_width) for line in row.lines]


def one_line(eq: MatrixEquation, w: Writer) -> str:
    """The equation on one line, each matrix as [a b; c d]: its plain form, for any format without
    room for two dimensions."""
    parts = [w(eq.symbol)] + [w.line(side) for side in eq.sides]
    return " = ".join(parts) + (f"   ({w.prose(eq.note)})" if eq.note else "")
