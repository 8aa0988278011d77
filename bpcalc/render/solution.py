"""Worked solutions of `forward` and `step` as documents: every line a formula, its numbers and the engine's value.

The layout follows the sheets (Mazur's tutorial, the CSC4007 solutions): the forward pass
layer by layer, the error, then from the output layer back: each neuron's δ, each weight's
gradient and its update, the error after the step and a further forward pass. Values are
taken from the trace; nothing is recomputed here.
"""

from __future__ import annotations

from ..model import Network, Neuron, edge
from ..trace import Evaluation, ForwardPass, StepRecord, UpdateRecord
from . import formulas as fx
from .backward import backward_sections
from .conventions import conventions
from .document import Block, Document, Equation, Group, Note, Section, Table
from ..expr import L2_SUM, LAMBDA, ONE, Expr, Num, Paren, Ratio, Sum, Sym, dot, plus, times
from .symbols import Symbols, View, equation, known_error, layer_name, parameter_cell, samples_text, targets_of, title


# ---------------------------------------------------------------- forward

def forward_document(network: Network, evaluation: Evaluation, view: View) -> Document:
    """`bpcalc forward`: every sample fed forward, neuron by neuron, and the error (when it has targets)."""
    if view.matrix:
        from . import matrix

        return matrix.forward_document(network, evaluation, view)
    sy = Symbols(network)
    sections = [forward_section(sy, network, fp, view, evaluation) for fp in evaluation.passes]
    if sy.several and evaluation.error is not None:
        sections.append(total_section(sy, network, evaluation, view))
    return Document(title(network, "forward pass"), conventions(network, view, "forward"), tuple(sections))


def forward_section(sy: Symbols, network: Network, fp: ForwardPass, view: View, evaluation: Evaluation,
                    heading: str = "Forward pass") -> Section:
    """One sample fed forward through `network`, layer by layer; `evaluation` (all samples)
    supplies E_total and λΣw². A sample without targets has no error to write."""
    k = sy.k(fp.sample)
    blocks: list[Block] = [] if view.symbolic else [Note(sy.inputs_prose(fp.sample))]
    for index, layer in enumerate(network.layers):
        groups = [Group(neuron_forward(sy, network, fp, index, neuron, view)) for neuron in layer.neurons]
        name = layer_name(network, index)
        blocks.append(Section((f"{name[0].upper()}{name[1:]} ({layer.activation.name})",), tuple(groups), 2))
    if fp.error is not None:
        errors = error_lines(sy, network, fp, view, evaluation)
        blocks.append(Section((f"Error ({network.options.loss})",), (Group(errors),), 2))
    suffix = f", sample {k}" if k else ""
    return Section((heading + suffix,), tuple(blocks))


def net_terms(sy: Symbols, neuron: Neuron, fp: ForwardPass) -> tuple[Expr, Expr]:
    """net = Σ w·x over the neuron's own incoming edges (an input's value or an earlier neuron's
    out), + b·1 or − θ·1: the formula and the same with numbers."""
    s = fp.sample
    symbols: list[tuple[str, Expr]] = []
    numbers: list[tuple[str, Expr]] = []
    for source, w in neuron.weights:
        symbols.append(("+", dot(sy.param(edge(source, neuron.name)), sy.source(source, s))))
        numbers.append(("+", times(Num(w), Num(sy.source_value(fp, source)))))
    if neuron.bias is not None:
        sign = "−" if neuron.threshold else "+"
        symbols.append((sign, dot(sy.param(neuron.name), ONE)))
        numbers.append((sign, times(Num(neuron.bias), ONE)))
    return Sum(tuple(symbols)), Sum(tuple(numbers))


def neuron_forward(sy: Symbols, network: Network, fp: ForwardPass, index: int, neuron: Neuron,
                   view: View) -> tuple[Equation, ...]:
    """net = Σ w·x + b·1 (or − θ·1) and out = f(net) for `neuron`, of layer `index`."""
    layer = network.layers[index]
    s = fp.sample
    passed = fp.neuron(neuron.name)
    net = sy.net(neuron.name, s)
    formula, numbers = net_terms(sy, neuron, fp)
    net_line = equation(net, formula, numbers, passed.net, view)
    act = layer.activation
    out_formula: Expr | None
    substituted: Expr | None
    if act.is_softmax:
        nets = [sy.net(n.name, s) for n in fp.layers[index]]
        out_formula = fx.softmax(net, nets)
        substituted = fx.softmax(Num(passed.net), [Num(n.net) for n in fp.layers[index]])
    else:
        out_formula = fx.activation(act, net)
        substituted = fx.activation(act, net, passed.net)
    out_line = equation(sy.out(neuron.name, s), out_formula, substituted, passed.out, view)
    return net_line, out_line


