"""Training, by the fastest path that computes the reference engine's numbers: compiled, vectorised or the engine itself.

`train` is what the CLI and the Python API call. It picks a path (`choose_path`), runs the
epochs in chunks that end at every checkpoint, and returns the same TrainRecord as
`engine.train`. Between chunks it checks that the parameters, every net and the error are
still within a double; when a chunk went wrong it replays that chunk epoch by epoch to find the
first bad epoch, and that epoch on the engine, for the engine's own message.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Mapping, Sequence

from . import engine
from .errors import BpcalcError, NetworkFileError
from .model import Network
from .records import Record
from .trace import Evaluation, TrainRecord, UpdateRecord, UpdateRow

PATHS = ("auto", "reference", "compiled", "vectorised")

# Epochs per chunk: how far a divergence is replayed epoch by epoch to find where it began.
CHUNK = 1000

# Where the vectorised (numpy) path overtakes the compiled one (bench/crossover.py, README
# "Performance"): compiled Python costs ~0.09 µs per multiply-add, numpy a fixed ~8 µs per
# update plus ~8 µs per layer and next to nothing per multiply-add, so numpy wins once an
# update's multiply-adds (weights × samples in the batch) pass about 100 × (layers + 1).
CROSSOVER_MACS_PER_LAYER = 100

# Writing and compiling a program costs ~0.6 ms, what the engine spends on ~10 updates of a
# 2-2-2 net: a run with fewer multiply-adds than this in all is left to the engine.
TINY_RUN_MACS = 160


def multiply_adds(network: Network) -> float:
    """The multiply-adds of one forward pass of one sample: the number of weights."""
    return float(sum(len(n.weights) for n in network.neurons))


def choose_path(network: Network, epochs: int | None = None) -> str:
    """reference for hand rounding (and anything the fast paths cannot write) and for runs too
    short to repay compiling; compiled for small work per update, and for any network that is
    not layered (skip connections, sparse layers); vectorised when a layered network's update is
    large enough for numpy to pay."""
    if network.options.rounding is not None:
        return "reference"
    if epochs is not None and epochs * multiply_adds(network) * len(network.samples) <= TINY_RUN_MACS:
        return "reference"
    from .fast import compiled

    if not compiled.supported(network):
        return "reference"
    per_update = multiply_adds(network) * len(network.samples) / len(engine.batches(network))
    # numpy takes only layered nets (vectorised.supported, asked here before numpy is imported)
    if per_update >= CROSSOVER_MACS_PER_LAYER * (len(network.layers) + 1) and network.layered and _numpy_available():
        return "vectorised"
    return "compiled"


def _numpy_available() -> bool:
    from importlib.util import find_spec

    return find_spec("numpy") is not None


def train(network: Network, epochs: int, checkpoints: Sequence[int] = (),
          progress: Callable[[int], None] | None = None, *, path: str = "auto",
          until: float | None = None) -> TrainRecord:
    """`epochs` epochs of training, with the error after each of `checkpoints` (epoch 0 = before any).

    `progress`, if given, is called with the number of epochs done, about 200 times in a run
    (for a progress bar). `path` forces one way of computing it ("reference", "compiled",
    "vectorised"); "auto" chooses.

    With `until`, training stops after the first epoch at whose end the error is ≤ `until` (0
    epochs if the start already is), `epochs` being the most it may run; the record holds the
    epochs run, checkpoints up to the last of them, and `stopped` ("target" or "epochs"). The
    fast paths look at the error only at chunk ends, as they do anyway; a chunk that ends at or
    below the target is replayed from its start one epoch at a time for the first epoch that is.
    """
    if path not in PATHS:
        raise ValueError(f"path must be one of {', '.join(PATHS)}, not {path!r}")
    if until is not None:
        until = engine.target_error(until)
    if path == "auto":
        path = choose_path(network, epochs)
    if path == "reference":
        return engine.train(network, epochs, checkpoints, progress, until=until)
    if epochs < 0:
        raise BpcalcError(f"the number of epochs must be 0 or more, not {epochs}")
    engine.require_learning_rate(network)
    engine.require_targets(network)
    trainer = _trainer(network, path)
    if not trainer.sound():
        engine.evaluate(network)  # raises the engine's Overflow, naming the value: the file's, before training
    wanted = sorted({c for c in checkpoints if 0 <= c <= epochs})
    history = []
    if wanted and wanted[0] == 0:
        history.append((0, trainer.error()))
    done = 0
    reached = until is not None and trainer.error() <= until
    every = max(1, epochs // 200) if progress is not None else CHUNK
    for stop in ([] if reached else _stops(epochs, wanted, every)):
        saved = trainer.state
        trainer.advance(stop - done)
        if not trainer.sound():
            trainer.state = saved
            stop = _replay(trainer, done, stop, until)  # raises at the divergence, unless the target comes first
            reached = True
        elif until is not None and trainer.error() <= until:
            trainer.state = saved
            stop = _replay(trainer, done, stop, until)
            reached = True
        done = stop
        if stop in wanted or reached:
            history.append((stop, trainer.error()))
        if progress is not None:
            progress(stop)
        if reached:
            break
    updates = len(engine.batches(network))
    if until is None:
        return TrainRecord(epochs, epochs * updates, trainer.network(), trainer.evaluation(), tuple(history),
                           trainer.velocity())
    run = done if reached else epochs
    return TrainRecord(run, run * updates, trainer.network(), trainer.evaluation(),
                       engine.ended(history, run, trainer.error()), trainer.velocity(),
                       "target" if reached else "epochs", until)


def _replay(trainer, done: int, stop: int, until: float | None) -> int:
    """Replay epochs done+1 … stop one at a time, from the chunk's start: the first epoch whose
    error is ≤ `until` (the trainer left there), raising as engine.train does at a diverging one."""
    for epoch in range(done + 1, stop + 1):
        before = trainer.state
        trainer.advance(1)
        if not trainer.sound():
            trainer.state = before
            _diverged(trainer, epoch)
        if until is not None and trainer.error() <= until:
            return epoch
    raise AssertionError("a chunk reached the target or diverged but its replay did not")  # deterministic


def update_number(network: Network, k: int) -> UpdateRecord:
    """The k-th update from the file's starting values (k ≥ 1), counted across batches and epochs.

    The whole epochs before it run by `train`'s fastest exact path (which hands back the network
    and the momentum), the updates of its own epoch before it on the engine, and update k itself
    on the engine, whose StepRecord every renderer reads.
    """
    if k < 1:
        raise BpcalcError(f"the update number must be 1 or more, not {k}")
    engine.require_learning_rate(network)
    engine.require_targets(network)
    start, plan = network, engine.batches(network)
    epochs, position = divmod(k - 1, len(plan))
    velocity: Mapping[str, float] = network.previous_steps  # a saved run's momentum, or rest
    if epochs:
        trained = train(network, epochs)
        network, velocity = trained.network, dict(trained.velocity or {})
    for batch in plan[:position]:
        record = engine.step(network, batch, velocity, evaluate_after=False)
        network, velocity = record.updated, record.velocity
    return UpdateRecord(k, epochs + 1, position, engine.step(network, plan[position], velocity), start)


# The most updates `train --updates` tabulates unless asked for all (--all-updates): with the
# start, 51 rows, what a printed page holds.
UPDATES_TABLE_MAX = 50


def updates_table_size(network: Network, epochs: int, everything: bool = False) -> int:
    """The updates in `epochs` epochs, which `train --updates` tabulates; more than a page holds
    is refused, with a hint, unless `everything`."""
    per_epoch = len(engine.batches(network))
    count = epochs * per_epoch
    if count <= UPDATES_TABLE_MAX or everything:
        return count
    fewer = UPDATES_TABLE_MAX // per_epoch
    hint = (f"train fewer epochs (-n {fewer} is {fewer * per_epoch} updates)" if fewer else
            f"one epoch is already {per_epoch} updates")
    raise BpcalcError(f"--updates: {count:,} updates make a table longer than a page ({UPDATES_TABLE_MAX} at most); "
                      f"{hint}, or ask for all of them with --all-updates")


def update_rows(network: Network, count: int) -> Iterator[UpdateRow]:
    """The start (row 0) and each of the first `count` updates, every one bit for bit what
    `update_number` computes for it (so `train --updates` agrees with `step --update K`).

    update_number runs the whole epochs before an update by `train`'s path, which for a short
    run is the engine itself and for a longer one a fast path, then the rest on the engine. So
    does this, once for each epoch: the epoch's start is the engine's own state while `train`
    would take the engine, else a fast trainer's, advanced as `train` would advance it.
    """
    engine.require_learning_rate(network)
    engine.require_targets(network)
    plan = engine.batches(network)
    start = engine.evaluate(network)
    yield UpdateRow(0, 0, (), network.values(), engine.known(start.error))
    current: Evaluation | None = start  # the evaluation before the next update, where it is known
    starts = _EpochStarts(network)
    state, velocity = network, network.previous_steps
    k, epoch = 0, 0
    while k < count:
        fast = starts.after(epoch)
        if fast is not None:
            state, velocity, current = fast.network, fast.velocity, None
        epoch += 1
        for batch in plan[:count - k]:
            record = engine.step(state, batch, velocity, before=current)
            assert record.after is not None  # a step evaluates its result unless asked not to
            state, velocity, current = record.updated, record.velocity, record.after
            k += 1
            yield UpdateRow(k, epoch, record.batch, state.values(), engine.known(record.after.error))


class _Started(Record):
    """A fast trainer's network and momentum after some epochs, as `train` returns them."""

    network: Network
    velocity: Mapping[str, float]


