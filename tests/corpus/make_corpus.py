"""Writes tests/corpus/bad/: malformed and hostile network files, one problem each, and MANIFEST.tsv.

Run `python tests/corpus/make_corpus.py` after changing a case; the output is deterministic and
committed. MANIFEST.tsv gives, for each file, the line its error must name ("-" where the
problem has no line: a whole-file or numeric problem) and a fragment the message must contain.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

HERE = Path(__file__).parent

NET = """\
name: tiny
learning_rate: 0.5
layers:
  - inputs: [i1, i2]
  - activation: sigmoid
    neurons:
      h1: {bias: 0.35, weights: {i1: 0.15, i2: 0.20}}
      h2: {bias: 0.35, weights: {i1: 0.25, i2: 0.30}}
  - activation: sigmoid
    neurons:
      o1: {bias: 0.60, weights: {h1: 0.40, h2: 0.45}}
labels:
  w1: i1->h1
samples:
  - inputs: {i1: 0.05, i2: 0.10}
    targets: {o1: 0.01}
"""

MATRIX = """\
learning_rate: 0.1
layers:
  - inputs: [x1, x2]
  - activation: tanh
    neurons: [h1, h2, h3]
    weights: [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]
    biases: [0.0, 0.1, -0.1]
  - activation: linear
    neurons: [y]
    weights:
      - [1, 2, 3]
samples:
  - {inputs: [0.05, 0.10], targets: [0.01]}
