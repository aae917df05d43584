"""Measuring and repairing the calibration of a classifier's probabilities.

Functions here take either a matrix of predicted probabilities (one row per
example, one column per class) or, for the binary case, a vector holding the
probability of class 1, together with integer class labels. They return plain
floats or small NumPy arrays, so that a chapter can print and plot them.
"""

from __future__ import annotations

import numbers
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ._core import softmax
from ._derivation import cross_entropy
from ._validation import as_real_array, check_temperature

__all__ = [
    "ReliabilityCurve",
    "reliability_curve",
    "expected_calibration_error",
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
    count: np.ndarray
    #: Lower edge of each bin.
    lower: np.ndarray
    #: Upper edge of each bin.
    upper: np.ndarray


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------

def _check_labels(labels: Any, n: int, n_classes: int, func: str) -> np.ndarray:
    """Return `labels` as an int64 vector of length `n` with values in [0, n_classes)."""
    if isinstance(labels, (str, bytes)):
        raise TypeError(f"{func}: labels must be an array of integer class labels, got {type(labels).__name__}")
    arr = np.asarray(labels)
    if arr.dtype.kind not in "biu":
        raise TypeError(
            f"{func}: labels must be an array of integer class labels, got an array of dtype {arr.dtype}"
        )
    if arr.ndim != 1:
        raise ValueError(f"{func}: labels must be one-dimensional, got shape {arr.shape}")
    if arr.shape[0] != n:
        raise ValueError(f"{func}: labels has {arr.shape[0]} entries but there are {n} predictions")
    arr = arr.astype(np.int64)
    if n and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(
            f"{func}: labels must lie in 0, ..., {n_classes - 1} (one per column of the "
            f"predictions), got values from {arr.min()} to {arr.max()}"
        )
    return arr


def _check_probs(probs: Any, func: str) -> np.ndarray:
    """Return `probs` as a float64 array of shape (n,) or (n, k) of valid probabilities."""
    arr = as_real_array(probs, func, "probs")
    if arr.ndim not in (1, 2):
        raise ValueError(
            f"{func}: probs must be a vector of probabilities of class 1 or a matrix with one "
            f"row per example, got shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{func}: probs must contain at least one prediction")
    if arr.ndim == 2 and arr.shape[1] < 2:
        raise ValueError(f"{func}: probs must have at least two columns (classes), got shape {arr.shape}")
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
    if isinstance(n_bins, (bool, np.bool_)) or not isinstance(n_bins, (numbers.Integral, np.integer)):
        raise TypeError(f"{func}: n_bins must be a positive int, got {type(n_bins).__name__} {n_bins!r}")
    if n_bins < 1:
        raise ValueError(f"{func}: n_bins must be a positive int, got {n_bins}")
    if strategy not in _STRATEGIES:
        raise ValueError(f"{func}: strategy must be 'uniform' or 'quantile', got {strategy!r}")
    return int(n_bins), str(strategy)


def _scores(probs: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the score that is binned and the 0/1 outcome it should predict."""
    if probs.ndim == 1:
        return probs, labels.astype(np.float64)
    predicted = np.argmax(probs, axis=1)
    confidence = probs[np.arange(probs.shape[0]), predicted]
    return confidence, (predicted == labels).astype(np.float64)


def _binned(probs: Any, labels: Any, n_bins: Any, strategy: Any, func: str) -> ReliabilityCurve:
    n_bins, strategy = _check_bins(n_bins, strategy, func)
    p = _check_probs(probs, func)
    y = _check_labels(labels, p.shape[0], 2 if p.ndim == 1 else p.shape[1], func)
    score, outcome = _scores(p, y)
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    else:
        edges = np.percentile(score, np.linspace(0.0, 100.0, n_bins + 1))
    ids = np.searchsorted(edges[1:-1], score)
    count = np.bincount(ids, minlength=n_bins)
    score_sum = np.bincount(ids, weights=score, minlength=n_bins)
    outcome_sum = np.bincount(ids, weights=outcome, minlength=n_bins)
    keep = count > 0
    return ReliabilityCurve(
        confidence=score_sum[keep] / count[keep],
        accuracy=outcome_sum[keep] / count[keep],
        count=count[keep],
        lower=edges[:-1][keep],
        upper=edges[1:][keep],
    )


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------

def reliability_curve(
    probs: ArrayLike, labels: ArrayLike, *, n_bins: int = 10, strategy: str = "uniform"
) -> ReliabilityCurve:
    r"""The data of a reliability diagram: accuracy against confidence, per bin.

    Parameters
    ----------
    probs : array_like, shape (n, k) or (n,)
        Predicted probabilities, one row per example (rows sum to one). A
        vector is read as the probability of class 1 in a binary problem.
    labels : array_like of int, shape (n,)
        True classes, in ``0, ..., k - 1`` (``0`` or ``1`` for a vector `probs`).
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
        ``count`` (examples), ``lower`` and ``upper`` (bin edges). For a
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
    >>> curve.confidence, curve.accuracy, curve.count
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

        \mathrm{ECE} = \sum_{b=1}^{B} \frac{|S_b|}{n}\,
        \bigl|\operatorname{acc}(S_b) - \operatorname{conf}(S_b)\bigr|

    over bins :math:`S_b` of examples grouped by confidence.

    Parameters
    ----------
    probs : array_like, shape (n, k) or (n,)
        Predicted probabilities (rows sum to one), or for a binary problem
        the probability of class 1.
    labels : array_like of int, shape (n,)
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
    weights = curve.count / np.sum(curve.count)
    return float(np.sum(weights * np.abs(curve.accuracy - curve.confidence)))


def brier_score(probs: ArrayLike, labels: ArrayLike) -> float:
    r"""Brier score: mean squared distance between predicted probabilities and the one-hot truth.

    .. math::

        \mathrm{BS} = \frac{1}{n} \sum_{i=1}^{n} \sum_{j=1}^{k} (p_{ij} - y_{ij})^2

    Parameters
    ----------
    probs : array_like, shape (n, k) or (n,)
        Predicted probabilities (rows sum to one), or for a binary problem
        the probability of class 1.
    labels : array_like of int, shape (n,)
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
    a vector of class-1 probabilities it is :math:`\frac1n\sum_i (p_i - y_i)^2`,
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
    y = _check_labels(labels, p.shape[0], 2 if p.ndim == 1 else p.shape[1], func)
    if p.ndim == 1:
        return float(np.mean((p - y) ** 2))
    onehot = np.zeros_like(p)
    onehot[np.arange(p.shape[0]), y] = 1.0
    return float(np.mean(np.sum((p - onehot) ** 2, axis=1)))


def negative_log_likelihood(logits: ArrayLike, labels: ArrayLike, *, temperature: float = 1.0) -> float:
    r"""Mean negative log-probability of the true class, computed from logits.

    .. math::

        \mathrm{NLL} = -\frac{1}{n} \sum_{i=1}^{n} \log \operatorname{softmax}(z_i / T)_{y_i}

    Parameters
    ----------
    logits : array_like, shape (n, k)
        Finite logits, one row per example.
    labels : array_like of int, shape (n,)
        True classes, in ``0, ..., k - 1``.
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
    >>> round(negative_log_likelihood([[2.0, 0.0], [0.0, 0.0]], [0, 1]), 6)   # (log(1 + e**-2) + log 2) / 2
    0.410038
    >>> negative_log_likelihood([[0.0, 800.0]], [0])                          # p underflows; the loss does not
    800.0
    """
    func = "negative_log_likelihood"
    z = _check_logits(logits, func)
    y = _check_labels(labels, z.shape[0], z.shape[1], func)
    temperature = check_temperature(temperature, func)
    return float(cross_entropy(z / temperature, y, reduction="mean"))


def fit_temperature(
    logits: ArrayLike, labels: ArrayLike, *, bounds: tuple[float, float] = (0.01, 100.0)
) -> float:
    r"""Temperature scaling: the temperature that minimises the NLL on held-out data.

    Parameters
    ----------
    logits : array_like, shape (n, k)
        Finite logits of a trained classifier on a validation set (not the
        data it was trained on).
    labels : array_like of int, shape (n,)
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
    With :math:`\beta = 1/T`, the NLL :math:`\frac1n\sum_i
    \bigl(\operatorname{LSE}(\beta z_i) - \beta z_{i y_i}\bigr)` is convex in
    :math:`\beta` (log-sum-exp is convex), with derivative

    .. math::

        \frac{1}{n} \sum_i \Bigl(\sum_j p_{ij}(\beta)\, z_{ij} - z_{i y_i}\Bigr),
        \qquad p_i(\beta) = \operatorname{softmax}(\beta z_i),

    which increases with :math:`\beta`. The minimiser is therefore the
    unique root of this derivative, found with ``scipy.optimize.brentq``
    (SciPy is imported only when this function is called). Convexity makes
    the result reproducible to many digits, unlike a generic optimiser's
    stopping point.

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
    y = _check_labels(labels, z.shape[0], z.shape[1], func)
    try:
        t_lo, t_hi = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise TypeError(f"{func}: bounds must be a pair of positive numbers, got {bounds!r}") from None
    if not (np.isfinite(t_lo) and np.isfinite(t_hi) and 0.0 < t_lo < t_hi):
        raise ValueError(f"{func}: bounds must be an increasing pair of positive finite numbers, got {bounds!r}")
    if np.all(np.ptp(z, axis=1) == 0.0):
        return 1.0
    true_logit = z[np.arange(z.shape[0]), y]

    def slope(log_beta: float) -> float:
        # d NLL / d beta at beta = exp(log_beta); softmax at temperature 1 / beta.
        p = softmax(z, axis=1, temperature=float(np.exp(-log_beta)))
        return float(np.mean(np.sum(p * z, axis=1) - true_logit))

    lo, hi = -np.log(t_hi), -np.log(t_lo)   # log(beta) range
    s_lo, s_hi = slope(lo), slope(hi)
    if s_lo >= 0.0:
        return t_hi
    if s_hi <= 0.0:
        return t_lo
    log_beta = brentq(slope, lo, hi, xtol=1e-13, rtol=4 * np.finfo(float).eps, maxiter=200)
    return float(np.exp(-log_beta))
