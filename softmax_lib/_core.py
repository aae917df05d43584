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

Accuracy. The shift is chosen so that no rounding error is amplified by the
exponential: at temperature 1 it is 0 when ``0 <= m <= 680`` and ``ceil(m)``
when ``m < 0`` (then every ``x - c`` is exact), and otherwise ``m`` with the
rounding error of ``x - m`` recovered exactly by TwoSum (and that of the
division by a temperature by TwoProduct) and applied as
``exp(d + e) ~ exp(d) * (1 + e)``. Log-sum-exp and log-softmax use ``log1p`` of
the sum without the largest term. float16 and float32 inputs are computed in
float64 and rounded once. Measured against correctly rounded references
(``tests/test_accuracy.py``): softmax and log-softmax within 5 ulp in float64
and 1 ulp in float32, log-sum-exp within 2.5 and 1 ulp. Work is done in blocks
of rows (or of one long row), so that temporaries stay small: the peak extra
memory of a float64 call is about the size of its output.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_real_array, check_temperature, normalize_axes

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


# ---------------------------------------------------------------------------
# The computational engine
# ---------------------------------------------------------------------------
#
# Every reduction is done on a 2-D array ``X`` of shape (rows, n), one slice
# per row, in blocks of at most about ``_BLOCK`` elements so that temporaries
# stay small (and in cache). Rows longer than a block are processed in column
# chunks. The three accuracy devices are:
#
# 1. an exact shift: ``x - m = d + e`` exactly (TwoSum), and for a temperature
#    ``(d + e) / T = q + c`` up to a negligible error (TwoProduct), so that
#    ``exp(x - m) = exp(d) * (1 + e)`` is not spoiled by the rounding of the
#    subtraction, which is amplified by ``|x - m|`` in the exponential;
# 2. ``log1p`` of the sum *without* the largest term (which is exactly 1);
# 3. float64 working precision for float16 and float32 inputs (then the shift
#    error is far below their rounding level, so step 1 is skipped).

_BLOCK = 1 << 15
_NO_SHIFT_MAX = 680.0  # exp(680) * 2**40 < the largest float64: sums cannot overflow
_SPLIT = 134217729.0  # 2**27 + 1, Veltkamp's splitting constant for float64
_SHORT = 16  # float16/float32 rows this short are summed column by column


def _work_dtype(dtype: np.dtype) -> np.dtype:
    """Working precision: float64 for float16/float32/float64, longdouble for longdouble."""
    return np.result_type(dtype, np.float64)


def _as_rows(arr: np.ndarray, axes: tuple[int, ...]) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray], tuple[int, ...]]:
    """View (or copy) `arr` as a 2-D array with one reduced slice per row.

    Returns the 2-D array, a function that puts a 2-D result of the same
    shape back into the layout of `arr`, and the shape of the kept axes.
    """
    n = arr.shape[-1]
    if axes == (arr.ndim - 1,):
        shape = arr.shape
        return arr.reshape(-1, n), lambda y: y.reshape(shape), shape[:-1]
    merged, ax, restore = _merge_axes(arr, axes)
    moved = np.moveaxis(merged, ax, -1)
    lead = moved.shape[:-1]
    rows = moved.reshape(-1, moved.shape[-1])

    def back(y: np.ndarray) -> np.ndarray:
        return restore(np.moveaxis(y.reshape(lead + (y.shape[-1],)), -1, ax))

    return rows, back, lead


def _split(a: Any) -> tuple[Any, Any]:
    """Veltkamp split: ``a = hi + lo`` exactly, each half with at most 26 significant bits."""
    c = _SPLIT * a
    hi = c - (c - a)
    return hi, a - hi


