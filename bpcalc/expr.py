"""A small expression tree for the formulas of a worked solution; each output format writes it in its own symbols.

The tree records what a formula *means* (the net input of h1, the new value of w5, a
derivative, a product of numbers), never how it is spelt: render/text.py writes `net_h1` and
`dE/dw5`, render/latex.py writes `\\mathrm{net}_{h1}` and `\\frac{\\partial E}{\\partial w_{5}}`.
functions.py writes each activation's and loss's formula with it, beside its value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Union

from .records import Record

if TYPE_CHECKING:  # model imports functions, which writes its formulas with this module
    from .model import ParameterKind


class Sym(Record):
    """A named quantity of one neuron or of the whole net.

    kind: net, out, t (target), x (an input's value), E (an output's error term; without
    `of`, the error E itself), E_total, E_after, E_sample (one sample's error E[k]), delta,
    eta, alpha, lambda, e (Euler's number). `sample` is the 1-based sample number when the
    network has several, else None.
    """

    kind: str
    of: str = ""
    sample: int | None = None


Role = Literal["value", "new", "grad", "grad_sample", "step", "previous"]  # see Param


class Param(Record):
    """A weight, bias or threshold in one of its roles.

    role: value (w5), new (w5+), grad (dE/dw5, or one sample's dE/dw5[k]), grad_sample (the
    data term dE_d/dw5 of a single-sample net with l2), step (Δw5), previous (Δw5(n−1)).
    `name` is the parameter's key (its edge, or its neuron); `called` is its one name everywhere
    (Network.label_of: w5, w(i1->h1), b(h1), theta(h1)); `label` is the file's label when it has
    one, which LaTeX typesets as written (w5 as w_{5}) where it builds a generated name from the key.
    """

    name: str
    called: str
    label: str | None
    kind: ParameterKind
    role: Role = "value"
    sample: int | None = None

    @property
    def is_weight(self) -> bool:
        return self.kind == "weight"

    def as_(self, role: Role, sample: int | None = None) -> Param:
        return self._replace(role=role, sample=sample)


class Num(Record):
    """A number substituted into a formula (formatted by each format's precision)."""

    value: float


class Word(Record):
    """A fixed piece of notation with its text and LaTeX spellings, e.g. ½ and \\tfrac{1}{2}."""

    text: str
    latex: str


class Deriv(Record):
    """The partial derivative ∂of/∂by."""

    of: Expr
    by: Expr


class Sum(Record):
    """Terms joined by + and −: terms[k] = (sign, expr); a leading "−" negates the first term."""

    terms: tuple[tuple[str, Expr], ...]
    tight: bool = False  # no spaces around the signs, as in 1/(1+e^−x)


class Prod(Record):
    """Factors joined by op: "·" between symbols, "×" between numbers, "" side by side (out(1−out)),
    "⊙" elementwise (the Hadamard product of two vectors)."""

    factors: tuple[Expr, ...]
    op: str = "·"


class Neg(Record):
    """−x."""

    inner: Expr


class Paren(Record):
    """(x)."""

    inner: Expr


class Ratio(Record):
    """num/den."""

    num: Expr
    den: Expr


class Pow(Record):
    """base^exp."""

    base: Expr
    exp: Expr


class Call(Record):
    """fn(args): σ, tanh, ln, max, or a derivative like relu′."""

    fn: str
    args: tuple[Expr, ...]


class Path(Record):
    """A chain of names joined by arrows (w1 → h1 → o1 → E), for naming one path of the chain rule."""

    steps: tuple[Expr, ...]


class Matrix(Record):
    """A matrix or vector written out entry by entry (matrix notation): rows of entries, each
    usually a number from the engine's records; a column vector has one entry a row."""

    rows: tuple[tuple[Expr, ...], ...]


Expr = Union[Sym, Param, Num, Word, Deriv, Sum, Prod, Neg, Paren, Ratio, Pow, Call, Path, Matrix]

HALF = Word("½", r"\tfrac{1}{2}")
ONE = Num(1.0)
E = Sym("E")
ETA = Sym("eta")
ALPHA = Sym("alpha")
LAMBDA = Sym("lambda")
EULER = Sym("e")
L2_SUM = Word("Σw²", r"\sum w^{2}")  # the L2 penalty's sum, λ·Σw²


def plus(*terms: Expr) -> Sum:
    """a + b + …"""
    return Sum(tuple(("+", t) for t in terms))


def minus(a: Expr, b: Expr, tight: bool = False) -> Sum:
    """a − b"""
    return Sum((("+", a), ("−", b)), tight)


def times(*factors: Expr) -> Prod:
    """a × b × … (numbers, or a chain of derivatives)"""
    return Prod(tuple(factors), "×")


def dot(*factors: Expr) -> Prod:
    """a·b·… (symbols)"""
    return Prod(tuple(factors), "·")


def beside(*factors: Expr) -> Prod:
    """ab…, written side by side: out(1−out)"""
    return Prod(tuple(factors), "")


def one_minus(x: Expr) -> Paren:
    """(1−x)"""
    return Paren(minus(ONE, x, tight=True))
