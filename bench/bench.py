"""bpcalc's training speed against hand-written code, timed in one run: the numbers in README "Performance".

    python bench/bench.py            # about a minute
    python bench/bench.py --quick    # fewer repeats, to try it
    python bench/bench.py --only-e   # only (e), grading
    python bench/bench.py --only-f   # only (f), step --update K
    python bench/bench.py --instructions   # (a), (a') and (d), counted in instructions by valgrind
    python bench/bench.py --help     # this text
    OPENBLAS_CORETYPE= OPENBLAS_L2_SIZE= python bench/bench.py   # where those are set: they slow numpy

Each case is timed as the median of ≥ 5 runs, bpcalc and its baseline alternating so that a
busy machine slows both alike, and prints the ratio and both final errors (which must agree):

  (a) Mazur's 2-2-2 net, 10,000 updates: bpcalc.train vs a hand-unrolled pure-Python loop
  (a') a net with skip connections, a Rumelhart-style XOR net (the output fed by the one hidden
      unit and by both inputs; thresholds), online, 10,000 epochs: the same
  (b) 4-16-16-3 (networks/flowers.yaml over 256 rows), full batch, 2000 epochs: vs hand-written numpy
  (c) 784-128-10, 1024 samples, full batch, 50 epochs: vs hand-written numpy
  (d) whole process: `bpcalc train networks/mazur.yaml` (one epoch, as the issue writes it; then
      -n 10000, and each with --json) vs `python -c "import typer, rich, yaml"`, and the start-up
      of --help, --version, forward and step against the same. Output goes to a pipe, as from a script;
      the rows "styled for a terminal" set FORCE_COLOR, so that rich styles it as it does on a
      terminal (no target: loading rich's console alone costs about a quarter of the baseline)
  (e) whole process: `bpcalc check` of Mazur's published key against networks/mazur-new-weights.yaml
      (every diagnosis of his values after 10,000 rounds retrains) vs `bpcalc train -n 10000`;
      and a class: 300 answer files over 30 variants (`bpcalc check DIR …`, made by
      bench/make_variants.py) vs 300 answer files against one network

bpcalc is timed through its Python API, from a loaded network to the TrainRecord (the error at
the CLI's checkpoints and the final evaluation included). Each run starts as a new process
would, with no program compiled: it writes its program's source and reads the compiled code
from bpcalc's cache (bpcalc/fast/codecache.py), as every CLI run after a network shape's first
does; the row after (a) compiles every time, as that first run does. As the baselines build
their sample matrices once, outside the timing, bpcalc converts a network's samples to arrays
once and keeps them for the next run on the same network. The baselines are written as a
person fluent in Python and numpy would write them for one network: locals and math.exp for
(a) and (a'); the matrix products with weights stored as they are used, in place updates, for (b) and
(c). They compute the same maths, so their final errors agree with bpcalc's to ~1e-12.
"""

from __future__ import annotations

import math
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bpcalc  # noqa: E402
from bpcalc.fast import compiled  # noqa: E402
from bpcalc.functions import ACTIVATIONS  # noqa: E402
from bpcalc.model import Layer, Network, Neuron, Options, Sample, dense_layer  # noqa: E402

QUICK = "--quick" in sys.argv
REPEATS = 5 if QUICK else 7


def median_pair(first, second, repeats: int = REPEATS):
    """Median seconds of `first()` and `second()`, run alternately; and their last results."""
    times_a, times_b = [], []
    result_a = result_b = None
    for _ in range(repeats):
        start = time.perf_counter()
        result_a = first()
        times_a.append(time.perf_counter() - start)
        start = time.perf_counter()
        result_b = second()
        times_b.append(time.perf_counter() - start)
    return statistics.median(times_a), statistics.median(times_b), result_a, result_b


