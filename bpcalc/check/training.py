"""Values after N epochs (X@N), and after one epoch fewer and one more, from a single training run."""

from __future__ import annotations

import math
from typing import Mapping

from .. import engine
from ..model import Network
from ..quantities import after_quantities

# X@N is checked by training for N epochs (several times, for the diagnosis): this keeps a typo
# such as out_o1@10000000 from running for hours.
MAX_EPOCHS = 100_000


def after_epochs(network: Network, epochs: int) -> dict[int, dict[str, float]]:
    """{−1, 0, +1: every X@N value} after epochs−1, epochs and epochs+1 epochs, all named @epochs.

    The loop is engine.train's, kept here because it must hand back three networks from one run
    (with momentum carried, so they cannot come from three separate runs cheaply). A run that
    stops being finite ends early; the offsets it did not reach are missing.
    """
    plan = engine.batches(network)
    velocity: Mapping[str, float] = network.previous_steps  # a saved run's momentum, or rest
    wanted = {epochs - 1: -1, epochs: 0, epochs + 1: 1}
    reached = {}
    current = network
    if 0 in wanted:
        reached[wanted[0]] = current
    for epoch in range(1, epochs + 2):
        try:
            for batch in plan:
                record = engine.step(current, batch, velocity, evaluate_after=False)
                current, velocity = record.updated, record.velocity
        except (ArithmeticError, ValueError):
            break
        if not _finite(current):
            break
        if epoch in wanted:
            reached[wanted[epoch]] = current
    return {offset: after_quantities(trained, engine.evaluate(trained), epochs) for offset, trained in reached.items()}


def _finite(network: Network) -> bool:
    return all(math.isfinite(v) for v in network.values().values())
