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
classwise_calibration_error, l2_calibration_error, brier_decomposition
    Classwise and debiased calibration errors, and the Brier score's decomposition.
conformal_prediction_sets
    Split-conformal prediction sets with a coverage guarantee.
partial_logsumexp, merge_partials, streaming_logsumexp, online_softmax
    One-pass (online) softmax: partial results and their merge.
attention, flash_attention_forward, flash_attention_backward
    Scaled dot-product attention, directly and blockwise (FlashAttention in numpy).
SoftmaxFit, effective_rank, estimate_hidden_size
    The result of a fit; spectra, and the hidden size of a model from its outputs.
load_book_text, char_ngram_table, NgramTable
    A sample of the book's prose and next-character tables built from it.
logit, log1mexp, bce_with_logits
    The logistic model's inverse, log(1 - e^a), and binary cross-entropy from logits.
chunked_cross_entropy, sampled_softmax_loss, huffman_paths, hierarchical_log_prob
    Training with a large vocabulary: chunked and sampled losses, hierarchical softmax.
top_k_top_p_filter, gumbel_top_k
    Decoding: truncated sampling and sampling without replacement.
sparsemax, entmax15, entmax_bisect, fenchel_young_loss
    Sparse alternatives to softmax and the Fenchel-Young losses that go with them.
SoftmaxClassifier
    A small, seeded softmax-regression or one-hidden-layer classifier.

Reference values, errors in ulps and finite differences for tests live in
:mod:`softmax_lib.testing` (it needs mpmath).

Figures use :mod:`softmax_lib.plotting`, which is imported separately so that
the library itself needs only numpy, scipy and threadpoolctl.
"""

from ._attention import attention, flash_attention_backward, flash_attention_forward
from ._bottleneck import (
    NgramTable,
    SoftmaxFit,
    char_ngram_table,
    effective_rank,
    estimate_hidden_size,
    fit_softmax_model,
    load_book_text,
    log_prob_matrix,
    mixture_of_softmaxes,
    numerical_rank,
    sigsoftmax,
    unargmaxable_classes,
)
from ._calibration import (
    BrierDecomposition,
    ConformalSets,
    ReliabilityCurve,
    brier_decomposition,
    brier_score,
    classwise_calibration_error,
    conformal_prediction_sets,
    expected_calibration_error,
    fit_temperature,
    l2_calibration_error,
    negative_log_likelihood,
    reliability_curve,
)
from ._classifier import SoftmaxClassifier
from ._core import log_sigmoid, log_softmax, logsumexp, naive_softmax, sigmoid, softmax
from ._derivation import cross_entropy, gumbel_max_sample, softmax_jacobian, softmax_vjp
from ._information import entropy
from ._logistic import bce_with_logits, log1mexp, logit
from ._sparse import entmax15, entmax_bisect, fenchel_young_loss, sparsemax
from ._stability import merge_partials, online_softmax, partial_logsumexp, streaming_logsumexp
from ._vocabulary import (
    CrossEntropyResult,
    chunked_cross_entropy,
    gumbel_top_k,
    hierarchical_log_prob,
    huffman_paths,
    sampled_softmax_loss,
    top_k_top_p_filter,
)

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
    "SoftmaxFit",
    "effective_rank",
    "estimate_hidden_size",
    "load_book_text",
    "char_ngram_table",
    "NgramTable",
    "ReliabilityCurve",
    "classwise_calibration_error",
    "l2_calibration_error",
    "BrierDecomposition",
    "brier_decomposition",
    "ConformalSets",
    "conformal_prediction_sets",
    "logit",
    "log1mexp",
    "bce_with_logits",
    "attention",
    "flash_attention_forward",
    "flash_attention_backward",
    "CrossEntropyResult",
    "chunked_cross_entropy",
    "sampled_softmax_loss",
    "huffman_paths",
    "hierarchical_log_prob",
    "top_k_top_p_filter",
    "gumbel_top_k",
    "sparsemax",
    "entmax15",
    "entmax_bisect",
    "fenchel_young_loss",
]

__version__ = "0.2.0"
