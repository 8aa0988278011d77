"""A quiz on one network, without input or output: what to ask, how each answer is judged, hints, the score.

The questions are the names `bpcalc answers` lists, in its order. An answer is judged by
check's own Checker on the sheet of every answer standing so far, so it is judged exactly as
`bpcalc check` would judge that sheet: to the digits written, ±1 in the last place, right by
follow-through from the student's own earlier numbers, δ in the course's sign. A wrong answer
the student does not correct stands, and is carried forward as theirs, as on paper; a
question skipped carries the value computed from what stands before it. Hints and the lines
shown once a question is done are the worked solution's own equations (render/solution.py),
never derived again here.
"""

from __future__ import annotations

import re
from typing import Literal

from .. import engine
from ..check.answers import Answer, AnswerSheet
from ..check.grade import Checker, Judgement, SheetResult
from ..check.names import CORE_KINDS
from ..check.precision import Rule, Written
from ..model import Network
from ..records import Record
from ..render.document import Document, Equation, Group, Section
from ..render.symbols import View

Part = Literal["forward", "backward", "update", "all"]
PARTS: dict[str, tuple[str, ...]] = {
    "forward": ("forward",),
    "backward": ("delta", "gradient"),
    "update": ("new", "error_after"),
    "all": CORE_KINDS,
}
HINTS = 2  # the formula, then the formula with the numbers put in
# A number as an answer file writes one (YAML's plain numbers): Decimal alone would also take
# 1_000, "Infinity" or other scripts' digits.
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
QUIZ_SHEET = "<quiz>"  # the sheet's path, where check's messages would name a file


class Question(Record):
    """One quantity to work out: its name, its line of the worked solution, and the lines shown once it is done
    (the unasked lines of its group that lead to it, such as δ's factors, then its own)."""

    name: str
    equation: Equation | None
    working: tuple[Equation, ...]


class Progress(Record):
    """Where one question stands: the answer standing (None: not answered, or skipped), tries, hints."""

    name: str
    written: str | None = None
    tries: int = 0
    hints: int = 0
    first_try: bool = False  # right at the first try, with no hint
    done: bool = False  # answered and left, or skipped


class Score(Record):
    """The end of a quiz: how many right of how many asked, and what went wrong."""

    right: int
    total: int
    hints: int
    first_try: int
    missed: tuple[str, ...]  # skipped
    wrong: tuple[Judgement, ...]  # answers left standing that are not right, with their diagnoses
    unreached: tuple[str, ...] = ()  # not asked yet when the quiz stopped

    @property
    def all_right(self) -> bool:
        return self.right == self.total


