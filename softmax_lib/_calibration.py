"""Measuring and repairing the calibration of a classifier's probabilities.

Functions here take either a matrix of predicted probabilities (one row per
example, one column per class) or, for the binary case, a vector holding the
probability of class 1, together with integer class labels. They return plain
floats or small NumPy arrays, so that a chapter can print and plot them.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ._core import softmax
from ._derivation import cross_entropy
from ._validation import (
    as_real_array,
    check_bool,
    check_labels,
    check_positive_int,
    check_real,
    check_temperature,
)

__all__ = [
    "ReliabilityCurve",
    "reliability_curve",
    "expected_calibration_error",
    "classwise_calibration_error",
    "l2_calibration_error",
    "BrierDecomposition",
    "brier_decomposition",
    "ConformalSets",
    "conformal_prediction_sets",
    "brier_score",
    "negative_log_likelihood",
    "fit_temperature",
]

_STRATEGIES = ("uniform", "quantile")


class ReliabilityCurve(NamedTuple):
    """Per-bin summary returned by :func:`reliability_curve` (non-empty bins only)."""

    #: Mean confidence (or mean predicted probability of class 1) in each bin.
    confidence: np.ndarray
    #: Accuracy (or fraction of examples of class 1) in each bin.
    accuracy: np.ndarray
    #: Number of examples in each bin.
    counts: np.ndarray
    #: Lower edge of each bin.
    lower: np.ndarray
    #: Upper edge of each bin.
    upper: np.ndarray


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------

def _check_probs(probs: Any, func: str) -> np.ndarray:
    """Return `probs` as a float64 array of shape (m,) or (m, n) of valid probabilities."""
    arr = as_real_array(probs, func, "probs")
    if arr.ndim not in (1, 2):
        raise ValueError(
            f"{func}: probs must be a vector of probabilities of class 1 or a matrix with one "
            f"row per example, got shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{func}: probs must contain at least one prediction")
    if arr.ndim == 2 and arr.shape[1] < 2:
        raise ValueError(
            f"{func}: probs must have at least two columns (classes), got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)) or arr.min() < 0 or arr.max() > 1:
        raise ValueError(f"{func}: probs must be finite probabilities in [0, 1]")
    if arr.ndim == 2:
        tol = float(np.sqrt(np.finfo(arr.dtype).eps))
        if np.max(np.abs(np.sum(arr, axis=1, dtype=np.float64) - 1.0)) > tol:
            raise ValueError(f"{func}: each row of probs must sum to one (within {tol:.1e})")
    return arr.astype(np.float64)


def _check_logits(logits: Any, func: str) -> np.ndarray:
    arr = as_real_array(logits, func, "logits")
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] < 2:
        raise ValueError(
            f"{func}: logits must be a matrix with one row per example and at least two "
            f"columns, got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{func}: logits must be finite")
    return arr.astype(np.float64)


def _check_bins(n_bins: Any, strategy: Any, func: str) -> tuple[int, str]:
    n_bins = check_positive_int(n_bins, func, "n_bins")
    if strategy not in _STRATEGIES:
        raise ValueError(f"{func}: strategy must be 'uniform' or 'quantile', got {strategy!r}")
    return n_bins, str(strategy)


def _scores(probs: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the score that is binned and the 0/1 outcome it should predict."""
    if probs.ndim == 1:
        return probs, labels.astype(np.float64)
    predicted = np.argmax(probs, axis=1)
    confidence = probs[np.arange(probs.shape[0]), predicted]
    return confidence, (predicted == labels).astype(np.float64)


def _bin_ids(score: np.ndarray, n_bins: int, strategy: str) -> tuple[np.ndarray, np.ndarray]:
    """Bin index of each score (bins ``(e[b-1], e[b]]``, the first closed) and the edges."""
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    else:
        edges = np.percentile(score, np.linspace(0.0, 100.0, n_bins + 1))
    return np.searchsorted(edges[1:-1], score), edges


def _curve(score: np.ndarray, outcome: np.ndarray, n_bins: int, strategy: str) -> ReliabilityCurve:
    ids, edges = _bin_ids(score, n_bins, strategy)
    count = np.bincount(ids, minlength=n_bins)
    score_sum = np.bincount(ids, weights=score, minlength=n_bins)
    outcome_sum = np.bincount(ids, weights=outcome, minlength=n_bins)
    keep = count > 0
    return ReliabilityCurve(
        confidence=score_sum[keep] / count[keep],
        accuracy=outcome_sum[keep] / count[keep],
        counts=count[keep],
        lower=edges[:-1][keep],
        upper=edges[1:][keep],
    )


def _validated(probs: Any, labels: Any, n_bins: Any, strategy: Any,
               func: str) -> tuple[np.ndarray, np.ndarray, int, str]:
    n_bins, strategy = _check_bins(n_bins, strategy, func)
    p = _check_probs(probs, func)
    y = check_labels(labels, p.shape[0], 2 if p.ndim == 1 else p.shape[1], func)
    return p, y, n_bins, strategy


def _binned(probs: Any, labels: Any, n_bins: Any, strategy: Any, func: str) -> ReliabilityCurve:
    p, y, n_bins, strategy = _validated(probs, labels, n_bins, strategy, func)
    score, outcome = _scores(p, y)
    return _curve(score, outcome, n_bins, strategy)


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------