"""

# Lines of NET and MATRIX that cases below refer to.
H1 = "h1: {bias: 0.35, weights: {i1: 0.15, i2: 0.20}}"
HIDDEN = "  - activation: sigmoid\n    neurons:\n      h1"
OUTPUT = "  - activation: sigmoid\n    neurons:\n      o1"
SAMPLE = "  - inputs: {i1: 0.05, i2: 0.10}\n    targets: {o1: 0.01}\n"

CASES: list[tuple[str, str | bytes, int | None, str]] = []


def case(slug: str, content: str | bytes, line: int | None, fragment: str) -> None:
    CASES.append((slug, content, line, fragment))


def edit(base: str, old: str, new: str) -> str:
    assert base.count(old) == 1, f"{old!r} must occur once"
    return base.replace(old, new)


def option(line: str) -> str:
    """NET with `line` as line 3."""
    return edit(NET, "learning_rate: 0.5\n", f"learning_rate: 0.5\n{line}\n")


def top(key: str, value: str) -> str:
    """NET with a top-level `key` set to `value` (replacing it if NET has it)."""
    for existing in ("name: tiny", "learning_rate: 0.5"):
        if existing.startswith(key + ":"):
            return edit(NET, existing, f"{key}: {value}")
    return option(f"{key}: {value}")


# ---------------------------------------------------------------- the file itself

case("empty", "", None, "the file is empty")
case("whitespace-only", "   \n\n  \n", None, "the file is empty")
case("comments-only", "# my network\n# todo\n", None, "the file is empty")
case("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", 1, "not UTF-8")
case("gzip", gzip.compress(NET.encode(), mtime=0), 1, "not UTF-8")
case("jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", 1, "not UTF-8")
case("utf16-le", b"\xff\xfe" + NET.encode("utf-16-le"), None, "UTF-16")
case("utf16-be", b"\xfe\xff" + NET.encode("utf-16-be"), None, "UTF-16")
case("latin1-comment", NET.encode() + "# réseau\n".encode("latin-1"), 17, "not UTF-8")
case("latin1-name", edit(NET, "name: tiny", "name: réseau").encode("latin-1"), 1, "not UTF-8")
case("overlong-utf8", edit(NET, "name: tiny", "name: XX").encode().replace(b"XX", b"\xc0\xaf"), 1, "not UTF-8")
case("utf8-surrogate", edit(NET, "name: tiny", "name: XX").encode().replace(b"XX", b"\xed\xa0\x80"), 1, "not UTF-8")
case("truncated-utf8", NET.encode() + "# π".encode()[:-1], 17, "not UTF-8")
case("nul-byte", edit(NET, "name: tiny", "name: ti\x00ny"), 1, "#x0000")
case("bell-character", edit(NET, "name: tiny", "name: ti\x07ny"), 1, "#x0007")
case("escape-sequence", edit(NET, "name: tiny", "name: \x1b[31mtiny"), 1, "#x001b")
case("elf-header", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8, 1, "#x007f")
case("pdf", "%PDF-1.4\n%âãÏÓ\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", 1, "invalid YAML")
case("html", "<!DOCTYPE html>\n<html><body>network</body></html>\n", 1, "network file: expected a map")
case("csv-instead", "x1,x2,target\n0.05,0.10,0.01\n", 1, "network file: expected a map")
case("python-source", "import yaml\nprint(yaml.safe_load(open('net.yaml')))\n", 1, "network file: expected a map")
case("json-list", '[{"inputs": ["a"]}]\n', 1, "network file: expected a map")
case("long-line", "name: " + "x" * 25_000 + "\n" + NET, 1, "25,006 characters long")
case("long-line-later", NET + "# " + "=" * 30_000 + "\n", 17, "30,002 characters long")
case("minified-matrix", "layers: [" + ", ".join(["[0.1, 0.2]"] * 3000) + "]\n", 1, "characters long")

# ---------------------------------------------------------------- YAML syntax

case("unclosed-flow-list", edit(NET, "[i1, i2]", "[i1, i2"), 5, "invalid YAML")
case("unclosed-flow-map", edit(NET, "{o1: 0.01}", "{o1: 0.01"), 17, "invalid YAML")
case("unclosed-quote", edit(NET, "name: tiny", 'name: "tiny'), 17, "invalid YAML")
case("bad-indent", edit(NET, "    neurons:\n      h1", "    neurons:\n     h1"), 8, "invalid YAML")
case("dedented-neuron", edit(NET, "      h2: {bias", "   h2: {bias"), 8, "invalid YAML")
case("missing-colon", edit(NET, "learning_rate: 0.5", "learning_rate 0.5\nloss: mse"), 3, "invalid YAML")
case("stray-dash", edit(NET, "labels:\n", "labels:\n  - \n"), 14, "invalid YAML")
case("two-documents", NET + "---\nname: other\n", 17, "expected a single document")
case("document-end-then-more", NET + "...\nname: other\n", 18, "invalid YAML")
case("yaml-2-directive", "%YAML 2.0\n---\n" + NET, 1, "invalid YAML")
case("unknown-directive-only", "%FOO bar\n", 2, "invalid YAML")
case("flow-in-block-key", edit(NET, "labels:", "[labels]:"), 12, "a key must be a name")
case("complex-key", option("? [a, b]\n: 1"), 3, "a key must be a name")
case("map-as-key", option("? {a: 1}\n: 1"), 3, "a key must be a name")
case("colon-in-plain-number", edit(NET, "i1: 0.15", "i1: 0:15"), 7, "expected a number")
case("comma-decimal", edit(NET, "i1: 0.15", "i1: 0,15"), 7, "a decimal comma? write 0.15")
case("comma-decimal-list", edit(MATRIX, "[0.05, 0.10]", "[0,05, 0,10]"), 13, "a decimal comma?")
case("comma-decimal-row", edit(MATRIX, "[0.3, 0.4]", "[0,3, 0,4]"), 6, "a decimal comma?")
case("block-scalar-weight", edit(NET, "      o1: {bias: 0.60, weights: {h1: 0.40, h2: 0.45}}\n",
                                 "      o1:\n        bias: |\n          0.60\n        weights: {h1: 0.40, h2: 0.45}\n"),
     12, "expected a number")

# tabs
case("tab-indent-top", option("\tloss: mse"), 3, "tab")
case("tab-indent-neuron", edit(NET, "      h2: {bias", "\t  h2: {bias"), 8, "tab")
case("tab-indent-sample", edit(NET, "    targets:", "\ttargets:"), 16, "tab")
case("tab-after-dash", edit(NET, "  - inputs: [i1", "  -\tinputs: [i1"), 4, "tab")
case("tab-in-name", edit(NET, "[i1, i2]", '[i1, "i\\t2"]'), 4, "U+0009")

# anchors, aliases, tags: never constructed
case("anchor", edit(NET, "learning_rate: 0.5", "learning_rate: &eta 0.5"), 2, "anchors and aliases")
case("alias", edit(NET, "learning_rate: 0.5", "learning_rate: &eta 0.5\nl2: *eta"), 2, "anchors and aliases")
case("merge-key-alias", "base: &b {bias: 0.1}\n" + NET, 1, "anchors and aliases")
case("billion-laughs", "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)), 1,
    "anchors and aliases")
case("billion-laughs-deep", "lol: &a [&b [&c [&d [x, x], *d], *c], *b]\n", 1, "anchors and aliases")
case("python-object", edit(NET, "name: tiny", "name: !!python/object/apply:os.system ['echo pwned']"), 1,
     "YAML tags")
case("python-name", edit(NET, "name: tiny", "name: !!python/name:os.system"), 1, "YAML tags")
case("binary-tag", edit(NET, "name: tiny", "name: !!binary aGVsbG8="), 1, "YAML tags")
case("set-tag", edit(NET, "[i1, i2]", "!!set {i1, i2}"), 4, "YAML tags")
case("str-tag-number", edit(NET, "i1: 0.15", "i1: !!str 0.15"), 7, "YAML tags")
case("local-tag", edit(NET, "learning_rate: 0.5", "learning_rate: !eta 0.5"), 2, "YAML tags")
case("tag-directive", "%TAG !e! tag:example.com,2000:\n---\nname: !e!net tiny\n" + NET.split("\n", 1)[1], 3,
     "YAML tags")

# depth and size
case("deep-lists", "[" * 10_000, 1, "nested more than 32 deep")
case("deep-maps", "a: " + "{a: " * 100 + "1" + "}" * 100 + "\n", 1, "nested more than 32 deep")
case("deep-block", "".join("  " * i + f"k{i}:\n" for i in range(40)) + "  " * 40 + "v\n", 32,
     "nested more than 32 deep")
case("deep-in-a-weight", edit(NET, "i1: 0.15", "i1: " + "[" * 40 + "1" + "]" * 40), 7,
     "nested more than 32 deep")
case("too-many-values", "samples:\n" + "".join(f"  - [{', '.join(['1'] * 10)}]\n" for i in range(5000)), 4547,
     "more than 50,000 values")

# ---------------------------------------------------------------- the top level

case("top-list", "- layers\n- samples\n", 1, "network file: expected a map")
case("top-scalar", "hello\n", 1, "network file: expected a map")
case("top-number", "42\n", 1, "network file: expected a map")
case("top-null", "~\n", 1, "network file: expected a map")
case("top-quoted", '"layers: []"\n', 1, "network file: expected a map")
case("missing-layers", NET.replace("layers:\n", "lay:\n"), 3, "did you mean 'layers'")
case("missing-samples", NET.split("samples:")[0], 1, "missing 'samples'")
case("only-options", "learning_rate: 0.5\nloss: mse\n", 1, "missing 'layers'")
case("unknown-key-typo", edit(NET, "learning_rate", "learnig_rate"), 2, "did you mean 'learning_rate'")
case("unknown-key-eta", option("eta: 0.5"), 3, "unknown key 'eta'")
case("unknown-key-epochs", option("epochs: 100"), 3, "unknown key 'epochs'")
case("unknown-key-sample", edit(NET, "samples:", "sample:"), 14, "did you mean 'samples'")
case("unknown-key-label", edit(NET, "labels:", "lables:"), 12, "did you mean 'labels'")
case("unknown-key-capital", edit(NET, "learning_rate", "Learning_Rate"), 2, "unknown key 'Learning_Rate'")
case("duplicate-top-key", option("learning_rate: 0.4"), 3, "duplicate key 'learning_rate'")
case("duplicate-layers", NET + "layers: []\n", 17, "duplicate key 'layers'")

# ---------------------------------------------------------------- wrong types and values at every key

SPELLED = {"[": " list ", "{": " map ", "'": " quoted ", "~": " null ", "-": " minus ", ".": " point ", "%": " percent "}

for key, value, fragment in [
    ("name", "[a, b]", "name: expected a line of text"),
    ("name", "{first: tiny}", "name: expected a line of text"),
    ("learning_rate", "[0.5]", "expected a number, got a list"),
    ("learning_rate", "{eta: 0.5}", "expected a number, got a map"),
    ("learning_rate", "true", "got the boolean true"),
    ("learning_rate", "'0.5'", "numbers are written without quotes"),
    ("learning_rate", "fast", "expected a number, got 'fast'"),
    ("learning_rate", "~", "got nothing (null)"),
    ("learning_rate", ".nan", "expected a finite number"),
    ("learning_rate", ".inf", "expected a finite number"),
    ("learning_rate", "1e999", "expected a finite number"),
    ("learning_rate", "-0.5", "expected a number > 0"),
    ("learning_rate", "0", "expected a number > 0"),
    ("learning_rate", "-0.0", "expected a number > 0"),
    ("learning_rate", "50%", "expected a number"),
    ("loss", "msee", "did you mean 'mse'"),
    ("loss", "SSE", "unknown loss 'SSE'"),
    ("loss", "crossentropy", "did you mean 'cross_entropy'"),
    ("loss", "true", "unknown loss 'true'"),
    ("loss", "[mse]", "expected the loss"),
    ("loss", "~", "expected the loss"),
    ("reduction", "avg", "unknown reduction 'avg'"),
    ("reduction", "[mean]", "expected the reduction"),
    ("batch", "0", "batch: expected full, online or a whole number"),
    ("batch", "-1", "batch: expected full, online or a whole number"),
    ("batch", "2.5", "batch: expected full, online or a whole number"),
    ("batch", "mini", "batch: expected full, online or a whole number"),
    ("batch", "true", "batch: expected full, online or a whole number"),
    ("batch", "[1]", "batch: expected full, online or a whole number"),
    ("batch", "'2'", "batch: expected full, online or a whole number"),
    ("batch", ".inf", "batch: expected full, online or a whole number"),
    ("l2", "-0.01", "l2: expected a number ≥ 0"),
    ("l2", "yes", "got the boolean yes"),
    ("l2", "[]", "got a list"),
    ("l2", "-.inf", "expected a finite number"),
    ("momentum", "1", "momentum: expected a number α with 0 ≤ α < 1"),
    ("momentum", "1.5", "momentum: expected a number α with 0 ≤ α < 1"),
    ("momentum", "-0.1", "momentum: expected a number α with 0 ≤ α < 1"),
    ("momentum", "0.9.1", "expected a number"),
    ("momentum", "on", "got the boolean on"),
    ("update_biases", "'false'", "expected true or false, got the string 'false'"),
    ("update_biases", "0", "expected true or false, got 0"),
    ("update_biases", "maybe", "expected true or false"),
    ("update_biases", "[true]", "expected true or false, got a list"),
    ("hidden_deltas", "new", "unknown hidden_deltas 'new'"),
    ("hidden_deltas", "new_weight", "did you mean 'new_weights'"),
    ("hidden_deltas", "{new_weights: true}", "expected the hidden_deltas"),
    ("rounding", "3", "rounding: expected none, {decimals: n} or {significant: n}"),
    ("rounding", "[2]", "rounding: expected none"),
    ("rounding", "{}", "expected exactly one of decimals or significant"),
    ("rounding", "{decimals: 2, significant: 3}", "expected exactly one of decimals or significant"),
    ("rounding", "{decimal: 2}", "did you mean 'decimals'"),
    ("rounding", "{decimals: -1}", "expected a whole number from 0 to 100"),
    ("rounding", "{decimals: 2.5}", "expected a whole number from 0 to 100"),
    ("rounding", "{decimals: 101}", "expected a whole number from 0 to 100"),
    ("rounding", "{significant: 0}", "expected a whole number from 1 to 100"),
    ("rounding", "{decimals: '2'}", "numbers are written without quotes"),
    ("rounding", "{decimals: 1e400}", "expected a finite number"),
]:
    spelled = "".join(SPELLED.get(c, c) for c in value)
    slug = "-".join("".join(c if c.isalnum() else " " for c in spelled).split())
    line = 1 if key == "name" else 2 if key == "learning_rate" else 3
    case(f"{key.replace('_', '-')}-{slug}", top(key, value), line, fragment)

case("layers-null", "learning_rate: 0.5\nlayers:\n" + NET.split("labels:\n")[1].split("\n", 1)[1], 2,
     "layers: expected a list")
case("layers-map", edit(NET, "  - inputs: [i1, i2]\n", "  inputs: [i1, i2]\n"), 5, "invalid YAML")
case("layers-scalar", "layers: three\n" + NET.split("labels:")[0].split("layers:\n")[0] + "samples: []\n", 1,
     "layers: expected a list")
case("layers-empty", "layers: []\nsamples:\n  - {inputs: [1], targets: [0]}\n", 1, "expected at least 2 entries")
case("layers-inputs-only", "layers:\n  - inputs: [a]\nsamples:\n  - {inputs: [1], targets: []}\n", 2,
     "expected at least 2 entries")
case("labels-list", edit(NET, "  w1: i1->h1", "  - w1"), 13, "labels: expected a map")
case("labels-scalar", edit(NET, "labels:\n  w1: i1->h1", "labels: w1"), 12, "labels: expected a map")
case("labels-null-target", edit(NET, "w1: i1->h1", "w1: ~"), 13, "label 'w1': expected a weight")
case("labels-list-target", edit(NET, "w1: i1->h1", "w1: [i1, h1]"), 13, "label 'w1': expected a weight")
case("samples-null", edit(NET, SAMPLE, ""), 14, "samples: expected a list")
case("samples-map", edit(NET, SAMPLE, "  inputs: {i1: 0.05, i2: 0.10}\n  targets: {o1: 0.01}\n"), 15,
     "samples: expected a list")
case("samples-empty", edit(NET, "samples:\n" + SAMPLE, "samples: []\n"), 14, "expected at least one sample")
case("samples-scalar", edit(NET, "samples:\n" + SAMPLE, "samples: data.csv\n"), 14, "samples: expected a list")

# ---------------------------------------------------------------- layers and neurons

case("first-layer-not-inputs", edit(NET, "  - inputs: [i1, i2]\n", "  - activation: sigmoid\n"), 4,
     "lists the inputs only")
case("inputs-scalar", edit(NET, "[i1, i2]", "i1"), 4, "layer 1 inputs: expected a list")
case("inputs-map", edit(NET, "[i1, i2]", "{i1: 0.05}"), 4, "layer 1 inputs: expected a list")
case("inputs-empty", edit(NET, "[i1, i2]", "[]"), 4, "expected at least one input name")
case("inputs-later-layer", edit(NET, "    neurons:\n      o1", "    inputs: [x]\n    neurons:\n      o1"), 10,
     "only the first entry of layers lists inputs")
case("inputs-extra-key", edit(NET, "  - inputs: [i1, i2]", "  - inputs: [i1, i2]\n    activation: linear"), 5,
     "layer 1: unknown key 'activation'")
case("input-twice", edit(NET, "[i1, i2]", "[i1, i1]"), 4, "the name is already used at line 4")
case("input-arrow", edit(NET, "[i1, i2]", "[i1, 'i->2']"), 4, "must not contain '->'")
case("input-blank", edit(NET, "[i1, i2]", "[i1, '']"), 4, "a name must not be empty")
case("input-padded", edit(NET, "[i1, i2]", "[i1, ' i2']"), 4, "must not start or end with spaces")
case("input-nbsp", edit(NET, "[i1, i2]", "[i1, i\u00a02]"), 4, "U+00A0")
case("input-zero-width", edit(NET, "[i1, i2]", "[i1, i\u200b2]"), 4, "U+200B")
case("input-newline", edit(NET, "[i1, i2]", '[i1, "i\\n2"]'), 4, "U+000A")
case("input-too-long", edit(NET, "[i1, i2]", f"[i1, {'i' * 150}]"), 4, "a name is at most 100 characters")
case("input-list", edit(NET, "[i1, i2]", "[i1, [i2]]"), 4, "input: expected a name, got a list")
case("layer-scalar", edit(NET, HIDDEN, "  - sigmoid\n  - activation: sigmoid\n    neurons:\n      h1"), 5,
     "layer 2: expected a map")
case("layer-list", edit(NET, HIDDEN, "  - [sigmoid]\n  - activation: sigmoid\n    neurons:\n      h1"), 5,
     "layer 2: expected a map")
case("layer-missing-activation", edit(NET, HIDDEN, "  - neurons:\n      h1"), 5, "missing 'activation'")
case("layer-missing-neurons", edit(NET, "    neurons:\n      o1: {bias: 0.60, weights: {h1: 0.40, h2: 0.45}}\n",
                                   ""), 9, "missing 'neurons'")
case("layer-key-typo", edit(NET, "    neurons:\n      o1", "    neuron:\n      o1"), 10, "did you mean 'neurons'")
case("layer-units", edit(NET, "    neurons:\n      o1", "    units:\n      o1"), 10, "unknown key 'units'")
case("activation-typo", edit(NET, HIDDEN, HIDDEN.replace("sigmoid", "sigmod")), 5, "did you mean 'sigmoid'")
case("activation-capital", edit(NET, HIDDEN, HIDDEN.replace("sigmoid", "Sigmoid")), 5, "did you mean 'sigmoid'")
case("activation-unknown", edit(NET, HIDDEN, HIDDEN.replace("sigmoid", "swish")), 5, "unknown activation 'swish'")
case("activation-list", edit(NET, HIDDEN, HIDDEN.replace("sigmoid", "[sigmoid]")), 5, "expected the activation")
case("activation-number", edit(NET, HIDDEN, HIDDEN.replace("sigmoid", "1")), 5, "unknown activation '1'")
case("activation-null", edit(NET, HIDDEN, HIDDEN.replace("sigmoid", "~")), 5, "expected the activation")
case("softmax-hidden", edit(NET, HIDDEN, HIDDEN.replace("sigmoid", "softmax")), 5, "softmax is only allowed")
case("tanh-with-slope", edit(NET, OUTPUT, OUTPUT.replace("sigmoid", "{tanh: {slope: 1}}")), 9,
     "an activation with a parameter")
case("leaky-slope-typo", edit(NET, OUTPUT, OUTPUT.replace("sigmoid", "{leaky_relu: {slop: 0.1}}")), 9,
     "did you mean 'slope'")
case("leaky-slope-string", edit(NET, OUTPUT, OUTPUT.replace("sigmoid", "{leaky_relu: {slope: small}}")), 9,
     "leaky_relu slope: expected a number")
case("leaky-slope-nan", edit(NET, OUTPUT, OUTPUT.replace("sigmoid", "{leaky_relu: {slope: .nan}}")), 9,
     "expected a finite number")
case("leaky-two-keys", edit(NET, OUTPUT, OUTPUT.replace("sigmoid", "{leaky_relu: {slope: 1}, tanh: {}}")), 9,
     "an activation with a parameter")
case("neurons-scalar", edit(NET, "    neurons:\n      o1: {bias: 0.60, weights: {h1: 0.40, h2: 0.45}}",
                            "    neurons: o1"), 10, "neurons: expected a map")
case("neurons-empty-map", edit(NET, "    neurons:\n      o1: {bias: 0.60, weights: {h1: 0.40, h2: 0.45}}",
                               "    neurons: {}"), 10, "expected at least one neuron")
case("neurons-empty-list", edit(MATRIX, "[h1, h2, h3]", "[]"), 5, "expected at least one neuron")
case("neuron-list", edit(NET, H1, "h1: [0.15, 0.20]"), 7, "neuron 'h1': expected a map")
case("neuron-scalar", edit(NET, H1, "h1: 0.15"), 7, "neuron 'h1': expected a map")
case("neuron-null", edit(NET, H1, "h1:"), 7, "neuron 'h1': expected a map")
case("neuron-no-weights", edit(NET, H1, "h1: {bias: 0.35}"), 7, "missing 'weights'")
case("neuron-key-typo", edit(NET, H1, H1.replace("weights", "weight")), 7, "did you mean 'weights'")
case("neuron-activation-inside", edit(NET, H1, H1.replace("bias: 0.35,", "bias: 0.35, activation: tanh,")), 7,
     "unknown key 'activation'")
case("neuron-twice", edit(NET, "      h2: {bias", "      h1: {bias"), 8, "duplicate key 'h1'")
case("neuron-named-like-input", edit(NET, "      o1: {bias", "      i1: {bias"), 11, "already used at line 4")
case("neuron-in-two-layers", edit(NET, "      o1: {bias", "      h1: {bias"), 11, "already used at line 7")
case("neuron-name-map", edit(NET, "      o1: {bias", "      ? {o: 1}\n      : {bias"), 11, "a key must be a name")
case("bias-string", edit(NET, "bias: 0.60", "bias: high"), 11, "bias of 'o1': expected a number")
case("bias-quoted", edit(NET, "bias: 0.60", "bias: '0.60'"), 11, "without quotes")
case("bias-boolean", edit(NET, "bias: 0.60", "bias: no"), 11, "got the boolean no")
case("bias-list", edit(NET, "bias: 0.60", "bias: [0.60]"), 11, "got a list")
case("bias-nan", edit(NET, "bias: 0.60", "bias: NaN"), 11, "expected a finite number")
case("bias-huge", edit(NET, "bias: 0.60", "bias: " + "9" * 400), 11, "expected a finite number, got 999")
case("weights-list-in-map-form", edit(NET, "{i1: 0.15, i2: 0.20}", "[0.15, 0.20]"), 7,
     "weights into 'h1': expected a map")
case("weights-scalar", edit(NET, "{i1: 0.15, i2: 0.20}", "0.15"), 7, "weights into 'h1': expected a map")
case("weight-unknown-source", edit(NET, "i1: 0.15", "i3: 0.15"), 7, "there is no neuron 'i3' in the layer before")
case("weight-missing", edit(NET, "i1: 0.15, ", ""), 7, "weights into 'h1': missing i1")
case("weight-skips-a-layer", edit(NET, "h1: 0.40", "i1: 0.40"), 11, "missing h1")
case("weight-cycle", edit(NET, "h1: 0.40", "o1: 0.40"), 11, "a neuron cannot feed itself")
case("weight-from-same-layer", edit(NET, "{i1: 0.25, i2: 0.30}", "{i1: 0.25, i2: 0.30, h1: 1}"), 8,
     "'h1' is in the same layer")
case("weight-twice", edit(NET, "{i1: 0.15, i2: 0.20}", "{i1: 0.15, i1: 0.20}"), 7, "duplicate key 'i1'")
case("weight-string", edit(NET, "i1: 0.15", "i1: abc"), 7, "expected a number, got 'abc'")
case("weight-quoted", edit(NET, "i1: 0.15", 'i1: "0.15"'), 7, "without quotes")
case("weight-boolean", edit(NET, "i1: 0.15", "i1: yes"), 7, "got the boolean yes")
case("weight-true", edit(NET, "i1: 0.15", "i1: True"), 7, "got the boolean True")
case("weight-null", edit(NET, "i1: 0.15", "i1: ~"), 7, "got nothing (null)")
case("weight-empty", edit(NET, "i1: 0.15", "i1:"), 7, "got nothing (null)")
case("weight-inf", edit(NET, "i1: 0.15", "i1: .inf"), 7, "expected a finite number")
case("weight-minus-inf", edit(NET, "i1: 0.15", "i1: -.Inf"), 7, "expected a finite number")
case("weight-python-inf", edit(NET, "i1: 0.15", "i1: -inf"), 7, "expected a finite number")
case("weight-infinity-word", edit(NET, "i1: 0.15", "i1: Infinity"), 7, "expected a finite number")
case("weight-nan", edit(NET, "i1: 0.15", "i1: .NaN"), 7, "expected a finite number")
case("weight-overflow", edit(NET, "i1: 0.15", "i1: 1e309"), 7, "expected a finite number")
case("weight-fraction", edit(NET, "i1: 0.15", "i1: 3/20"), 7, "expected a number, got '3/20'")
case("weight-hex", edit(NET, "i1: 0.15", "i1: 0x0F"), 7, "expected a number")
case("weight-list", edit(NET, "i1: 0.15", "i1: [0.15]"), 7, "got a list")
case("weight-map", edit(NET, "i1: 0.15", "i1: {value: 0.15}"), 7, "got a map")
case("weight-percent", edit(NET, "i1: 0.15", "i1: 15%"), 7, "expected a number")
case("weights-beside-neuron-map", edit(NET, "    neurons:\n      o1", "    weights: [[1, 2]]\n    neurons:\n      o1"),
     10, "'weights' at layer level goes with neurons: [list of names]")

# the matrix form
case("matrix-no-weights", edit(MATRIX, "    weights: [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]\n", ""), 5,
     "need weights: [[…], …] beside them")
case("matrix-too-few-rows", edit(MATRIX, "[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]", "[[0.1, 0.2], [0.3, 0.4]]"), 6,
     "expected 3 rows")
case("matrix-too-many-rows", edit(MATRIX, "[0.5, 0.6]]", "[0.5, 0.6], [1, 1]]"), 6, "expected 3 rows")
case("matrix-long-row", edit(MATRIX, "[0.3, 0.4]", "[0.3, 0.4, 9]"), 6, "expected 2 numbers")
case("matrix-short-row", edit(MATRIX, "- [1, 2, 3]", "- [1, 2]"), 11, "expected 3 numbers")
case("matrix-transposed", edit(MATRIX, "[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]", "[[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]"),
     6, "expected 3 rows")
case("matrix-flat", edit(MATRIX, "[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]", "[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]"), 6,
     "expected 3 rows")
case("matrix-row-scalar", edit(MATRIX, "- [1, 2, 3]", "- 1"), 11, "weights into 'y': expected a list")
case("matrix-weights-map", edit(MATRIX, "[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]", "{h1: [0.1, 0.2]}"), 6,
     "layer 2 weights: expected a list")
case("matrix-value-string", edit(MATRIX, "[0.3, 0.4]", "[0.3, x]"), 6, "weight from 'x2' into 'h2': expected a number")
case("matrix-value-nan", edit(MATRIX, "[0.3, 0.4]", "[0.3, .nan]"), 6, "expected a finite number")
case("matrix-biases-short", edit(MATRIX, "[0.0, 0.1, -0.1]", "[0.0, 0.1]"), 7, "layer 2 biases: expected 3")
case("matrix-biases-map", edit(MATRIX, "[0.0, 0.1, -0.1]", "{h1: 0.0}"), 7, "layer 2 biases: expected a list")
case("matrix-biases-boolean", edit(MATRIX, "[0.0, 0.1, -0.1]", "[0.0, false, -0.1]"), 7, "got the boolean false")
case("matrix-neuron-twice", edit(MATRIX, "[h1, h2, h3]", "[h1, h2, h1]"), 5, "already used at line 5")
case("matrix-neuron-is-input", edit(MATRIX, "[h1, h2, h3]", "[h1, h2, x1]"), 5, "already used at line 3")
case("matrix-neuron-list", edit(MATRIX, "[h1, h2, h3]", "[h1, h2, [h3]]"), 5, "neuron: expected a name")

# ---------------------------------------------------------------- samples

case("sample-targets-a-number", edit(NET, "    targets: {o1: 0.01}", "    targets: 0.01"), 16,
     "expected a map naming o1")
case("sample-missing-inputs", edit(NET, "  - inputs: {i1: 0.05, i2: 0.10}\n    targets", "  - targets"), 15,
     "missing 'inputs'")
case("sample-key-typo", edit(NET, "    targets:", "    target:"), 16, "did you mean 'targets'")
case("sample-outputs-key", edit(NET, "    targets:", "    outputs:"), 16, "unknown key 'outputs'")
case("sample-scalar", edit(NET, SAMPLE, "  - 0.05\n"), 15, "sample 1: expected a map")
case("sample-list", edit(NET, SAMPLE, "  - [0.05, 0.10, 0.01]\n"), 15, "sample 1: expected a map")
case("sample-input-missing", edit(NET, "{i1: 0.05, i2: 0.10}", "{i1: 0.05}"), 15, "missing i2")
case("sample-input-unknown", edit(NET, "{i1: 0.05, i2: 0.10}", "{i1: 0.05, i2: 0.10, i3: 1}"), 15,
     "there is no input 'i3'")
case("sample-input-twice", edit(NET, "{i1: 0.05, i2: 0.10}", "{i1: 0.05, i1: 0.10}"), 15, "duplicate key 'i1'")
case("sample-inputs-short-list", edit(MATRIX, "[0.05, 0.10]", "[0.05]"), 13, "expected 2 numbers")
case("sample-inputs-long-list", edit(MATRIX, "[0.05, 0.10]", "[0.05, 0.10, 0.2]"), 13, "expected 2 numbers")
case("sample-inputs-scalar", edit(MATRIX, "inputs: [0.05, 0.10]", "inputs: 0.05"), 13,
     "sample 1 inputs: expected a map naming x1, x2")
case("sample-targets-scalar", edit(MATRIX, "targets: [0.01]", "targets: 0.01"), 13,
     "sample 1 targets: expected a map naming y")
case("sample-targets-empty", edit(MATRIX, "targets: [0.01]", "targets: []"), 13, "expected 1 number")
case("sample-target-hidden", edit(NET, "{o1: 0.01}", "{h1: 0.01}"), 16, "there is no output neuron 'h1'")
case("sample-value-string", edit(NET, "i2: 0.10}", "i2: ten}"), 15, "sample 1 inputs 'i2': expected a number")
case("sample-value-boolean", edit(NET, "{o1: 0.01}", "{o1: off}"), 16, "got the boolean off")
case("sample-value-inf", edit(NET, "{o1: 0.01}", "{o1: .inf}"), 16, "expected a finite number")
case("sample-second-bad", NET + "  - inputs: {i1: 1, i2: 1}\n    targets: {o1: x}\n", 18,
     "sample 2 targets 'o1': expected a number")
case("cross-entropy-target-above-1", top("loss", "cross_entropy").replace("{o1: 0.01}", "{o1: 2}"), 17,
     "needs targets from 0 to 1")
case("cross-entropy-target-negative", top("loss", "cross_entropy").replace("{o1: 0.01}", "{o1: -0.5}"), 17,
     "needs targets from 0 to 1")
case("cross-entropy-linear-output", edit(top("loss", "cross_entropy"), OUTPUT, OUTPUT.replace("sigmoid", "linear")),
     3, "needs a sigmoid or softmax output layer")

# ---------------------------------------------------------------- labels

case("label-unknown-edge", edit(NET, "w1: i1->h1", "w1: i1->o1"), 13, "there is no weight i1->o1")
case("label-unknown-neuron", edit(NET, "w1: i1->h1", "w1: x9"), 13, "there is no neuron 'x9'")
case("label-unknown-dest", edit(NET, "w1: i1->h1", "w1: i1->zz"), 13, "there is no neuron 'zz'")
case("label-an-input", edit(NET, "w1: i1->h1", "w1: i1"), 13, "'i1' is an input")
case("label-twice", edit(NET, "w1: i1->h1", "w1: i1->h1\n  w2: i1 -> h1"), 14, "already has the label 'w1'")
case("label-duplicate-key", edit(NET, "w1: i1->h1", "w1: i1->h1\n  w1: i2->h1"), 14, "duplicate key 'w1'")
case("label-named-like-neuron", edit(NET, "w1: i1->h1", "h2: i1->h1"), 13, "an input or neuron is already called")
case("label-unbiased-neuron", edit(edit(NET, "w1: i1->h1", "b: h1"), "{bias: 0.35, weights: {i1: 0.15",
                                   "{weights: {i1: 0.15"), 13, "has no bias or threshold to label")
case("label-name-with-arrow", edit(NET, "w1: i1->h1", "'a->b': i1->h1"), 13, "must not contain '->'")

# ---------------------------------------------------------------- numbers beyond a double (no line: computed)

HUGE = """\
learning_rate: 0.5
layers:
  - inputs: [x]
  - activation: ACT
    neurons: {y: {weights: {x: W}}}