def error_lines(sy: Symbols, network: Network, fp: ForwardPass, view: View,
                evaluation: Evaluation) -> tuple[Equation, ...]:
    """Each output's error term, then the sample's error (or E_total, with a single sample)."""
    o = network.options
    softmax = network.layers[-1].activation.is_softmax
    s = fp.sample
    targets = targets_of(network, s)
    K = len(network.outputs)
    lines = []
    for neuron, t, term in zip(fp.layers[-1], targets, fp.error_terms):
        formula = fx.error_term(o.loss, softmax, sy.t(neuron.name, s), sy.out(neuron.name, s), K)
        numbers = fx.error_term(o.loss, softmax, Num(t), Num(neuron.out), K)
        lines.append(equation(sy.error(neuron.name, s), formula, numbers, term, view))
    terms: list[Expr] = [sy.error(n, s) for n in network.outputs]
    values = [Num(e) for e in fp.error_terms]
    if sy.several:
        symbol, value, named = Sym("E_sample", sample=sy.k(s)), fp.error, False
    else:
        symbol, named, value = Sym("E_total"), True, evaluation.error
        if o.l2:
            terms.append(dot(LAMBDA, L2_SUM))
            values.append(Num(evaluation.l2_term))
    if len(terms) == 1:
        lines.append(equation(symbol, terms[0], None, value, view, named))
    else:
        lines.append(equation(symbol, plus(*terms), plus(*values), value, view, named))
    return tuple(lines)


def total_section(sy: Symbols, network: Network, evaluation: Evaluation, view: View,
                  shown: tuple[int, ...] | None = None) -> Section:
    """E_total over every sample: the mean or sum of the E[k], plus λΣw²."""
    o = network.options
    n = len(evaluation.passes)
    parts = [Sym("E_sample", sample=sy.k(fp.sample)) for fp in evaluation.passes]
    values = [Num(known_error(fp.error)) for fp in evaluation.passes]
    if o.reduction == "mean":
        formula: Expr = Ratio(Paren(plus(*parts)), Num(float(n)))
        numbers: Expr = Ratio(Paren(plus(*values)), Num(float(n)))
    else:
        formula, numbers = plus(*parts), plus(*values)
    if o.l2:
        formula = plus(formula, dot(LAMBDA, L2_SUM))
        numbers = plus(numbers, Num(evaluation.l2_term))
    blocks: list[Block] = [Group((equation(Sym("E_total"), formula, numbers, evaluation.error, view),))]
    if shown is not None and len(shown) < n and not view.symbolic:
        others = ", ".join(str(i + 1) for i in range(n) if i not in shown)
        blocks.append(Note((f"Samples outside this batch ({others}) are fed forward the same way "
                            "(bpcalc forward shows them).",)))
    return Section(("Total error",), tuple(blocks))


# ---------------------------------------------------------------- step

def step_document(record: StepRecord, view: View, which: UpdateRecord | None = None) -> Document:
    """`bpcalc step`: the worked update (with --show-deltas or --symbolic), else the compact one;
    `which` (`step --update K`) says which update of training it is, in a section of its own first."""
    if view.matrix:
        from . import matrix

        return matrix.step_document(record, view, which)
    network = record.network
    sy = Symbols(network)
    heads = conventions(network if which is None or which.start is None else which.start, view, "step")
    what = "one step of backpropagation" if which is None else f"update {which.number} of training"
    first = [] if which is None else [update_section(which)]
    if not view.show_deltas and not view.symbolic:
        return Document(title(network, what), heads,
                        (*first, summary_section(sy, record), error_change_section(record)))
    sections = first + [forward_section(sy, network, fp, view, record.before) for fp in record.passes]
    if sy.several:
        sections.append(total_section(sy, network, record.before, view, record.batch))
    sections += backward_sections(sy, record, view)
    if not view.symbolic:
        sections += [summary_section(sy, record), after_section(sy, record)]
    return Document(title(network, what), heads, tuple(sections))


