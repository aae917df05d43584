"""One-pass (online) softmax and streaming log-sum-exp.

The normaliser of softmax can be computed in a single pass over the data by
carrying a *partial result* ``(m, s)``: the largest entry seen so far and the
sum of ``exp(x - m)`` over the entries seen so far. Two partial results merge
exactly (up to rounding) by rescaling the sum with the smaller maximum::

    m = max(m1, m2),   s = s1 * exp(m1 - m) + s2 * exp(m2 - m)

which is the running-maximum, rescaled-running-sum recurrence of Milakov and
Gimelshein (2018) and the block form behind fused attention kernels.

These helpers use the working precision and the accuracy devices of
:func:`softmax_lib.softmax`: float64 for every narrower format, the exact
shift ``exp(d + e) = exp(d) * (1 + e)`` for ``exp(m1 - m)``, and the sum of
the terms *other than the largest* (``s - 1``), kept apart from the 1 so that
the log-sum-exp is ``m + log1p(s - 1)``. A partial result therefore carries
that rest exactly as its attribute ``rest``; ``s`` itself is ``1 + rest``
rounded. So the streamed results agree with the two-pass functions to a few
ulp on any input.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._core import _as_rows, _max_and_rest, _Scratch, _terms, _work_dtype
from ._validation import as_float_array, normalize_axes

__all__ = ["partial_logsumexp", "merge_partials", "streaming_logsumexp", "online_softmax"]


class Partial(tuple):  # type: ignore[type-arg]
    """A partial result ``(m, s)``.

    Its attribute ``rest`` holds ``s - 1`` without rounding it into ``1 + rest``.
    """

    rest: NDArray[np.floating[Any]]

    def __new__(cls, m: NDArray[np.floating[Any]], rest: NDArray[np.floating[Any]]) -> Partial:
        with np.errstate(all="ignore"):
            s = np.where(np.isneginf(m), 0.0, 1.0 + rest).astype(rest.dtype, copy=False)
        obj = super().__new__(cls, (m, s))
        obj.rest = rest
        return obj


def _one_axis(axis: Any, ndim: int, func: str) -> int:
    if axis is None or isinstance(axis, tuple):
        raise TypeError(f"{func}: axis must be a single int, got {axis!r}")
    return normalize_axes(axis, max(ndim, 1), func)[0]


def _rows_along(arr: np.ndarray, ax: int) -> tuple[np.ndarray, tuple[int, ...]]:
    """`arr` as 2-D rows along `ax`, and the shape of the other axes (in order)."""
    rows, _ = _as_rows(arr, (ax,))
    kept = tuple(n for i, n in enumerate(arr.shape) if i != ax)
    return rows, kept


def partial_logsumexp(x: ArrayLike, axis: int = -1) -> Partial:
    r"""The partial result ``(m, s)`` of one block: its maximum and rescaled sum.

    Parameters
    ----------
    x : array_like
        Real numbers (one block of a longer sequence); float16, float32,
        float64, ``ml_dtypes`` formats, integers or booleans. Must not be
        empty along `axis`.
    axis : int, optional
        The axis that is being reduced. Default ``-1``.

    Returns
    -------
    m : ndarray
        :math:`\max_i x_i` along `axis` (``-inf`` for a slice of all ``-inf``),
        in the working precision (float64; longdouble stays longdouble).
    s : ndarray
        :math:`\sum_i e^{x_i - m}` along `axis`, in :math:`[1, n]` for a finite
        slice (0 for a slice of all ``-inf``), in the working precision. The
        log-sum-exp of the block is :math:`m + \log s`. The returned pair also
        has an attribute ``rest``, the sum without the largest term
        (:math:`s - 1`, not rounded into :math:`1 + \cdot`), which the merge
        uses.

    Raises
    ------
    TypeError
        If `x` is not real or `axis` is not an int.
    ValueError
        If `axis` is out of range or `x` is empty along it.

    See Also
    --------
    merge_partials : Combine two partial results.
    streaming_logsumexp : Log-sum-exp of a sequence of blocks.

    Notes
    -----
    The terms are computed as in :func:`softmax_lib.logsumexp` (float64, exact
    shift), so :math:`m + \operatorname{log1p}(\text{rest})` is within the
    accuracy of :func:`softmax_lib.logsumexp`. Floating-point errors are
    never raised or warned for finite input.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import partial_logsumexp
    >>> m, s = partial_logsumexp([1.0, 3.0, 2.0])
    >>> float(m), round(float(s), 6)
    (3.0, 1.503215)
    >>> round(float(m + np.log(s)), 6)      # = logsumexp([1, 3, 2])
    3.407606
    """
    func = "partial_logsumexp"
    arr = as_float_array(x, func)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    ax = _one_axis(axis, arr.ndim, func)
    if arr.shape[ax] == 0:
        raise ValueError(f"{func}: x must not be empty along axis {axis}")
    rows, kept = _rows_along(arr, ax)
    with np.errstate(all="ignore"):
        m, rest = _max_and_rest(rows)
    return Partial(m.reshape(kept)[()], rest.reshape(kept)[()])


def _as_partial(part: Any, name: str, func: str) -> Partial:
    if not isinstance(part, tuple) or len(part) != 2:
        raise TypeError(f"{func}: {name} must be a pair (m, s), got {type(part).__name__}")
    m = as_float_array(part[0], func, f"{name}[0]")
    s = as_float_array(part[1], func, f"{name}[1]")
    work = np.result_type(_work_dtype(m.dtype), _work_dtype(s.dtype))
    rest = getattr(part, "rest", None)
    with np.errstate(all="ignore"):
        if rest is None:
            rest = np.where(np.isneginf(m), 0.0, s.astype(work) - 1.0)
        return Partial(np.asarray(m, dtype=work), np.asarray(rest, dtype=work))


def merge_partials(a: tuple[Any, Any], b: tuple[Any, Any]) -> Partial:
    r"""Merge two partial results ``(m1, s1)`` and ``(m2, s2)`` into one.

    .. math::

        m = \max(m_1, m_2), \qquad s = s_1 e^{m_1 - m} + s_2 e^{m_2 - m}

    Parameters
    ----------
    a, b : tuple of array_like
        Partial results ``(m, s)`` as returned by :func:`partial_logsumexp`
        or by this function (or any pairs of real arrays); their arrays must
        broadcast together.

    Returns
    -------
    tuple of ndarray
        The partial result of the union of the two blocks, in the working
        precision (float64).

    Raises
    ------
    TypeError
        If `a` or `b` is not a pair, or holds non-real values.

    See Also
    --------
    partial_logsumexp, streaming_logsumexp

    Notes
    -----
    Exactly one of the two exponentials is :math:`e^0 = 1`, the other is at
    most 1, so nothing overflows. The sums are carried without their largest
    term (``rest = s - 1``): with :math:`m_1 \ge m_2`, ``rest = rest1 +
    (1 + rest2) * exp(m2 - m1)``, where ``exp(m2 - m1)`` is computed with the
    exact shift of :func:`softmax_lib.softmax`. The merge is commutative and,
    up to rounding, associative, which is what lets blocks be combined in
    any order or in a tree. A partial result with :math:`m = -\infty` (an all
    ``-inf`` block) is the identity.

    References
    ----------
    .. [1] M. Milakov and N. Gimelshein, "Online normalizer calculation for
       softmax", arXiv:1805.02867, 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import merge_partials, partial_logsumexp, logsumexp
    >>> x = np.array([0.5, 2.0, -1.0, 4.0, 3.0])
    >>> m, s = merge_partials(partial_logsumexp(x[:2]), partial_logsumexp(x[2:]))
    >>> bool(np.isclose(m + np.log(s), logsumexp(x)))
    True
    """
    func = "merge_partials"
    p1, p2 = _as_partial(a, "a", func), _as_partial(b, "b", func)
    m1, r1 = np.broadcast_arrays(p1[0], p1.rest)
    m2, r2 = np.broadcast_arrays(p2[0], p2.rest)
    m1, m2, r1, r2 = np.broadcast_arrays(m1, m2, r1, r2)
    with np.errstate(all="ignore"):
        first = (m1 >= m2) | np.isnan(m2)
        big, small = np.where(first, m1, m2), np.where(first, m2, m1)
        rest_big, rest_small = np.where(first, r1, r2), np.where(first, r2, r1)
        flat_small = np.atleast_1d(small).reshape(-1, 1)
        flat_big = np.atleast_1d(big).reshape(-1)
        safe_big = np.where(np.isinf(flat_big), 0.0, flat_big)
        scale = _terms(
            flat_small,
            safe_big,
            1.0,
            flat_small.dtype == np.float64,
            np.empty(flat_small.shape, dtype=flat_small.dtype),
            _Scratch(flat_small),
        )
        scale = scale.reshape(np.shape(small))
        scale = np.where(np.isneginf(small), 0.0, scale)
        scale = np.where(np.isposinf(small), 1.0, scale)  # both +inf: tied
        rest = rest_big + (1.0 + rest_small) * scale
        rest = np.where(np.isposinf(big), np.inf, rest)
    return Partial(np.asarray(big)[()], np.asarray(rest)[()])


def _rescale(small: np.ndarray, big: np.ndarray) -> np.ndarray:
    """``exp(small - big)`` per entry, with the exact shift (0 for ``small = -inf``, 1 for ties)."""
    flat = small.reshape(-1, 1).astype(np.float64)
    safe = np.where(np.isinf(big), 0.0, big).reshape(-1).astype(np.float64)
    y = _terms(flat, safe, 1.0, True, np.empty(flat.shape), _Scratch(flat)).reshape(small.shape)
    y = np.where(small == big, 1.0, y)
    return np.where(np.isneginf(small), 0.0, y)


def streaming_logsumexp(chunks: Iterable[ArrayLike], axis: int = -1) -> NDArray[np.floating[Any]]:
    r"""Log-sum-exp of a sequence of blocks, in one pass, keeping only ``(m, s)``.

    Parameters
    ----------
    chunks : iterable of array_like
        Blocks of the data, concatenated along `axis` (for example the pieces
        of a row too long to hold in memory, or the tiles of a key sequence).
        They may have different lengths along `axis`; the other dimensions
        must broadcast.
    axis : int, optional
        The axis along which the blocks follow each other. Default ``-1``.

    Returns
    -------
    ndarray
        :math:`\log\sum_i e^{x_i}` over all blocks, reduced along `axis`, in
        the floating dtype of the blocks (float16, float32, bfloat16 and
        float64 are kept; integers and booleans give float64).

    Raises
    ------
    TypeError
        If a block is not real or `axis` is not an int.
    ValueError
        If `chunks` is empty or a block is empty along `axis`.

    See Also
    --------
    softmax_lib.logsumexp : The same value for an array in memory.
    online_softmax : Softmax with a one-pass normaliser.

    Notes
    -----
    The result is ``m + log1p(rest)`` of the merged partial result, so it
    agrees with :func:`softmax_lib.logsumexp` to a few ulp whatever the
    blocks.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import streaming_logsumexp, logsumexp
    >>> x = np.linspace(-5.0, 800.0, 10)
    >>> chunks = (x[i:i + 3] for i in range(0, 10, 3))
    >>> lse = streaming_logsumexp(chunks)
    >>> round(float(lse), 6)
    800.0
    >>> bool(np.isclose(lse, logsumexp(x), rtol=1e-15))
    True
    """
    func = "streaming_logsumexp"
    state: Partial | None = None
    dtype: np.dtype | None = None
    for chunk in chunks:
        arr = as_float_array(chunk, func)
        dtype = (
            arr.dtype
            if dtype is None or dtype == arr.dtype
            else np.result_type(_work_dtype(dtype), _work_dtype(arr.dtype))
        )
        part = partial_logsumexp(arr, axis=axis)
        state = part if state is None else merge_partials(state, part)
    if state is None or dtype is None:
        raise ValueError(f"{func}: chunks must contain at least one block")
    m = np.asarray(state[0])
    with np.errstate(all="ignore"):
        out = np.where(np.isinf(m), m, m + np.log1p(state.rest))
    out = np.asarray(out).astype(dtype)
    return out[()] if out.ndim == 0 else out


def online_softmax(
    x: ArrayLike, axis: int = -1, *, block_size: int = 1024
) -> NDArray[np.floating[Any]]:
    r"""Softmax whose normaliser is computed in one pass over blocks of `axis`.

    The running maximum and rescaled running sum ``(m, s)`` are updated block
    by block with :func:`merge_partials`; a second pass writes
    :math:`e^{x_i - m} / s`. This is the algorithm of [1]_; fused attention
    kernels apply the same merge to blocks of keys.

    Parameters
    ----------
    x : array_like
        Real scores.
    axis : int, optional
        The axis along which the probabilities sum to one. Default ``-1``.
    block_size : int, optional
        Number of entries along `axis` per block (keyword only). Default 1024.

    Returns
    -------
    ndarray
        Probabilities with the shape and floating dtype of `x` (float16,
        float32, bfloat16 and float64 are kept; integers and booleans give
        float64).

    Raises
    ------
    TypeError
        If `x` is not real, `axis` is not an int, or `block_size` is not an int.
    ValueError
        If `axis` is out of range or `block_size` is not positive.

    See Also
    --------
    softmax_lib.softmax : The two-pass softmax.
    merge_partials : The merge step.

    Notes
    -----
    After the last merge, ``m`` is the maximum of the whole slice and ``s``
    is :math:`\sum_i e^{x_i - m}`, because each merge rescales the older sum
    by :math:`e^{m_\text{old} - m_\text{new}}`. Both passes use the working
    precision (float64) and the exact shift of :func:`softmax_lib.softmax`, so
    the result agrees with it to a few ulp on any row. Entries of ``-inf``
    get 0; special values otherwise follow :func:`softmax_lib.softmax`.

    References
    ----------
    .. [1] M. Milakov and N. Gimelshein, "Online normalizer calculation for
       softmax", arXiv:1805.02867, 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import online_softmax, softmax
    >>> x = np.array([1.0, 1000.0, -3.0, 999.0, 0.0])
    >>> online_softmax(x, block_size=2)
    array([0.        , 0.73105858, 0.        , 0.26894142, 0.        ])
    >>> bool(np.allclose(online_softmax(x, block_size=2), softmax(x)))
    True
    """
    func = "online_softmax"
    arr = as_float_array(x, func)
    shape = arr.shape
    if arr.ndim == 0:
        arr = arr.reshape(1)
    ax = _one_axis(axis, arr.ndim, func)
    if isinstance(block_size, (bool, np.bool_)) or not isinstance(
        block_size, (numbers.Integral, np.integer)
    ):
        raise TypeError(
            f"{func}: block_size must be a positive int, "
            f"got {type(block_size).__name__} {block_size!r}"
        )
    if block_size < 1:
        raise ValueError(f"{func}: block_size must be a positive int, got {block_size!r}")
    out = np.empty(arr.shape, dtype=arr.dtype)
    n = arr.shape[ax]
    if n == 0 or arr.size == 0:
        return out.reshape(shape)
    rows, _ = _as_rows(arr, (ax,))
    m = rest = carry = None
    with np.errstate(all="ignore"):
        for start in range(0, n, block_size):
            part = partial_logsumexp(rows[:, start : start + block_size])
            if m is None or rest is None or carry is None:
                m, rest, carry = (
                    np.atleast_1d(part[0]),
                    np.atleast_1d(part.rest),
                    np.zeros(len(rows)),
                )
                continue
            # merge_partials, with the rounding error of each sum carried along (Neumaier)
            merged = merge_partials(Partial(m, rest + carry), part)
            new_m = np.atleast_1d(merged[0])
            older = new_m == np.atleast_1d(part[0])  # the new block holds the maximum
            keep, added = (
                np.where(older, np.atleast_1d(part.rest), rest),
                np.atleast_1d(merged.rest) - 0.0,
            )
            addend = np.where(
                older,
                (1.0 + rest + carry) * _rescale(m, new_m),
                (1.0 + part.rest) * _rescale(np.atleast_1d(part[0]), new_m),
            )
            total = keep + addend
            error = np.where(
                np.abs(keep) >= np.abs(addend), (keep - total) + addend, (addend - total) + keep
            )
            carry = np.where(older, 0.0, carry) + np.where(np.isfinite(error), error, 0.0)
            m, rest = new_m, np.where(np.isfinite(total), total, added)
    assert m is not None and rest is not None and carry is not None
    total = (1.0 + (rest + carry))[:, None]
    exact = rows.dtype == _work_dtype(rows.dtype)
    result, back = _as_rows(out, (ax,))
    with np.errstate(all="ignore"):
        safe_m = np.where(np.isinf(m), 0.0, m)
        for start in range(0, n, block_size):
            block = rows[:, start : start + block_size]
            y = _terms(
                block,
                safe_m,
                1.0,
                exact,
                np.empty(block.shape, dtype=_work_dtype(rows.dtype)),
                _Scratch(block),
            )
            np.divide(y, total, out=y)
            result[:, start : start + block_size] = y
        for r in np.flatnonzero(np.isinf(m)):
            tied = rows[r] == m[r]
            result[r] = tied / max(int(tied.sum()), 1)
    if not np.shares_memory(result, out):
        out = back(result)
    return out.reshape(shape)