def reliability_curve(
    probs: ArrayLike, labels: ArrayLike, *, n_bins: int = 10, strategy: str = "uniform"
) -> ReliabilityCurve:
    r"""The data of a reliability diagram: accuracy against confidence, per bin.

    Parameters
    ----------
    probs : array_like, shape (m, n) or (m,)
        Predicted probabilities, one row per example (rows sum to one). A
        vector is read as the probability of class 1 in a binary problem.
    labels : array_like of int, shape (m,)
        True classes, in ``0, ..., n - 1`` (``0`` or ``1`` for a vector `probs`).
    n_bins : int, optional
        Number of bins. Default 10.
    strategy : {"uniform", "quantile"}, optional
        ``"uniform"`` (default): equal-width bins on :math:`[0, 1]`.
        ``"quantile"``: bin edges at the quantiles of the confidences, so
        that bins hold (nearly) equal numbers of examples.

    Returns
    -------
    ReliabilityCurve
        A named tuple of arrays with one entry per *non-empty* bin:
        ``confidence`` (mean confidence), ``accuracy`` (fraction correct),
        ``counts`` (examples), ``lower`` and ``upper`` (bin edges). For a
        vector `probs`, ``confidence`` is the mean predicted probability of
        class 1 and ``accuracy`` the fraction of examples of class 1.

    Raises
    ------
    TypeError
        If `probs` is not real, `labels` is not an integer array, or `n_bins`
        is not an int.
    ValueError
        If `probs` is empty, has the wrong shape, holds values outside
        :math:`[0, 1]` or rows that do not sum to one; if `labels` has the
        wrong length or values out of range; if `n_bins` < 1 or `strategy`
        is unknown.

    See Also
    --------
    expected_calibration_error : The weighted mean gap of this curve.
    softmax_lib.plotting.reliability_diagram : Draws it.

    Notes
    -----
    For a matrix `probs`, the confidence of an example is its largest
    probability and it counts as correct when that class (the first one, on
    ties) is the label: the "top-label" reliability diagram of [1]_. Bin
    :math:`b` holds the confidences in :math:`(e_{b-1}, e_b]` (the first bin
    also holds :math:`e_0`), which is the convention of
    ``sklearn.calibration.calibration_curve``; for a vector `probs` the two
    functions return the same numbers, also with ``strategy="quantile"``,
    whose edges are ``numpy.percentile`` of the confidences. Tied
    confidences can make quantile bins coincide; empty bins are dropped.

    References
    ----------
    .. [1] C. Guo, G. Pleiss, Y. Sun and K. Q. Weinberger, "On calibration of
       modern neural networks", *Proceedings of the 34th International
       Conference on Machine Learning*, PMLR 70, 2017, pp. 1321--1330.

    Examples
    --------
    Four predictions over three classes; confidences 0.9 (correct), 0.8
    (wrong), 0.4 (correct) and 0.45 (wrong):

    >>> from softmax_lib import reliability_curve
    >>> probs = [[0.9, 0.05, 0.05], [0.8, 0.1, 0.1], [0.4, 0.35, 0.25], [0.2, 0.45, 0.35]]
    >>> curve = reliability_curve(probs, [0, 1, 0, 2], n_bins=2)
    >>> curve.confidence, curve.accuracy, curve.counts
    (array([0.425, 0.85 ]), array([0.5, 0.5]), array([2, 2]))
    >>> curve.lower, curve.upper
    (array([0. , 0.5]), array([0.5, 1. ]))
    """
    return _binned(probs, labels, n_bins, strategy, "reliability_curve")


def expected_calibration_error(
    probs: ArrayLike, labels: ArrayLike, *, n_bins: int = 15, strategy: str = "uniform"
) -> float:
    r"""Expected calibration error: the mean gap between confidence and accuracy.

    .. math::

        \mathrm{ECE} = \sum_{b=1}^{B} \frac{|S_b|}{m}\,
        \bigl|\operatorname{acc}(S_b) - \operatorname{conf}(S_b)\bigr|

    over bins :math:`S_b` of examples grouped by confidence.

    Parameters
    ----------
    probs : array_like, shape (m, n) or (m,)
        Predicted probabilities (rows sum to one), or for a binary problem
        the probability of class 1.
    labels : array_like of int, shape (m,)
        True classes.
    n_bins : int, optional
        Number of bins :math:`B`. Default 15, as in [1]_.
    strategy : {"uniform", "quantile"}, optional
        ``"uniform"`` (default): equal-width bins, the ECE of [1]_ and [2]_.
        ``"quantile"``: equal-mass bins whose edges are quantiles of the
        confidences, an adaptive variant in the spirit of [3]_.

    Returns
    -------
    float
        The ECE, between 0 and 1.

    Raises
    ------
    TypeError
        If `probs` is not real, `labels` is not an integer array, or `n_bins`
        is not an int.
    ValueError
        For invalid probabilities, labels, `n_bins` or `strategy` (see
        :func:`reliability_curve`).

    See Also
    --------
    reliability_curve : The per-bin numbers this sums.
    brier_score, negative_log_likelihood : Proper scoring rules, which need no bins.

    Notes
    -----
    The ECE estimates :math:`\mathbb{E}\,|P(\hat Y = Y \mid C) - C|` for the
    confidence :math:`C`, but the estimate depends on the bins: with few
    bins, over- and under-confident examples in the same bin cancel; with
    many bins, each bin's accuracy is a noisy average over few examples and
    the ECE of a perfectly calibrated model is clearly positive. Report the
    number of bins and the strategy with every ECE.

    References
    ----------
    .. [1] C. Guo, G. Pleiss, Y. Sun and K. Q. Weinberger, "On calibration of
       modern neural networks", *ICML*, PMLR 70, 2017, pp. 1321--1330.
    .. [2] M. P. Naeini, G. F. Cooper and M. Hauskrecht, "Obtaining well
       calibrated probabilities using Bayesian binning", *AAAI*, 2015,
       pp. 2901--2907.
    .. [3] J. Nixon, M. W. Dusenberry, L. Zhang, G. Jerfel and D. Tran,
       "Measuring calibration in deep learning", *CVPR Workshops*, 2019.

    Examples
    --------
    Two bins, :math:`[0, 0.5]` and :math:`(0.5, 1]`, each with half the
    examples and accuracy 0.5; mean confidences 0.425 and 0.85, so the ECE
    is :math:`0.5 \cdot 0.075 + 0.5 \cdot 0.35`:

    >>> from softmax_lib import expected_calibration_error
    >>> probs = [[0.9, 0.05, 0.05], [0.8, 0.1, 0.1], [0.4, 0.35, 0.25], [0.2, 0.45, 0.35]]
    >>> round(expected_calibration_error(probs, [0, 1, 0, 2], n_bins=2), 6)
    0.2125
    """
    curve = _binned(probs, labels, n_bins, strategy, "expected_calibration_error")
    weights = curve.counts / np.sum(curve.counts)
    return float(np.sum(weights * np.abs(curve.accuracy - curve.confidence)))