def bpcalc_train(network: Network, epochs: int, cache: bool = True):
    """bpcalc.train as one CLI run does it: writing its program's source, and reading the compiled
    code from bpcalc's cache (`cache=False`: compiling it, as the first run of a network shape does)."""
    settings = {} if cache else {"BPCALC_CACHE": ""}  # set to nothing: no cache

    def run():
        compiled._PROGRAMS.clear()  # the programs this process has compiled: none, as in a new process
        with mock.patch.dict(os.environ, settings):
            return bpcalc.train(network, epochs).final.error
    return run


# ---------------------------------------------------------------- (a) Mazur, hand-unrolled Python

def mazur_by_hand(epochs: int = 10_000) -> float:
    """Mazur's 2-2-2 network (biases fixed), trained the way one writes it out by hand."""
    exp = math.exp
    w1, w2, w3, w4, w5, w6, w7, w8 = 0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55
    b1, b2 = 0.35, 0.60
    i1, i2, t1, t2 = 0.05, 0.10, 0.01, 0.99
    eta = 0.5
    for _ in range(epochs):
        h1 = 1.0 / (1.0 + exp(-(w1 * i1 + w2 * i2 + b1)))
        h2 = 1.0 / (1.0 + exp(-(w3 * i1 + w4 * i2 + b1)))
        o1 = 1.0 / (1.0 + exp(-(w5 * h1 + w6 * h2 + b2)))
        o2 = 1.0 / (1.0 + exp(-(w7 * h1 + w8 * h2 + b2)))
        d1 = (o1 - t1) * o1 * (1.0 - o1)
        d2 = (o2 - t2) * o2 * (1.0 - o2)
        e1 = (d1 * w5 + d2 * w7) * h1 * (1.0 - h1)
        e2 = (d1 * w6 + d2 * w8) * h2 * (1.0 - h2)
        w5 -= eta * d1 * h1
        w6 -= eta * d1 * h2
        w7 -= eta * d2 * h1
        w8 -= eta * d2 * h2
        w1 -= eta * e1 * i1
        w2 -= eta * e1 * i2
        w3 -= eta * e2 * i1
        w4 -= eta * e2 * i2
    h1 = 1.0 / (1.0 + exp(-(w1 * i1 + w2 * i2 + b1)))
    h2 = 1.0 / (1.0 + exp(-(w3 * i1 + w4 * i2 + b1)))
    o1 = 1.0 / (1.0 + exp(-(w5 * h1 + w6 * h2 + b2)))
    o2 = 1.0 / (1.0 + exp(-(w7 * h1 + w8 * h2 + b2)))
    return 0.5 * (t1 - o1) ** 2 + 0.5 * (t2 - o2) ** 2


# ---------------------------------------------------------------- (a') XOR through skip connections

XOR_SAMPLES = ((0.0, 0.0, 0.0), (0.0, 1.0, 1.0), (1.0, 0.0, 1.0), (1.0, 1.0, 0.0))  # x1, x2, target


def xor_net() -> Network:
    """A Rumelhart-style XOR net: one sigmoid hidden unit h, and a sigmoid output o fed by h and
    directly by both inputs (skip connections); each unit has a threshold (net = Σw·x − θ).
    η = 0.5, online (an update after each of the four samples), half-SSE, from weights chosen by
    hand, from which it learns XOR (every output within 0.04 of its target)."""
    sigmoid = ACTIVATIONS["sigmoid"]
    h = Neuron("h", (("x1", 0.3), ("x2", -0.2)), 0.1, threshold=True)
    o = Neuron("o", (("x1", -0.4), ("x2", 0.25), ("h", 0.5)), -0.15, threshold=True)
    return Network(("x1", "x2"), (Layer(sigmoid, (h,)), Layer(sigmoid, (o,))),
                   tuple(Sample((x1, x2), (t,)) for x1, x2, t in XOR_SAMPLES),
                   Options(learning_rate=0.5, batch="online"), name="xor")


