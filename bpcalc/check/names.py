"""Which names an answer file may use for a network, every spelling of each, and the closest names to a typo."""

from __future__ import annotations

import difflib
import re

from .. import engine
from ..model import ARROW, Network
from ..quantities import AFTER, STEP, forward_quantities
from ..records import Record
from .dataflow import Dataflow

# The kinds of the names `bpcalc answers` lists by default; --all adds the chain-rule factors,
# the steps ΔP and the forward pass after the update.
CORE_KINDS = ("forward", "delta", "gradient", "new", "error_after")

_EPOCHS = re.compile(rf"^(?P<base>.+){AFTER}(?P<epochs>\d+)$")


class Name(Record):
    """A resolved quantity name: its canonical spelling and, for a value after training, the epochs."""

    canonical: str
    epochs: int | None = None  # for an X@N that the one-step dataflow does not hold

    @property
    def trained(self) -> bool:
        return self.epochs is not None


class UnknownName(ValueError):
    """A name that is not a quantity of the network; carries the closest names for the message."""

    def __init__(self, text: str, close: list[str], reason: str | None = None):
        self.text = text
        self.close = close
        self.reason = reason
        super().__init__(text)


def normalise(text: str) -> str:
    """The name with the spellings people type folded in: spaces, ∂, δ, ⁺, and step_P for ΔP."""
    name = "".join(text.split()).replace("∂", "d").replace("⁺", "+")
    if name.startswith("δ"):
        name = "delta_" + name[1:].lstrip("_")
    if name.startswith("step_"):
        name = STEP + name[len("step_"):]
    return name


class Vocabulary:
    """Every quantity name of one network: the step's names in solution order, and the names after N epochs."""

    def __init__(self, network: Network, flow: Dataflow):
        self.network = network
        self.kinds = {node.key: node.kind for node in flow.nodes if node.named}
        self.names = tuple(self.kinds)
        self.one_update_per_epoch = engine.updates_per_epoch(network) == 1
        self._parameter = {network.label_of(p): p for p in network.values()}  # one name → key
        self._aliases: dict[str, str] = {}
        for name in self.names:
            for spelling in self._spellings(name):
                self._aliases.setdefault(spelling, name)
        if self.one_update_per_epoch and "E_after" in self.kinds:
            # after one epoch of one update, X@1 is the step's own P+ and E_after
            self._aliases["E_total@1"] = "E_after"
            for parameter in network.values():
                for spelling in self._parameter_spellings(parameter):
                    self._aliases[f"{spelling}{AFTER}1"] = f"{network.label_of(parameter)}+"
        self._trained: dict[str, str] = {}  # base of X@N → canonical base
        evaluation_names = forward_quantities(network, engine.evaluate(network)) if network.samples else {}
        for name in evaluation_names:
            for spelling in self._spellings(name):
                self._trained.setdefault(spelling, name)
        for parameter in network.values():
            for spelling in self._parameter_spellings(parameter):
                self._trained.setdefault(spelling, network.label_of(parameter))

    def template(self, everything: bool = False) -> tuple[str, ...]:
        """The names a blank answer file lists, in solution order: the core ones, or `everything`.

        Biases and thresholds held fixed are left out (nothing is computed for them), though their
        names stay valid.
        """
        fixed = set()
        if not self.network.options.update_biases:
            for bias in (*self.network.biases(), *self.network.thresholds()):
                label = self.network.label_of(bias)
                fixed |= {f"dE/d{label}", f"{STEP}{label}", f"{label}+"}
        return tuple(name for name in self.names
                     if (everything or self.kinds[name] in CORE_KINDS) and name.split("[")[0] not in fixed)

    def resolve(self, text: str) -> Name:
        """The quantity `text` names; raises UnknownName with the closest names."""
        name = normalise(text)
        if name in self._aliases:
            return Name(self._aliases[name])
        match = _EPOCHS.match(name)
        if match and match["base"] in self._trained:
            epochs = int(match["epochs"])
            if epochs == 0:
                raise UnknownName(text, [match["base"]], "the values before training have no @0: write the name alone")
            return Name(f"{self._trained[match['base']]}{AFTER}{epochs}", epochs)
        raise UnknownName(text, self.close(name), self._why_unknown(name))

    def _why_unknown(self, name: str) -> str | None:
        """A reason beyond 'no such name', for the mistakes that have one."""
        samples = len(self.network.samples)
        sample = re.search(r"\[(\d+)\]", name)
        if sample and not 1 <= int(sample[1]) <= samples:
            return f"there is no sample {sample[1]} (the network has {samples})"
        if sample:
            batch = ", ".join(str(s + 1) for s in engine.batches(self.network)[0])
            return f"the step covers sample {batch} only (batch: {self.network.options.batch})"
        if AFTER in name and not _EPOCHS.match(name):
            return f"after {AFTER} write the number of epochs, e.g. out_X{AFTER}1000"
        return None

    def close(self, name: str) -> list[str]:
        """Up to four canonical names nearest to `name` (a typo, or a name from another network)."""
        if AFTER in name:
            bases = dict.fromkeys(self._trained.values())
            candidates = list(self.names) + [f"{base}{AFTER}N" for base in bases]
        else:
            candidates = [n for n in self.names if AFTER not in n]
        return difflib.get_close_matches(name, candidates, n=4, cutoff=0.6)

    # ---- spellings

    def _parameter_spellings(self, parameter: str) -> list[str]:
        """A parameter by its one name and by its edge or neuron: w5, h1->o1 and h1-o1; b(h1) and h1."""
        return [self.network.label_of(parameter), *_keys_of(parameter)]

    def _spellings(self, name: str) -> list[str]:
        """The canonical name, the same with a parameter's edge for its label, and [1] on a one-sample network."""
        spellings = [name]
        base = name.partition("[")[0] if not name.endswith("+") else name
        for prefix, suffix in (("dE/d", ""), (STEP, ""), ("", "+")):
            if base.startswith(prefix) and base.endswith(suffix):
                label = base[len(prefix):len(base) - len(suffix)]
                if label in self._parameter:
                    spellings += [name.replace(label, key, 1) for key in _keys_of(self._parameter[label])]
        if len(self.network.samples) == 1:
            for spelling in list(spellings):
                spellings.append(_with_sample(spelling, "[1]"))
        return spellings


def _keys_of(parameter: str) -> list[str]:
    """The other ways to type a parameter: its edge (h1->o1, and h1-o1, which needs no quotes in a
    shell) or its neuron (h1, for its bias or threshold)."""
    if ARROW in parameter:
        return [parameter, parameter.replace(ARROW, "-")]
    return [parameter]


def _with_sample(name: str, suffix: str) -> str:
    """`name` with a per-sample suffix before any @N: out_o1 → out_o1[1], out_o1@1 → out_o1[1]@1."""
    base, at, epochs = name.partition(AFTER)
    if any(base.startswith(p) for p in ("net_", "out_", "E_", "delta_", "dE/dout_", "dout/dnet_")) \
            or re.match(r"^dE_.+/dout_", base):
        if base not in ("E_total", "E_after"):
            return f"{base}{suffix}{at}{epochs}"
    return name
