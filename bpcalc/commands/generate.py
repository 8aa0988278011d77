"""bpcalc generate: a fair variant of a template for every student, with keys, sheets and a Moodle quiz."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..cli import _app as app, user_errors
from ..commandline import Count, say


@app.command()
@user_errors
def generate(template: Annotated[Path, typer.Argument(
                 metavar="TEMPLATE", show_default=False,
                 help="A network file with a vary: block saying which numbers to draw afresh (docs/generate.md).")],
             out: Annotated[Path, typer.Option(
                 "--out", metavar="DIR", show_default=False,
                 help="The directory to create, with every variant's files and the sheets.")],
             count: Annotated[Optional[int], typer.Option(
                 "-n", "--count", metavar="COUNT", click_type=Count(1, what="variants"), show_default=False,
                 help="How many variants to draw (with --ids: one per id).")] = None,
             seed: Annotated[int, typer.Option(
                 "--seed", metavar="S", help="The seed: the same template, seed and count give the same files.")] = 0,
             moodle: Annotated[Optional[Path], typer.Option(
                 "--moodle", metavar="QUIZ.xml", show_default=False,
                 help="Also write a Moodle XML quiz: a cloze question per variant.")] = None,
             ids: Annotated[Optional[Path], typer.Option(
                 "--ids", metavar="ROSTER", show_default=False,
                 help="Name the variants after the student ids in this file (one a line, or a CSV's first column).")] = None,
             force: Annotated[bool, typer.Option(
                 "--force", help="Replace DIR (and QUIZ.xml) if it exists.")] = False) -> None:
    """Draw a different, fair problem for every student from one template, with its key, a blank
    answer file, the problem sheets and keys in Markdown and LaTeX, and a Moodle quiz.

    \b
    Examples:
      bpcalc generate hw4.yaml -n 30 --seed 7 --out hw4/
      bpcalc generate hw4.yaml --ids class.csv --out hw4/ --moodle hw4.xml
      bpcalc check hw4/hw4-01.yaml hw4/hw4-01.key.yaml      (the key: 100 %)

    The template is a network file plus, e.g.:

    \b
      vary:
        weights: {uniform: [-1, 1], decimals: 2}
        inputs: {uniform: [0, 1], decimals: 1}
        targets: {choices: [0, 1]}
        precision: 4                  (significant figures of the key)

    DIR gets hw4-01.yaml (the network), hw4-01.key.yaml (every answer), hw4-01.answers.yaml (the
    student's blank file, naming its variant), … and hw4-problems.md/.tex, hw4-keys.md/.tex. A
    draw is redrawn until it is fair: no saturated unit, no dead ReLU, every update visible at the
    key's precision, the error lowered, no two variants alike. The line on stderr says how many
    draws were rejected.
    """
    from ..generate.run import generate as run

    say(run(template, count, seed, out, moodle, ids, force))
