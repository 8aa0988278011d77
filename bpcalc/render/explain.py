"""`bpcalc explain`: one parameter's derivation — the chain rule along every path to the error (across skips too), with numbers."""

from __future__ import annotations

from .. import quantities as q
from ..chain import ChainPath, Factor, InputChain, ParameterChain, input_chains, locate, on_paths, parameter_chains
from ..model import Network, edge
from ..trace import StepRecord
from . import formulas as fx
from .document import Block, Document, Equation, Group, Note, Prose, Section
from ..expr import ONE, Expr, Neg, Num, Paren, Path, Prod, Sum, Sym, dot, plus, times
from .backward import Backward
from .conventions import conventions
from .symbols import Symbols, View, layer_name, title


def explain_document(record: StepRecord, parameter: str, view: View) -> Document:
    """How `parameter` (an edge, or the neuron of a bias or threshold) gets its gradient and its new value in one step."""
    if view.matrix:
        from . import matrix

        return matrix.explain_document(record, parameter, view)
    network = record.network
    sy = Symbols(network)
    param = sy.param(parameter)  # in prose and titles too, so that LaTeX typesets a label (w_{11}, theta3)
    named = (param, f" ({parameter})") if parameter in sy.labels else (param,)
    chains = parameter_chains(record, parameter)
    sections = [_what(record, sy, parameter, chains[0]), _chain_rule(record, parameter, view)]
    sections += [_paths(sy, record, chain, position, view) for position, chain in enumerate(chains)]
    if not view.symbolic:
        sections.append(_numbers(sy, record, parameter, view))
    else:
        sections.append(_update(sy, record, parameter, view))
    return Document(title(network, "how ", *named, " is learned"), conventions(network, view, "step"),
                    tuple(sections))


def _skips(network: Network, source: str, dest: str) -> str:
    """"skipping a layer" when the edge from `source` to `dest` jumps over layers, else ""."""
    layer_of = network.layer_of()
    skipped = layer_of[dest] - layer_of[source] - 1
    if skipped <= 0:
        return ""
    return "skipping a layer" if skipped == 1 else f"skipping {skipped} layers"


def _aside(*remarks: str) -> str:
    """ (a, b) of the remarks that are not empty, or nothing."""
    said = [r for r in remarks if r]
    return f" ({', '.join(said)})" if said else ""


def _what(record: StepRecord, sy: Symbols, parameter: str, chain: ParameterChain) -> Section:
    network = record.network
    param = sy.param(parameter)
    layer, neuron, source = locate(network, parameter)
    outputs = network.outputs
    what: Prose
    if source:
        edge_note = f"edge {parameter}" if parameter in network.labels.values() else ""
        what = (param, f" is the weight from {source} into {neuron}{_aside(edge_note, _skips(network, source, neuron))}.")
    elif network.neuron(neuron).threshold:
        what = (param, f" is the threshold of {neuron}: ", Sym("net", neuron), " = Σw·x − ", param, ".")
    else:
        what = (param, f" is the bias of {neuron}.")
    paths = "one path" if chain.path_count == 1 else f"{chain.path_count} paths"
    feeds = (" It feeds ", Sym("net", neuron), "; ", Sym("out", neuron))
    if neuron in outputs:
        how = " enters the error directly: one path."
    elif chain.path_count == 0:
        how = " feeds no neuron, so it never reaches the error and its gradient is 0."
    elif network.layered:
        via = "" if layer + 1 == len(network.layers) - 1 else (
            f"{layer_name(network, layer + 1)} ({', '.join(network.layers[layer + 1].names)}) and on to ")
        how = (f" reaches the error through {via}"
               f"the output{'s' if len(outputs) > 1 else ''} {', '.join(outputs)}: {paths}.")
    else:
        fed = ", ".join(k + _aside(_skips(network, neuron, k)) for k in network.feeds()[neuron])
        reached = [o for o in outputs if o in on_paths(network, neuron)]
        how = (f" feeds {fed}, and reaches the error through "
               f"the output{'s' if len(reached) > 1 else ''} {', '.join(reached)}: {paths}.")
    blocks: list[Block] = [Note((*what, *feeds, how))]
    if not network.options.update_biases and not source:
        blocks.append(Note(("It is held fixed (update_biases: false): the chain rule below gives "
                            "the gradient it would have, but no update is applied.",)))
    return Section(("What ", param, " is"), tuple(blocks))


def _constant(network: Network, neuron: str) -> Expr:
    """dnet/db = 1 for a bias, dnet/dθ = −1 for a threshold."""
    return Neg(ONE) if network.neuron(neuron).threshold else ONE


