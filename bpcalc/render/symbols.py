"""The symbols of one network (sample suffixes, parameters by their one name) and how an equation is made for a view."""

from __future__ import annotations

from typing import Sequence

from ..model import Network
from ..records import Record
from ..trace import ForwardPass
from .document import Equation, ParameterCell, Prose
from ..expr import Expr, Num, Param, Sym
from .text import Writer

NAMES = Writer()  # the text spelling of a symbol is its name in answer files


class View(Record):
    """How a solution is written: the δ sign shown, symbols only or with numbers, full or compact."""

    # The sign δ is shown with (the course's, Options.delta_sign, unless --delta-sign says otherwise):
    # gradient: δ = ∂E/∂net (bpcalc, Mazur); error: δ = −∂E/∂net (Udacity). Display only.
    delta_sign: str = "gradient"
    symbolic: bool = False
    show_deltas: bool = True
    digits: int = 9
    notation: str = "neuron"  # or "matrix": each layer's vectors and matrices written out (render/matrix.py)

    @property
    def error_sign(self) -> bool:
        return self.delta_sign == "error"

    @property
    def matrix(self) -> bool:
        return self.notation == "matrix"


class Symbols:
    """The symbols of one network: sample suffixes, each parameter by its one name, what each weight multiplies."""

    def __init__(self, network: Network):
        self.network = network
        self.several = len(network.samples) > 1
        self.labels = {target: label for label, target in network.labels.items()}
        self.inputs = {name: i for i, name in enumerate(network.inputs)}
        self.kinds = {p.key: p.kind for p in network.parameters()}
        self._outs: tuple[ForwardPass | None, dict[str, float]] = (None, {})  # the last pass read, by neuron

    def k(self, sample: int) -> int | None:
        """The 1-based sample number written as a suffix, when the network has several samples."""
        return sample + 1 if self.several else None

    def net(self, neuron: str, sample: int) -> Sym:
        return Sym("net", neuron, self.k(sample))

    def out(self, neuron: str, sample: int) -> Sym:
        return Sym("out", neuron, self.k(sample))

    def t(self, neuron: str, sample: int) -> Sym:
        return Sym("t", neuron, self.k(sample))

    def delta(self, neuron: str, sample: int) -> Sym:
        return Sym("delta", neuron, self.k(sample))

    def error(self, neuron: str, sample: int) -> Sym:
        return Sym("E", neuron, self.k(sample))

    def param(self, key: str) -> Param:
        """The parameter `key` (an edge, or a bias's or threshold's neuron) by its one name."""
        return Param(key, self.network.label_of(key), self.labels.get(key), self.kinds[key])

    def source(self, name: str, sample: int) -> Sym:
        """What a weight from `name` multiplies: an input's value, or a neuron's out (of any earlier layer)."""
        return Sym("x", name, self.k(sample)) if name in self.inputs else self.out(name, sample)

    def source_value(self, fp: ForwardPass, name: str) -> float:
        """The value a weight from `name` multiplies in the pass `fp`."""
        if name in self.inputs:
            return self.network.samples[fp.sample].inputs[self.inputs[name]]
        if self._outs[0] is not fp:  # a solution reads one pass's sources many times in a row
            self._outs = (fp, {n.name: n.out for layer in fp.layers for n in layer})
        return self._outs[1][name]

    def inputs_prose(self, sample: int) -> Prose:
        """inputs i1 = 0.05, i2 = 0.1; targets t_o1 = 0.01, t_o2 = 0.99 (or: no targets)"""
        values = self.network.samples[sample]
        parts: list = ["inputs "]
        for k, (name, x) in enumerate(zip(self.network.inputs, values.inputs)):
            parts += [", " if k else "", Sym("x", name, self.k(sample)), " = ", Num(x)]
        if values.targets is None:
            parts.append("; no targets (a forward pass only)")
            return tuple(parts)
        parts.append("; targets ")
        for k, (name, t) in enumerate(zip(self.network.outputs, values.targets)):
            parts += [", " if k else "", self.t(name, sample), " = ", Num(t)]
        return tuple(parts)


def targets_of(network: Network, sample: int) -> tuple[float, ...]:
    """A sample's targets where a solution needs them: step, train and explain refuse a network
    with a sample without targets before anything is written (engine.require_targets), and
    forward writes an error only for a sample that has them."""
    targets = network.samples[sample].targets
    assert targets is not None, f"sample {sample + 1} has no targets"
    return targets


def known_error(error: float | None) -> float:
    """An error where a solution needs it: it is None only for a forward pass without targets
    (see targets_of)."""
    assert error is not None, "an error without targets"
    return error


def equation(symbol: Expr, formula: Expr | None, numbers: Expr | None, value: float | None,
             view: View, named: bool = True, note: Prose = ()) -> Equation:
    """An equation, stripped to symbol = formula when the view is symbolic."""
    name = NAMES(symbol) if named else None
    if view.symbolic:
        return Equation(symbol, formula, name=name)
    return Equation(symbol, formula, numbers, value, name, note)


def layer_name(network: Network, index: int) -> str:
    if index == len(network.layers) - 1:
        return "output layer"
    return "hidden layer" if len(network.layers) == 2 else f"hidden layer {index + 1}"


def title(network: Network, *what: str | Expr) -> Prose:
    """The network's name, then what the document shows (words, or words with formulas)."""
    return (f"{network.name or network.path or 'network'}: ", *what)


def parameter_cell(sy: Symbols, key: str) -> ParameterCell:
    """w5 (h1->o1) or b1 (h1): a label with the edge or neuron it names; else the one name, w(h1->o1), b(h2)."""
    label = sy.labels.get(key)
    return ParameterCell(f"{label} ({key})" if label else sy.network.label_of(key), sy.param(key))


def samples_text(batch: Sequence[int]) -> str:
    """An update's samples by number: 2, or 1–4 for a batch (batches are consecutive samples)."""
    if not batch:
        return ""
    return str(batch[0] + 1) if len(batch) == 1 else f"{batch[0] + 1}–{batch[-1] + 1}"
