"""Softmax, log-softmax, log-sum-exp and the logistic sigmoid.

The public functions live in :mod:`softmax_lib`; this module holds their
implementation. Every reduction works on one axis at a time: several axes (or
``axis=None``) are first moved to the end and merged into one.

Special values follow one rule. Within a slice, let ``m`` be the largest entry.
If ``m`` is finite, entries are shifted by ``m`` and an entry of ``-inf`` gets
probability exactly 0. If ``m`` is infinite (``+inf`` somewhere, or every entry
``-inf``), the entries equal to ``m`` are treated as tied and share the mass
equally, which is the limit of ``softmax(x)`` as those entries move together
towards ``m``. A NaN anywhere in a slice makes that whole slice NaN.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_real_array, check_temperature, normalize_axes, working_dtype

__all__ = ["softmax", "log_softmax", "logsumexp", "sigmoid", "log_sigmoid", "naive_softmax"]

# ---------------------------------------------------------------------------
# Moving the reduced axes to one place
# ---------------------------------------------------------------------------

def _prepare(x: Any, axis: Any, func: str) -> tuple[np.ndarray, np.dtype, tuple[int, ...], tuple[int, ...]]:
    """Validate; return (array of the input's shape, ≥1-d), output dtype, input shape, axes."""
    arr = as_real_array(x, func)
    shape = arr.shape
    if arr.ndim == 0:
        arr = arr.reshape(1)
    axes = normalize_axes(axis, arr.ndim, func)
    return arr, arr.dtype, shape, axes


def _merge_axes(arr: np.ndarray, axes: tuple[int, ...]) -> tuple[np.ndarray, int, Callable[[np.ndarray], np.ndarray]]:
    """Return a view or copy of `arr` whose reduced axes form a single axis.

    Also returns that axis and a function that puts an array of the merged
    shape back into the original layout.
    """
    if len(axes) == 1:
        return arr, axes[0], lambda y: y
    kept = [i for i in range(arr.ndim) if i not in axes]
    perm = kept + list(axes)
    moved = np.transpose(arr, perm)
    kept_shape = moved.shape[: len(kept)]
    size = int(np.prod(moved.shape[len(kept):], dtype=np.int64))
    merged = moved.reshape(kept_shape + (size,))
    inverse = np.argsort(perm)

    def restore(y: np.ndarray) -> np.ndarray:
        return np.transpose(y.reshape(moved.shape), inverse)

    return merged, len(kept), restore


def _shifted(work: np.ndarray, axis: int, temperature: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(t, m, idx)`` with ``t = (x - m) / temperature`` and ``m = x[idx]`` the slice maximum.

    ``t`` is a new array (never a view of the input). Slices whose maximum is
    infinite are repaired so that entries equal to the maximum get ``t = 0`` and
    all others ``t = -inf``.
    """
    idx = np.argmax(work, axis=axis, keepdims=True)
    m = np.take_along_axis(work, idx, axis=axis)
    t = np.subtract(work, m)
    if temperature != 1.0:
        np.divide(t, temperature, out=t)
    infinite = np.isinf(m)
    if infinite.any():
        tied = np.where(work == m, 0.0, -np.inf).astype(t.dtype)
        t = np.where(infinite, tied, t)
    return t, m, idx


def _log1p_rest(t: np.ndarray, idx: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(e, log1p(rest))``: ``e = exp(t)`` and ``rest`` the sum of ``e`` without its maximum.

    The largest term is exactly 1 and is left out of the sum so that terms far
    smaller than 1 survive: ``log1p`` then adds them to the logarithm without
    the rounding of ``1 + rest`` (``logsumexp([0, -40])`` is 4.25e-18, not 0).
    """
    e = np.exp(t)
    np.put_along_axis(e, idx, 0.0, axis=axis)
    rest = np.sum(e, axis=axis, keepdims=True)
    np.put_along_axis(e, idx, 1.0, axis=axis)
    return e, np.log1p(rest)


def _finish(y: np.ndarray, dtype: np.dtype, shape: tuple[int, ...]) -> Any:
    """Cast back to the caller's precision; 0-d results become numpy scalars."""
    y = y.astype(dtype, copy=False)
    if shape == ():
        return y.reshape(())[()]
    return y


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------

def softmax(x: ArrayLike, axis: int | tuple[int, ...] | None = -1, *, temperature: float = 1.0) -> NDArray[np.floating[Any]]:
    r"""Softmax: turn real scores (logits) into probabilities.

    .. math::

        \operatorname{softmax}(x)_i = \frac{e^{x_i / T}}{\sum_j e^{x_j / T}}

    computed without overflow by shifting each slice by its maximum.

    Parameters
    ----------
    x : array_like
        Real scores. Lists, scalars, booleans and integers are accepted
        (integers and booleans compute in float64); float16, float32 and
        float64 inputs keep their dtype.
    axis : int, tuple of ints or None, optional
        Axis or axes along which the probabilities sum to one. ``None`` means
        all axes. Default ``-1``, the last axis.
    temperature : float, optional
        Positive, finite temperature :math:`T` (keyword only). Lower values
        sharpen the distribution towards the argmax, higher values flatten it
        towards uniform. Default 1.

    Returns
    -------
    ndarray
        Probabilities with the shape and floating dtype of `x`: non-negative,
        summing to one along `axis`. A 0-d input gives a numpy scalar.

    Raises
    ------
    TypeError
        If `x` is not real (strings, objects, complex numbers), `axis` is not
        an int, tuple of ints or None, or `temperature` is not a real number.
    ValueError
        If `axis` is out of range or repeated (:class:`numpy.exceptions.AxisError`
        is a :class:`ValueError`), or `temperature` is not positive and finite.

    See Also
    --------
    log_softmax : The logarithm of softmax, computed without forming it.
    logsumexp : The normaliser, :math:`\log\sum_j e^{x_j}`.
    naive_softmax : The textbook formula without the shift, which overflows.

    Notes
    -----
    Softmax is invariant to adding a constant to every entry of a slice, so
    with :math:`m = \max_j x_j` it is computed as :math:`e^{(x_i - m)/T} /
    \sum_j e^{(x_j - m)/T}`. Every exponent is at most 0, so nothing overflows,
    and the largest term is exactly 1, so the sum is at least 1 and the
    division never divides by zero. Finite input therefore never produces NaN,
    infinity or a floating-point warning.

    Special values, per slice: an entry of ``-inf`` gets probability exactly
    0; if some entries are ``+inf`` they share the mass equally (the limit)
    and all others get 0; if every entry is ``-inf`` the result is uniform
    (all entries are tied at the maximum; PyTorch returns NaN here); a NaN
    makes its own slice NaN and leaves the other slices alone. An empty input
    gives an empty output.

    The name and the probabilistic reading are due to Bridle [1]_; the
    accuracy of the shifted formula is analysed in [2]_.

    References
    ----------
    .. [1] J. S. Bridle, "Probabilistic interpretation of feedforward
       classification network outputs, with relationships to statistical
       pattern recognition", in *Neurocomputing*, Springer, 1990,
       pp. 227--236.
    .. [2] P. Blanchard, D. J. Higham and N. J. Higham, "Accurately computing
       the log-sum-exp and softmax functions", *IMA Journal of Numerical
       Analysis* 41(4), 2021, pp. 2311--2330.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import softmax, naive_softmax
    >>> softmax([2.0, 1.0, 0.5])
    array([0.62853172, 0.2312239 , 0.14024438])

    The shift makes large scores harmless; the textbook formula overflows:

    >>> softmax([1000.0, 0.0, -1000.0])
    array([1., 0., 0.])
    >>> with np.errstate(over="ignore", invalid="ignore"):
    ...     naive_softmax([1000.0, 0.0, -1000.0])
    array([nan,  0.,  0.])

    Temperature sharpens or flattens:

    >>> softmax([2.0, 1.0, 0.5], temperature=0.5)
    array([0.84379473, 0.1141952 , 0.04201007])

    Rows of a matrix, and the special values:

    >>> softmax([[1.0, 1.0], [0.0, -np.inf]])
    array([[0.5, 0.5],
           [1. , 0. ]])
    >>> softmax([np.inf, 3.0, np.inf])
    array([0.5, 0. , 0.5])
    """
    func = "softmax"
    arr, dtype, shape, axes = _prepare(x, axis, func)
    temperature = check_temperature(temperature, func)
    if arr.size == 0:
        return _finish(np.array(arr, copy=True), dtype, shape)
    work = arr.astype(working_dtype(dtype), copy=False)
    merged, ax, restore = _merge_axes(work, axes)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        t, _, _ = _shifted(merged, ax, temperature)
        np.exp(t, out=t)
        total = np.sum(t, axis=ax, keepdims=True)
        np.divide(t, total, out=t)
    return _finish(restore(t), dtype, shape)


def log_softmax(x: ArrayLike, axis: int | tuple[int, ...] | None = -1, *, temperature: float = 1.0) -> NDArray[np.floating[Any]]:
    r"""Logarithm of softmax, computed directly rather than as ``log(softmax(x))``.

    .. math::

        \log\operatorname{softmax}(x)_i = \frac{x_i}{T} - \log\sum_j e^{x_j/T}

    Parameters
    ----------
    x : array_like
        Real scores; see :func:`softmax` for accepted types and dtypes.
    axis : int, tuple of ints or None, optional
        Axis or axes of each distribution; ``None`` means all. Default ``-1``.
    temperature : float, optional
        Positive, finite temperature (keyword only). Default 1.

    Returns
    -------
    ndarray
        Log-probabilities, all :math:`\le 0`, with the shape and floating dtype
        of `x`. A 0-d input gives a numpy scalar.

    Raises
    ------
    TypeError
        If `x`, `axis` or `temperature` has the wrong type (see :func:`softmax`).
    ValueError
        If `axis` is out of range or repeated, or `temperature` is not positive
        and finite.

    See Also
    --------
    softmax, logsumexp

    Notes
    -----
    With :math:`m = \max_j x_j`, the result is :math:`(x_i - m)/T -
    \operatorname{log1p}(r)`, where :math:`r = \sum_{j \ne j^*} e^{(x_j - m)/T}`
    leaves out the largest term (which is exactly 1). Writing the normaliser
    as ``log1p(r)`` rather than ``log(1 + r)`` keeps terms much smaller than
    one: ``log_softmax([0, -40])[0]`` is :math:`-\log(1 + e^{-40}) \approx
    -4.25 \times 10^{-18}`, whereas ``log(softmax(x))`` and
    ``scipy.special.log_softmax`` (1.17) both return 0 there. Very negative
    log-probabilities are exact even when the probability itself underflows
    to 0, which is why losses are computed from log-softmax. Special values
    follow :func:`softmax`: an entry of ``-inf`` gives ``-inf``; entries tied
    at an infinite maximum give ``-log(k)`` for ``k`` tied entries.

    References
    ----------
    .. [1] P. Blanchard, D. J. Higham and N. J. Higham, "Accurately computing
       the log-sum-exp and softmax functions", *IMA Journal of Numerical
       Analysis* 41(4), 2021, pp. 2311--2330.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import log_softmax
    >>> log_softmax([2.0, 1.0, 0.5])
    array([-0.46436878, -1.46436878, -1.96436878])
    >>> float(log_softmax([0.0, -40.0])[0])
    -4.248354255291589e-18
    >>> log_softmax([0.0, -1000.0])
    array([    0., -1000.])
    """
    func = "log_softmax"
    arr, dtype, shape, axes = _prepare(x, axis, func)
    temperature = check_temperature(temperature, func)
    if arr.size == 0:
        return _finish(np.array(arr, copy=True), dtype, shape)
    work = arr.astype(working_dtype(dtype), copy=False)
    merged, ax, restore = _merge_axes(work, axes)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        t, _, idx = _shifted(merged, ax, temperature)
        _, log_norm = _log1p_rest(t, idx, ax)
        np.subtract(t, log_norm, out=t)
    return _finish(restore(t), dtype, shape)


def logsumexp(x: ArrayLike, axis: int | tuple[int, ...] | None = -1, *, keepdims: bool = False) -> NDArray[np.floating[Any]] | np.floating[Any]:
    r"""Log-sum-exp, :math:`\log\sum_i e^{x_i}`, without overflow or underflow.

    Parameters
    ----------
    x : array_like
        Real numbers; see :func:`softmax` for accepted types and dtypes.
    axis : int, tuple of ints or None, optional
        Axis or axes to reduce; ``None`` reduces all. Default ``-1``. (Note
        that ``scipy.special.logsumexp`` defaults to ``None``.)
    keepdims : bool, optional
        Keep the reduced axes as size-one dimensions so that the result
        broadcasts against `x` (keyword only). Default False.

    Returns
    -------
    ndarray or numpy scalar
        The reduction, in the floating dtype of `x`. A 0-d result is returned
        as a numpy scalar, like :func:`numpy.sum`.

    Raises
    ------
    TypeError
        If `x` or `axis` has the wrong type (see :func:`softmax`).
    ValueError
        If `axis` is out of range or repeated.

    See Also
    --------
    softmax : The gradient of log-sum-exp.
    log_softmax : ``x - logsumexp(x, keepdims=True)``, computed accurately.

    Notes
    -----
    With :math:`m = \max_i x_i` attained at :math:`i^*`,

    .. math::

        \operatorname{LSE}(x) = m + \operatorname{log1p}\Big(\sum_{i \ne i^*} e^{x_i - m}\Big),

    which cannot overflow (every exponent is at most 0) and, thanks to
    ``log1p`` of the sum *without* the largest term, keeps contributions far
    below the rounding level of 1 [1]_. It satisfies
    :math:`\max(x) \le \operatorname{LSE}(x) \le \max(x) + \log n`.

    Special values: ``-inf`` entries contribute nothing; an empty slice gives
    ``-inf`` (the logarithm of an empty sum), as does a slice of all ``-inf``;
    any ``+inf`` gives ``+inf``; a NaN gives NaN for its slice only.

    References
    ----------
    .. [1] P. Blanchard, D. J. Higham and N. J. Higham, "Accurately computing
       the log-sum-exp and softmax functions", *IMA Journal of Numerical
       Analysis* 41(4), 2021, pp. 2311--2330.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import logsumexp
    >>> float(logsumexp([1000.0, 1000.0]))      # 1000 + log 2
    1000.6931471805599
    >>> with np.errstate(over="ignore"):
    ...     float(np.log(np.sum(np.exp([1000.0, 1000.0]))))   # the naive way
    inf
    >>> float(logsumexp([0.0, -40.0]))          # log(1 + e**-40), not 0
    4.248354255291589e-18
    >>> logsumexp([[0.0, 0.0], [1.0, -np.inf]], keepdims=True)
    array([[0.69314718],
           [1.        ]])
    >>> float(logsumexp([]))
    -inf
    """
    func = "logsumexp"
    arr, dtype, shape, axes = _prepare(x, axis, func)
    if not isinstance(keepdims, (bool, np.bool_)):
        raise TypeError(f"{func}: keepdims must be True or False, got {keepdims!r}")
    out_shape = tuple(1 if i in axes else n for i, n in enumerate(arr.shape))
    if arr.size == 0 or any(arr.shape[i] == 0 for i in axes):
        result = np.full(out_shape, -np.inf, dtype=dtype)
    else:
        work = arr.astype(working_dtype(dtype), copy=False)
        merged, ax, _ = _merge_axes(work, axes)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            t, m, idx = _shifted(merged, ax, 1.0)
            _, log_norm = _log1p_rest(t, idx, ax)
            result = (m + log_norm).reshape(out_shape)
    if not keepdims:
        result = result.reshape(tuple(n for i, n in enumerate(arr.shape) if i not in axes))
    if shape == ():
        result = result.reshape(())
    return _finish(result, dtype, result.shape)


def sigmoid(x: ArrayLike) -> NDArray[np.floating[Any]]:
    r"""Logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`, elementwise.

    Parameters
    ----------
    x : array_like
        Real numbers; see :func:`softmax` for accepted types and dtypes.

    Returns
    -------
    ndarray
        Values in :math:`[0, 1]` with the shape and floating dtype of `x`.

    Raises
    ------
    TypeError
        If `x` is not real.

    See Also
    --------
    log_sigmoid : :math:`\log\sigma(x)` without forming :math:`\sigma(x)`.
    softmax : ``softmax([z, 0])[0] == sigmoid(z)``.

    Notes
    -----
    Evaluated as :math:`1/(1 + e^{-x})` for :math:`x \ge 0` and as
    :math:`e^{x}/(1 + e^{x})` for :math:`x < 0`, so the exponential never
    overflows and tiny values are not rounded to 0 prematurely. The sigmoid is
    two-class softmax: :math:`\sigma(z) = \operatorname{softmax}([z, 0])_0`.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import sigmoid
    >>> sigmoid([-1000.0, -2.0, 0.0, 2.0, 1000.0])
    array([0.        , 0.11920292, 0.5       , 0.88079708, 1.        ])
    >>> float(sigmoid(-700.0))
    9.85967654375977e-305
    """
    arr = as_real_array(x, "sigmoid")
    dtype = arr.dtype
    work = arr.astype(working_dtype(dtype), copy=False)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        z = np.exp(-np.abs(work))
        denom = 1.0 + z
        out = np.where(work >= 0, 1.0 / denom, z / denom)
    return _finish(out, dtype, arr.shape)


def log_sigmoid(x: ArrayLike) -> NDArray[np.floating[Any]]:
    r"""Logarithm of the sigmoid, :math:`\log\sigma(x) = -\operatorname{softplus}(-x)`.

    Parameters
    ----------
    x : array_like
        Real numbers; see :func:`softmax` for accepted types and dtypes.

    Returns
    -------
    ndarray
        Values :math:`\le 0` with the shape and floating dtype of `x`.

    Raises
    ------
    TypeError
        If `x` is not real.

    See Also
    --------
    sigmoid, log_softmax

    Notes
    -----
    Computed as :math:`\min(x, 0) - \operatorname{log1p}(e^{-|x|})`, which is
    exact in the tails: for large negative :math:`x` it returns about
    :math:`x` instead of ``log(0) = -inf``, and for large positive :math:`x`
    it returns :math:`-e^{-x}` instead of 0.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import log_sigmoid
    >>> log_sigmoid([-1000.0, 0.0, 40.0])
    array([-1.00000000e+03, -6.93147181e-01, -4.24835426e-18])
    >>> with np.errstate(over="ignore", divide="ignore"):
    ...     float(np.log(1 / (1 + np.exp(1000.0))))   # the naive way
    -inf
    """
    arr = as_real_array(x, "log_sigmoid")
    dtype = arr.dtype
    work = arr.astype(working_dtype(dtype), copy=False)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        out = np.minimum(work, 0.0) - np.log1p(np.exp(-np.abs(work)))
    return _finish(out, dtype, arr.shape)


def naive_softmax(x: ArrayLike, axis: int | tuple[int, ...] | None = -1) -> NDArray[np.floating[Any]]:
    r"""The textbook formula :math:`e^{x_i} / \sum_j e^{x_j}`, without the shift.

    **Kept on purpose so that the book can show it failing. Do not use it.**
    It overflows to ``inf`` (and then ``inf / inf = nan``) once an entry
    exceeds the log of the largest float (about 709.78 in float64, 88.72 in
    float32 and 11.09 in float16), and divides by zero when every entry is
    very negative. It computes in the input's own precision, so float16
    fails at scores as small as 12. numpy's floating-point warnings are left
    on so that the failure is visible.

    Parameters
    ----------
    x : array_like
        Real scores; see :func:`softmax` for accepted types and dtypes.
    axis : int, tuple of ints or None, optional
        Axis or axes to normalise over; ``None`` means all. Default ``-1``.

    Returns
    -------
    ndarray
        What the formula gives in floating point, NaN included.

    Raises
    ------
    TypeError
        If `x` or `axis` has the wrong type.
    ValueError
        If `axis` is out of range or repeated.

    See Also
    --------
    softmax : The correct computation.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import naive_softmax, softmax
    >>> naive_softmax([2.0, 1.0, 0.5])        # fine for small scores
    array([0.62853172, 0.2312239 , 0.14024438])
    >>> with np.errstate(over="ignore", invalid="ignore"):
    ...     naive_softmax([1000.0, 0.0, 0.0])
    array([nan,  0.,  0.])
    >>> with np.errstate(under="ignore", invalid="ignore"):
    ...     naive_softmax([-1000.0, -1000.0])
    array([nan, nan])
    >>> softmax([-1000.0, -1000.0])
    array([0.5, 0.5])
    """
    func = "naive_softmax"
    arr, dtype, shape, axes = _prepare(x, axis, func)
    e = np.exp(arr)
    out = e / np.sum(e, axis=axes, keepdims=True)
    return _finish(out, dtype, shape)