def classwise_calibration_error(
    probs: ArrayLike, labels: ArrayLike, *, n_bins: int = 15, strategy: str = "uniform"
) -> float:
    r"""Classwise calibration error: the ECE of every class's probability, averaged over classes.

    .. math::

        \mathrm{cwECE} = \frac{1}{n} \sum_{j=1}^{n} \sum_{b=1}^{B}
        \frac{|S_{jb}|}{m}\,
        \bigl|\operatorname{freq}_j(S_{jb}) - \operatorname{mean}_j(S_{jb})\bigr|,

    where the bins :math:`S_{jb}` group the examples by :math:`p_{ij}`, and
    compare the mean of :math:`p_{ij}` in a bin with the fraction of its
    examples whose label is :math:`j`.

    Parameters
    ----------
    probs : array_like, shape (m, n)
        Predicted probabilities, one row per example (rows sum to one).
    labels : array_like of int, shape (m,)
        True classes, in ``0, ..., n - 1``.
    n_bins : int, optional
        Number of bins per class. Default 15.
    strategy : {"uniform", "quantile"}, optional
        Equal-width bins on :math:`[0, 1]` (default) or equal-mass bins at
        the quantiles of each class's probabilities.

    Returns
    -------
    float
        The classwise ECE, between 0 and 1.

    Raises
    ------
    TypeError
        If `probs` is not real, `labels` is not an integer array, or `n_bins`
        is not an int.
    ValueError
        If `probs` is not a matrix of valid probability rows, or for invalid
        labels, `n_bins` or `strategy` (see :func:`reliability_curve`).

    See Also
    --------
    expected_calibration_error : The top-label version, which looks only at the largest probability.

    Notes
    -----
    The top-label ECE checks only the confidence of the predicted class. A
    model can be top-label calibrated while the probabilities it gives to the
    other classes are wrong, which matters when those probabilities are used
    (costs that differ between classes, rankings of alternatives). Classwise
    calibration checks every column; this is the "classwise-ECE" of [1]_,
    and with ``strategy="quantile"`` it is close to the adaptive calibration
    error (ACE) of [2]_, which uses equal-mass ranges per class.

    References
    ----------
    .. [1] M. Kull, M. Perello-Nieto, M. Kängsepp, T. Silva Filho, H. Song and
       P. Flach, "Beyond temperature scaling: obtaining well-calibrated
       multi-class probabilities with Dirichlet calibration", *NeurIPS* 32,
       2019.
    .. [2] J. Nixon, M. W. Dusenberry, L. Zhang, G. Jerfel and D. Tran,
       "Measuring calibration in deep learning", *CVPR Workshops*, 2019.

    Examples
    --------
    Two examples, both labelled 0, predicted ``[0.5, 0.5]``: the top-label
    ECE sees confidence 0.5 and accuracy 1 (ties go to class 0); class 0 has
    mean 0.5 and frequency 1, class 1 mean 0.5 and frequency 0:

    >>> from softmax_lib import classwise_calibration_error, expected_calibration_error
    >>> probs, labels = [[0.5, 0.5], [0.5, 0.5]], [0, 0]
    >>> expected_calibration_error(probs, labels), classwise_calibration_error(probs, labels)
    (0.5, 0.5)
    """
    func = "classwise_calibration_error"
    p, y, n_bins, strategy = _validated(probs, labels, n_bins, strategy, func)
    if p.ndim != 2:
        raise ValueError(f"{func}: probs must be a matrix with one row per example, "
                         f"got shape {p.shape}")
    total = 0.0
    for j in range(p.shape[1]):
        curve = _curve(p[:, j], (y == j).astype(np.float64), n_bins, strategy)
        total += float(np.sum(curve.counts * np.abs(curve.accuracy - curve.confidence)))
    return float(total / (p.shape[0] * p.shape[1]))