class _EpochStarts:
    """train(network, e)'s network and momentum for e = 1, 2, 3, … in turn, without training
    from the start each time: None while `train` would run e epochs on the engine (then the
    engine's own state is the start), else a fast trainer's, advanced in the chunks `train`
    advances it in. (A run leaves the engine at most once: `choose_path` leaves only the runs
    too short to repay compiling to it.)"""

    def __init__(self, network: Network):
        self.network = network
        self.trainer: Any = None  # a CompiledTrainer or VectorisedTrainer, made when first needed
        self.done = 0
        self.base: tuple[int, object] = (0, None)  # the last chunk end passed, and the state there

    def after(self, epochs: int) -> _Started | None:
        if epochs == 0 or choose_path(self.network, epochs) == "reference":
            return None
        if self.trainer is None:
            self.trainer = _trainer(self.network, choose_path(self.network, epochs))
            if not self.trainer.sound():
                train(self.network, epochs)  # raises train's error about the file's values
            self.base = (0, self.trainer.state)
        trainer = self.trainer
        # train(e) advances to every multiple of CHUNK, then to e. A fast path that falls back to
        # a slower form mid-chunk (compiled: σ's quick form overflowing) reruns the chunk from
        # its start in that form, so on a fall-back this epoch is redone from the chunk's start.
        program = getattr(trainer, "program", None)
        while self.done < epochs:
            stop = min(epochs, (self.done // CHUNK + 1) * CHUNK)
            trainer.advance(stop - self.done)
            if getattr(trainer, "program", None) is not program:
                trainer.state = self.base[1]
                trainer.advance(stop - self.base[0])
                program = getattr(trainer, "program", None)
            self.done = stop
            if stop % CHUNK == 0:
                self.base = (stop, trainer.state)
        if not trainer.sound():
            train(self.network, epochs)  # raises train's error, naming the epoch that diverged
        return _Started(trainer.network(), trainer.velocity())


def _trainer(network: Network, path: str):
    from .fast import compiled

    if not compiled.supported(network):
        raise BpcalcError(f"the {path} path cannot train this network (hand rounding or an activation "
                          "without a template); use path='reference'")
    if path == "compiled":
        return compiled.CompiledTrainer(network)
    if not network.layered:  # vectorised.supported, asked before numpy is imported
        raise BpcalcError("the vectorised path trains only layered networks (each layer fed by all of the "
                          "layer before, and by nothing else); use path='compiled'")
    from .fast import vectorised

    return vectorised.VectorisedTrainer(network)


def _stops(epochs: int, wanted: Sequence[int], every: int | None = None) -> Iterator[int]:
    """Chunk ends, in order: every checkpoint, at most `every` (default CHUNK) epochs apart, and
    the last epoch (generated one at a time, so a run of 10⁹ epochs holds no list of them)."""
    every = min(every or CHUNK, CHUNK)
    points = iter(sorted(e for e in wanted if 0 < e <= epochs))
    point = next(points, epochs)
    done = 0
    while done < epochs:
        done = min(point, done + every)
        if done == point:
            point = next(points, epochs)
        yield done


# A diverging epoch is replayed on the engine, for its message naming the value that overflowed,
# when the epoch is at most this many multiply-adds (about a second); beyond, the message is general.
REPLAY_MACS = 200_000


def _diverged(trainer, epoch: int) -> None:
    """Raise engine.train's error for `epoch`, whose start is the trainer's state.

    The engine checks every value of every step (nets, outs, δ, gradients, new values, errors);
    the fast paths check the parameters and the error after each chunk. Replaying the one epoch
    on the engine gives its exact message.
    """
    network = trainer.network()
    prefix = f"training diverged in epoch {epoch}:"
    if multiply_adds(network) * len(network.samples) <= REPLAY_MACS:
        velocity = trainer.velocity()
        try:
            current = engine.evaluate(network)
            for batch in engine.batches(network):
                record = engine.step(network, batch, velocity, before=current)
                assert record.after is not None  # a step evaluates its result unless asked not to
                network, velocity, current = record.updated, record.velocity, record.after
        except engine.Overflow as overflow:
            raise NetworkFileError(network.path, None, f"{prefix} {overflow.detail} is beyond the range of a "
                                                       f"double; {engine.TOO_BIG_STEP}") from None
    raise NetworkFileError(network.path, None, f"{prefix} a parameter or the error went beyond the range of a "
                                               f"double; {engine.TOO_BIG_STEP}")
