"""`bpcalc quiz` from its options: which network, which saved progress, then the loop; the exit status.

The network is a file (default: the bundled example), or a fresh variant of a template drawn by
bpcalc.generate with a seed (a new one each time unless --seed replays one). --save keeps the
progress in a file after every answer; --resume continues one, saving back to it (or to --save).
A progress file of another quiz is never replaced without --force.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Callable

from ..errors import EXIT_OK, EXIT_WRONG_ANSWERS, BpcalcError
from ..model import Network
from . import progress
from .play import Player, line_editing
from .session import Part, Session

MAX_SEED = 1_000_000  # a seed short enough to read out and type again


def variant(template: Path, seed: int) -> Network:
    """One fair random variant of `template` (its `vary:` block), as `bpcalc generate` draws it."""
    try:
        from ..generate import fresh_variant
    except ImportError:
        raise BpcalcError("--random needs bpcalc generate, which this installation does not have") from None
    return fresh_variant(template, seed)


def quiz(net: Path | None, default_network: Path, load: Callable[[Path], Network], *, template: Path | None,
         part: Part | None, seed: int | None, save: Path | None, resume: Path | None, force: bool,
         interactive: bool, colour: bool, width: int) -> int:
    """Run the quiz the options describe; returns its exit status (0 all right, 1 not)."""
    if template is not None and net is not None:
        raise BpcalcError("give a network file or --random TEMPLATE, not both")
    if seed is not None and template is None and resume is None:
        raise BpcalcError("--seed replays a variant drawn by --random; give --random TEMPLATE too")
    if resume is not None:
        if net is not None or template is not None or seed is not None:
            raise BpcalcError("--resume continues the saved quiz on its own network; drop NET, --random and --seed")
        saved = progress.read(resume)
        if part is not None and part != saved.part:
            raise BpcalcError(f"{resume}: this quiz is on part {saved.part}; drop --part {part} to continue it")
    else:
        if template is not None and seed is None:
            seed = secrets.randbelow(MAX_SEED)
        source = progress.source_for(net, template, seed)
        saved = progress.Saved(source, part or "all")
        if save is not None and progress.exists(save) and not force:
            earlier = progress.read(save)
            if not earlier.same_quiz(saved):
                raise BpcalcError(f"{save}: holds another quiz ({earlier.describe()}); use --force to replace "
                                  f"it, or --resume {save} to continue it")
            saved = earlier  # the same quiz saved before: carry on with it rather than lose it
    network = load(net) if net is not None else _network(saved.source, default_network, load)
    session = Session(network, saved.part, progress=saved.questions)  # type: ignore[arg-type]
    target = save if save is not None else resume
    inputs = tuple(p for p in (saved.source.network, saved.source.template) if p is not None)
    if target is not None:
        progress.write(target, saved._replace(questions=tuple(session.progress.values())), force=True, inputs=inputs)
    if saved.source.random:
        shown = template if template is not None else saved.source.template  # as the user typed it
        print(f"A fresh variant of {shown}, seed {saved.source.seed} (replay it with "
              f"--random {shown} --seed {saved.source.seed}).")

    def keep(s: Session) -> None:
        if target is not None:
            progress.write(target, saved._replace(questions=tuple(s.progress.values())), force=True, inputs=inputs)

    if interactive:
        line_editing()
    read = _terminal_input if interactive else None
    score = Player(session, interactive=interactive, colour=colour, save=keep, width=width, read=read).play()
    if target is not None:
        print(f"Progress saved in {target}" + ("." if session.current is None else
                                                f": continue with bpcalc quiz --resume {target}"))
    return EXIT_OK if score.all_right else EXIT_WRONG_ANSWERS


def _network(source: progress.Source, default_network: Path, load: Callable[[Path], Network]) -> Network:
    if source.random:
        assert source.template is not None and source.seed is not None
        return variant(Path(source.template), source.seed)
    return load(Path(source.network) if source.network is not None else default_network)


def _terminal_input(prompt: str) -> str:
    """input(), with the line that end of input (Ctrl-D) or Ctrl-C leaves open ended."""
    try:
        return input(prompt)
    except (EOFError, KeyboardInterrupt):
        print(flush=True)
        raise


def stdin_is_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False