samples:
  - {inputs: [X], targets: [0]}
"""


def huge(act: str, w: str, x: str, extra: str = "") -> str:
    return extra + HUGE.replace("ACT", act).replace("W", w).replace("X", x)


case("overflow-net", huge("sigmoid", "1e200", "1e200"), None, "net of 'y' is beyond the range of a double")
case("overflow-net-sum", huge("linear", "1e308", "1").replace("[x]", "[x, z]").replace(
    "{x: 1e308}", "{x: 1e308, z: 1e308}").replace("[1]", "[1, 1]"), None, "net of 'y' is beyond")
case("overflow-squared-error", huge("linear", "1e200", "1"), None, "the error of 'y' is beyond")
case("overflow-leaky-slope", huge("{leaky_relu: {slope: 1e300}}", "1e10", "-1"), None, "out of 'y' is beyond")
case("overflow-l2", huge("linear", "1e200", "0", "l2: 1\n"), None, "the l2 term")


def write(folder: Path = HERE) -> None:
    """Write bad/ and MANIFEST.tsv into `folder` (the tests compare a fresh copy with the committed one)."""
    bad = folder / "bad"
    if bad.exists():
        shutil.rmtree(bad)
    bad.mkdir(parents=True)
    rows, slugs = [], set()
    for number, (slug, content, line, fragment) in enumerate(CASES, start=1):
        assert slug not in slugs, f"two cases are called {slug}"
        slugs.add(slug)
        name = f"{number:03d}-{slug}.yaml"
        (bad / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        rows.append(f"{name}\t{'-' if line is None else line}\t{fragment}\n")
    (folder / "MANIFEST.tsv").write_text("".join(rows), encoding="utf-8")


if __name__ == "__main__":
    write()
    print(f"wrote {len(CASES)} files to {HERE / 'bad'}")
