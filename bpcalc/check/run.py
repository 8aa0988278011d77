"""From the files on a command line to results: which network each answer file is checked
against (one network, or a directory of variants), and every file checked or rejected with the reason."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Sequence, Union

from ..errors import BpcalcError, NetworkFileError
from ..loader import is_network_text, parse_network, read_source, read_text, source_name
from ..model import DeltaSign, Network
from ..records import Record
from ..loader import parse_answers
from .answers import variant_of
from .grade import Checker, SheetResult
from .names import Vocabulary
from .points import Points, read_points
from .precision import Rule


class Rejected(Record):
    """An answer file that could not be graded, and why, in one line."""

    path: str
    problem: str  # the error as bpcalc prints it: path:line:column: message
    reason: str  # the same without the path, for a row of the report: "line 2: 'detla_h4' is not …"
    variant: str | None = None


Result = Union[SheetResult, Rejected]


class QuestionsFileError(NetworkFileError):
    """A problem with the --questions file: the command's mistake, so it stops the run."""


class Grading(Record):
    """A check run: each answer file's result in the order given, and what they were checked against."""

    results: tuple[Result, ...]
    network: Network | None  # the one network; None for a directory of variants
    directory: str | None = None  # the directory of variants
    questions: str | None = None  # the --questions file
    points: Points | None = None  # the --points file's, for the gradebook
    kinds: Mapping[str, str] = {}  # each name's kind of quantity (engine.Kind), for the points' groups
    vocabulary: Vocabulary | None = None  # the names of the first network checked

    @property
    def graded(self) -> tuple[SheetResult, ...]:
        return tuple(r for r in self.results if isinstance(r, SheetResult))

    @property
    def rejected(self) -> tuple[Rejected, ...]:
        return tuple(r for r in self.results if isinstance(r, Rejected))


def check_files(paths: Sequence[Path], default_network: Path, rule: Rule,
                delta_sign: DeltaSign | None = None, questions: Path | None = None,
                points: Path | None = None) -> Grading:
    """Every answer file checked: against the network given first (else the bundled default), or,
    when the first path is a directory, against the variant each file names (`variant: hw4-01`:
    DIR/hw4-01.yaml). δ is signed as `delta_sign` says (default: each network file's).
    `questions`: a blank answer file naming what every file must answer; `points`: the points
    per question (points.py), read against the first network checked.

    A file that cannot be graded (unreadable, an unknown name, a non-number, a variant that is
    not there) is Rejected with the reason and the others are still graded; a single answer file
    that cannot be graded raises its error instead, as there is nothing else to report.
    """
    if not paths:
        raise BpcalcError("give one or more answer files, after the network: bpcalc check NET ANSWERS...")
    questions_text = read_text(questions) if questions is not None else None
    if os.path.isdir(paths[0]):
        grading = _check_variants(paths[0], paths[1:], rule, delta_sign, questions, questions_text)
        return _with_points(grading, points)
    first = source_name(paths[0])
    text = read_source(paths[0])  # - is standard input
    if is_network_text(text):
        network, answers = parse_network(text, first), list(paths[1:])
        if not answers:
            raise BpcalcError(f"{first} is the network; give one or more answer files after it "
                              f"(bpcalc answers {first} prints a blank one)")
        texts: dict[int, str] = {}
    else:
        network = parse_network(read_text(default_network), os.fsdecode(default_network))
        answers, texts = list(paths), {0: text}
    grader = _Grader(rule, delta_sign, questions, questions_text)
    checker = grader.checker(network)
    names = {network.name, Path(network.path).stem if network.path else None} - {None}
    results: list[Result] = []
    for k, path in enumerate(answers):
        shown = source_name(path)
        try:
            answer_text = texts[k] if k in texts else read_source(path)
            if is_network_text(answer_text):
                raise BpcalcError(f"{shown}: this is a network file; give the network first and then "
                                  "the answer files: bpcalc check NET ANSWERS...")
            sheet = checker.read(shown, answer_text)
            if sheet.variant is not None and sheet.variant not in names:
                raise NetworkFileError(shown, None, f"this answer file is for variant {sheet.variant}, not "
                                                    f"{network.name or network.path}; check it against "
                                                    f"{sheet.variant}.yaml")
            results.append(grader.check(checker, sheet))
        except QuestionsFileError:
            raise
        except BpcalcError as error:
            if len(answers) == 1:
                raise
            results.append(_rejected(shown, error))
    grading = Grading(tuple(results), network, None, os.fsdecode(questions) if questions else None,
                      vocabulary=checker.vocabulary)
    return _with_points(grading, points)


