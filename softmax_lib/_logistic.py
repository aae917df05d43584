r"""The logistic model's other functions: the logit, :math:`\log(1 - e^{a})`, and BCE.

:func:`sigmoid` and :func:`log_sigmoid` (in :mod:`softmax_lib._core`) map a
logit to a probability and a log-probability. This module goes the other way
and finishes the binary loss:

``logit(p)``
    The inverse sigmoid, :math:`\log(p / (1 - p))`, accurate for every ``p`` in
    :math:`[0, 1]`, including near 1/2 and near 1.
``log1mexp(a)``
    :math:`\log(1 - e^{a})` for :math:`a \le 0`: the log of the complement of a
    probability given by its logarithm (Maechler's two-branch method).
``bce_with_logits(logits, targets, pos_weight=None)``
    Binary cross-entropy from logits, elementwise, with PyTorch's ``pos_weight``.

Every function validates its input, keeps float16/float32/float64 dtypes
(integers and bools compute in float64), computes in float64 and rounds once,
and never modifies its input.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._core import log_sigmoid
from ._validation import as_real_array

__all__ = ["logit", "log1mexp", "bce_with_logits"]

_LN2 = float(np.log(2.0))


def _finish(y: NDArray[Any], dtype: np.dtype[Any], shape: tuple[int, ...]) -> Any:
    """Round once to the caller's dtype; 0-d results become numpy scalars."""
    y = y.astype(dtype, copy=False)
    if shape == ():
        return y.reshape(())[()]
    return y


def logit(p: ArrayLike) -> NDArray[np.floating[Any]]:
    r"""The log-odds :math:`\operatorname{logit}(p) = \log\frac{p}{1 - p}`, the inverse sigmoid.

    Parameters
    ----------
    p : array_like
        Probabilities in :math:`[0, 1]` (bool, int or float; NaN propagates).

    Returns
    -------
    ndarray or numpy scalar
        The log-odds, with the shape and floating dtype of `p`;
        ``logit(0) = -inf`` and ``logit(1) = inf``.

    Raises
    ------
    TypeError
        If `p` is not real.
    ValueError
        If an entry of `p` lies outside :math:`[0, 1]`.

    See Also
    --------
    sigmoid : The inverse map, :math:`\sigma(\operatorname{logit}(p)) = p`.
    log1mexp : :math:`\log(1 - p)` from :math:`\log p`.

    Notes
    -----
    The textbook ``log(p) - log(1 - p)`` loses digits near :math:`p = 1/2` (two
    numbers near :math:`-\ln 2` cancel; all of them as :math:`p \to 1/2`), and
    ``log(p / (1 - p))`` takes the logarithm of a rounded ratio near 1. Three
    branches avoid both, each using only exact subtractions:

    * :math:`p \ge 1/2`: :math:`\operatorname{log1p}((2p - 1)/(1 - p))`; here
      :math:`2p - 1` and :math:`1 - p` are exact (Sterbenz's lemma);
    * :math:`1/4 \le p < 1/2`: :math:`-\operatorname{log1p}((1 - 2p)/p)`, with
      :math:`1 - 2p` exact;
    * :math:`p < 1/4`: :math:`\log p - \operatorname{log1p}(-p)`, where the
      first term dominates (:math:`|\log p| > 4 |\operatorname{log1p}(-p)|`).

    Measured against 160-bit mpmath values (``tests/test_logistic.py``), the
    float64 result was within 1 ulp of the correctly rounded log-odds on
    logarithmically spaced :math:`p` from 1e-300 to 1 - 2**-53 and near 1/2;
    float16/float32 input is computed in float64 and rounded once.

    References
    ----------
    .. [1] N. J. Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd
       ed., SIAM, 2002 (Sterbenz's lemma, section 2.5).

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import logit, sigmoid
    >>> np.round(logit([0.1, 0.5, 0.9]), 6)
    array([-2.197225,  0.      ,  2.197225])
    >>> p = 0.4999999999873                      # log-odds -5.0800030849e-11
    >>> print(f"{logit(p):.6e}")
    -5.080003e-11
    >>> print(f"{np.log(p) - np.log(1 - p):.6e}")   # the textbook formula
    -5.080014e-11
    """
    arr = as_real_array(p, "logit", "p")
    dtype = arr.dtype
    work = arr.astype(np.result_type(dtype, np.float64), copy=False)
    bad = (work < 0.0) | (work > 1.0)
    if np.any(bad):
        raise ValueError(
            f"logit: p must contain probabilities in [0, 1], got {work[bad].ravel()[0]!r}"
        )
    out = np.empty_like(work)
    with np.errstate(divide="ignore", invalid="ignore"):
        hi = work >= 0.5
        mid = (work >= 0.25) & ~hi
        lo = ~(hi | mid)  # also NaN, which propagates through log
        q = work[hi]
        out[hi] = np.log1p((2.0 * q - 1.0) / (1.0 - q))
        q = work[mid]
        out[mid] = -np.log1p((1.0 - 2.0 * q) / q)
        q = work[lo]
        out[lo] = np.log(q) - np.log1p(-q)
    return _finish(out, dtype, arr.shape)  # type: ignore[no-any-return]


