"""Values after N epochs (X@N), and after one epoch fewer and one more, from a single training run."""

from __future__ import annotations

import math

from .. import engine, training
from ..errors import BpcalcError
from ..model import Network
from ..quantities import after_quantities

# X@N is checked by training for N epochs (several times, for the diagnosis): this keeps a typo
# such as out_o1@10000000 from running for hours.
MAX_EPOCHS = 100_000


def after_epochs(network: Network, epochs: int) -> dict[int, dict[str, float]]:
    """{−1, 0, +1: every X@N value} after epochs−1, epochs and epochs+1 epochs, all named @epochs.

    The first epochs−1 run on training's fastest exact path (the engine's numbers, and the
    momentum to carry on); the last two on the engine, one epoch at a time, since each of the
    three networks is wanted. A run that stops being finite ends early; the offsets it did not
    reach are missing.
    """
    first = max(epochs - 1, 0)
    try:
        record = training.train(network, first)
    except (BpcalcError, ArithmeticError, ValueError):
        return {}
    current, velocity = record.network, dict(record.velocity or {})
    reached = {first - epochs: current}
    plan = engine.batches(network)
    for epoch in range(first + 1, epochs + 2):
        try:
            for batch in plan:
                step = engine.step(current, batch, velocity, evaluate_after=False)
                current, velocity = step.updated, step.velocity
        except (ArithmeticError, ValueError):
            break
        if not _finite(current):
            break
        reached[epoch - epochs] = current
    return {offset: after_quantities(trained, engine.evaluate(trained), epochs) for offset, trained in reached.items()}


def _finite(network: Network) -> bool:
    return all(math.isfinite(v) for v in network.values().values())