def xor_by_hand(epochs: int = 10_000) -> float:
    """xor_net() trained the way one writes it out by hand; returns the mean ½(t − o)² after."""
    exp = math.exp
    u1, u2, theta_h = 0.3, -0.2, 0.1  # x1->h, x2->h, h's threshold
    v1, v2, vh, theta_o = -0.4, 0.25, 0.5, -0.15  # x1->o, x2->o, h->o, o's threshold
    eta = 0.5
    samples = XOR_SAMPLES
    for _ in range(epochs):
        for x1, x2, t in samples:
            h = 1.0 / (1.0 + exp(-(u1 * x1 + u2 * x2 - theta_h)))
            o = 1.0 / (1.0 + exp(-(v1 * x1 + v2 * x2 + vh * h - theta_o)))
            d = (o - t) * o * (1.0 - o)
            e = vh * d * h * (1.0 - h)  # o is the only unit h feeds
            v1 -= eta * d * x1
            v2 -= eta * d * x2
            vh -= eta * d * h
            theta_o += eta * d  # ∂E/∂θ = −δ
            u1 -= eta * e * x1
            u2 -= eta * e * x2
            theta_h += eta * e
    error = 0.0
    for x1, x2, t in samples:
        h = 1.0 / (1.0 + exp(-(u1 * x1 + u2 * x2 - theta_h)))
        o = 1.0 / (1.0 + exp(-(v1 * x1 + v2 * x2 + vh * h - theta_o)))
        error += 0.5 * (t - o) * (t - o)
    return error / len(samples)


# ---------------------------------------------------------------- (b), (c) hand-written numpy

def numpy_by_hand(network: Network, epochs: int):
    """Sigmoid hidden layers, softmax output, mean cross-entropy, full batch: plain numpy backprop."""
    import numpy as np

    X = np.array([s.inputs for s in network.samples])
    T = np.array([s.targets for s in network.samples])
    eta = network.options.learning_rate
    n = len(X)

    def run() -> float:
        Ws = [np.array([[w for _, w in n.weights] for n in layer.neurons]).T.copy()  # (in, out): A @ W
              for layer in network.layers]
        bs = [np.array([n.bias for n in layer.neurons]) for layer in network.layers]
        *hidden_W, W_out = Ws
        *hidden_b, b_out = bs
        with np.errstate(over="ignore"):
            for _ in range(epochs):
                activations = [X]
                for W, b in zip(hidden_W, hidden_b):
                    activations.append(1.0 / (1.0 + np.exp(-(activations[-1] @ W + b))))
                z = activations[-1] @ W_out + b_out
                e = np.exp(z - z.max(axis=1, keepdims=True))
                p = e / e.sum(axis=1, keepdims=True)
                delta = (p - T) / n
                for W, b, a_in, a_out in zip(reversed(Ws), reversed(bs), reversed(activations),
                                             [None] + list(reversed(activations[1:]))):
                    if a_out is not None:
                        delta = delta * a_out * (1.0 - a_out)
                    below = delta @ W.T if a_in is not X else None
                    W -= eta * (a_in.T @ delta)
                    b -= eta * delta.sum(axis=0)
                    delta = below
            a = X
            for W, b in zip(hidden_W, hidden_b):
                a = 1.0 / (1.0 + np.exp(-(a @ W + b)))
            z = a @ W_out + b_out
            e = np.exp(z - z.max(axis=1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
        return float(-(T * np.log(p)).sum() / n)

    return run


def flowers_256() -> Network:
    """networks/flowers.yaml (4-16-16-3, ten lines) over 256 rows of bench/make_flowers.py's data."""
    import tempfile

    from make_flowers import rows

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "flowers.yaml").write_text((ROOT / "networks" / "flowers.yaml").read_text())
        (Path(folder) / "flowers.csv").write_text("\n".join(rows(256)) + "\n")
        return bpcalc.load_network(Path(folder) / "flowers.yaml")


def mnist_like(rows: int = 1024, seed: int = 7) -> Network:
    """784-128-10: sigmoid hidden, softmax output, random 'pixels' in [0, 1] and one-hot labels."""
    rng = random.Random(seed)
    scale_in, scale_hidden = 1 / math.sqrt(784), 1 / math.sqrt(128)
    inputs, hidden_names = [f"p{i}" for i in range(784)], [f"h{j}" for j in range(128)]
    hidden = dense_layer(ACTIVATIONS["sigmoid"], hidden_names, inputs,
                         [[rng.uniform(-scale_in, scale_in) for _ in range(784)] for _ in range(128)], [0.0] * 128)
    output = dense_layer(ACTIVATIONS["softmax"], [f"d{k}" for k in range(10)], hidden_names,
                         [[rng.uniform(-scale_hidden, scale_hidden) for _ in range(128)] for _ in range(10)],
                         [0.0] * 10)
    samples = []
    for _ in range(rows):
        label = rng.randrange(10)
        pixels = tuple(min(1.0, max(0.0, rng.gauss(0.1 + 0.05 * label, 0.3))) for _ in range(784))
        samples.append(Sample(pixels, tuple(1.0 if k == label else 0.0 for k in range(10))))
    return Network(tuple(inputs), (hidden, output), tuple(samples),
                   Options(learning_rate=0.5, loss="cross_entropy"))


# ---------------------------------------------------------------- (d) whole process

def process(command: list[str], statuses: tuple[int, ...] = (0,), **settings: str):
    """A run of `command`, which must end with one of `statuses` (check ends 1 for wrong answers)."""
    env = {**os.environ, **settings}

    def run():
        status = subprocess.run(command, stdout=subprocess.DEVNULL, env=env).returncode
        if status not in statuses:
            raise SystemExit(f"{' '.join(command)} ended with {status}")
    return run


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor() or model
    import numpy as np

    return (f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}, "
            f"{platform.system()} {platform.machine()}")


