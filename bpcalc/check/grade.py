"""Judging answer sheets against one network: right to the digits written, right by follow-through, or wrong and why."""

from __future__ import annotations

import os
from typing import Literal

from .. import engine
from ..loader.answers import AnswerEntry
from ..model import Network
from ..records import Record
from .answers import Answer, AnswerSheet, read_sheet
from .dataflow import Dataflow, nearest
from .alternatives import Alternatives
from .diagnose import Diagnoser, Diagnosis
from .names import Vocabulary
from .precision import Rule, agrees

Verdict = Literal["correct", "follow_through", "wrong"]
CORRECT: Verdict = "correct"
FOLLOW_THROUGH: Verdict = "follow_through"
WRONG: Verdict = "wrong"
VERDICTS = (CORRECT, FOLLOW_THROUGH, WRONG)


class Judgement(Record):
    """The verdict on one answer, with the values it was judged against and the reason when it is not right."""

    answer: Answer
    expected: float  # the true value under the network's conventions
    verdict: Verdict
    follows: float | None = None  # what the student's own earlier numbers give, where that differs
    uses: tuple[str, ...] = ()  # the student's own not-right earlier answers it was recomputed from
    slack: bool = False  # right only by the allowance in the last place
    diagnosis: Diagnosis | None = None  # why it is not the expected value; never for a correct answer
    remark: str | None = None  # for a correct answer, an observation about its last digit
    rounded_early: bool = False  # follow-through from the student's own right but rounded numbers

    @property
    def right(self) -> bool:
        return self.verdict != WRONG


class SheetResult(Record):
    """Every judgement of one sheet, in solution order, and the score.

    `questions` are the names every student must answer (check --questions), in solution order:
    the score counts those alone, and one the sheet does not give counts as not answered. None:
    the names the sheet gives (answered or left blank) are the questions.
    """

    sheet: AnswerSheet
    judgements: tuple[Judgement, ...]
    questions: tuple[str, ...] | None = None
    network_file: str | None = None  # what it was checked against

    def asks(self, name: str) -> bool:
        return self.questions is None or name in self.questions

    @property
    def scored(self) -> tuple[Judgement, ...]:
        return tuple(j for j in self.judgements if self.asks(j.answer.name.canonical))

    def count(self, verdict: Verdict) -> int:
        return sum(1 for j in self.scored if j.verdict == verdict)

    @property
    def right(self) -> int:
        return sum(1 for j in self.scored if j.right)

    @property
    def asked(self) -> int:
        """The questions, or the answers given plus names left blank: a blank counts as not right."""
        if self.questions is not None:
            return len(self.questions)
        return len(self.judgements) + len(self.sheet.blank)

    @property
    def missing(self) -> tuple[str, ...]:
        """The questions the sheet does not name at all."""
        given = {j.answer.name.canonical for j in self.judgements} | set(self.sheet.blank)
        return tuple(name for name in self.questions or () if name not in given)

    @property
    def unanswered(self) -> tuple[str, ...]:
        """The questions left blank or missing (without questions: the names left blank)."""
        return tuple(name for name in self.sheet.blank if self.asks(name)) + self.missing

    @property
    def wrong(self) -> tuple[Judgement, ...]:
        return tuple(j for j in self.scored if not j.right)

    @property
    def all_right(self) -> bool:
        return not self.wrong


