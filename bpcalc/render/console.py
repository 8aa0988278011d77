"""Where the terminal format goes: a rich console on a terminal, plain text anywhere else.

Decided from the environment without loading rich, so that piped output starts as fast as
`--json` does (issue 5).
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


def styled() -> bool:
    """Styles (bold, a progress bar) on a terminal, or wherever FORCE_COLOR asks for them as rich
    reads it, but never under NO_COLOR (no-color.org): that user asked for plain text."""
    if os.environ.get("NO_COLOR", ""):
        return False
    if os.environ.get("FORCE_COLOR", ""):
        return True
    return _on_terminal()


def width() -> int:
    """Columns to fit plain text to, as rich measures them: COLUMNS, else the terminal's, else 80."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return shutil.get_terminal_size((80, 24)).columns if _on_terminal() else 80


def rich_console() -> Console:
    from rich.console import Console

    # rich alone would drop only the colours under NO_COLOR, and still send bold and italic.
    return Console(highlight=False, color_system="auto" if styled() else None)


def _on_terminal() -> bool:
    try:
        return sys.stdout is not None and sys.stdout.isatty()
    except (AttributeError, ValueError):  # replaced by an object without isatty, or closed
        return False