def l2_calibration_error(
    probs: ArrayLike, labels: ArrayLike, *, n_bins: int = 15, strategy: str = "quantile",
    debiased: bool = True,
) -> float:
    r"""Root-mean-square (L2) top-label calibration error, optionally debiased.

    The plug-in estimate is :math:`\sqrt{\sum_b \frac{|S_b|}{m}
    (\operatorname{acc}(S_b) - \operatorname{conf}(S_b))^2}`. The debiased
    estimate [1]_ subtracts from each bin's squared gap an unbiased estimate
    of the part that sampling noise adds to it,

    .. math::

        \widehat{\mathrm{CE}}^2 = \sum_{b=1}^{B} \frac{|S_b|}{m}
        \Bigl[(\operatorname{acc}(S_b) - \operatorname{conf}(S_b))^2 -
        \frac{\operatorname{acc}(S_b)\,(1 - \operatorname{acc}(S_b))}{|S_b| - 1}\Bigr],

    and returns :math:`\sqrt{\max(0, \widehat{\mathrm{CE}}^2)}`. The debiased
    estimate needs at least two examples in every non-empty bin.

    Parameters
    ----------
    probs : array_like, shape (m, n) or (m,)
        Predicted probabilities (rows sum to one), or for a binary problem
        the probability of class 1.
    labels : array_like of int, shape (m,)
        True classes.
    n_bins : int, optional
        Number of bins :math:`B`. Default 15.
    strategy : {"quantile", "uniform"}, optional
        Equal-mass bins (default, as recommended by [2]_) or equal-width bins.
    debiased : bool, optional
        Subtract the noise term (default True); False gives the plug-in estimate.

    Returns
    -------
    float
        The estimated L2 calibration error, between 0 and 1.

    Raises
    ------
    TypeError
        If `probs` is not real, `labels` is not an integer array, `n_bins` is
        not an int or `debiased` is not a bool.
    ValueError
        For invalid probabilities, labels, `n_bins` or `strategy` (see
        :func:`reliability_curve`), or, when `debiased` is True, if a
        non-empty bin holds a single example.

    See Also
    --------
    expected_calibration_error : The L1 (mean absolute) version, not debiased.

    Notes
    -----
    If the outcomes in bin :math:`b` are independent with mean :math:`a_b`
    and the bin's confidences are held fixed, :math:`\mathbb E[(\bar o_b -
    c_b)^2] = (a_b - c_b)^2 + a_b(1 - a_b)/|S_b|` and :math:`\mathbb E[\bar
    o_b(1 - \bar o_b)] = a_b(1 - a_b)(|S_b| - 1)/|S_b|`, so each bracket is an
    unbiased estimate of :math:`(a_b - c_b)^2`. A bin with a single example
    carries no estimate of its noise. The reference implementation of [1]_
    lets such a bin contribute 0 while keeping its weight, which can report
    an error of 0 for a model that is always wrong with confidence above 0.9
    (ten such predictions in 15 equal-mass bins); this function raises a
    ValueError instead: use fewer bins or more examples. The debiased
    estimator goes back to [3]_ and [4]_. The square root and the clipping at 0 add a small
    bias of their own. The bins are still part of the definition: this
    estimates the calibration error of the binned model.

    References
    ----------
    .. [1] A. Kumar, P. Liang and T. Ma, "Verified uncertainty calibration",
       *NeurIPS* 32, 2019.
    .. [2] R. Roelofs, N. Cain, J. Shlens and M. C. Mozer, "Mitigating bias in
       calibration error estimation", *AISTATS*, PMLR 151, 2022.
    .. [3] J. Bröcker, "Estimating reliability and resolution of probability
       forecasts through decomposition of the empirical score", *Climate
       Dynamics* 39, 2012, pp. 655--667.
    .. [4] C. A. T. Ferro and T. E. Fricker, "A bias-corrected decomposition
       of the Brier score", *Quarterly Journal of the Royal Meteorological
       Society* 138(668), 2012, pp. 1954--1960.

    Examples
    --------
    One bin of four predictions with confidence 0.5, three of them correct:
    the plug-in error is 0.25; the noise term is 0.75 * 0.25 / 3 = 0.0625, so
    the debiased error is the square root of 0.0625 - 0.0625 = 0:

    >>> from softmax_lib import l2_calibration_error
    >>> probs, labels = [0.5, 0.5, 0.5, 0.5], [1, 1, 1, 0]
    >>> l2_calibration_error(probs, labels, n_bins=1, debiased=False)
    0.25
    >>> l2_calibration_error(probs, labels, n_bins=1)
    0.0
    """
    func = "l2_calibration_error"
    debiased = check_bool(debiased, func, "debiased")
    curve = _binned(probs, labels, n_bins, strategy, func)
    squared = (curve.accuracy - curve.confidence) ** 2
    if debiased:
        n_b = curve.counts
        if np.any(n_b < 2):
            raise ValueError(
                f"{func}: the debiased estimate needs at least 2 examples in every non-empty "
                f"bin, got {int(np.sum(n_b < 2))} of {n_b.size} non-empty bins with one "
                f"example ({int(np.sum(n_b))} examples, n_bins={n_bins}); use fewer bins, "
                f"more examples or debiased=False"
            )
        squared = squared - curve.accuracy * (1.0 - curve.accuracy) / (n_b - 1)
    estimate = float(np.sum(curve.counts * squared) / np.sum(curve.counts))
    return math.sqrt(max(estimate, 0.0))


class BrierDecomposition(NamedTuple):
    """Terms returned by :func:`brier_decomposition` (each summed over classes if classwise).

    ``score == reliability - resolution + uncertainty + within_bin`` up to rounding.
    """

    #: The Brier score of the binary forecast that is decomposed.
    score: float
    #: Weighted mean squared gap between mean forecast and frequency per bin (lower is better).
    reliability: float
    #: Weighted spread of the per-bin frequencies around the overall one (higher is better).
    resolution: float
    #: ``o (1 - o)`` for the overall frequency ``o``: the score of always forecasting ``o``.
    uncertainty: float
    #: The forecasts' spread inside the bins (0 when each bin holds one forecast value).
    within_bin: float


