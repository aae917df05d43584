"""One-pass (online) softmax and streaming log-sum-exp.

The normaliser of softmax can be computed in a single pass over the data by
carrying a *partial result* ``(m, s)``: the largest entry seen so far and the
sum of ``exp(x - m)`` over the entries seen so far. Two partial results merge
exactly (up to rounding) by rescaling the sum with the smaller maximum::

    m = max(m1, m2),   s = s1 * exp(m1 - m) + s2 * exp(m2 - m)

which is the running-maximum, rescaled-running-sum recurrence of Milakov and
Gimelshein (2018) and the block form behind fused attention kernels. These
helpers exist to teach and to check that recurrence; for a whole array in
memory, :func:`softmax_lib.softmax` and :func:`softmax_lib.logsumexp` are
faster and more accurate.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_real_array, normalize_axes

__all__ = ["partial_logsumexp", "merge_partials", "streaming_logsumexp", "online_softmax"]

Partial = tuple[NDArray[np.floating[Any]], NDArray[np.floating[Any]]]


def _one_axis(axis: Any, ndim: int, func: str) -> int:
    if axis is None or isinstance(axis, tuple):
        raise TypeError(f"{func}: axis must be a single int, got {axis!r}")
    return normalize_axes(axis, max(ndim, 1), func)[0]


def partial_logsumexp(x: ArrayLike, axis: int = -1) -> Partial:
    r"""The partial result ``(m, s)`` of one block: its maximum and rescaled sum.

    Parameters
    ----------
    x : array_like
        Real numbers (one block of a longer sequence). Must not be empty
        along `axis`.
    axis : int, optional
        The axis that is being reduced. Default ``-1``.

    Returns
    -------
    m : ndarray
        :math:`\max_i x_i` along `axis` (``-inf`` for a slice of all ``-inf``).
    s : ndarray
        :math:`\sum_i e^{x_i - m}` along `axis`, in :math:`[1, n]` for a finite
        slice (0 for a slice of all ``-inf``). The log-sum-exp of the block is
        :math:`m + \log s`.

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
    arr = as_real_array(x, func)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    ax = _one_axis(axis, arr.ndim, func)
    if arr.shape[ax] == 0:
        raise ValueError(f"{func}: x must not be empty along axis {axis}")
    work = arr.astype(np.result_type(arr.dtype, np.float32), copy=False)
    m = np.max(work, axis=ax, keepdims=True)
    with np.errstate(invalid="ignore", over="ignore", under="ignore"):
        safe = np.where(np.isfinite(m), m, 0.0)
        s = np.sum(np.exp(work - safe), axis=ax, keepdims=True)
        s = np.where(np.isneginf(m), 0.0, s)
        s = np.where(np.isposinf(m), np.inf, s)
    return np.squeeze(m, axis=ax), np.squeeze(s, axis=ax).astype(work.dtype)


