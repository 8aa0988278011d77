"""bpcalc's Python API, for notebooks and for measuring: the records the CLI renders, as objects.

    import bpcalc
    net = bpcalc.load_network("networks/mazur.yaml")
    bpcalc.forward(net).error                  # Evaluation: every sample's net/out, E_total
    bpcalc.step(net).updated.weights()         # StepRecord: deltas, gradients, new network
    bpcalc.train(net, 10_000).final.error      # TrainRecord: final network, error at checkpoints

Importing bpcalc loads nothing heavy (no yaml, rich, typer or numpy): each function imports
what it uses when called.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from .model import Network
    from .trace import Evaluation, StepRecord, TrainRecord

    NetworkOrPath = Network | str | os.PathLike

__all__ = ["load_network", "forward", "step", "train"]


def load_network(path: str | os.PathLike) -> Network:
    """The network in a YAML file (raises bpcalc.errors.NetworkFileError naming the line if it is wrong)."""
    from .loader import load_network as load

    return load(path)


def _network(network: NetworkOrPath) -> Network:
    return load_network(network) if isinstance(network, (str, os.PathLike)) else network


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