def brier_decomposition(
    probs: ArrayLike, labels: ArrayLike, *, n_bins: int = 15, strategy: str = "uniform",
    classwise: bool = False,
) -> BrierDecomposition:
    r"""Murphy's decomposition of a Brier score into reliability, resolution and uncertainty.

    For forecasts :math:`f_i \in [0, 1]` of binary outcomes :math:`o_i`,
    grouped into bins :math:`S_b` with mean forecast :math:`\bar f_b` and
    frequency :math:`\bar o_b`, and overall frequency :math:`\bar o`,

    .. math::

        \frac1m \sum_i (f_i - o_i)^2 =
        \underbrace{\sum_b \tfrac{|S_b|}{m} (\bar f_b - \bar o_b)^2}_{\text{reliability}}
        - \underbrace{\sum_b \tfrac{|S_b|}{m} (\bar o_b - \bar o)^2}_{\text{resolution}}
        + \underbrace{\bar o (1 - \bar o)}_{\text{uncertainty}}
        + \text{within-bin terms}.

    Parameters
    ----------
    probs : array_like, shape (m, n) or (m,)
        A vector of probabilities of class 1 (the forecast is the vector
        itself and the outcome ``labels == 1``), or a probability matrix. For
        a matrix the default decomposes the top-label binary problem (the
        forecast is the confidence, the largest probability, and the outcome
        whether the prediction is correct); see `classwise`.
    labels : array_like of int, shape (m,)
        True classes.
    n_bins : int, optional
        Number of bins. Default 15.
    strategy : {"uniform", "quantile"}, optional
        Equal-width (default) or equal-mass bins.
    classwise : bool, optional
        For a matrix, decompose each column :math:`p_j` as a forecast of
        ``labels == j`` (one against the rest, with its own bins) and sum the
        terms over the classes (keyword only; default False). The score is
        then :func:`brier_score`, and the uncertainty
        :math:`\sum_j \bar o_j (1 - \bar o_j)` depends on the labels only.
        Ignored for a vector.

    Returns
    -------
    BrierDecomposition
        Named tuple ``(score, reliability, resolution, uncertainty,
        within_bin)`` of floats, with ``score = reliability - resolution +
        uncertainty + within_bin``.

    Raises
    ------
    TypeError, ValueError
        For invalid `probs`, `labels`, `n_bins` or `strategy`, as
        :func:`reliability_curve` does; TypeError if `classwise` is not a bool.

    See Also
    --------
    brier_score : The multi-class score; for a vector it is ``score`` here.
    expected_calibration_error : The L1 analogue of the reliability term.

    Notes
    -----
    Murphy's partition [1]_ is exact when every forecast in a bin is the
    same. With continuous forecasts the identity needs the within-bin term
    :math:`\frac1m \sum_b \sum_{i \in S_b} \bigl[(f_i - \bar f_b)^2 - 2 (f_i
    - \bar f_b)(o_i - \bar o_b)\bigr]`, which follows from expanding
    :math:`f_i - o_i = (f_i - \bar f_b) + (\bar f_b - \bar o_b) - (o_i -
    \bar o_b)` and the law of total variance for :math:`o`. Reliability is
    the miscalibration (the squared analogue of the ECE); resolution
    rewards forecasts that separate the outcomes. For a vector, and with
    ``classwise=True``, the outcome is the label itself, so uncertainty
    depends on the labels only. The top-label outcome "the prediction is
    correct" depends on the model as well: two models on the same test set
    then have different uncertainty terms, and the top-label score (the
    squared error of the confidence alone) is not a proper score for the
    n-class forecast, so it can rank a useless model close to a good one.
    Compare models with the classwise decomposition or :func:`brier_score`.
    A constant forecast of the base rate :math:`\bar o` has reliability and
    resolution 0: calibrated and useless.

    References
    ----------
    .. [1] A. H. Murphy, "A new vector partition of the probability score",
       *Journal of Applied Meteorology* 12(4), 1973, pp. 595--600.

    Examples
    --------
    Forecasts 0.2 (outcomes 0, 0, 1) and 0.8 (outcomes 1, 1): reliability
    :math:`(3 (0.2 - 1/3)^2 + 2 (0.8 - 1)^2)/5`, resolution :math:`(3 (1/3 -
    3/5)^2 + 2 (1 - 3/5)^2)/5`, uncertainty :math:`0.6 \cdot 0.4`:

    >>> import numpy as np
    >>> from softmax_lib import brier_decomposition
    >>> d = brier_decomposition([0.2, 0.2, 0.2, 0.8, 0.8], [0, 0, 1, 1, 1], n_bins=2)
    >>> [round(float(t), 6) for t in d]
    [0.16, 0.026667, 0.106667, 0.24, 0.0]

    Classwise, the terms add up over the classes and the score is the
    multi-class Brier score:

    >>> probs = [[0.7, 0.2, 0.1], [0.1, 0.6, 0.3], [0.2, 0.2, 0.6], [0.5, 0.4, 0.1]]
    >>> d = brier_decomposition(probs, [0, 1, 2, 1], n_bins=5, classwise=True)
    >>> round(d.uncertainty, 6), round(d.score, 6)  # 3/16 + 1/4 + 3/16
    (0.625, 0.315)
    """
    func = "brier_decomposition"
    classwise = check_bool(classwise, func, "classwise")
    p, y, n_bins, strategy = _validated(probs, labels, n_bins, strategy, func)
    if classwise and p.ndim == 2:
        terms = [
            _murphy(p[:, j], (y == j).astype(np.float64), n_bins, strategy)
            for j in range(p.shape[1])
        ]
        return BrierDecomposition(*(float(sum(t)) for t in zip(*terms, strict=True)))
    f, o = _scores(p, y)
    return _murphy(f, o, n_bins, strategy)