def _chain_rule(record: StepRecord, parameter: str, view: View) -> Section:
    """The chain rule in symbols, from the parameter out to the error, neuron by neuron along the paths."""
    network = record.network
    sy = Symbols(network)
    sy.several = False  # the rule holds for every sample; no [k]
    layer, neuron, source = locate(network, parameter)
    param = sy.param(parameter)
    out, net = sy.out(neuron, 0), sy.net(neuron, 0)
    x = sy.source(source, 0) if source else _constant(network, neuron)
    lines: list[Equation] = []
    if neuron in network.outputs and not _separable(record, neuron):
        lines.append(Equation(param.as_("grad"), times(fx.dE(net), fx.d(net, param))))
    else:
        lines.append(Equation(param.as_("grad"), fx.chain(fx.dE(out), fx.d(out, net), fx.d(net, param))))
    lines.append(Equation(fx.d(net, param), x))
    groups = [Group(tuple(lines)), Group(_rule_lines(record, sy, neuron, view, first=True))]
    for name in on_paths(network, neuron):
        groups.append(Group(_rule_lines(record, sy, name, view, first=False)))
    return Section(("The chain rule",), tuple(groups))


def _separable(record: StepRecord, neuron: str) -> bool:
    """Does the output's δ split into dE/dout × dout/dnet (not softmax, not cross-entropy)?"""
    d = record.deltas[0][neuron]
    return d.dout_dnet is not None and record.network.options.loss != "cross_entropy"


def _rule_lines(record: StepRecord, sy: Symbols, name: str, view: View, first: bool) -> tuple[Equation, ...]:
    network = record.network
    activation = network.layers[network.layer_of()[name]].activation
    out, net, delta = sy.out(name, 0), sy.net(name, 0), sy.delta(name, 0)
    slope = fx.derivative(activation, net, out) if not activation.is_softmax else None
    lines = []
    if name in network.outputs:
        o = network.options
        t = sy.t(name, 0)
        K = len(network.outputs)
        if _separable(record, name):
            lines.append(Equation(fx.dE(out), fx.error_gradient(o.loss, False, t, out, K)))
            lines.append(Equation(fx.d(out, net), slope if slope is not None else ONE))
            lines.append(_delta_rule(delta, out, net, view))
        else:
            cancelled = fx.cancelled_delta(t, out, view.error_sign)
            lines.append(Equation(delta, Neg(fx.dE(net)) if view.error_sign else fx.dE(net), cancelled))
        return tuple(lines)
    d = record.deltas[0][name]
    if not d.downstream:  # feeds no neuron: its out does not reach the error
        lines.append(Equation(fx.dE(out), Num(0.0)))
    else:
        weights = [_weight(record, sy, edge(name, t.neuron)) for t in d.downstream]
        terms_d = plus(*(times(fx.dE(sy.net(t.neuron, 0)), fx.d(sy.net(t.neuron, 0), out)) for t in d.downstream))
        terms_w = plus(*(dot(sy.delta(t.neuron, 0), w) for t, w in zip(d.downstream, weights)))
        lines.append(Equation(fx.dE(out), terms_d, Neg(Paren(terms_w)) if view.error_sign else terms_w))
    lines.append(Equation(fx.d(out, net), slope if slope is not None else ONE))
    if not first:
        lines.append(_delta_rule(delta, out, net, view))
    return tuple(lines)


def _delta_rule(delta: Sym, out: Sym, net: Sym, view: View) -> Equation:
    """delta = dE/dnet = dE/dout × dout/dnet, or under the error sign −dE/dnet = −(… × …)."""
    product = times(fx.dE(out), fx.d(out, net))
    if view.error_sign:
        return Equation(delta, Neg(fx.dE(net)), Neg(product))
    return Equation(delta, fx.dE(net), product)


def _weight(record: StepRecord, sy: Symbols, name: str):
    p = sy.param(name)
    return p.as_("new") if record.network.options.hidden_deltas == "new_weights" else p


def _factor_symbol(f: Factor, sy: Symbols, param, sample: int) -> Expr:
    if f.kind == "loss":
        return fx.dE(sy.out(f.neuron, sample))
    if f.kind == "slope":
        return fx.d(sy.out(f.neuron, sample), sy.net(f.neuron, sample))
    if f.kind == "delta":
        return fx.dE(sy.net(f.neuron, sample))
    if f.kind == "weight":
        return fx.d(sy.net(f.neuron, sample), sy.source(f.source, sample))
    return fx.d(sy.net(f.neuron, sample), param)


