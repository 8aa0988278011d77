"""Reads network files (YAML) into a model.Network, and answer files into plain entries, against docs/format.md.

The only package that imports yaml. Its modules, one job each:
  yamltext  reading a file within bounds, composing plain YAML, and the checks every value shares
  network   the network: options, layers (map, matrix or size form), labels and samples
  data      what a file does not write out: seeded weights for layers given by size, CSV samples
  answers   answer files for bpcalc check
  template  templates for bpcalc generate: a network plus `vary:`, and where each number is written
"""

from .network import load_network, parse_network
from .yamltext import MAX_FILE_BYTES, _Invalid, check_layer_size, read_source, read_text, source_name  # noqa: F401 (_Invalid: for tests)

_ANSWERS = ("is_network_text", "load_answers", "parse_answers")


def __getattr__(name: str):
    """The answer-file readers, loaded when first used: only `bpcalc check` needs them."""
    if name in _ANSWERS:
        from . import answers

        return getattr(answers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["MAX_FILE_BYTES", "check_layer_size", "is_network_text", "load_answers", "load_network",
           "parse_answers", "parse_network", "read_source", "read_text", "source_name"]