def _murphy(f: np.ndarray, o: np.ndarray, n_bins: int, strategy: str) -> BrierDecomposition:
    """Murphy's decomposition of the binary forecasts `f` of the 0/1 outcomes `o`."""
    ids, _ = _bin_ids(f, n_bins, strategy)
    n = f.size
    count = np.bincount(ids, minlength=n_bins)
    safe = np.maximum(count, 1)
    f_bar = np.bincount(ids, weights=f, minlength=n_bins) / safe
    o_bar = np.bincount(ids, weights=o, minlength=n_bins) / safe
    base = float(np.mean(o))
    reliability = float(np.sum(count * (f_bar - o_bar) ** 2) / n)
    resolution = float(np.sum(count * (o_bar - base) ** 2) / n)
    df = f - f_bar[ids]
    within = float(np.mean(df ** 2 - 2.0 * df * (o - o_bar[ids])))
    return BrierDecomposition(
        score=float(np.mean((f - o) ** 2)),
        reliability=reliability,
        resolution=resolution,
        uncertainty=base * (1.0 - base),
        within_bin=within,
    )


class ConformalSets(NamedTuple):
    """Result of :func:`conformal_prediction_sets`."""

    #: Boolean matrix, shape (t, n): ``sets[i, j]`` is True when class j is in the set of example i.
    sets: np.ndarray
    #: The calibrated threshold on the score (``inf``: every class; ``-inf``: none).
    threshold: float


_CONFORMAL_SCORES = ("lac", "aps")


def _conformity_scores(p: np.ndarray, score: str) -> np.ndarray:
    """Non-conformity score of every class for every row of `p`, shape (m, n)."""
    if score == "lac":
        return 1.0 - p
    # APS without randomisation: mass of the strictly more probable classes plus the class's own.
    out = np.empty_like(p)
    for j in range(p.shape[1]):
        column = p[:, j:j + 1]
        out[:, j] = np.sum(np.where(p > column, p, 0.0), axis=1) + p[:, j]
    return out


def conformal_prediction_sets(
    cal_probs: ArrayLike, cal_labels: ArrayLike, test_probs: ArrayLike, *,
    alpha: float = 0.1, score: str = "lac",
) -> ConformalSets:
    r"""Split-conformal prediction sets from predicted class probabilities.

    A score :math:`s(x, j)` measures how unusual label :math:`j` is for input
    :math:`x`. With the scores :math:`s_1, \dots, s_m` of the true labels of
    :math:`m` calibration examples, the threshold :math:`\hat q` is their
    :math:`\lceil (m + 1)(1 - \alpha) \rceil`-th smallest value, and the set
    of a new input is :math:`C(x) = \{j : s(x, j) \le \hat q\}`.

    Parameters
    ----------
    cal_probs : array_like, shape (m, n)
        Predicted probabilities on calibration data not used for training.
    cal_labels : array_like of int, shape (m,)
        True classes of the calibration examples.
    test_probs : array_like, shape (t, n)
        Predicted probabilities of the inputs that get sets.
    alpha : float, optional
        Miscoverage level in :math:`[0, 1]` (keyword only). Default 0.1, for
        sets that contain the true class with probability at least 90%.
    score : {"lac", "aps"}, optional
        ``"lac"`` (default): :math:`s(x, j) = 1 - p_j(x)`, the least
        ambiguous sets of [2]_. ``"aps"``: the probability mass of the classes
        more probable than :math:`j` plus :math:`p_j(x)`, the adaptive
        prediction sets of [3]_ without their randomisation.

    Returns
    -------
    ConformalSets
        ``sets``, a boolean matrix of shape (t, n), and ``threshold``
        :math:`\hat q` (``inf`` when :math:`\lceil (m + 1)(1 - \alpha)\rceil >
        m`: every set is then the full set of classes; ``-inf`` when
        :math:`\alpha = 1`).

    Raises
    ------
    TypeError
        If the probabilities are not real, `cal_labels` is not an integer
        array or `alpha` is not a real number.
    ValueError
        If the probabilities are not matrices of valid rows with the same
        number of columns, `cal_labels` is invalid, `alpha` is outside
        :math:`[0, 1]` or `score` is unknown.

    See Also
    --------
    fit_temperature : Calibrates the probabilities; conformal sets need no calibration.

    Notes
    -----
    If the calibration examples and a test example :math:`(X, Y)` are
    exchangeable (for instance i.i.d.), then :math:`P(Y \in C(X)) \ge 1 -
    \alpha`, and, if the scores have no ties, :math:`P(Y \in C(X)) < 1 -
    \alpha + 1/(m + 1)` [1]_. The guarantee is marginal (on average over
    inputs), holds for any model, however miscalibrated, and is lost under
    dataset shift. The rank :math:`\lceil (m+1)(1-\alpha) \rceil` is computed
    exactly, with ``fractions.Fraction``, from the decimal value of `alpha` as
    Python prints it (``Fraction(str(alpha))``: 0.03 is 3/100, not its binary
    approximation), so that, for instance, :math:`\alpha = 0.18` and
    :math:`m = 149` give rank 123, where the floating-point product
    ``150 * (1 - 0.18)`` rounds up to 124. Both kinds of set hold the classes in decreasing order of
    probability, and both can be empty when :math:`\hat q` is small. Tied
    probabilities get equal APS scores, so tied classes enter a set together.
    Computing APS scores takes :math:`O(t n^2)` operations.

    References
    ----------
    .. [1] A. N. Angelopoulos and S. Bates, "Conformal prediction: a gentle
       introduction", *Foundations and Trends in Machine Learning* 16(4),
       2023, pp. 494--591.
    .. [2] M. Sadinle, J. Lei and L. Wasserman, "Least ambiguous set-valued
       classifiers with bounded error levels", *Journal of the American
       Statistical Association* 114(525), 2019, pp. 223--234.
    .. [3] Y. Romano, M. Sesia and E. J. Candès, "Classification with valid
       and adaptive coverage", *NeurIPS* 33, 2020.

    Examples
    --------
    Four calibration examples whose true classes got probabilities 0.9, 0.8,
    0.6 and 0.3 (LAC scores 0.1, 0.2, 0.4, 0.7). With :math:`\alpha = 0.4`
    the rank is :math:`\lceil 5 \cdot 0.6 \rceil = 3`, so :math:`\hat q = 0.4`
    and a class enters a set when its probability is at least 0.6:

    >>> from softmax_lib import conformal_prediction_sets
    >>> cal = [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3]]
    >>> result = conformal_prediction_sets(cal, [0, 1, 0, 1], [[0.65, 0.35], [0.5, 0.5]],
    ...                                    alpha=0.4)
    >>> round(result.threshold, 6)
    0.4
    >>> result.sets
    array([[ True, False],
           [False, False]])
    """
    func = "conformal_prediction_sets"
    alpha = check_real(alpha, func, "alpha", 0.0, 1.0)
    if score not in _CONFORMAL_SCORES:
        raise ValueError(f"{func}: score must be 'lac' or 'aps', got {score!r}")
    cal = _check_probs(cal_probs, func)
    test = _check_probs(test_probs, func)
    if cal.ndim != 2 or test.ndim != 2 or cal.shape[1] != test.shape[1]:
        raise ValueError(
            f"{func}: cal_probs and test_probs must be matrices with the same number of "
            f"columns, got shapes {cal.shape} and {test.shape}"
        )
    y = check_labels(cal_labels, cal.shape[0], cal.shape[1], func)
    m = cal.shape[0]
    cal_scores = _conformity_scores(cal, score)[np.arange(m), y]
    rank = math.ceil((m + 1) * (1 - Fraction(str(alpha))))
    if rank > m:
        threshold = math.inf
    elif rank < 1:
        threshold = -math.inf
    else:
        threshold = float(np.sort(cal_scores)[rank - 1])
    return ConformalSets(sets=_conformity_scores(test, score) <= threshold, threshold=threshold)