def _shift(x: np.ndarray, m: Any, temperature: float, exact: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Return ``(d, e)`` with ``d + e = (x - m) / temperature``; ``d`` is a new array.

    With ``exact`` the low part ``e`` is computed by error-free transformations
    (it is then at most half an ulp of ``d``); otherwise it is None, because the
    working precision is far above the input's.  Where the subtraction
    overflows (``d = -inf``) the low part is a harmless finite number.
    """
    d = np.subtract(x, m)
    if not exact:
        if temperature != 1.0:
            np.divide(d, temperature, out=d)
        return d, None
    # TwoSum (Knuth): d + e == x - m exactly, whatever the magnitudes.
    bv = np.subtract(d, x)
    e = np.subtract(d, bv)
    np.subtract(x, e, out=e)
    np.add(bv, m, out=bv)
    np.subtract(e, bv, out=e)
    if temperature != 1.0:
        # q = fl(d / T); d - q*T is exact by TwoProduct (Dekker) and Sterbenz.
        q = np.divide(d, temperature)
        th, tl = _split(temperature)
        p = np.multiply(q, temperature)
        qh, ql = _split(q)
        pe = qh * th - p
        pe += qh * tl
        pe += ql * th
        pe += ql * tl
        np.subtract(d, p, out=d)
        np.subtract(d, pe, out=d)
        np.add(e, d, out=e)
        np.divide(e, temperature, out=e)
        d = q
    np.fmax(e, -1.0, out=e)  # NaN only where d is infinite or exp(d) is 0
    return d, e


def _exp_corrected(d: np.ndarray, e: np.ndarray | None, out: np.ndarray | None = None, scratch: np.ndarray | None = None) -> np.ndarray:
    """``exp(d + e)`` as ``exp(d) * (1 + e)``, written into `out` (default: a new array)."""
    y = np.exp(d, out=out)
    if e is not None:
        if scratch is None:
            scratch = np.empty_like(y)
        np.multiply(y, e, out=scratch)
        np.add(y, scratch, out=y)
    return y


def _repair_infinite(x: np.ndarray, m: np.ndarray, d: np.ndarray, e: np.ndarray | None) -> None:
    """Rows whose maximum is infinite: entries equal to it get 0, all others -inf."""
    bad = np.isinf(m[:, 0])
    if bad.any():
        tied = np.where(x[bad] == m[bad], 0.0, -np.inf)
        d[bad] = tied
        if e is not None:
            e[bad] = 0.0


def _engine(X: np.ndarray, kind: str, temperature: float, out_dtype: np.dtype) -> np.ndarray:
    """Softmax (``kind="p"``), log-softmax (``"logp"``) or log-sum-exp (``"lse"``) of each row of `X`.

    `X` has shape (rows, n) with n >= 1. Returns an array of shape (rows, n)
    in `out_dtype` for ``"p"``/``"logp"`` and of shape (rows,) in the working
    precision for ``"lse"``.
    """
    R, n = X.shape
    work = _work_dtype(X.dtype)
    exact = X.dtype == work
    if kind == "lse":
        out = np.empty(R, dtype=work)
    else:
        out = np.empty((R, n), dtype=out_dtype)
    rb = max(1, _BLOCK // n)
    if temperature == 1.0 and work == np.float64:
        # Temporaries of log-sum-exp stay below half the input's size.
        max_temp = max(1, min(_BLOCK, X.size // 2))
        if rb == 1 or R == 1:
            for i in range(R):
                _row_fast(X[i], kind, exact, out[i : i + 1] if kind == "lse" else out[i], max_temp)
            return out
        for r0 in range(0, R, rb):
            r1 = min(R, r0 + rb)
            _block_fast(X[r0:r1], kind, exact, out[r0:r1], max_temp)
        return out
    if n > _BLOCK:
        for i in range(R):
            _long_row(X[i], kind, temperature, work, exact, out, i)
        return out
    for r0 in range(0, R, rb):
        r1 = min(R, r0 + rb)
        _block(X[r0:r1].astype(work, copy=False), kind, temperature, exact, out[r0:r1])
    return out


def _exp_shifted(x: np.ndarray, c: Any, y: np.ndarray) -> None:
    """``y = exp(x - c)`` in float64 (``c`` None means no shift); `y` may not alias `x`."""
    if x.dtype == y.dtype:
        if c is None:
            np.exp(x, out=y)
        else:
            np.subtract(x, c, out=y)
            np.exp(y, out=y)
        return
    np.copyto(y, x)  # widening float16/float32 is exact, and faster than a ufunc cast
    if c is not None:
        np.subtract(y, c, out=y)
    np.exp(y, out=y)


def _minus_into(x: np.ndarray, m: Any, y: np.ndarray) -> None:
    """``y = x - m`` in float64."""
    if x.dtype == y.dtype:
        np.subtract(x, m, out=y)
    else:
        np.copyto(y, x)
        np.subtract(y, m, out=y)


def _normalise_into(y: np.ndarray, total: Any, dest: np.ndarray) -> None:
    """``dest = y / total``; for a float16/float32 `dest` a float64 reciprocal is accurate enough."""
    if dest.dtype == y.dtype:
        np.divide(y, total, out=dest)
    else:
        np.multiply(y, np.divide(1.0, total), out=dest, casting="same_kind")


def _row_fast(x: np.ndarray, kind: str, exact: bool, dest: np.ndarray, max_temp: int) -> None:
    """:func:`_block_fast` for a single (long) row, with scalar bookkeeping."""
    f64 = np.float64
    n = x.shape[0]
    if kind == "p":
        m = float(x.max())
    else:
        k = int(x.argmax())
        m = float(x[k])
    if not math.isfinite(m) or (exact and m > _NO_SHIFT_MAX):
        sub = np.empty((1,) + dest.shape, dtype=dest.dtype)
        _block(x[None, :].astype(f64), kind, 1.0, exact, sub)
        dest[...] = sub[0]
        return
    c = 0.0 if 0.0 <= m <= _NO_SHIFT_MAX else float(math.ceil(m))
    if kind == "lse":
        cw = max(1, min(n, max_temp))
        buf = np.empty(cw, dtype=f64)
        parts = []
        for c0 in range(0, n, cw):
            c1 = min(n, c0 + cw)
            y = buf[: c1 - c0]
            _exp_shifted(x[c0:c1], None if c == 0.0 else c, y)
            if c0 <= k < c1:
                y[k - c0] = 0.0
            parts.append(float(y.sum()))
        top = float(np.exp(f64(m - c)))
        dest[0] = m + math.log1p(math.fsum(parts) / top)
        return
    y = dest if exact else np.empty(n, dtype=f64)
    _exp_shifted(x, None if c == 0.0 else c, y)
    if kind == "p":
        _normalise_into(y, float(y.sum()), dest)
        return
    top = float(y[k])
    y[k] = 0.0
    log_norm = math.log1p(float(y.sum()) / top)
    _minus_into(x, m, y)
    np.subtract(y, log_norm, out=y)
    if y is not dest:
        np.copyto(dest, y, casting="same_kind")


def _lse_fast(xb: np.ndarray, m: np.ndarray, c: np.ndarray | None, idx: np.ndarray, max_temp: int, dest: np.ndarray) -> None:
    """Log-sum-exp part of :func:`_block_fast`, in column chunks of at most `max_temp` elements."""
    rb, n = xb.shape
    top = np.exp(m[:, 0] if c is None else (m - c)[:, 0])
    rest = np.zeros(rb)
    cw = max(1, min(n, max_temp // rb))
    buf = np.empty((rb, cw))
    for c0 in range(0, n, cw):
        c1 = min(n, c0 + cw)
        y = buf[:, : c1 - c0]
        _exp_shifted(xb[:, c0:c1], c, y)
        if rb == 1:
            if c0 <= idx[0] < c1:
                y[0, idx[0] - c0] = 0.0
        else:
            inside = (idx >= c0) & (idx < c1)
            y[inside, idx[inside] - c0] = 0.0
        if y.shape[1] <= _SHORT and xb.dtype != np.float64:
            for column in y.T:  # numpy's sum along a short last axis is slow
                rest += column
        else:
            rest += y.sum(axis=1)
    np.divide(rest, top, out=rest)
    np.add(m[:, 0], np.log1p(rest, out=rest), out=dest)


def _block_fast(xb: np.ndarray, kind: str, exact: bool, dest: np.ndarray, max_temp: int = _BLOCK) -> None:
    """Rows of `xb` (float16/32/64) at temperature 1, with an exactly representable shift.

    The shift ``c`` is 0 when the row maximum ``m`` lies in ``[0, _NO_SHIFT_MAX]``
    and ``ceil(m)`` when ``m < 0``; in both cases ``x - c`` is exact (or so
    negative that its exponential is 0), so ``exp(x - c)`` carries only the
    rounding of ``exp`` itself, and nothing overflows. Rows that fit neither
    case (a float64 maximum above ``_NO_SHIFT_MAX``, or a non-finite maximum)
    are recomputed by :func:`_block`. Log-sum-exp is
    ``m + log1p(rest / exp(m - c))`` with ``rest`` the sum without the largest
    term, and log-softmax is ``(x - m) - log1p(...)``: in the log domain the
    rounding of ``x - m`` is not amplified.
    """
    f64 = np.float64
    rb = xb.shape[0]
    if kind == "p":
        m = xb.max(axis=1, keepdims=True).astype(f64, copy=False)
    else:
        idx = xb.argmax(axis=1)
        at = (np.arange(rb), idx)
        m = xb[at].astype(f64)[:, None]
    lo, hi = float(m.min()), float(m.max())
    c = None if (0.0 <= lo and hi <= _NO_SHIFT_MAX) else np.where((m >= 0.0) & (m <= _NO_SHIFT_MAX), 0.0, np.ceil(m))
    if kind == "lse":
        _lse_fast(xb, m, c, idx, max_temp, dest)
    else:
        y = dest if exact else np.empty(xb.shape, dtype=f64)
        _exp_shifted(xb, c, y)
    if kind == "lse":
        pass
    elif kind == "p":
        _normalise_into(y, y.sum(axis=1, keepdims=True), dest)
    else:
        top = y[at]
        y[at] = 0.0
        rest = y.sum(axis=1)
        log_norm = np.log1p(np.divide(rest, top, out=rest), out=rest)
        _minus_into(xb, m, y)
        np.subtract(y, log_norm[:, None], out=y)
        if y is not dest:
            np.copyto(dest, y, casting="same_kind")
    if not (math.isfinite(lo) and math.isfinite(hi)) or (exact and hi > _NO_SHIFT_MAX):
        rows = ~np.isfinite(m[:, 0])
        if exact:
            rows |= m[:, 0] > _NO_SHIFT_MAX
        sub = np.empty(dest[rows].shape, dtype=dest.dtype)
        _block(xb[rows].astype(f64), kind, 1.0, exact, sub)
        dest[rows] = sub


def _block(xb: np.ndarray, kind: str, temperature: float, exact: bool, dest: np.ndarray) -> None:
    """A block of whole rows, already in the working precision; results go to `dest`."""
    if kind == "p":
        m = xb.max(axis=1, keepdims=True)
        d, e = _shift(xb, m, temperature, exact)
        _repair_infinite(xb, m, d, e)
        y = _exp_corrected(d, e, out=d, scratch=e)
        s = y.sum(axis=1, keepdims=True)
        np.divide(y, s, out=dest, casting="same_kind")
        return
    idx = xb.argmax(axis=1)[:, None]
    m = np.take_along_axis(xb, idx, axis=1)
    d, e = _shift(xb, m, temperature, exact)
    _repair_infinite(xb, m, d, e)
    if kind == "lse":
        y = _exp_corrected(d, e, out=d, scratch=e)
    else:
        y = _exp_corrected(d, e)
    np.put_along_axis(y, idx, 0.0, axis=1)
    log_norm = np.log1p(y.sum(axis=1))
    if kind == "lse":
        np.add(m[:, 0], log_norm, out=dest)
        return
    np.subtract(d, log_norm[:, None], out=d)
    if e is not None:
        np.add(d, e, out=d)
    dest[...] = d


def _long_row(x: np.ndarray, kind: str, temperature: float, work: np.dtype, exact: bool, out: np.ndarray, i: int) -> None:
    """One row longer than a block, in column chunks (same results as the block path)."""
    n = x.shape[0]
    k = int(x.argmax())
    m = np.asarray(x[k], dtype=work)
    if not np.isfinite(m):
        # A rare special-value row: no need to save memory.
        _block(x[None, :].astype(work, copy=False), kind, temperature, exact, out[i : i + 1])
        return
    chunks = [(c0, min(n, c0 + _BLOCK)) for c0 in range(0, n, _BLOCK)]
    partial = []
    if kind == "p":
        dest = out[i] if out.dtype == work else np.empty(n, dtype=work)
        for c0, c1 in chunks:
            d, e = _shift(x[c0:c1].astype(work, copy=False), m, temperature, exact)
            y = _exp_corrected(d, e, out=dest[c0:c1], scratch=e)
            partial.append(float(y.sum()))
        np.divide(dest, math.fsum(partial), out=out[i], casting="same_kind")
        return
    for c0, c1 in chunks:
        d, e = _shift(x[c0:c1].astype(work, copy=False), m, temperature, exact)
        y = _exp_corrected(d, e, out=d, scratch=e)
        if c0 <= k < c1:
            y[k - c0] = 0.0
        partial.append(float(y.sum()))
    log_norm = np.log1p(np.asarray(math.fsum(partial), dtype=work))
    if kind == "lse":
        out[i] = m + log_norm
        return
    for c0, c1 in chunks:
        d, e = _shift(x[c0:c1].astype(work, copy=False), m, temperature, exact)
        np.subtract(d, log_norm, out=d)
        if e is not None:
            np.add(d, e, out=d)
        out[i, c0:c1] = d


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
    it is computed as :math:`e^{(x_i - c)/T} / \sum_j e^{(x_j - c)/T}` with a
    shift :math:`c` close to :math:`m = \max_j x_j` for which :math:`x_i - c`
    is computed exactly: at :math:`T = 1`, :math:`c = 0` when
    :math:`0 \le m \le 680` and :math:`c = \lceil m \rceil` when :math:`m < 0`;
    otherwise :math:`c = m` and the rounding error of the subtraction (and of
    the division by :math:`T`) is recovered by error-free transformations
    [3]_ and applied as :math:`e^{d + e} \approx e^{d}(1 + e)`. A rounded
    shift would be amplified by :math:`|x_i - c|` in the exponential, which
    costs the plain max-shift hundreds of ulps on inputs spread over
    :math:`[-700, 0]`. No exponent exceeds 680, so nothing overflows, and the
    largest term is at least :math:`e^{-1}`, so the division never divides by
    zero. Finite input therefore never produces NaN, infinity or a
    floating-point warning. float16 and float32 inputs are computed in
    float64 and rounded once; the result is within 5 ulp (float64) and 1 ulp
    (float32) of the correctly rounded value on the adversarial inputs of the
    book's tests.

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
    .. [3] N. J. Higham, *Accuracy and Stability of Numerical Algorithms*,
       2nd ed., SIAM, 2002 (section 4.3, error-free transformations).

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
    rows, back, _ = _as_rows(arr, axes)
    with np.errstate(all="ignore"):
        p = _engine(rows, "p", temperature, dtype)
    return _finish(back(p), dtype, shape)


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
    leaves out the largest term (which is exactly 1). The terms of :math:`r`
    are computed with an exact shift, as in :func:`softmax`; in the log
    domain the rounding of :math:`x_i - m` itself is not amplified. Writing the normaliser
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
    rows, back, _ = _as_rows(arr, axes)
    with np.errstate(all="ignore"):
        logp = _engine(rows, "logp", temperature, dtype)
    return _finish(back(logp), dtype, shape)


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

    which cannot overflow and, thanks to ``log1p`` of the sum *without* the
    largest term, keeps contributions far below the rounding level of 1 [1]_.
    The terms :math:`e^{x_i - m}` are computed as :math:`e^{x_i - c} / e^{m - c}`
    with an exactly representable shift :math:`c` (see :func:`softmax`), so
    the result is within 2.5 ulp of the correctly rounded value in float64
    (1 ulp in float32) on the book's adversarial tests. Where
    :math:`\operatorname{LSE}(x)` is close to 0 while :math:`m < 0`, the sum
    :math:`m + \operatorname{log1p}(r)` cancels and the problem itself is
    ill-conditioned: the error is then bounded in absolute, not relative, terms. It satisfies
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
        rows, _, _ = _as_rows(arr, axes)
        with np.errstate(all="ignore"):
            result = _engine(rows, "lse", 1.0, dtype).reshape(out_shape)
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
    The sigmoid is two-class softmax, :math:`\sigma(z) =
    \operatorname{softmax}([z, 0])_0`, and it is computed by the same sequence
    of operations as :func:`softmax` uses for the logits ``[z, 0]``:
    :math:`e^{z}/(e^{z} + 1)` for :math:`z \le 680`, and :math:`1/(1 + e^{-z})`
    above, where :math:`e^{z}` would overflow (float16 and float32 inputs are
    computed in float64 and rounded once). So ``sigmoid(z)`` and
    ``softmax([z, 0])[0]`` agree to the last bit, for every input and dtype;
    each is within 2 ulp of the correctly rounded value. Tiny values are not
    flushed to 0 prematurely: :math:`e^{z}` is formed directly for negative
    :math:`z`.

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
    work = arr.astype(_work_dtype(dtype), copy=False)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        # The operations of softmax([z, 0]): shift 0 and e^z / (e^z + 1) while
        # z <= _NO_SHIFT_MAX, otherwise shift z and 1 / (1 + e^-z).
        big = work > _NO_SHIFT_MAX
        e = np.exp(np.where(big, -work, work))
        total = e + 1.0
        if dtype == work.dtype:
            small = e / total
        else:  # as _normalise_into does for float16/float32 results
            small = e * (1.0 / total)
        out = np.where(big, 1.0 / total, small)
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
    work = arr.astype(_work_dtype(dtype), copy=False)
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
