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
    """Every X@N value (all named @epochs) after N·U updates and around it, keyed by the updates
    more (+) or fewer (−) than N epochs of U updates each: −U and +U are an epoch too few or too
    many, −1 and +1 an update (the same when an epoch is one update).

    The first epochs−1 run on training's fastest exact path (the engine's numbers, and the
    momentum to carry on); the last two epochs on the engine, one update at a time, since the
    networks between are wanted. A run that stops being finite ends early; the offsets it did
    not reach are missing.
    """
    plan = engine.batches(network)
    per_epoch = len(plan)
    first = max(epochs - 1, 0)
    try:
        record = training.train(network, first)
    except (BpcalcError, ArithmeticError, ValueError):
        return {}
    current, velocity = record.network, dict(record.velocity or {})
    end = epochs * per_epoch
    wanted = {-per_epoch, -1, 0, 1, per_epoch}
    done = first * per_epoch
    reached = {done - end: current} if done - end in wanted else {}
    while done < end + per_epoch:
        try:
            step = engine.step(current, plan[done % per_epoch], velocity, evaluate_after=False)
        except (ArithmeticError, ValueError):
            break
        current, velocity = step.updated, step.velocity
        if not _finite(current):
            break
        done += 1
        if done - end in wanted:
            reached[done - end] = current
    return {offset: after_quantities(trained, engine.evaluate(trained), epochs) for offset, trained in reached.items()}


def _finite(network: Network) -> bool:
    return all(math.isfinite(v) for v in network.values().values())