def brier_score(probs: ArrayLike, labels: ArrayLike) -> float:
    r"""Brier score: mean squared distance between predicted probabilities and the one-hot truth.

    .. math::

        \mathrm{BS} = \frac{1}{m} \sum_{i=1}^{m} \sum_{j=1}^{n} (p_{ij} - y_{ij})^2

    Parameters
    ----------
    probs : array_like, shape (m, n) or (m,)
        Predicted probabilities (rows sum to one), or for a binary problem
        the probability of class 1.
    labels : array_like of int, shape (m,)
        True classes.

    Returns
    -------
    float
        The score: 0 is perfect; at most 2 for a matrix and 1 for a vector.

    Raises
    ------
    TypeError
        If `probs` is not real or `labels` is not an integer array.
    ValueError
        For invalid probabilities or labels (see :func:`reliability_curve`).

    See Also
    --------
    negative_log_likelihood : The other common proper scoring rule.

    Notes
    -----
    This is Brier's original multi-class score [1]_, summed over classes. For
    a vector of class-1 probabilities it is :math:`\frac1m\sum_i (p_i - y_i)^2`,
    as in ``sklearn.metrics.brier_score_loss``; for two classes the matrix
    form is exactly twice that. The score is *proper*: its expectation is
    minimised by reporting the true class probabilities.

    References
    ----------
    .. [1] G. W. Brier, "Verification of forecasts expressed in terms of
       probability", *Monthly Weather Review* 78(1), 1950, pp. 1--3.

    Examples
    --------
    >>> from softmax_lib import brier_score
    >>> brier_score([[0.75, 0.25], [0.5, 0.5]], [0, 1])    # (2 * 0.0625 + 2 * 0.25) / 2
    0.3125
    >>> brier_score([0.25, 0.5], [0, 1])                   # the vector form: half of it
    0.15625
    """
    func = "brier_score"
    p = _check_probs(probs, func)
    y = check_labels(labels, p.shape[0], 2 if p.ndim == 1 else p.shape[1], func)
    if p.ndim == 1:
        return float(np.mean((p - y) ** 2))
    onehot = np.zeros_like(p)
    onehot[np.arange(p.shape[0]), y] = 1.0
    return float(np.mean(np.sum((p - onehot) ** 2, axis=1)))


def negative_log_likelihood(
    logits: ArrayLike, labels: ArrayLike, *, temperature: float = 1.0
) -> float:
    r"""Mean negative log-probability of the true class, computed from logits.

    .. math::

        \mathrm{NLL} = -\frac{1}{m} \sum_{i=1}^{m} \log \operatorname{softmax}(z_i / T)_{y_i}

    Parameters
    ----------
    logits : array_like, shape (m, n)
        Finite logits, one row per example.
    labels : array_like of int, shape (m,)
        True classes, in ``0, ..., n - 1``.
    temperature : float, optional
        Positive temperature :math:`T` that divides every logit (keyword
        only). Default 1.

    Returns
    -------
    float
        The NLL in nats, :math:`\ge 0`.

    Raises
    ------
    TypeError
        If `logits` is not real, `labels` is not an integer array or
        `temperature` is not a real number.
    ValueError
        If `logits` is not a finite matrix with at least two columns, `labels`
        has the wrong length or values out of range, or `temperature` is not
        positive and finite.

    See Also
    --------
    fit_temperature : The temperature that minimises this.
    softmax_lib.cross_entropy : The same loss per example, with label smoothing.

    Notes
    -----
    This is the mean cross-entropy between one-hot labels and the predicted
    distribution, ``cross_entropy(logits / T, labels, reduction="mean")``.
    It is computed with :func:`~softmax_lib.log_softmax`, never
    as ``log(softmax(z))``: a confidently wrong prediction has a probability
    that underflows to 0, yet its log-probability, and so the NLL, stays
    finite and exact.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import negative_log_likelihood
    >>> # (log(1 + e**-2) + log 2) / 2
    >>> round(negative_log_likelihood([[2.0, 0.0], [0.0, 0.0]], [0, 1]), 6)
    0.410038
    >>> negative_log_likelihood([[0.0, 800.0]], [0])   # p underflows; the loss does not
    800.0
    """
    func = "negative_log_likelihood"
    z = _check_logits(logits, func)
    y = check_labels(labels, z.shape[0], z.shape[1], func)
    temperature = check_temperature(temperature, func)
    return float(cross_entropy(z / temperature, y, reduction="mean"))


