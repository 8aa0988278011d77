"""Figures in the exported solutions: the network drawing put first, and each figure written as an SVG file for Markdown."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from ..files import check_target, write_atomically
from ..render.document import Block, Document, Figure, Section


def with_figure(document: Document, figure: Figure) -> Document:
    """The document with `figure` in a first section of its own, "The network"."""
    return document._replace(sections=(Section(("The network",), (figure,)),) + document.sections)


def figures(document: Document) -> list[Figure]:
    """Every figure of the document in reading order (the order Markdown links them in)."""
    found: list[Figure] = []

    def walk(blocks: Iterable[Block]) -> None:
        for block in blocks:
            if isinstance(block, Figure):
                found.append(block)
            elif isinstance(block, Section):
                walk(block.blocks)

    walk(document.sections)
    return found


def write_svg_files(document: Document, folder: Path, stem: str, *, force: bool,
                    inputs: Iterable[str | os.PathLike] = ()) -> list[str]:
    """Write each figure as FOLDER/STEM-K.svg (K from 1), every target checked before any is
    written, each atomically; the paths, for the Markdown to link."""
    if not folder.is_dir():
        from ..errors import BpcalcError

        raise BpcalcError(f"{folder}: not a folder; give an existing folder for the SVG files")
    found = figures(document)
    paths = [folder / f"{stem}-{k}.svg" for k in range(1, len(found) + 1)]
    inputs = list(inputs)
    for path in paths:
        check_target(path, force=force, inputs=inputs)
    for path, figure in zip(paths, found):
        write_atomically(path, figure.svg, force=force, inputs=inputs)
    return [path.as_posix() for path in paths]
