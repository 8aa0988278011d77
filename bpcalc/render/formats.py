"""The formats a worked solution prints in, chosen by an enum: one document, written three ways."""

from __future__ import annotations

import sys
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI imports Format at start-up; the writers (and rich) only when it shows
    from rich.console import Console

    from .document import Document


class Format(str, Enum):
    """--format: where the solution is going."""

    terminal = "terminal"  # rich text fitted to the console's width
    markdown = "markdown"  # headings and tables to paste into notes
    latex = "latex"  # an amsmath fragment for an answer key


def show(document: Document, fmt: Format, console: Console, digits: int) -> None:
    """Print `document` in `fmt`: on the console for the terminal, as plain text otherwise."""
    from . import latex, markdown, terminal

    if fmt is Format.terminal:
        console.print(terminal.render(document, console.width, digits))
        return
    writer = markdown.render if fmt is Format.markdown else latex.render
    sys.stdout.write(writer(document, digits))
    sys.stdout.flush()
