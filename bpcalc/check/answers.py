"""The answer file: quantity names mapped to numbers as written; reading one, and writing a blank one."""

from __future__ import annotations

import os

from ..errors import NetworkFileError
from ..loader import load_answers, parse_answers
from ..loader.answers import VARIANT, AnswerEntry
from ..model import Network
from ..records import Record
from .names import Name, UnknownName, Vocabulary
from .precision import Written
from .training import MAX_EPOCHS


class Answer(Record):
    """One answer: the quantity it names, the number as written, and where it stands in the file."""

    name: Name
    written: Written
    key: str  # the name as written in the file (w5+, h1->o1+, δ_o1, …)
    line: int

    @property
    def value(self) -> float:
        return float(self.written)


class AnswerSheet(Record):
    """One student's answer file: the answers in file order and the names left blank."""

    path: str
    answers: tuple[Answer, ...]
    blank: tuple[str, ...]  # canonical names written without a number
    variant: str | None = None  # the variant it answers (`variant: hw4-01`, from bpcalc generate); not graded


def read_sheet(path: str | os.PathLike, vocabulary: Vocabulary, text: str | None = None,
               entries: tuple[AnswerEntry, ...] | None = None) -> AnswerSheet:
    """The answers in the file at `path` (or in `text`, already read from it, or its `entries`,
    already parsed), each name resolved against the network's vocabulary.

    Raises NetworkFileError (one line, naming the line) for a name the network does not have,
    a quantity given twice, or anything that is not a number.
    """
    shown = os.fsdecode(path)
    if entries is None:
        entries = load_answers(path) if text is None else parse_answers(text, shown)
    variant = variant_of(entries)
    entries = tuple(entry for entry in entries if entry.name != VARIANT)
    resolved, unknown = [], []
    for entry in entries:
        try:
            resolved.append((entry, vocabulary.resolve(entry.name)))
        except UnknownName as problem:
            unknown.append((entry, problem))
    if unknown:
        raise _unknown_names(shown, unknown, len(entries), vocabulary.network)
    answers, blank, first = [], [], {}  # type: ignore[var-annotated]
    for entry, name in resolved:
        if name.canonical in first:
            other = first[name.canonical]
            same = "" if other.name == entry.name else f" ('{other.name}')"
            raise NetworkFileError(shown, entry.line, f"'{entry.name}' is the same quantity as line {other.line}"
                                                      f"{same}; give each quantity once", entry.column)
        first[name.canonical] = entry
        if name.epochs is not None and name.epochs > MAX_EPOCHS:
            raise NetworkFileError(shown, entry.line, f"{entry.name}: checking a value after {name.epochs} epochs "
                                                      f"would take too long; at most {MAX_EPOCHS} are checked",
                                   entry.column)
        if entry.text is None:
            blank.append(name.canonical)
            continue
        try:
            written = Written.parse(entry.text)
        except ValueError:
            raise NetworkFileError(shown, entry.line, f"{entry.name}: expected a number, got '{entry.text}'",
                                   entry.column) from None
        answers.append(Answer(name, written, entry.name, entry.line))
    return AnswerSheet(shown, tuple(answers), tuple(blank), variant)


def variant_of(entries: tuple[AnswerEntry, ...]) -> str | None:
    """The variant an answer file's entries name (read before its names are resolved, which needs
    the variant's network); None if they name none."""
    return next((entry.text for entry in entries if entry.name == VARIANT), None)


def _unknown_names(path: str, unknown: list, total: int, network: Network) -> NetworkFileError:
    """One line about the first unknown name: the closest names, and a hint if most names are foreign."""
    entry, problem = unknown[0]
    message = f"'{entry.name}' is not a quantity of {network.name or 'this network'}"
    if problem.reason:
        message += f": {problem.reason}"
    if problem.close:
        message += f"; did you mean {', '.join(problem.close)}?"
    elif not problem.reason:
        message += " (bpcalc answers lists every name)"
    if len(unknown) > 1:
        message += f" ({len(unknown)} of the {total} names are unknown"
        message += "; is this answer file for another network?)" if len(unknown) * 2 > total else ")"
    return NetworkFileError(path, entry.line, message, entry.column)


def template_text(network: Network, vocabulary: Vocabulary, network_path: str | None,
                  everything: bool = False) -> str:
    """A blank answer file listing every name in solution order, under a heading per part of the solution.
    `network_path` None: the bundled example, which `bpcalc check` uses when given no network."""
    title = network.name or network_path
    where = network_path or "the bundled example"
    command = f"bpcalc check {network_path} THIS_FILE" if network_path else "bpcalc check THIS_FILE"
    lines = [
        f"# Answers for {title} ({where}).",
        "# Write each number after its name, with as many digits as you worked to: the digits",
        "# written are the precision it is checked to (0.50 means two decimal places). Delete the",
        "# lines you are not asked for; leave a line blank to count it as not answered.",
        f"# Check with: {command}",
    ]
    layers = list(reversed(network.layers))
    section, previous = -1, None
    for name in vocabulary.template(everything):
        kind = vocabulary.kinds[name]
        if previous is None or _new_section(previous, kind):
            section += 1
            lines += ["", f"# {_section_title(network, kind, section, layers)}"]
        lines.append(f"{name}:")
        previous = kind
    return "\n".join(lines) + "\n"


def _new_section(previous: str, kind: str) -> bool:
    """A heading goes where the forward pass ends and where each layer's new values end."""
    return (previous == "forward") != (kind == "forward") or (previous == "new" and kind != "new")


def _section_title(network: Network, kind: str, section: int, layers: list) -> str:
    if kind == "forward":
        return "Forward pass"
    if kind in ("after", "error_after"):
        return "After the update"
    layer = layers[section - 1] if 0 < section <= len(layers) else layers[-1]
    where = "output layer" if layer is network.layers[-1] else "hidden layer"
    return f"Backward pass, {where} {', '.join(layer.names)}: δ, gradients, new values"