def update_heading(which: UpdateRecord) -> str:
    """Update 3 of training: epoch 2, sample 1 (samples 1–4 for a batch of several)."""
    batch = which.step.batch
    return f"Update {which.number} of training: epoch {which.epoch}, sample{'s' if len(batch) > 1 else ''} " \
           f"{samples_text(batch)}"


def update_section(which: UpdateRecord) -> Section:
    """Which update of training this is, and the values it starts from."""
    k = which.number
    if k == 1:
        text = "It starts from the file's own values."
    else:
        text = f"It starts from the values after the {k - 1} update{'s' if k > 2 else ''} before it"
        if which.step.network.options.momentum:
            text += f", and momentum carries update {k - 1}'s step Δθ into it (α·Δθ(n−1))"
        text += "."
    return Section((update_heading(which),), (Note((text,)),))



# ---------------------------------------------------------------- summary and after

def summary_section(sy: Symbols, record: StepRecord) -> Section:
    """Every parameter: old value, gradient, new value."""
    rows = []
    for u in record.updates:
        gradient = "fixed" if u.fixed else u.gradient
        rows.append((parameter_cell(sy, u.name), u.old, gradient, u.new))
    return Section(("New values",), (Table(("parameter", "old", "dE/dP", "new (P+)"), tuple(rows)),))


def error_change_section(record: StepRecord) -> Section:
    """E_total before and E_after after the step, and whether the step lowered it."""
    before = known_error(record.before.error)
    after = record.after.error if record.after else None
    view = View()
    lines = [equation(Sym("E_total"), None, None, before, view)]
    if after is not None:
        lines.append(equation(Sym("E_after"), None, None, after, view, note=(_trend(before, after),)))
    return Section(("Error before and after the step",), (Group(tuple(lines)), *_batch_note(record)))


def _trend(before: float, after: float) -> str:
    if after < before:
        return "lower: the step reduced the error"
    if after > before:
        return "higher: the step increased the error"
    return "unchanged"


def after_section(sy: Symbols, record: StepRecord) -> Section:
    """The further forward pass: each neuron before and after the step, and whether each output
    moved towards its target (the CSC4007 sheets' "comment on the result"); a table per sample
    when the batch has several, which keeps each within the width of a page."""
    blocks: list[Block] = [Note(("Feeding the same inputs forward again with the new weights:",))]
    assert record.after is not None
    header = ("neuron", "net before", "net after", "out before", "out after")
    for s in record.batch:
        before, after = record.before.passes[s], record.after.passes[s]
        rows = []
        for layer_b, layer_a in zip(before.layers, after.layers):
            for nb, na in zip(layer_b, layer_a):
                rows.append((nb.name, nb.net, na.net, nb.out, na.out))
        sample: list[Block] = [Table(header, tuple(rows))]
        targets = targets_of(record.network, s)
        for name, t, ob, oa in zip(record.network.outputs, targets, before.outputs, after.outputs):
            sample.append(Note((sy.out(name, s), ": ", Num(ob), " → ", Num(oa), ", target ", Num(t),
                                ": ", _towards(t, ob, oa))))
        if len(record.batch) > 1:
            blocks.append(Section((f"Sample {s + 1}",), tuple(sample), 2))
        else:
            blocks += sample
    blocks += error_change_section(record).blocks
    return Section(("After the step: a further forward pass",), tuple(blocks))


def _batch_note(record: StepRecord) -> tuple[Note, ...]:
    """Online and mini-batch steps: say that the errors cover more samples than the step used."""
    n = len(record.network.samples)
    if len(record.batch) == n:
        return ()
    used = ", ".join(str(s + 1) for s in record.batch)
    return (Note((f"E_total and E_after are over all {n} samples; this step used sample{'s' if len(record.batch) > 1 else ''} {used}.",)),)


def _towards(target: float, before: float, after: float) -> str:
    gap_before, gap_after = abs(target - before), abs(target - after)
    if gap_after < gap_before:
        return "closer to the target"
    if gap_after > gap_before:
        return "further from the target"
    return "no closer to the target"

