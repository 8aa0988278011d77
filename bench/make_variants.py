"""Variants of a network and answer files for them, to time `bpcalc check DIR` (bench.py, case (e)).

    python bench/make_variants.py NET OUT_DIR VARIANTS FILES [--seed S]

Writes OUT_DIR/variants/<name>-NN.yaml (NET with every weight and bias redrawn to two decimals,
and `name: <name>-NN`) and OUT_DIR/answers/NNN.yaml, FILES answer files spread evenly over the
variants, each `variant: <name>-NN` and a student's answers: every core name of the step, most
right and one in five wrong (the true value's sign flipped), as a class hands them in. Also
OUT_DIR/one/NNN.yaml: the same number of files against NET itself, for the baseline. This is a
stand-in for `bpcalc generate`, kept small and separate so that the bench does not depend on it.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bpcalc.check.grade import Checker  # noqa: E402
from bpcalc.loader import load_network, parse_network  # noqa: E402
from bpcalc.netfile import dumps  # noqa: E402


def variant(network, rng: random.Random, name: str):
    drawn = {key: round(rng.uniform(-1, 1), 2) for key in network.values()}
    return network.with_parameters(drawn)._replace(name=name)


def answers(network, rng: random.Random, variant_name: str | None) -> str:
    checker = Checker(network)
    lines = [f"variant: {variant_name}"] if variant_name else []
    for name in checker.vocabulary.template():
        value = checker.truth[name]
        if rng.random() < 0.2:
            value = -value
        lines.append(f"{name}: {value:.6g}")
    return "\n".join(lines) + "\n"


def make(net: Path, out: Path, variants: int, files: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    base = load_network(net)
    stem = base.name or net.stem
    (out / "variants").mkdir(parents=True, exist_ok=True)
    (out / "answers").mkdir(exist_ok=True)
    (out / "one").mkdir(exist_ok=True)
    drawn = []
    for k in range(1, variants + 1):
        name = f"{stem}-{k:02d}"
        text = dumps(variant(base, rng, name))
        (out / "variants" / f"{name}.yaml").write_text(text, encoding="utf-8")
        drawn.append((name, parse_network(text, name)))
    for k in range(files):
        name, network = drawn[k % variants]
        (out / "answers" / f"{k:03d}.yaml").write_text(answers(network, rng, name), encoding="utf-8")
        (out / "one" / f"{k:03d}.yaml").write_text(answers(base, rng, None), encoding="utf-8")


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1
    if len(arguments) != 4:
        sys.exit(__doc__)
    make(Path(arguments[0]), Path(arguments[1]), int(arguments[2]), int(arguments[3]), seed)