def log1mexp(a: ArrayLike) -> NDArray[np.floating[Any]]:
    r""":math:`\log(1 - e^{a})` for :math:`a \le 0`, accurate everywhere.

    If :math:`a = \log p` is a log-probability, ``log1mexp(a)`` is
    :math:`\log(1 - p)`, computed without forming :math:`p`.

    Parameters
    ----------
    a : array_like
        Non-positive numbers (bool, int or float; NaN propagates; ``-inf``
        gives 0).

    Returns
    -------
    ndarray or numpy scalar
        :math:`\log(1 - e^{a}) \le 0` with the shape and floating dtype of `a`;
        ``log1mexp(0) = -inf``.

    Raises
    ------
    TypeError
        If `a` is not real.
    ValueError
        If an entry of `a` is positive (then :math:`1 - e^{a} < 0`).

    See Also
    --------
    log_sigmoid : :math:`\log(1 - \sigma(z)) = \log\sigma(-z)` from a logit.

    Notes
    -----
    Maechler's method [1]_: :math:`\log(-\operatorname{expm1}(a))` for
    :math:`-\ln 2 < a \le 0`, where :math:`1 - e^{a}` is small and ``expm1``
    keeps its digits, and :math:`\operatorname{log1p}(-e^{a})` for
    :math:`a \le -\ln 2`, where :math:`e^{a} \le 1/2` and ``log1p`` keeps the
    digits of a small result. Each naive formula fails in the other's range:
    ``log(1 - exp(a))`` is ``-inf`` for :math:`-2^{-54} < a < 0`, and
    ``log(-expm1(a))`` is 0 instead of about :math:`-e^{a}` once :math:`e^{a}` is
    below half an ulp of 1.

    Measured against 160-bit mpmath values (``tests/test_logistic.py``), the
    float64 result was within 1 ulp of the correctly rounded value on
    :math:`-a` logarithmically spaced from 1e-300 to 700.

    References
    ----------
    .. [1] M. Maechler, "Accurately computing :math:`\log(1 - \exp(-|a|))`, assessed by
       the Rmpfr package", vignette of the R package Rmpfr, 2012.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import log1mexp
    >>> float(log1mexp(np.log(0.25)))            # log(0.75)
    -0.2876820724517809
    >>> float(log1mexp(-1e-20))                  # log(1e-20), to every digit
    -46.051701859880914
    >>> with np.errstate(divide="ignore"):
    ...     float(np.log(1 - np.exp(-1e-20)))    # the naive formula: log(0)
    -inf
    """
    arr = as_real_array(a, "log1mexp", "a")
    dtype = arr.dtype
    work = arr.astype(np.result_type(dtype, np.float64), copy=False)
    if np.any(work > 0.0):
        raise ValueError(
            f"log1mexp: a must be <= 0 (a log-probability), got {work[work > 0.0].ravel()[0]!r}"
        )
    out = np.empty_like(work)
    with np.errstate(divide="ignore", under="ignore"):
        near = work > -_LN2
        out[near] = np.log(-np.expm1(work[near]))
        out[~near] = np.log1p(-np.exp(work[~near]))
    return _finish(out, dtype, arr.shape)  # type: ignore[no-any-return]


