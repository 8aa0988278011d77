"""Checking the answers to a worked step: right to the digits written, right by follow-through, or wrong and why.

answers.py reads answer files (names from names.py, precision from precision.py); grade.py
judges them against the network, recomputing with dataflow.py; diagnose.py finds the slip that
explains a wrong number; render.py shows the results.
"""

import sys
import types


class _Callable(types.ModuleType):
    """This package is also the API's `bpcalc.check(network, answers)`: importing a subpackage
    makes it the attribute `check` of its parent, in place of the function of that name, so
    the package itself must answer the call the same way."""

    def __call__(self, network, answers, *, delta_sign=None):
        from .. import _network, notebook

        return notebook.check(_network(network), answers, delta_sign=delta_sign)


sys.modules[__name__].__class__ = _Callable