def _factor_named(f: Factor, record: StepRecord, sy: Symbols, sample: int, view: View) -> Expr:
    """The factor as the quantity it equals: out(1−out), w5, −(t−out), i1, −1 for a threshold."""
    network = record.network
    if f.kind == "weight":
        if f.source in sy.inputs:  # dnet_j/dx: the weight the forward pass used, never an updated one
            return sy.param(edge(f.source, f.neuron))
        return _weight(record, sy, edge(f.source, f.neuron))
    if f.kind == "input":
        if not f.source:
            return _constant(network, f.neuron)
        return sy.source(f.source, sample)
    if f.kind == "delta":
        delta = sy.delta(f.neuron, sample)
        return Neg(delta) if view.error_sign else delta  # dE/dnet is −δ under the error sign
    act = network.layers[network.layer_of()[f.neuron]].activation
    out, net = sy.out(f.neuron, sample), sy.net(f.neuron, sample)
    if f.kind == "slope":
        return fx.derivative(act, net, out) or ONE
    o = network.options
    return fx.error_gradient(o.loss, False, sy.t(f.neuron, sample), out, len(network.outputs))


def _paths(sy: Symbols, record: StepRecord, chain: ParameterChain, position: int, view: View) -> Section:
    param = sy.param(chain.parameter)
    s = chain.sample
    k = sy.k(s)
    heading: Prose = ("Every path from ", param, " to the error" + (f", sample {k}" if k else ""))
    if chain.path_count == 0:
        note: Prose = ("None: ", Sym("out", chain.neuron), " feeds no neuron, so ", param,
                       " does not change the error and its gradient is 0.")
        return Section(heading, (Note(note),))
    if chain.total is None:
        note = (f"{chain.path_count} paths: too many to list one by one. The layer-by-layer working "
                "below adds them up the same way, one layer at a time.",)
        return Section(heading, (Note(note),))
    lines = []
    for path in chain.paths:
        lines.append(_path_line(sy, record, param, path, s, view))
    backward = Backward(sy, record, view)
    symbol = backward.term_symbol(chain.parameter, position)
    if len(chain.paths) > 1 and not view.symbolic:
        lines.append(Equation(symbol, None, plus(*(Num(p.value) for p in chain.paths)), chain.total,
                              name=None, note=("the sum of the paths",)))
    blocks: list[Block] = [Group(tuple(lines))]
    carried = record.updates[[u.name for u in record.updates].index(chain.parameter)].per_sample[position]
    if record.network.options.rounding and not view.symbolic:
        blocks.append(Note(("Hand rounding: the step itself carried ", symbol, " = ", Num(carried),
                            ", the rounded δ times the rounded input; the product of the factors "
                            "above is the value before that rounding.",)))
    return Section(heading, tuple(blocks))


def _path_line(sy: Symbols, record: StepRecord, param, path: ChainPath, sample: int, view: View,
               start: Expr | None = None) -> Equation:
    steps = Path((param if start is None else start, *(Sym("x", n) for n in path.neurons), Sym("E")))
    derivatives = times(*(_factor_symbol(f, sy, param, sample) for f in path.factors))
    if view.symbolic:
        named = times(*(_paren(_factor_named(f, record, sy, sample, view)) for f in path.factors))
        return Equation(steps, derivatives, named)
    return Equation(steps, derivatives, times(*(Num(f.value) for f in path.factors)), path.value)


def _paren(expr: Expr) -> Expr:
    """Brackets for a sum or a product among the factors; out(1−out) reads fine without."""
    return Paren(expr) if isinstance(expr, (Sum, Prod)) and not (isinstance(expr, Prod) and expr.op == "") else expr


def _numbers(sy: Symbols, record: StepRecord, parameter: str, view: View) -> Section:
    """The step's own lines for the neurons on the paths, from the error back, then the update."""
    network = record.network
    backward = Backward(sy, record, view)
    _, neuron, _ = locate(network, parameter)
    layer_of = network.layer_of()
    # From the output layer back, as the step works: each layer's neurons in file order.
    later = sorted(on_paths(network, neuron), key=lambda name: -layer_of[name])
    blocks: list[Block] = []
    for position, fp in enumerate(record.passes):
        groups: list[Block] = [Group(backward.delta_lines(name, position)) for name in later]
        lines = list(backward.delta_lines(neuron, position)) + backward.gradient_lines(parameter, position)
        if not backward.combine:
            lines += backward.update_lines(parameter)
        groups.append(Group(tuple(lines)))
        k = sy.k(fp.sample)
        if len(record.passes) > 1:
            blocks.append(Section((f"Sample {k}",), tuple(groups), 2))
        else:
            blocks += groups
    if backward.combine:
        lines = backward.combine_lines(parameter) + backward.update_lines(parameter)
        blocks.append(Section(("The update",), (Group(tuple(lines)),), 2))
    return Section(("Layer by layer, with numbers",), tuple(blocks))


def _update(sy: Symbols, record: StepRecord, parameter: str, view: View) -> Section:
    """Symbolic: the parameter's gradient and update as the step writes them."""
    backward = Backward(sy, record, view)
    _, neuron, _ = locate(record.network, parameter)
    lines = list(backward.delta_lines(neuron, 0)) + backward.gradient_lines(parameter, 0)
    if backward.combine:
        lines += backward.combine_lines(parameter)
    lines += backward.update_lines(parameter)
    return Section(("The update",), (Group(tuple(lines)),))