class Session:
    """A quiz on `network` over the names of `part`; `progress` continues an earlier session."""

    def __init__(self, network: Network, part: Part = "all", rule: Rule = Rule(),
                 progress: tuple[Progress, ...] = ()):
        if part not in PARTS:
            raise ValueError(f"part must be one of {', '.join(PARTS)}")
        self.network = network
        self.part = part
        self.checker = Checker(network, rule)
        vocabulary = self.checker.vocabulary
        stepping = network.options.learning_rate is not None and network.has_targets
        self.document, *others = _documents(network, stepping)
        template = tuple(n for n in vocabulary.template() if stepping or vocabulary.kinds[n] == "forward")
        asked = tuple(n for n in template if vocabulary.kinds[n] in PARTS[part])
        if not asked:
            raise engine.BpcalcError(f"{network.name or network.path or 'this network'} has nothing to ask "
                                     f"in the part '{part}'" + ("" if stepping else
                                                               ": without η and targets there is only the forward pass"))
        self.given = tuple(n for n in template[:template.index(asked[0])])  # earlier parts, shown as given
        self.questions = _questions((self.document, *others), asked)
        self.progress: dict[str, Progress] = {q.name: Progress(q.name) for q in self.questions}
        for p in progress:
            if p.name not in self.progress:
                raise engine.BpcalcError(f"the saved progress names {p.name}, which this quiz does not ask")
            self.progress[p.name] = p

    # ---- where the quiz is

    @property
    def current(self) -> Question | None:
        """The first question not done; None at the end."""
        for q in self.questions:
            if not self.progress[q.name].done:
                return q
        return None

    @property
    def number(self) -> int:
        """The current question's number, from 1 (one past the last at the end)."""
        return sum(1 for p in self.progress.values() if p.done) + 1

    def values_given(self) -> list[tuple[str, float]]:
        """The worked solution's values of the names before this part, which the part starts from."""
        equations = _first_equations(self.document)
        equations.update((q.name, q.equation) for q in self.questions if q.equation is not None)
        return [(n, equations[n].value) for n in self.given  # type: ignore[misc]
                if n in equations and equations[n].value is not None]

    # ---- what the student does

    def answer(self, text: str) -> Judgement:
        """Judge `text` (a number as written; raises ValueError if it is not one) for the current question,
        against every answer standing before it; the answer then stands, right or not."""
        q = self._current()
        if not NUMBER.fullmatch(text.strip()):
            raise ValueError(f"not a number: {text!r}")
        written = Written.parse(text)
        p = self.progress[q.name]
        judgement = self._judge(q.name, written)
        first = p.tries == 0 and p.hints == 0 and judgement.right
        self.progress[q.name] = p._replace(written=written.text, tries=p.tries + 1, first_try=first)
        return judgement

    def hint(self) -> Equation | None:
        """The next hint for the current question: its formula, then the formula with numbers; None when none is left."""
        q = self._current()
        p = self.progress[q.name]
        eq = q.equation
        if eq is None or eq.formula is None or p.hints >= HINTS or (p.hints == 1 and eq.numbers is None):
            return None  # the second hint needs numbers to put in
        self.progress[q.name] = p._replace(hints=p.hints + 1)
        if p.hints == 0:
            return eq._replace(numbers=None, value=None, note=())
        return eq._replace(value=None, note=())

    def move_on(self) -> Question:
        """Leave the current question: its answer stands if it has one, else it is skipped."""
        q = self._current()
        self.progress[q.name] = self.progress[q.name]._replace(done=True)
        return q

    def judgement(self, name: str) -> Judgement | None:
        """The verdict on the answer standing for `name`, judged with every answer standing before it."""
        written = self.progress[name].written
        return None if written is None else self._judge(name, Written.parse(written))

    def score(self) -> Score:
        """The score of every question, done or not: one not answered counts as not right."""
        judged = {j.answer.name.canonical: j for j in self._sheet_result().judgements}
        right = sum(1 for q in self.questions if q.name in judged and judged[q.name].right)
        missed = tuple(q.name for q in self.questions if q.name not in judged and self.progress[q.name].done)
        unreached = tuple(q.name for q in self.questions if q.name not in judged and not self.progress[q.name].done)
        wrong = tuple(judged[q.name] for q in self.questions if q.name in judged and not judged[q.name].right)
        return Score(right, len(self.questions), sum(p.hints for p in self.progress.values()),
                     sum(1 for p in self.progress.values() if p.first_try), missed, wrong, unreached)

    # ---- judging, as check does

    def _current(self) -> Question:
        q = self.current
        if q is None:
            raise RuntimeError("the quiz is over")
        return q

    def _judge(self, name: str, written: Written) -> Judgement:
        """`written` for `name`, judged as check judges it on a sheet of the answers standing before it."""
        before = self._standing(until=name)
        before[name] = written
        result = self.checker.check(self._sheet(before))
        return next(j for j in result.judgements if j.answer.name.canonical == name)

    def _sheet_result(self) -> SheetResult:
        return self.checker.check(self._sheet(self._standing()))

    def _standing(self, until: str | None = None) -> dict[str, Written]:
        """The answers standing, in question order (up to, not including, `until`)."""
        standing = {}
        for q in self.questions:
            if q.name == until:
                break
            written = self.progress[q.name].written
            if written is not None:
                standing[q.name] = Written.parse(written)
        return standing

    def _sheet(self, answers: dict[str, Written]) -> AnswerSheet:
        resolve = self.checker.vocabulary.resolve
        return AnswerSheet(QUIZ_SHEET, tuple(Answer(resolve(name), written, name, line)
                                             for line, (name, written) in enumerate(answers.items(), 1)), ())


def _documents(network: Network, stepping: bool) -> tuple[Document, ...]:
    """The worked solutions the lines and hints come from: `step --show-deltas`, then `forward` for the
    samples a step's batch leaves out (an online step feeds only its own sample forward); `forward`
    alone without η or targets."""
    from ..render.solution import forward_document, step_document

    view = View(delta_sign=network.options.delta_sign, show_deltas=True)
    forward = forward_document(network, engine.evaluate(network), view)
    if stepping:
        return step_document(engine.step(network), view), forward
    return (forward,)


def _first_equations(document: Document) -> dict[str, Equation]:
    """Each named line of the document, at its first appearance (E_total is written again after the step)."""
    found: dict[str, Equation] = {}
    for eq in document.equations():
        if eq.name is not None:
            found.setdefault(eq.name, eq)
    return found


def _questions(documents: tuple[Document, ...], asked: tuple[str, ...]) -> tuple[Question, ...]:
    """The questions in `asked`'s order, each with its line and the working that leads to it within its
    group, from the first document that has it."""
    wanted = set(asked)
    working: dict[str, tuple[Equation, ...]] = {}
    equation: dict[str, Equation] = {}

    def walk(blocks) -> None:
        for block in blocks:
            if isinstance(block, Section):
                walk(block.blocks)
            elif isinstance(block, Group):
                pending: list[Equation] = []
                for eq in block.equations:
                    if eq.name in wanted:
                        if eq.name not in equation:
                            equation[eq.name] = eq
                            working[eq.name] = (*pending, eq)
                        pending = []
                    elif eq.name is None or eq.name not in equation:
                        pending.append(eq)

    for document in documents:
        walk(document.sections)
    return tuple(Question(name, equation.get(name), working.get(name, ())) for name in asked)