def bce_with_logits(
    logits: ArrayLike, targets: ArrayLike, *, pos_weight: ArrayLike | None = None
) -> NDArray[np.floating[Any]]:
    r"""Binary cross-entropy computed from logits, elementwise (no reduction).

    For a logit :math:`z`, a target :math:`y \in [0, 1]` and a positive-class
    weight :math:`w` (default 1),

    .. math::

        \ell(z, y) = -\bigl[w\, y \log\sigma(z) + (1 - y) \log\sigma(-z)\bigr],

    the loss of PyTorch's ``BCEWithLogitsLoss(reduction="none",
    pos_weight=w)``.

    Parameters
    ----------
    logits : array_like
        Real logits (bool, int or float).
    targets : array_like
        Targets in :math:`[0, 1]` (hard 0/1 labels or soft labels),
        broadcastable against `logits`.
    pos_weight : array_like, optional
        Non-negative finite weights of the positive term, broadcastable against
        `logits` (typically one weight per label, on the last axis).

    Returns
    -------
    ndarray or numpy scalar
        The elementwise loss (:math:`\ge 0` for hard labels) with the broadcast
        shape and the floating dtype of `logits`. Take ``.mean()`` for
        PyTorch's default ``reduction="mean"``.

    Raises
    ------
    TypeError
        If an argument is not real.
    ValueError
        If a target lies outside :math:`[0, 1]`, a weight is negative or not
        finite, or the shapes do not broadcast.

    See Also
    --------
    log_sigmoid : The two logarithms, each computed without forming
        :math:`\sigma(z)`.

    Notes
    -----
    Frameworks write the unweighted loss as
    :math:`\max(z, 0) - z y + \log(1 + e^{-|z|})` [1]_; it is the same function.
    Here each of the two terms is computed with :func:`log_sigmoid`, so no
    large term is formed and then cancelled (the framework form subtracts
    :math:`zy` from :math:`\max(z, 0)`), and the loss of a confidently wrong
    prediction grows linearly in :math:`|z|` without overflow. With a weight
    :math:`w` the positive examples count :math:`w` times: ``pos_weight =
    n_negative / n_positive`` is PyTorch's suggestion for an unbalanced label.

    References
    ----------
    .. [1] PyTorch documentation, ``torch.nn.BCEWithLogitsLoss``.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import bce_with_logits
    >>> np.round(bce_with_logits([2.0, -1.0, 0.0], [1.0, 1.0, 0.0]), 6)
    array([0.126928, 1.313262, 0.693147])
    >>> float(bce_with_logits(-800.0, 1.0))      # a confidently wrong logit
    800.0
    >>> np.round(bce_with_logits([2.0, -1.0], [1.0, 0.0], pos_weight=3.0), 6)
    array([0.380784, 0.313262])
    """
    z = as_real_array(logits, "bce_with_logits", "logits")
    y = as_real_array(targets, "bce_with_logits", "targets")
    dtype = z.dtype
    work = np.result_type(dtype, np.float64)
    zw = z.astype(work, copy=False)
    yw = y.astype(work, copy=False)
    if np.any((yw < 0.0) | (yw > 1.0)):
        raise ValueError("bce_with_logits: targets must lie in [0, 1]")
    if pos_weight is None:
        ww: NDArray[Any] = np.ones((), dtype=work)
    else:
        ww = as_real_array(pos_weight, "bce_with_logits", "pos_weight").astype(work, copy=False)
        if not np.all(np.isfinite(ww) & (ww >= 0.0)):
            raise ValueError("bce_with_logits: pos_weight must be non-negative and finite")
    try:
        shape = np.broadcast_shapes(zw.shape, yw.shape, ww.shape)
    except ValueError:
        raise ValueError(
            f"bce_with_logits: logits, targets and pos_weight must broadcast, got shapes "
            f"{zw.shape}, {yw.shape} and {ww.shape}"
        ) from None
    pos = np.asarray(log_sigmoid(zw), dtype=work)
    neg = np.asarray(log_sigmoid(-zw), dtype=work)
    # A term with weight 0 is 0, also where its logarithm is -inf (infinite logits).
    a, b = ww * yw, 1.0 - yw
    with np.errstate(invalid="ignore"):
        out = -(np.where(a == 0.0, 0.0, a * pos) + np.where(b == 0.0, 0.0, b * neg))
    return _finish(np.broadcast_to(out, shape).copy(), dtype, shape)  # type: ignore[no-any-return]
