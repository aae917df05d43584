"""softmax_lib: the reference implementation behind *The Softmax Book*.

A small, exact and documented library: every number in the book is computed
with it, and every function is tested against high-precision reference values.

Public functions
----------------
softmax, log_softmax, logsumexp
    Probabilities, log-probabilities and the normaliser, stable for any finite input.
sigmoid, log_sigmoid
    The two-class special case.
naive_softmax
    The textbook formula, kept to show how it fails.

Figures use :mod:`softmax_lib.plotting`, which is imported separately so that
the numerical core depends on numpy alone.
"""

from ._core import log_sigmoid, log_softmax, logsumexp, naive_softmax, sigmoid, softmax

__all__ = [
    "softmax",
    "log_softmax",
    "logsumexp",
    "sigmoid",
    "log_sigmoid",
    "naive_softmax",
]

__version__ = "0.1.0"