def merge_partials(a: Partial, b: Partial) -> Partial:
    r"""Merge two partial results ``(m1, s1)`` and ``(m2, s2)`` into one.

    .. math::

        m = \max(m_1, m_2), \qquad s = s_1 e^{m_1 - m} + s_2 e^{m_2 - m}

    Parameters
    ----------
    a, b : tuple of array_like
        Partial results ``(m, s)`` as returned by :func:`partial_logsumexp`
        or by this function; their arrays must broadcast together.

    Returns
    -------
    tuple of ndarray
        The partial result of the union of the two blocks.

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
    most 1, so nothing overflows. The merge is commutative and, up to
    rounding, associative, which is what lets blocks be combined in any order
    or in a tree. A partial result with :math:`m = -\infty` (an all
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
    pairs = []
    for name, part in (("a", a), ("b", b)):
        if not isinstance(part, tuple) or len(part) != 2:
            raise TypeError(f"{func}: {name} must be a pair (m, s), got {type(part).__name__}")
        pairs.append((as_real_array(part[0], func, f"{name}[0]"), as_real_array(part[1], func, f"{name}[1]")))
    (m1, s1), (m2, s2) = pairs
    m = np.maximum(m1, m2)
    with np.errstate(invalid="ignore", over="ignore", under="ignore"):
        w1 = np.where(np.isneginf(m1), 0.0, s1 * np.exp(m1 - np.where(np.isneginf(m), 0.0, m)))
        w2 = np.where(np.isneginf(m2), 0.0, s2 * np.exp(m2 - np.where(np.isneginf(m), 0.0, m)))
        s = w1 + w2
    s = np.where(np.isposinf(m), np.inf, s)
    dtype = np.result_type(s1, s2)
    return m, np.asarray(s, dtype=dtype)


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
        :math:`\log\sum_i e^{x_i}` over all blocks, reduced along `axis`.

    Raises
    ------
    TypeError
        If a block is not real or `axis` is not an int.
    ValueError
        If `chunks` is empty or a block is empty along `axis`.

    See Also
    --------
    softmax_lib.logsumexp : The same value for an array in memory (more accurate).
    online_softmax : Softmax with a one-pass normaliser.

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
    for chunk in chunks:
        part = partial_logsumexp(chunk, axis=axis)
        state = part if state is None else merge_partials(state, part)
    if state is None:
        raise ValueError(f"{func}: chunks must contain at least one block")
    m, s = state
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(np.isposinf(m), np.inf, m + np.log(s))
    out = np.asarray(out, dtype=s.dtype)
    return out[()] if out.ndim == 0 else out


def online_softmax(x: ArrayLike, axis: int = -1, *, block_size: int = 1024) -> NDArray[np.floating[Any]]:
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
        Probabilities with the shape and floating dtype of `x` (integers and
        booleans give float64).

    Raises
    ------
    TypeError
        If `x` is not real, `axis` is not an int, or `block_size` is not an int.
    ValueError
        If `axis` is out of range or `block_size` is not positive.

    See Also
    --------
    softmax_lib.softmax : Two-pass softmax with an exact shift (more accurate).
    merge_partials : The merge step.

    Notes
    -----
    The result equals the two-pass softmax up to rounding: after the last
    merge, ``m`` is the maximum of the whole slice and ``s`` is
    :math:`\sum_i e^{x_i - m}`, because each merge rescales the older sum by
    :math:`e^{m_\text{old} - m_\text{new}}`. Entries of ``-inf`` get 0.

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
    arr = as_real_array(x, func)
    shape = arr.shape
    if arr.ndim == 0:
        arr = arr.reshape(1)
    ax = _one_axis(axis, arr.ndim, func)
    if isinstance(block_size, (bool, np.bool_)) or not isinstance(block_size, (numbers.Integral, np.integer)):
        raise TypeError(f"{func}: block_size must be a positive int, got {type(block_size).__name__} {block_size!r}")
    if block_size < 1:
        raise ValueError(f"{func}: block_size must be a positive int, got {block_size!r}")
    n = arr.shape[ax]
    work = arr.astype(np.result_type(arr.dtype, np.float32), copy=False)
    if n == 0:
        return np.array(work, copy=True).reshape(shape)
    state: Partial | None = None
    for start in range(0, n, block_size):
        block = np.take(work, np.arange(start, min(n, start + block_size)), axis=ax)
        part = partial_logsumexp(block, axis=ax)
        state = part if state is None else merge_partials(state, part)
    assert state is not None
    m, s = (np.expand_dims(v, ax) for v in state)
    with np.errstate(invalid="ignore", over="ignore", under="ignore"):
        tied = work == m
        p = np.exp(work - np.where(np.isfinite(m), m, 0.0)) / s
        # A slice whose maximum is infinite: the entries at the maximum share the mass.
        count = np.sum(tied, axis=ax, keepdims=True)
        p = np.where(np.isinf(m), tied / np.maximum(count, 1), p)
    return p.astype(work.dtype, copy=False).reshape(shape)