def fit_temperature(
    logits: ArrayLike, labels: ArrayLike, *, bounds: tuple[float, float] = (0.01, 100.0)
) -> float:
    r"""Temperature scaling: the temperature that minimises the NLL on held-out data.

    Parameters
    ----------
    logits : array_like, shape (m, n)
        Finite logits of a trained classifier on a validation set (not the
        data it was trained on).
    labels : array_like of int, shape (m,)
        True classes of those examples.
    bounds : tuple of two floats, optional
        Smallest and largest temperature considered (keyword only). Default
        ``(0.01, 100.0)``.

    Returns
    -------
    float
        The fitted temperature :math:`T^\ast`. Dividing logits by it leaves
        every prediction (the argmax) unchanged. If the NLL keeps decreasing
        towards a bound (for example when every validation example is
        classified correctly, so that :math:`T \to 0` is best), that bound is
        returned; if the NLL does not depend on :math:`T` at all (every row of
        `logits` constant), 1.0 is returned.

    Raises
    ------
    TypeError
        If `logits` is not real or `labels` is not an integer array.
    ValueError
        If `logits` or `labels` is invalid (see :func:`negative_log_likelihood`)
        or `bounds` is not an increasing pair of positive finite numbers.

    See Also
    --------
    negative_log_likelihood : The objective.
    expected_calibration_error : How calibration is usually reported.

    Notes
    -----
    Temperature scaling [1]_ divides all logits by one number :math:`T > 0`.
    With :math:`\beta = 1/T`, the NLL :math:`\frac1m\sum_i
    \bigl(\operatorname{LSE}(\beta z_i) - \beta z_{i y_i}\bigr)` is convex in
    :math:`\beta` (log-sum-exp is convex), with derivative

    .. math::

        \frac{1}{m} \sum_i \Bigl(\sum_j p_{ij}(\beta)\, z_{ij} - z_{i y_i}\Bigr),
        \qquad p_i(\beta) = \operatorname{softmax}(\beta z_i),

    whose own derivative, :math:`\frac1m\sum_i \operatorname{Var}_{p_i(\beta)}(z_i)`
    (the variance of the logits of row :math:`i` under :math:`p_i(\beta)`),
    is positive unless every row of `logits` is constant, a case handled
    separately. So the NLL is *strictly* convex in :math:`\beta`, its
    derivative strictly increasing, and the minimiser, when it lies inside
    `bounds`, is the unique root of the derivative, found with
    ``scipy.optimize.brentq`` (SciPy is imported only when this function is
    called). This makes the result reproducible to many digits, unlike a
    generic optimiser's stopping point.

    References
    ----------
    .. [1] C. Guo, G. Pleiss, Y. Sun and K. Q. Weinberger, "On calibration of
       modern neural networks", *ICML*, PMLR 70, 2017, pp. 1321--1330.

    Examples
    --------
    Logits twice as large as the true log-odds are fixed by :math:`T = 2`.
    Here 2 examples in 3 have log-odds :math:`\log 2` for class 0, and indeed
    class 0 in 2 of 3 cases:

    >>> import numpy as np
    >>> from softmax_lib import fit_temperature
    >>> logits = np.tile([2 * np.log(2.0), 0.0], (3, 1))
    >>> round(fit_temperature(logits, [0, 0, 1]), 6)
    2.0
    """
    from scipy.optimize import brentq

    func = "fit_temperature"
    z = _check_logits(logits, func)
    y = check_labels(labels, z.shape[0], z.shape[1], func)
    try:
        t_lo, t_hi = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise TypeError(
            f"{func}: bounds must be a pair of positive numbers, got {bounds!r}"
        ) from None
    if not (np.isfinite(t_lo) and np.isfinite(t_hi) and 0.0 < t_lo < t_hi):
        raise ValueError(
            f"{func}: bounds must be an increasing pair of positive finite numbers, got {bounds!r}"
        )
    if np.all(z == z[:, :1]):
        return 1.0
    # The slope below involves differences of logits, which overflow for logits near
    # the largest float; dividing by a power of two is exact and rescales T by it.
    scale = 16.0 if np.max(np.abs(z)) > 2.0**1019 else 1.0
    if scale != 1.0:
        z = z / scale
        t_lo, t_hi = t_lo / scale, t_hi / scale
    true_logit = z[np.arange(z.shape[0]), y]

    def slope(log_beta: float) -> float:
        # d NLL / d beta at beta = exp(log_beta); softmax at temperature 1 / beta.
        p = softmax(z, axis=1, temperature=float(np.exp(-log_beta)))
        return float(np.mean(np.sum(p * z, axis=1) - true_logit))

    lo, hi = -np.log(t_hi), -np.log(t_lo)   # log(beta) range
    s_lo, s_hi = slope(lo), slope(hi)
    if s_lo >= 0.0:
        return t_hi * scale
    if s_hi <= 0.0:
        return t_lo * scale
    log_beta = brentq(slope, lo, hi, xtol=1e-13, rtol=4 * np.finfo(float).eps, maxiter=200)
    return float(np.exp(-log_beta)) * scale
