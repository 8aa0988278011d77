"""Where the vectorised (numpy) path overtakes the compiled one: time both per update over a grid of sizes.

    python bench/crossover.py

For each network 4-H-3 (sigmoid hidden, softmax output, cross-entropy) and batch of N samples
(full batch), prints the time of one update on each path, which is faster, the work of an
update in multiply-adds (weights × samples) and the path bpcalc.training.choose_path picks
(numpy from CROSSOVER_MACS_PER_LAYER × (layers + 1) multiply-adds on).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bpcalc import training  # noqa: E402
from bpcalc.fast import compiled, vectorised  # noqa: E402
from bpcalc.functions import ACTIVATIONS  # noqa: E402
from bpcalc.model import Network, Options, Sample, dense_layer  # noqa: E402


def network(hidden: int, samples: int, depth: int = 1, inputs: int = 4, outputs: int = 3) -> Network:
    rng = random.Random(1)

    def layer(kind, width, sources, prefix):
        return dense_layer(ACTIVATIONS[kind], [f"{prefix}{j}" for j in range(width)], sources,
                           [[rng.uniform(-1, 1) for _ in sources] for _ in range(width)],
                           [rng.uniform(-1, 1) for _ in range(width)])

    names = tuple(f"x{i}" for i in range(inputs))
    layers = [layer("sigmoid", hidden, names, "h0_")]
    for d in range(1, depth):
        layers.append(layer("sigmoid", hidden, layers[-1].names, f"h{d}_"))
    layers.append(layer("softmax", outputs, layers[-1].names, "o"))
    data = tuple(Sample(tuple(rng.uniform(-1, 1) for _ in range(inputs)),
                        tuple(1.0 if k == rng.randrange(outputs) else 0.0 for k in range(outputs)))
                 for _ in range(samples))
    return Network(names, tuple(layers), data,
                   Options(learning_rate=0.1, loss="cross_entropy"))


def per_update(trainer_class, net: Network, budget: float = 0.05) -> float:
    trainer = trainer_class(net)
    trainer.advance(1)
    epochs = 1
    while True:
        start = time.perf_counter()
        trainer.advance(epochs)
        elapsed = time.perf_counter() - start
        if elapsed > budget:
            break
        epochs *= 4
    times = []
    for _ in range(3):
        start = time.perf_counter()
        trainer.advance(epochs)
        times.append((time.perf_counter() - start) / epochs)
    return statistics.median(times)


def main() -> None:
    print(f"{'net':>10} {'N':>5} {'MACs/update':>12} {'compiled µs':>12} {'numpy µs':>10}  {'faster':9} chosen")
    grid = [(1, h, n) for h in (2, 8, 16, 32, 64) for n in (1, 4, 16, 64)]
    grid += [(2, h, n) for h in (4, 8, 16) for n in (1, 2, 4, 16)]
    for depth, hidden, samples in grid:
            net = network(hidden, samples, depth)
            name = "-".join(["4"] + [str(hidden)] * depth + ["3"])
            c = per_update(compiled.CompiledTrainer, net) * 1e6
            v = per_update(vectorised.VectorisedTrainer, net) * 1e6
            macs = training.multiply_adds(net) * samples
            chosen = training.choose_path(net)
            print(f"{name:>10} {samples:>5} {macs:>12.0f} {c:>12.1f} {v:>10.1f}  "
                  f"{'numpy' if v < c else 'compiled':9} {chosen}")


if __name__ == "__main__":
    main()
