"""Reads a quiz's progress file (bpcalc quiz --save/--resume) into plain data; bpcalc.quiz.progress interprets it."""

from __future__ import annotations

import os
from typing import Any

import yaml

from ..errors import NetworkFileError
from .yamltext import read_text


def load_progress(path: str | os.PathLike) -> dict[str, Any]:
    """The map in the progress file at `path`; a file that is not one is a NetworkFileError naming the line."""
    shown = os.fsdecode(path)
    text = read_text(path)
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark is not None else None
        raise NetworkFileError(shown, line, f"not a quiz progress file: {error.problem}") from None
    except yaml.YAMLError:
        raise NetworkFileError(shown, None, "not a quiz progress file") from None
    if not isinstance(data, dict) or data.get("quiz") != 1:
        raise NetworkFileError(shown, None, "not a quiz progress file (bpcalc quiz --save writes one; "
                                            "it starts with 'quiz: 1')")
    return data
