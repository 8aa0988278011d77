"""Instructor tools: from one template, a fair variant of the problem for every student, with keys, sheets and a Moodle quiz.

  template  the template read and its `vary:` rules resolved to the numbers they redraw
  draw      drawing a variant, and the rules that make it a fair problem
  key       each variant's answers to the sheet's precision, as `check` reads them
  sheets    the problem sheet and the key document (Markdown and LaTeX)
  moodle    the Moodle XML quiz
  files     the whole set written into a directory, all or nothing
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from ..model import Network


def fresh_variant(template: Path, seed: int) -> Network:
    """One fair variant of the template at `template`, drawn from `seed` by the rules of `bpcalc generate`.

    It is the first variant `bpcalc generate TEMPLATE --seed SEED` writes, named after the template and
    the seed (hw4-7). The same template and seed give the same network on any machine. Raises NetworkFileError
    naming the line for a bad template, and BpcalcError when no fair variant can be drawn.
    """
    from .draw import Drawer
    from .template import read_template

    plan = read_template(template)
    return Drawer(plan, seed).next_variant(f"{plan.name}-{seed}").network