def judged(ratio: float, target: float | None) -> str:
    """The target and whether the ratio meets it; blank for a row shown only for comparison."""
    if target is None:
        return f"{'':5} {'':6}"
    return f"{f'≤{target:.1f}×':>5} {'ok' if ratio <= target else 'MISSED':6}"


def row(case: str, ours: float, theirs: float, target: float | None,
        errors: tuple[float, float] | None = None) -> None:
    ratio = ours / theirs
    text = f"{case:48} {ours * 1000:9.1f} {theirs * 1000:9.1f} {ratio:6.2f}× {judged(ratio, target)}"
    if errors:
        a, b = errors
        text += f"  {a:.15g}  {b:.15g}  Δ {abs(a - b) / abs(b):.1e}"
    print(text, flush=True)


def case_c() -> None:
    big = mnist_like()
    ours, theirs, e1, e2 = median_pair(bpcalc_train(big, 50), numpy_by_hand(big, 50))
    threads = os.environ.get("OPENBLAS_NUM_THREADS")
    row(f"    the same on {threads} BLAS thread" if threads else "(c) 784-128-10, 1024 samples, 50 epochs",
        ours, theirs, 1.1, (e1, e2))


def compile_bpcalc() -> None:
    """Bytecode for bpcalc itself, as an installed copy has it (editable checkouts under
    PYTHONDONTWRITEBYTECODE would otherwise recompile every module at each start in (d))."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "bpcalc")], check=True,
                   env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""})


def main() -> None:
    if "--help" in sys.argv or "-h" in sys.argv:
        return print(__doc__)
    if "--only-c" in sys.argv:
        return case_c()
    if "--only-e" in sys.argv:
        return case_e()
    if "--only-f" in sys.argv:
        return case_f()
    if "--one" in sys.argv:
        return one_run(*sys.argv[sys.argv.index("--one") + 1:][:2])
    if "--instructions" in sys.argv:
        case_a_instructions()
        return case_d_instructions()
    print(f"machine: {machine()}")
    blas = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    print(f"OPENBLAS settings: {blas or 'none'}")
    compile_bpcalc()
    print(f"\n{'case':48} {'bpcalc ms':>9} {'base ms':>9} {'ratio':>7} {'target':>5} {'':6}  "
          f"{'bpcalc error':17} {'baseline error':17}")

    mazur = bpcalc.load_network(ROOT / "networks" / "mazur.yaml")
    bpcalc_train(mazur, 10)()  # the first run of this shape fills the cache, as the first CLI run does
    ours, theirs, e1, e2 = median_pair(bpcalc_train(mazur, 10_000), mazur_by_hand, REPEATS * 3)
    row("(a) Mazur 2-2-2, 10,000 updates vs Python", ours, theirs, 1.2, (e1, e2))
    ours, theirs, e1, e2 = median_pair(bpcalc_train(mazur, 10_000, cache=False), mazur_by_hand, REPEATS * 3)
    row("    the same, compiling (a shape's first run)", ours, theirs, None, (e1, e2))

    xor = xor_net()
    bpcalc_train(xor, 10)()
    ours, theirs, e1, e2 = median_pair(bpcalc_train(xor, 10_000), xor_by_hand, REPEATS * 3)
    row("(a') XOR, skip connections, 10,000 epochs online", ours, theirs, 1.2, (e1, e2))

    flowers = flowers_256()
    ours, theirs, e1, e2 = median_pair(bpcalc_train(flowers, 2000), numpy_by_hand(flowers, 2000))
    row("(b) 4-16-16-3, 256 samples, 2000 epochs", ours, theirs, 1.2, (e1, e2))

    case_c()
    # The same on one BLAS thread (a fresh process: numpy reads the setting when it loads). On a
    # machine whose other core is busy, two-thread BLAS times swing with the other load; one
    # thread shows the cost of the code itself.
    subprocess.run([sys.executable, __file__, "--only-c"] + (["--quick"] if QUICK else []),
                   env={**os.environ, "OPENBLAS_NUM_THREADS": "1"}, check=True)

    case_d()
    case_e()
    case_f()


def case_e() -> None:
    """Grading: the Mazur key's diagnoses retrain on the fast paths; a class over variants costs
    what a class over one network does (each variant prepared once)."""
    networks = ROOT / "networks"
    key = [str(networks / "mazur-new-weights.yaml"), str(networks / "keys" / "mazur.answers.yaml")]
    ours, theirs, _, _ = median_pair(process(BPCALC + ["check", *key], (0, 1)),
                                     process(BPCALC + ["train", str(networks / "mazur.yaml"), "-n", "10000"]),
                                     REPEATS)
    row("(e) process: check the Mazur key, new weights", ours, theirs, 5.0)
    from make_variants import make

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        make(networks / "mazur.yaml", out, 30, 300)
        answers = sorted(str(p) for p in (out / "answers").glob("*.yaml"))
        alone = sorted(str(p) for p in (out / "one").glob("*.yaml"))
        ours, theirs, _, _ = median_pair(process(BPCALC + ["check", str(out / "variants"), *answers], (0, 1)),
                                         process(BPCALC + ["check", str(networks / "mazur.yaml"), *alone], (0, 1)),
                                         3)
        row("    300 files over 30 variants vs one network", ours, theirs, 1.2)


def case_f() -> None:
    """The K-th update worked out: the K−1 updates before it run on the fast path, so working
    update 10,000 costs about what training 10,000 epochs does (Mazur: one update an epoch)."""
    mazur_file = str(ROOT / "networks" / "mazur.yaml")
    ours, theirs, _, _ = median_pair(process(BPCALC + ["step", mazur_file, "--update", "10000"]),
                                     process(BPCALC + ["train", mazur_file, "-n", "10000"]), REPEATS)
    row("(f) process: step --update 10000 vs train -n 10000", ours, theirs, 1.3)


def process_cases() -> list[tuple[str, list[str], float | None, dict[str, str]]]:
    """(label, bpcalc arguments, target ratio or None, environment) for each row of (d); output
    goes to a pipe, and FORCE_COLOR has rich style it as for a terminal."""
    mazur_file = str(ROOT / "networks" / "mazur.yaml")
    terminal = {"FORCE_COLOR": "1"}
    return [
        ("(d) process: bpcalc train mazur", ["train", mazur_file], 1.3, {}),
        ("    the same with --json", ["train", mazur_file, "--json"], 1.3, {}),
        ("    the same styled for a terminal", ["train", mazur_file], None, terminal),
        ("    bpcalc train mazur -n 10000", ["train", mazur_file, "-n", "10000"], None, {}),
        ("    the same with --json", ["train", mazur_file, "-n", "10000", "--json"], None, {}),
        ("    start-up: bpcalc --help", ["--help"], 1.2, {}),
        ("    start-up: bpcalc --version", ["--version"], 1.2, {}),
        ("    start-up: bpcalc forward", ["forward"], 1.2, {}),
        ("    start-up: bpcalc forward --json", ["forward", "--json"], 1.2, {}),
        ("    start-up: bpcalc step", ["step"], 1.2, {}),
        ("    start-up: bpcalc step --json", ["step", "--json"], 1.2, {}),
        ("    start-up: bpcalc step styled for a terminal", ["step"], None, terminal),
    ]


BPCALC = [str(Path(sys.executable).parent / "bpcalc")]
BASELINE = [sys.executable, "-c", "import typer, rich, yaml"]


def case_d() -> None:
    process(BASELINE)()  # warm the file cache
    for label, args, target, settings in process_cases():
        ours, theirs, _, _ = median_pair(process(BPCALC + args, **settings), process(BASELINE), REPEATS * 3)
        row(label, ours, theirs, target)


def instructions(command: list[str], settings: dict[str, str]) -> int:
    """The instructions a process executes, counted by valgrind: the same in every run, however
    busy the machine (hash seed fixed, since it changes how dicts and sets fill)."""
    with tempfile.TemporaryDirectory() as folder:
        counted = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={folder}/out", *command],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True,
                                 env={**os.environ, **settings, "PYTHONHASHSEED": "0"})
    return int(re.search(r"Collected : (\d+)", counted.stderr)[1])


def one_run(case: str, what: str) -> None:
    """One process of case_a_instructions: the network loaded and its program cached, then
    trained once by bpcalc ("ours"), once by hand ("hand"), or not at all ("none")."""
    network = bpcalc.load_network(ROOT / "networks" / "mazur.yaml") if case == "mazur" else xor_net()
    bpcalc_train(network, 10)()  # fills the cache, as the first CLI run of a shape does
    if what == "ours":
        bpcalc_train(network, 10_000)()
    elif what == "hand":
        (mazur_by_hand if case == "mazur" else xor_by_hand)()


def case_a_instructions() -> None:
    """(a) and (a') in instructions: each a process that trains once, less the same process that
    does not (on a busy machine the milliseconds of a 10 ms run swing by ±15 %; these do not)."""
    print(f"{'case':48} {'bpcalc M':>9} {'hand M':>9} {'ratio':>7} {'target':>5}")
    for label, case in (("(a) Mazur 2-2-2, 10,000 updates vs Python", "mazur"),
                        ("(a') XOR, skip connections, 10,000 epochs online", "xor")):
        counts = {what: instructions([sys.executable, __file__, "--one", case, what], {})
                  for what in ("none", "ours", "hand")}
        ours, hand = counts["ours"] - counts["none"], counts["hand"] - counts["none"]
        print(f"{label:48} {ours / 1e6:9.1f} {hand / 1e6:9.1f} {ours / hand:6.2f}× {judged(ours / hand, 1.2)}",
              flush=True)
    print()


def case_d_instructions() -> None:
    """(d) in instructions rather than milliseconds: on a shared virtual machine the times of a
    0.1 s process swing by ±15 % from run to run; the counts do not (they ignore cache misses and
    waiting for the disk, which a warm second run mostly avoids anyway)."""
    compile_bpcalc()
    base = instructions(BASELINE, {})
    print(f"{'case':48} {'bpcalc M':>9} {'base M':>9} {'ratio':>7} {'target':>5}")
    for label, args, target, settings in process_cases():
        process(BPCALC + args, **settings)()  # a first run, which fills bpcalc's cache of compiled programs
        ours = instructions(BPCALC + args, settings)
        print(f"{label:48} {ours / 1e6:9.0f} {base / 1e6:9.0f} {ours / base:6.2f}× {judged(ours / base, target)}",
              flush=True)


if __name__ == "__main__":
    main()
