"""A value that is 0 in the numbers written but a rounding residue in binary prints as 0, everywhere the solution uses it.

−0.7×1 + 0.5×1 + 0.2×1 is 0 as written and 5.55e-17 in doubles. A line whose numbers are a sum
of terms (each a number or a product of numbers) and whose value is at most n·ε·Σ|term| — the
classic bound on the rounding error of adding n products, ε = 2⁻⁵² — has a value that cannot be
told from 0, and a sheet writes 0. Once a value is shown as 0, every later use of it is too (the
σ of it, a product with it as a factor, a table cell) — except in the argument of a derivative
such as relu′, which a residue may decide (relu′(5.55e-17) = 1, relu′(0) = 0). Display only: the engine's records, and so
--json, keep the full-precision numbers.
"""

from __future__ import annotations

from typing import Any

from ..expr import Call, Expr, Neg, Num, Paren, Prod, Ratio, Sum
from ..records import Record
from .document import Block, Document, Equation, Figure, Group, Note, Plot, Section, Table

EPSILON = 2.0 ** -52  # the spacing of doubles at 1


def is_residue(value: float, terms: list[float]) -> bool:
    """Is `value`, computed as the sum of `terms` (their magnitudes), within their rounding error of 0?"""
    return value != 0 and abs(value) <= len(terms) * EPSILON * sum(terms)


def settle(document: Document) -> Document:
    """The document with every rounding residue, and every later use of one, written as 0."""
    return _Settler().document(document)


class _Settler:
    """Walks a document in reading order, remembering the values it has shown as 0."""

    def __init__(self) -> None:
        self.zeros: set[float] = set()

    # Each part is rebuilt only when something in it changed: most solutions have no residue.

    def document(self, document: Document) -> Document:
        sections = tuple(self.section(s) for s in document.sections)
        return document if _same(sections, document.sections) else document._replace(sections=sections)

    def section(self, section: Section) -> Section:
        blocks = tuple(self.block(b) for b in section.blocks)
        return section if _same(blocks, section.blocks) else section._replace(blocks=blocks)

    def block(self, block: Block) -> Block:
        if isinstance(block, Section):
            return self.section(block)
        if isinstance(block, Group):
            equations = tuple(self.equation(eq) for eq in block.equations)
            return block if _same(equations, block.equations) else Group(equations)
        if not self.zeros:
            return block
        if isinstance(block, Note):
            return Note(tuple(self.value(part) for part in block.text))
        if isinstance(block, Table):
            return Table(block.header, tuple(tuple(self.value(cell) for cell in row) for row in block.rows))
        assert isinstance(block, (Plot, Figure))
        return block

    def equation(self, eq: Equation) -> Equation:
        if eq.value is None:  # symbols only
            return eq
        numbers: Expr | None = None if eq.numbers is None else self.expr(eq.numbers)
        if eq.value != 0:
            zero = eq.value in self.zeros
            if not zero and eq.numbers is not None and numbers is not None:
                terms = _term_sizes(eq.numbers)
                zero = _has_zero_factor(numbers) or (terms is not None and is_residue(eq.value, terms))
            if zero:
                self.zeros.update((eq.value, -eq.value))
                return eq._replace(numbers=numbers, value=0.0)
        return eq if numbers is eq.numbers else eq._replace(numbers=numbers)

    def number(self, x: float) -> float:
        return 0.0 if x in self.zeros else x

    def value(self, cell: Any) -> Any:
        """A table cell or a piece of prose: a number, a formula, or words (left as they are)."""
        if isinstance(cell, float) and not isinstance(cell, bool):
            return self.number(cell)
        if isinstance(cell, Record):
            return self.expr(cell)
        return cell

    def expr(self, expr: Any) -> Any:
        """The expression with every number shown as 0 replaced by 0."""
        if not self.zeros:
            return expr
        if isinstance(expr, Num):
            return Num(0.0) if expr.value in self.zeros else expr
        if isinstance(expr, Call) and expr.fn.endswith("′"):
            # relu′(5.55e-17) is 1 where relu′(0) is 0: the residue stays where it decides a value
            return expr
        if isinstance(expr, Record):
            return type(expr)(*(self.expr(field) for field in expr))
        if isinstance(expr, tuple):
            return tuple(self.expr(item) for item in expr)
        return expr


def _same(new: tuple, old: tuple) -> bool:
    return all(a is b for a, b in zip(new, old))


def _term_sizes(expr: Expr) -> list[float] | None:
    """The magnitudes of the terms of a sum of numbers or products of numbers (also bracketed, or
    divided by a number, as a mean is); None for any other formula."""
    if isinstance(expr, Paren):
        return _term_sizes(expr.inner)
    if isinstance(expr, Ratio) and isinstance(expr.den, Num) and expr.den.value:
        sizes = _term_sizes(expr.num)
        return None if sizes is None else [s / abs(expr.den.value) for s in sizes]
    if not isinstance(expr, Sum) or len(expr.terms) < 2:
        return None
    sizes = []
    for _, term in expr.terms:
        size = _size(term)
        if size is None:
            return None
        sizes.append(size)
    return sizes


def _size(expr: Expr) -> float | None:
    """|expr| for a number or a product of numbers, else None."""
    if isinstance(expr, Num):
        return abs(expr.value)
    if isinstance(expr, (Neg, Paren)):
        return _size(expr.inner)
    if isinstance(expr, Prod):
        product = 1.0
        for factor in expr.factors:
            size = _size(factor)
            if size is None:
                return None
            product *= size
        return product
    return None


def _has_zero_factor(expr: Expr) -> bool:
    """A product of numbers with a factor shown as 0 (δ × 0.25 where δ is a residue) is 0 too."""
    if isinstance(expr, (Neg, Paren)):
        return _has_zero_factor(expr.inner)
    return isinstance(expr, Prod) and _size(expr) is not None and any(
        isinstance(f, Num) and f.value == 0 for f in expr.factors)
