"""bpcalc's Python API, for notebooks and for measuring: the records the CLI renders, as objects.

    import bpcalc
    net = bpcalc.load_network("networks/mazur.yaml")
    bpcalc.forward(net).error                  # Evaluation: every sample's net/out, E_total
    bpcalc.step(net).updated.weights()         # StepRecord: deltas, gradients, new network
    bpcalc.train(net, 10_000).final.error      # TrainRecord: final network, error at checkpoints
    bpcalc.solution(net, "step")               # the worked solution, shown by Jupyter as Markdown/LaTeX
    bpcalc.check(net, {"out_h1": "0.5933"})    # checked answers, shown as a table

Importing bpcalc loads nothing heavy (no yaml, rich, typer or numpy): each function imports
what it uses when called.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Mapping, Sequence

if TYPE_CHECKING:
    from .model import Network
    from .notebook import Checked, Diagram, Solution
    from .trace import Evaluation, StepRecord, TrainRecord

    NetworkOrPath = Network | str | os.PathLike | Mapping[str, Any]

__all__ = ["load_network", "forward", "step", "train", "solution", "diagram", "check"]


def load_network(source: str | os.PathLike | Mapping[str, Any]) -> Network:
    """The network in a YAML file, in YAML text, or in a dict of the file's shape.

    A str is a path if it names an existing file or ends in .yaml or .yml; else it is YAML text if
    it holds a newline or a ':'. A mistake raises bpcalc.errors.NetworkFileError, naming the file
    and line, `<text>` and the text's line, or `<dict>`.
    """
    from .loader.network import network_from

    return network_from(source)


def _network(network: NetworkOrPath) -> Network:
    from .model import Network

    return network if isinstance(network, Network) else load_network(network)


def forward(network: NetworkOrPath) -> Evaluation:
    """Every sample fed forward (`.passes`), and the total error (`.error`): `bpcalc forward`."""
    from .engine import evaluate

    return evaluate(_network(network))


def step(network: NetworkOrPath, batch: Sequence[int] | None = None) -> StepRecord:
    """One update on `batch` (sample indices; default the first batch): `bpcalc step`."""
    from .engine import step as one_step

    return one_step(_network(network), batch)


def train(network: NetworkOrPath, epochs: int, checkpoints: Sequence[int] | None = None, *,
          path: str = "auto", until: float | None = None) -> TrainRecord:
    """`epochs` epochs of training: `bpcalc train -n EPOCHS`.

    With `until`, training stops after the first epoch whose error is ≤ `until`, `epochs` being
    the most it may run (`bpcalc train -n EPOCHS --until E`): the record's `.epochs` are those run
    and `.stopped` is "target" or "epochs".

    The error is recorded at `checkpoints` (default 0, 1, 10, 100, … and the last epoch, as the
    CLI shows). `path` is "auto" (the fastest that computes the engine's numbers), or forces
    "compiled", "vectorised" or "reference".
    """
    from . import engine, training

    if checkpoints is None:
        checkpoints = engine.checkpoints_for(epochs)
    return training.train(_network(network), epochs, checkpoints, path=path, until=until)


def solution(network: NetworkOrPath, what: str = "step", *, param: str | None = None, epochs: int | None = None,
             digits: int = 9, delta_sign: str | None = None, symbolic: bool = False) -> Solution:
    """The worked solution, for a notebook to show (Markdown with $…$ math, LaTeX, HTML): "step" (as
    `bpcalc step --show-deltas`), "forward", "explain" with param= (w5, b(h2), i1) or "train" with epochs=."""
    from .notebook import solution as make

    return make(_network(network), what, param=param, epochs=epochs, digits=digits, delta_sign=delta_sign,
                symbolic=symbolic)


def diagram(network: NetworkOrPath, record=None, caption: str = "") -> Diagram:
    """The network drawn (SVG in a notebook, text lines in a console), with a record's values if given."""
    from .notebook import diagram as draw

    return draw(_network(network), record, caption)


def check(network: NetworkOrPath, answers: Mapping[str, Any] | str | os.PathLike, *,
          delta_sign: str | None = None) -> Checked:
    """Answers (a dict name → number, or an answer file) checked as `bpcalc check` checks them: the
    Judgement records, shown in a notebook as a table; `.right`, `.asked`, `.all_right`, `["w5+"]`."""
    from .notebook import check as judge

    return judge(_network(network), answers, delta_sign=delta_sign)
