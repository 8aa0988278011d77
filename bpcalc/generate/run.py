"""`bpcalc generate` from start to end: the template read, the variants drawn, every file written."""

from __future__ import annotations

from pathlib import Path

from ..errors import BpcalcError
from ..files import check_target, write_atomically
from .draw import Drawer
from .files import check_directory, files_of, problems_of, write_directory
from .roster import read_roster
from .template import read_template

MAX_COUNT = 10_000


def variant_names(stem: str, count: int, ids: list[str] | None) -> list[str]:
    """hw4-01 … hw4-30 (as many digits as the count needs, at least two), or hw4-<id> for each id."""
    if ids is not None:
        return [f"{stem}-{i}" for i in ids]
    width = max(2, len(str(count)))
    return [f"{stem}-{k:0{width}d}" for k in range(1, count + 1)]


def generate(template: Path, count: int | None, seed: int, out: Path, moodle: Path | None = None,
             roster: Path | None = None, force: bool = False) -> str:
    """Write the variants, their keys, blank answer files and sheets into `out` (and the quiz to `moodle`);
    returns the line that says what was done and how many draws were rejected."""
    ids = [name for _, name in read_roster(roster)] if roster is not None else None
    if ids is not None and count is not None and count != len(ids):
        raise BpcalcError(f"-n {count}, but the roster {roster} lists {len(ids)} ids; give one of the two")
    if ids is None and count is None:
        raise BpcalcError("say how many variants to draw: -n COUNT (or --ids ROSTER, one a student)")
    count = len(ids) if ids is not None else count
    assert count is not None
    if not 1 <= count <= MAX_COUNT:
        raise BpcalcError(f"-n: expected a count from 1 to {MAX_COUNT:,}, got {count}")
    check_directory(out, force, template)
    inside = moodle is not None and moodle.parent.resolve() == out.resolve()  # the quiz goes in DIR too
    if moodle is not None and not inside:
        check_target(moodle, force=force, inputs=[template])
    plan = read_template(template)
    drawer = Drawer(plan, seed)
    variants = [drawer.next_variant(name) for name in variant_names(plan.name, count, ids)]
    problems = problems_of(plan, variants)
    written = files_of(plan, problems)
    said = f"wrote {count} variant{'s' if count != 1 else ''} of {plan.name} to {out}"
    if moodle is not None:
        from .moodle import quiz

        text = quiz(plan.name, problems, plan.precision)
        if inside:
            written[moodle.name] = text
        said += f" and the quiz {moodle}"
    write_directory(out, written, force)
    if moodle is not None and not inside:
        write_atomically(moodle, text, force=force, inputs=[template])
    return f"{said}; {drawer.summary()}"
