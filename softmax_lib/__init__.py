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
softmax_jacobian, softmax_vjp
    The derivative of softmax: the Jacobian matrix, and products with it.
cross_entropy
    The classification loss, computed stably from logits.
gumbel_max_sample
    Sampling from softmax by the Gumbel-max trick.
entropy
    Shannon entropy of probability vectors.
log_prob_matrix, numerical_rank, fit_softmax_model
    The softmax bottleneck: log-probability matrices, their rank, and fitting.
mixture_of_softmaxes, sigsoftmax, unargmaxable_classes
    Output layers beyond the bottleneck, and classes that can never win.
expected_calibration_error, reliability_curve, fit_temperature, brier_score, negative_log_likelihood
    Measuring calibration, and temperature scaling.
partial_logsumexp, merge_partials, streaming_logsumexp, online_softmax
    One-pass (online) softmax: partial results and their merge.
SoftmaxClassifier
    A small, seeded softmax-regression or one-hidden-layer classifier.

Reference values, errors in ulps and finite differences for tests live in
:mod:`softmax_lib.testing` (it needs mpmath).

Figures use :mod:`softmax_lib.plotting`, which is imported separately so that
the numerical core depends on numpy alone.
"""

from ._core import log_sigmoid, log_softmax, logsumexp, naive_softmax, sigmoid, softmax
from ._derivation import cross_entropy, gumbel_max_sample, softmax_jacobian, softmax_vjp
from ._information import entropy
from ._bottleneck import (
    fit_softmax_model,
    log_prob_matrix,
    mixture_of_softmaxes,
    numerical_rank,
    sigsoftmax,
    unargmaxable_classes,
)
from ._calibration import (
    brier_score,
    expected_calibration_error,
    fit_temperature,
    negative_log_likelihood,
    reliability_curve,
)
from ._classifier import SoftmaxClassifier
from ._stability import merge_partials, online_softmax, partial_logsumexp, streaming_logsumexp

__all__ = [
    "softmax",
    "log_softmax",
    "logsumexp",
    "sigmoid",
    "log_sigmoid",
    "naive_softmax",
    "softmax_jacobian",
    "softmax_vjp",
    "cross_entropy",
    "gumbel_max_sample",
    "entropy",
    "log_prob_matrix",
    "numerical_rank",
    "fit_softmax_model",
    "mixture_of_softmaxes",
    "sigsoftmax",
    "unargmaxable_classes",
    "expected_calibration_error",
    "reliability_curve",
    "fit_temperature",
    "brier_score",
    "negative_log_likelihood",
    "SoftmaxClassifier",
    "partial_logsumexp",
    "merge_partials",
    "streaming_logsumexp",
    "online_softmax",
]

__version__ = "0.1.0"

# --- added for alternatives: sparse maps and Fenchel-Young losses (Chapter 9) ---
from ._sparse import entmax15, entmax_bisect, fenchel_young_loss, sparsemax

__all__ += ["sparsemax", "entmax15", "entmax_bisect", "fenchel_young_loss"]
