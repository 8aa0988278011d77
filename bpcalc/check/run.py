"""From the files on a command line to results: which file is the network, and every answer file checked against it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from ..errors import BpcalcError
from ..loader import is_network_text, parse_network, read_source, read_text, source_name
from ..model import DeltaSign, Network
from .grade import Checker, SheetResult
from .precision import Rule


def check_files(paths: Sequence[Path], default_network: Path, rule: Rule,
                delta_sign: DeltaSign | None = None) -> tuple[Network, list[SheetResult]]:
    """The network (the first file if it is one, else the bundled default) and every answer file
    checked against it, with δ signed as `delta_sign` says (default: the network file's). Each file
    is read once (it may be a pipe), and all are read before any is checked, so that a bad one
    stops the run before any output."""
    if not paths:
        raise BpcalcError("give one or more answer files, after the network: bpcalc check NET ANSWERS...")
    texts = [read_source(path) for path in paths]  # - is standard input
    first = source_name(paths[0])
    if is_network_text(texts[0]):
        network = parse_network(texts[0], first)
        answers = list(zip(paths[1:], texts[1:]))
        if not answers:
            raise BpcalcError(f"{first} is the network; give one or more answer files after it "
                              f"(bpcalc answers {first} prints a blank one)")
    else:
        network = parse_network(read_text(default_network), os.fsdecode(default_network))
        answers = list(zip(paths, texts))
    if delta_sign is not None:
        network = network._replace(options=network.options._replace(delta_sign=delta_sign))
    for path, text in answers:
        if is_network_text(text):
            raise BpcalcError(f"{os.fsdecode(path)}: this is a network file; give the network first and then "
                              "the answer files: bpcalc check NET ANSWERS...")
    checker = Checker(network, rule)
    sheets = [checker.read(path, text) for path, text in answers]
    return network, [checker.check(sheet) for sheet in sheets]
