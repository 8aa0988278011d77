"""Writes networks/flowers.csv: 24 made-up flowers in three species, iris-like, the same on every run.

    python bench/make_flowers.py

Four measurements per flower drawn around its species' means (random.Random(2026), Gaussian
spread, one decimal, as the iris data set is written), and a one-hot target column per species.
networks/flowers.yaml trains a 4-16-16-3 network on it; bench/bench.py trains the same file over
256 such rows (`rows(256)`), written beside a copy of it in a temporary folder.
"""

from __future__ import annotations

import random
from pathlib import Path

SPECIES = {  # mean and spread of sepal length, sepal width, petal length, petal width (cm)
    "setosa": ((5.0, 3.4, 1.5, 0.25), (0.35, 0.38, 0.17, 0.1)),
    "versicolor": ((5.9, 2.8, 4.3, 1.3), (0.5, 0.31, 0.47, 0.2)),
    "virginica": ((6.6, 3.0, 5.6, 2.0), (0.63, 0.32, 0.55, 0.27)),
}
COLUMNS = ("sepal_length", "sepal_width", "petal_length", "petal_width")
ROWS = 24  # networks/flowers.csv: enough to learn from, few enough for every command's tables


def rows(count: int = ROWS, seed: int = 2026) -> list[str]:
    rng = random.Random(seed)
    names = list(SPECIES)
    lines = [",".join(COLUMNS + tuple(names))]
    for _ in range(count):
        species = rng.choice(names)
        means, spreads = SPECIES[species]
        values = [max(0.1, round(rng.gauss(m, s), 1)) for m, s in zip(means, spreads)]
        lines.append(",".join([f"{v:.1f}" for v in values] + ["1" if n == species else "0" for n in names]))
    return lines


def main() -> None:
    path = Path(__file__).resolve().parent.parent / "networks" / "flowers.csv"
    path.write_text("\n".join(rows()) + "\n")
    print(f"wrote {path} ({ROWS} rows)")


if __name__ == "__main__":
    main()
