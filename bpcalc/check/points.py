"""Points per question for the gradebook (check --points): a YAML map from a name, a glob or a group of names to points.

```yaml
default: 1        # every question nothing below names (1 if left out)
forward: 0.5      # a group: every name of that part of the solution
updates: 2
"w*+": 3          # a glob over the names (quoted: * starts an alias in YAML)
E_after: 4        # one name, in any spelling an answer file may use
```

The most specific key wins: a name, then a glob, then a group, then `default`.
"""

from __future__ import annotations

import fnmatch
import os
from typing import Mapping

from ..errors import NetworkFileError
from ..loader import read_text
from ..loader.yamltext import _check_keys, _compose, _describe, _Invalid, _number
from ..records import Record
from yaml.nodes import MappingNode
from .names import UnknownName, Vocabulary

# Each group, and the kinds of quantity it takes in (engine.Kind; "trained" for X@N).
GROUPS: dict[str, tuple[str, ...]] = {
    "forward": ("forward",),
    "factors": ("factor",),
    "deltas": ("delta",),
    "gradients": ("gradient",),
    "steps": ("step",),
    "updates": ("new",),
    "after": ("after", "error_after"),
    "trained": ("trained",),
}
DEFAULT = "default"


class Points(Record):
    """Points by name, by glob and by group, and for everything else."""

    names: Mapping[str, float] = {}
    globs: tuple[tuple[str, float], ...] = ()
    groups: Mapping[str, float] = {}
    default: float = 1.0

    def of(self, name: str, kind: str) -> float:
        if name in self.names:
            return self.names[name]
        for pattern, points in self.globs:
            if fnmatch.fnmatchcase(name, pattern):
                return points
        for group, points in self.groups.items():
            if kind in GROUPS[group]:
                return points
        return self.default


def read_points(path: str | os.PathLike, vocabulary: Vocabulary, questions: tuple[str, ...]) -> Points:
    """The points file at `path`, its names resolved against `vocabulary`; a glob must match one of
    `questions` (else it is surely a typo). Problems are NetworkFileError naming the line."""
    shown = os.fsdecode(path)
    text = read_text(path)
    try:
        root = _compose(text)
        if not isinstance(root, MappingNode):
            raise _Invalid(root, "a points file maps names, globs or groups to points, e.g. `deltas: 2`; "
                                 f"got {'nothing' if root is None else _describe(root)}")
        _check_keys(root)
        names: dict[str, float] = {}
        globs: list[tuple[str, float]] = []
        groups: dict[str, float] = {}
        default = 1.0
        for key, value in root.value:
            points = _number(value, key.value)
            if points < 0:
                raise _Invalid(value, f"{key.value}: points must be 0 or more, got {value.value}")
            if key.value == DEFAULT:
                default = points
            elif key.value in GROUPS:
                groups[key.value] = points
            elif any(c in key.value for c in "*?["):
                if not any(fnmatch.fnmatchcase(q, key.value) for q in questions):
                    raise _Invalid(key, f"'{key.value}' matches none of the questions")
                globs.append((key.value, points))
            else:
                try:
                    names[vocabulary.resolve(key.value).canonical] = points
                except UnknownName as problem:
                    close = f"; did you mean {', '.join(problem.close)}?" if problem.close else ""
                    raise _Invalid(key, f"'{key.value}' is neither a quantity nor a group "
                                        f"({', '.join(GROUPS)}){close}") from None
        return Points(names, tuple(globs), groups, default)
    except _Invalid as problem:
        raise NetworkFileError(shown, problem.line, problem.message, problem.column) from None