class Checker:
    """Checks answer sheets against one network; what every sheet shares (the true values, each
    alternative's values from scratch, training runs) is computed once."""

    def __init__(self, network: Network, rule: Rule = Rule()):
        self.network = network
        self.rule = rule
        # Without η only the forward pass is defined; the names of the step stay known, so that
        # asking for one says what is missing rather than that the name is unknown.
        named = network if network.options.learning_rate is not None else (
            network._replace(options=network.options._replace(learning_rate=1.0)))
        self.vocabulary = Vocabulary(network, Dataflow(named))
        self.flow = Dataflow(network)
        self.truth = self.flow.run()
        self.alternatives = Alternatives(network, self.truth)

    def read(self, path: str | os.PathLike, text: str | None = None,
             entries: tuple[AnswerEntry, ...] | None = None) -> AnswerSheet:
        return read_sheet(path, self.vocabulary, text, entries)

    def questions(self, path: str | os.PathLike, text: str | None = None) -> tuple[str, ...]:
        """The names a blank answer file (check --questions) asks, in solution order; a number
        written after a name does not matter (a key serves as well)."""
        sheet = self.read(path, text)
        names = dict.fromkeys([a.name.canonical for a in sheet.answers] + list(sheet.blank))
        return tuple(sorted(names, key=self._name_order))

    def _name_order(self, name: str) -> tuple:
        """Solution order, then the values after training by their epochs."""
        if name in self.flow.order:
            return (0, self.flow.order[name], "")
        return (1, self.vocabulary.resolve(name).epochs or 0, name)

    def check(self, sheet: AnswerSheet, questions: tuple[str, ...] | None = None) -> SheetResult:
        answers = {a.name.canonical: a for a in sheet.answers}
        if any(not a.name.trained and name not in self.truth for name, a in answers.items()) \
                or any(a.name.trained for a in answers.values()):
            engine.require_learning_rate(self.network)
        judged = self._follow_through({n: a for n, a in answers.items() if not a.name.trained})
        judged.update(self._trained({n: a for n, a in answers.items() if a.name.trained}))
        diagnoser = Diagnoser(self.alternatives, self.flow, answers, self.rule)
        judgements = []
        for name in sorted(judged, key=lambda n: self._order(answers[n])):
            j = judged[name]
            if j.verdict == WRONG or (j.verdict == FOLLOW_THROUGH and not j.rounded_early):
                j = j._replace(diagnosis=diagnoser.wrong(j.answer, j.verdict == FOLLOW_THROUGH))
            elif j.verdict == CORRECT and j.slack and not j.uses:
                j = j._replace(remark=diagnoser.rounding_only(j.answer))
            judgements.append(j)
        return SheetResult(sheet, tuple(judgements), questions, self.network.path)

    def _order(self, answer: Answer) -> tuple:
        if answer.name.trained:
            return (1, answer.name.epochs, answer.line)
        return (0, self.flow.order[answer.name.canonical], 0)

    def _follow_through(self, answers: dict[str, Answer]) -> dict[str, Judgement]:
        """Judge in solution order, carrying the student's own number forward wherever it is not right,
        so that each later answer is also judged against what their earlier numbers give: first
        their numbers that are not right, then all of them as written (a student who rounds a
        right out_h1 to 0.5933 and works on from 0.5933 has followed through)."""
        given = {name: a.value for name, a in answers.items()}
        from_written = self.flow.run(lambda key, value: given.get(key, value))
        judged: dict[str, Judgement] = {}
        carried_own: set[str] = set()
        carried_true: set[str] = set()

        def choose(key: str, computed: float) -> float:
            answer = answers.get(key)
            if answer is None:
                return computed
            expected = self.truth[key]
            if agrees(answer.written, expected, self.rule):
                slack = not agrees(answer.written, expected, self.rule, exactly=True)
                if not slack:
                    judged[key] = Judgement(answer, expected, CORRECT)
                    carried_true.add(key)
                    return expected
                uses = tuple(nearest(self.flow, key, carried_own, carried_true))
                own = uses and agrees(answer.written, computed, self.rule, exactly=True)
                judged[key] = Judgement(answer, expected, CORRECT, computed if own else None,
                                        uses if own else (), slack=True)
                # Right, but only by the allowance: what follows is judged from the student's own
                # number too, as their later working used it.
                carried_own.add(key)
                return answer.value
            uses = tuple(nearest(self.flow, key, carried_own, carried_true))
            written_from = tuple(nearest(self.flow, key, given))
            if uses and agrees(answer.written, computed, self.rule):
                judged[key] = Judgement(answer, expected, FOLLOW_THROUGH, computed, uses)
            elif written_from and agrees(answer.written, from_written[key], self.rule):
                judged[key] = Judgement(answer, expected, FOLLOW_THROUGH, from_written[key], written_from,
                                        rounded_early=True)
            else:
                judged[key] = Judgement(answer, expected, WRONG, computed if uses else None, uses)
            carried_own.add(key)
            return answer.value

        self.flow.run(choose)
        return judged

    def _trained(self, answers: dict[str, Answer]) -> dict[str, Judgement]:
        """Values after N epochs: judged against training, without follow-through."""
        judged = {}
        for name, answer in answers.items():
            assert answer.name.epochs is not None  # a value after training names its epochs
            expected = self.alternatives.trained(None, answer.name.epochs)[0][name]
            verdict = CORRECT if agrees(answer.written, expected, self.rule) else WRONG
            slack = verdict == CORRECT and not agrees(answer.written, expected, self.rule, exactly=True)
            judged[name] = Judgement(answer, expected, verdict, slack=slack)
        return judged