# ---------------------------------------------------------------- an input: ∂E/∂x along every path (saliency)


def explain_input_document(record: StepRecord, name: str, view: View) -> Document:
    """How the error depends on input `name` in each sample: ∂E_d/∂x = Σ_j δ_j·w_jx, along every path."""
    network = record.network
    sy = Symbols(network)
    chains = input_chains(record, name)
    sections = [_input_what(network, name, chains[0]), _input_rule(record, name, view)]
    sections += [_input_paths(sy, record, chain, position, view) for position, chain in enumerate(chains)]
    sections.append(Section(("No update",), (Note((
        f"∂E/∂{name} is per sample: an input is not a parameter, so nothing is combined over the "
        "batch and nothing is updated.",)),)))
    return Document(title(network, f"how the error depends on input {name}"), conventions(network, view, "step"),
                    tuple(sections))


def _input_what(network: Network, name: str, chain: InputChain) -> Section:
    paths = "one path" if chain.path_count == 1 else f"{chain.path_count} paths"
    if not chain.fed:
        how = f"{name} is an input that feeds no neuron: it never reaches the error and ∂E/∂{name} is 0."
    else:
        fed = ", ".join(f"net_{j}" + _aside(_skips(network, name, j)) for j in chain.fed)
        how = (f"{name} is an input: it feeds {fed}, each through its weight (dnet_j/d{name} = w_j{name}), "
               f"and reaches the error from there: {paths}.")
    return Section((f"What {name} is",), (Note((how,)),))


def _input_rule(record: StepRecord, name: str, view: View) -> Section:
    """∂E/∂x = Σ_j ∂E/∂net_j · ∂net_j/∂x, ∂net_j/∂x = w_jx, then each neuron's rule along the paths."""
    network = record.network
    sy = Symbols(network)
    sy.several = False
    x = sy.source(name, 0)
    fed = network.feeds()[name]
    lines: list[Equation] = []
    if fed:
        terms = plus(*(times(fx.dE(sy.net(j, 0)), fx.d(sy.net(j, 0), x)) for j in fed))
        deltas = plus(*(dot(sy.delta(j, 0), sy.param(edge(name, j))) for j in fed))
        lines.append(Equation(fx.dE(x), terms, Neg(Paren(deltas)) if view.error_sign else deltas))
        lines += [Equation(fx.d(sy.net(j, 0), x), sy.param(edge(name, j))) for j in fed]
    else:
        lines.append(Equation(fx.dE(x), Num(0.0)))
    groups = [Group(tuple(lines))]
    reached = set(fed).union(*(on_paths(network, j) for j in fed))
    for n in network.neurons:
        if n.name in reached:
            groups.append(Group(_rule_lines(record, sy, n.name, view, first=False)))
    return Section(("The chain rule",), tuple(groups))


def _input_paths(sy: Symbols, record: StepRecord, chain: InputChain, position: int, view: View) -> Section:
    network = record.network
    s = chain.sample
    k = sy.k(s)
    x = sy.source(chain.input, s)
    heading = f"Every path from {chain.input} to the error" + (f", sample {k}" if k else "")
    if chain.path_count == 0:
        return Section((heading,), (Note((f"None: {chain.input} does not change the error; ∂E/∂{chain.input} is 0.",)),))
    if chain.total is None:
        note = (f"{chain.path_count} paths: too many to list one by one. The sum below adds them up "
                "a neuron at a time, through the δ of each neuron the input feeds.",)
        blocks: list[Block] = [Note(note)]
        lines: list[Equation] = []
    else:
        blocks = []
        lines = [_path_line(sy, record, None, path, s, view, start=x) for path in chain.paths]
    name = q.input_gradient(chain.input, q.sample_suffix(network, s))
    symbol = fx.dE(x)
    if not view.symbolic:
        if chain.total is not None and len(chain.paths) > 1:
            lines.append(Equation(symbol, None, plus(*(Num(p.value) for p in chain.paths)), chain.total,
                                  note=("the sum of the paths",)))
        deltas = record.deltas[position]
        weights = [dict(network.neuron(j).weights)[chain.input] for j in chain.fed]
        value = sum(deltas[j].delta * w for j, w in zip(chain.fed, weights))
        formula = plus(*(times(fx.dE(sy.net(j, s)), sy.param(edge(chain.input, j))) for j in chain.fed))
        numbers = plus(*(times(Num(deltas[j].delta), Num(w)) for j, w in zip(chain.fed, weights)))
        lines.append(Equation(symbol, formula, numbers, value, name=name,
                              note=("through the neurons it feeds",)))
    blocks.append(Group(tuple(lines)))
    return Section((heading,), tuple(blocks))
