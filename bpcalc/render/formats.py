"""The formats a worked solution prints in, chosen by an enum: one document, written four ways."""

from __future__ import annotations

import errno
import sys
from enum import Enum
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # the CLI imports Format at start-up; the writers only when it shows
    from .document import Document


class Format(str, Enum):
    """--format: where the solution is going."""

    terminal = "terminal"  # fitted to the window; styled by rich on a terminal
    markdown = "markdown"  # headings and tables to paste into notes
    latex = "latex"  # an amsmath fragment for an answer key
    html = "html"  # one self-contained page for a browser, printable


def show(document: Document, fmt: Format, digits: int, figure_files: Sequence[str] = ()) -> None:
    """Print `document` in `fmt`: through rich on a terminal that takes styles, as plain text
    otherwise; in Markdown the figures link `figure_files`, SVG files written beside it. A value
    that is 0 in the numbers written but a rounding residue in binary is printed as 0
    (render/residues.py)."""
    from .residues import settle

    document = settle(document)
    if fmt is Format.terminal:
        from . import console, terminal

        if console.styled():
            screen = console.rich_console()
            screen.print(terminal.to_rich(terminal.render(document, screen.width, digits)))
        else:
            _write(terminal.plain(terminal.render(document, console.width(), digits)))
        return
    if fmt is Format.markdown:
        from .markdown import render as markdown

        _write(markdown(document, digits, figure_files=figure_files))
        return
    if fmt is Format.latex:
        from .latex import render
    else:
        from .html import render
    _write(render(document, digits))


def _write(text: str) -> None:
    if sys.stdout is None:  # started with standard output closed
        raise OSError(errno.EBADF, "standard output is closed")
    sys.stdout.write(text)
