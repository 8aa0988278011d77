"""bpcalc quiz: one step of backpropagation practised a value at a time."""

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..cli import NetArg, _app as app, default_network_path, load_network, user_errors
from ..commandline import Count
from ..render import console


class QuizPart(str, Enum):
    """--part: which quantities a quiz asks for."""

    forward = "forward"
    backward = "backward"
    update = "update"
    all = "all"


@app.command()
@user_errors
def quiz(net: NetArg = None,
         random: Annotated[Optional[Path], typer.Option(
             "--random", metavar="TEMPLATE", help="Quiz on a fresh random variant of TEMPLATE (a network file "
                                                  "with a vary: block), drawn as bpcalc generate draws it.")] = None,
         part: Annotated[Optional[QuizPart], typer.Option(
             "--part", show_default=False, help="Ask for the forward pass, the backward pass (δ and gradients), "
                                                "the update (new values, E_after) or all (the default).")] = None,
         seed: Annotated[Optional[int], typer.Option(
             "--seed", click_type=Count(0, what="the seed"), help="Replay the --random variant drawn with this seed (each quiz prints its seed).")] = None,
         save: Annotated[Optional[Path], typer.Option(
             "--save", metavar="PROGRESS.yaml", help="Keep the progress in this file after every answer, to "
                                                     "continue another day with --resume.")] = None,
         resume: Annotated[Optional[Path], typer.Option(
             "--resume", metavar="PROGRESS.yaml", help="Continue the quiz saved in this file (and save to it).")] = None,
         force: Annotated[bool, typer.Option("--force", help="Let --save replace a file holding another quiz.")] = False,
         ) -> None:
    """Practise one step of backpropagation: each value asked in solution order (the names of
    bpcalc answers), judged at once as bpcalc check judges it, with the slip that explains a wrong
    one; ? gives a hint (the formula, then the formula with numbers), Enter or skip shows the worked
    line and moves on, q stops. Exit 0 if every answer is right, 1 if not.

    \b
    Examples:
      bpcalc quiz                              the bundled Mazur network, every value
      bpcalc quiz hw3.yaml --part backward     only the deltas and gradients of your network
      bpcalc quiz --random template.yaml       a fresh variant; its seed is printed
      bpcalc quiz --random template.yaml --seed 4821 --save week3.yaml
      bpcalc quiz --resume week3.yaml          carry on where you stopped
      bpcalc quiz hw3.yaml < mine.txt          one answer a line, from a file or a script

    Piped, one line answers one question (a wrong answer stands and is followed through), so a
    list of answers can be checked the quiz's way; the output is then plain text.
    """
    from ..quiz.command import quiz as run_quiz, stdin_is_terminal

    interactive = stdin_is_terminal()
    status = run_quiz(net, default_network_path(), load_network, template=random,
                      part=part.value if part is not None else None,
                      seed=seed, save=save, resume=resume, force=force, interactive=interactive,
                      colour=interactive and console.styled(), width=console.width())
    if status:
        raise typer.Exit(status)