def _with_points(grading: Grading, points: Path | None) -> Grading:
    """The grading with the points file read, against the vocabulary of the first network checked."""
    vocabulary = grading.vocabulary
    if points is None or vocabulary is None:
        return grading
    from .gradebook import columns

    return grading._replace(points=read_points(points, vocabulary, columns(grading)), kinds=vocabulary.kinds)


def _check_variants(directory: Path, paths: Sequence[Path], rule: Rule, delta_sign: DeltaSign | None,
                    questions: Path | None, questions_text: str | None) -> Grading:
    """Each answer file against DIR/<its variant>.yaml; each variant's network loaded and prepared once."""
    folder = os.fsdecode(directory)
    if not paths:
        raise BpcalcError(f"{folder} is a directory of variants; give the answer files after it: "
                          "bpcalc check DIR ANSWERS...")
    grader = _Grader(rule, delta_sign, questions, questions_text)
    checkers: dict[str, Checker | BpcalcError] = {}
    results: list[Result] = []
    for path in paths:
        shown = source_name(path)
        variant = None
        try:
            entries = parse_answers(read_source(path), shown)
            variant = variant_of(entries)
            if variant is None:
                raise NetworkFileError(shown, None, f"names no variant (a line `variant: NAME`), so which of "
                                                    f"{folder}'s networks it answers is not known")
            if variant not in checkers:
                checkers[variant] = _variant_checker(grader, directory, variant, shown)
            checker = checkers[variant]
            if isinstance(checker, BpcalcError):
                raise checker
            results.append(grader.check(checker, checker.read(shown, entries=entries)))
        except QuestionsFileError:
            raise
        except BpcalcError as error:
            if len(paths) == 1:
                raise
            results.append(_rejected(shown, error, variant))
    first = next((c for c in checkers.values() if isinstance(c, Checker)), None)
    return Grading(tuple(results), None, folder, os.fsdecode(questions) if questions else None,
                   vocabulary=first.vocabulary if first is not None else None)


def _variant_checker(grader: _Grader, directory: Path, variant: str, shown: str) -> Checker | BpcalcError:
    """The checker of DIR/<variant>.yaml, or the error that says why there is none (kept, so that
    every file of a broken variant gets the same reason without reading it again)."""
    path = Path(directory) / f"{variant}.yaml"
    if variant != Path(variant).name or variant.startswith(".") or not path.is_file():
        known = sorted(p.stem for p in Path(directory).glob("*.yaml")
                       if not p.name.endswith((".key.yaml", ".answers.yaml")))
        listed = f" (it has {', '.join(known[:3])}{', …' if len(known) > 3 else ''})" if known else ""
        return NetworkFileError(shown, None, f"unknown variant '{variant}': there is no "
                                             f"{os.fsdecode(path)}{listed}")
    try:
        return grader.checker(parse_network(read_text(path), os.fsdecode(path)))
    except QuestionsFileError:
        raise
    except BpcalcError as error:
        return error


class _Grader:
    """Checkers made the same way for every network, and the questions resolved for each."""

    def __init__(self, rule: Rule, delta_sign: DeltaSign | None, questions: Path | None, text: str | None):
        self.rule = rule
        self.delta_sign = delta_sign
        self.questions_path = questions
        self.questions_text = text
        self._questions: dict[int, tuple[str, ...]] = {}

    def checker(self, network: Network) -> Checker:
        if self.delta_sign is not None:
            network = network._replace(options=network.options._replace(delta_sign=self.delta_sign))
        checker = Checker(network, self.rule)
        if self.questions_path is not None:
            # A question the network does not have is a mistake in the command, not in a submission.
            try:
                self._questions[id(checker)] = checker.questions(self.questions_path, self.questions_text)
            except NetworkFileError as error:
                raise QuestionsFileError(error.path, error.line, f"--questions: {error.message}",
                                         error.column) from None
        return checker

    def check(self, checker: Checker, sheet) -> SheetResult:
        return checker.check(sheet, self._questions.get(id(checker)))


def _rejected(path: str, error: BpcalcError, variant: str | None = None) -> Rejected:
    if isinstance(error, NetworkFileError):
        where = f"line {error.line}: " if error.line is not None and error.path == path else ""
        reason = where + error.message if error.path == path else str(error)
    else:
        reason = str(error).removeprefix(f"{path}: ")
    return Rejected(path, str(error), reason, variant)
