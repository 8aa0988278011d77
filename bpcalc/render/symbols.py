"""The symbols of one network (sample suffixes, parameters by label) and how an equation is made for a view."""

from __future__ import annotations


from ..model import ARROW, Network
from ..records import Record
from ..trace import ForwardPass
from .document import Equation, Prose
from .expr import Expr, Num, Param, Sym
from .text import Writer

NAMES = Writer()  # the text spelling of a symbol is its name in answer files


class View(Record):
    """How a solution is written: the δ sign shown, symbols only or with numbers, full or compact."""

    delta_sign: str = "gradient"  # gradient: δ = ∂E/∂net (bpcalc, Mazur); error: δ = −∂E/∂net (Udacity)
    symbolic: bool = False
    show_deltas: bool = True
    digits: int = 9

    @property
    def error_sign(self) -> bool:
        return self.delta_sign == "error"


class Symbols:
    """The symbols of one network: sample suffixes, parameters by label, the source of each weight."""

    def __init__(self, network: Network):
        self.network = network
        self.several = len(network.samples) > 1
        self.labels = {target: label for label, target in network.labels.items()}

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

    def param(self, name: str) -> Param:
        return Param(name, self.labels.get(name), ARROW not in name)

    def source(self, index: int, name: str, sample: int) -> Sym:
        """What a weight of layer `index` multiplies: an input's value or the previous layer's out."""
        return Sym("x", name, self.k(sample)) if index == 0 else self.out(name, sample)

    def source_values(self, fp: ForwardPass, index: int) -> tuple[float, ...]:
        if index == 0:
            return self.network.samples[fp.sample].inputs
        return tuple(n.out for n in fp.layers[index - 1])

    def inputs_prose(self, sample: int) -> Prose:
        """inputs i1 = 0.05, i2 = 0.1; targets t_o1 = 0.01, t_o2 = 0.99"""
        values = self.network.samples[sample]
        parts: list = ["inputs "]
        for k, (name, x) in enumerate(zip(self.network.inputs, values.inputs)):
            parts += [", " if k else "", Sym("x", name, self.k(sample)), " = ", Num(x)]
        parts.append("; targets ")
        for k, (name, t) in enumerate(zip(self.network.outputs, values.targets)):
            parts += [", " if k else "", self.t(name, sample), " = ", Num(t)]
        return tuple(parts)


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


def title(network: Network, what: str) -> str:
    return f"{network.name or network.path or 'network'}: {what}"


def parameter_cell(sy: Symbols, name: str) -> str:
    """w5 (h1->o1): the label with the edge it names, or the edge alone."""
    label = sy.labels.get(name)
    if label:
        return f"{label} ({name})"
    return name if ARROW in name else f"{name} (bias)"
