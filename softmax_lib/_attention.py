r"""Scaled dot-product attention, directly and blockwise (FlashAttention in numpy).

:func:`attention` computes :math:`\operatorname{softmax}(s\,QK^\top + \text{mask})V`
in one go with :func:`softmax_lib.softmax`. :func:`flash_attention_forward` and
:func:`flash_attention_backward` compute the same output, and its gradients,
block by block with the online-softmax merge, never forming the whole
:math:`N_q \times N_k` matrix of scores: the algorithm of FlashAttention (Dao et
al. 2022; Dao 2023), written in numpy to teach and check it, not for speed.

Shapes follow the usual convention: ``q`` is ``(..., Nq, d)``, ``k`` is
``(..., Nk, d)``, ``v`` is ``(..., Nk, dv)``; the leading (batch, head) axes
broadcast against each other. All arithmetic is done in float64 (float16 and
float32 inputs are widened exactly and the results rounded once to the inputs'
common dtype). The causal mask keeps key ``j`` for query ``i`` when ``j <= i``
(aligned at the top left, so that key 0 is never masked).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._core import softmax
from ._validation import as_real_array, check_bool, check_positive_int, check_real

__all__ = ["attention", "flash_attention_forward", "flash_attention_backward"]

FloatArray = NDArray[np.floating[Any]]


def _inputs(
    q: ArrayLike, k: ArrayLike, v: ArrayLike, scale: Any, causal: Any, func: str
) -> tuple[FloatArray, FloatArray, FloatArray, float, np.dtype[Any], tuple[int, ...]]:
    """Validate; return q, k, v in float64 (broadcast), the scale, output dtype, batch shape."""
    arrays = []
    for name, x in (("q", q), ("k", k), ("v", v)):
        arr = as_real_array(x, func, name)
        if arr.ndim < 2:
            raise ValueError(
                f"{func}: {name} must have at least 2 dimensions (..., tokens, features), "
                f"got shape {arr.shape}"
            )
        arrays.append(arr)
    qa, ka, va = arrays
    if qa.shape[-1] != ka.shape[-1]:
        raise ValueError(
            f"{func}: q and k must have the same feature size, got {qa.shape[-1]} "
            f"and {ka.shape[-1]}"
        )
    if qa.shape[-1] == 0:
        raise ValueError(f"{func}: q and k must have at least one feature, got 0")
    if ka.shape[-2] != va.shape[-2]:
        raise ValueError(
            f"{func}: k and v must have the same number of keys, got {ka.shape[-2]} and "
            f"{va.shape[-2]}"
        )
    if ka.shape[-2] == 0:
        raise ValueError(f"{func}: k must have at least one key, got 0")
    try:
        batch = np.broadcast_shapes(qa.shape[:-2], ka.shape[:-2], va.shape[:-2])
    except ValueError:
        raise ValueError(
            f"{func}: the leading (batch) axes of q, k and v must broadcast, got shapes "
            f"{qa.shape}, {ka.shape} and {va.shape}"
        ) from None
    for name, arr in (("q", qa), ("k", ka), ("v", va)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{func}: {name} must be finite (no inf or NaN)")
    check_bool(causal, func, "causal")
    d = qa.shape[-1]
    s = (1.0 / np.sqrt(d) if scale is None
         else check_real(scale, func, "scale", 0.0, lo_open=True))
    out_dtype = np.result_type(qa.dtype, ka.dtype, va.dtype)
    work = np.result_type(out_dtype, np.float64)
    qw, kw, vw = (
        np.broadcast_to(a.astype(work, copy=False), batch + a.shape[-2:]) for a in arrays
    )
    return qw, kw, vw, float(s), out_dtype, batch


def _scores(qb: FloatArray, kb: FloatArray, scale: float, func: str) -> FloatArray:
    """``scale * qb @ kb^T``, checked for overflow."""
    with np.errstate(over="ignore", invalid="ignore"):
        s: FloatArray = np.matmul(qb, np.swapaxes(kb, -1, -2))
        s *= scale
    if not np.all(np.isfinite(s)):
        raise ValueError(
            f"{func}: the scores scale * q @ k^T overflow float64; rescale q or k"
        )
    return s


def _causal_keep(i0: int, i1: int, j0: int, j1: int) -> NDArray[np.bool_]:
    """Boolean block of the causal mask: True where key j <= query i."""
    return np.arange(j0, j1)[None, :] <= np.arange(i0, i1)[:, None]


def attention(
    q: ArrayLike,
    k: ArrayLike,
    v: ArrayLike,
    *,
    mask: ArrayLike | None = None,
    causal: bool = False,
    scale: float | None = None,
) -> FloatArray:
    r"""Scaled dot-product attention, :math:`\operatorname{softmax}(s\,QK^\top)V`.

    Each query attends to the keys it is allowed to see: its scores
    :math:`s\,q_i^\top k_j` go through :func:`softmax_lib.softmax` along the key
    axis, and the output is the resulting weighted average of the values.

    Parameters
    ----------
    q : array_like, shape (..., Nq, d)
        Queries. Leading axes (batch, heads) broadcast against those of `k`, `v`.
    k : array_like, shape (..., Nk, d)
        Keys, ``Nk >= 1``.
    v : array_like, shape (..., Nk, dv)
        Values, one row per key.
    mask : array_like of bool, optional
        ``True`` = keep, ``False`` = mask out (score set to :math:`-\infty`);
        broadcastable to ``(..., Nq, Nk)``. Default: keep everything.
    causal : bool, optional
        Also mask key ``j`` for query ``i`` when ``j > i``. Default False.
    scale : float, optional
        Positive finite factor :math:`s` of the scores. Default
        :math:`1/\sqrt{d}`.

    Returns
    -------
    ndarray, shape (..., Nq, dv)
        The attention output, in the common floating dtype of `q`, `k`, `v`
        (float64 for integer or boolean inputs).

    Raises
    ------
    TypeError
        If an input is not real, `mask` is not boolean, `causal` is not a bool,
        or `scale` is not a real number.
    ValueError
        If the shapes do not fit (fewer than 2 axes, different feature sizes of
        `q` and `k`, different numbers of keys in `k` and `v`, no keys, leading
        axes or mask that do not broadcast), an input is not finite, `scale` is
        not positive and finite, or the scores overflow float64.

    See Also
    --------
    flash_attention_forward : The same output, computed block by block.

    Notes
    -----
    The weights are ``softmax(scale * q @ k^T, axis=-1)`` with masked scores
    set to :math:`-\infty`, computed in float64. A **fully masked row** (every
    key masked for some query) is a slice of all :math:`-\infty`; softmax then
    follows the library's rule for infinite maxima and treats all entries as
    tied, so the weights are uniform, :math:`1/N_k`, and the output is the mean
    of the values. This is the limit of giving every masked score the same
    finite value and letting it go to :math:`-\infty`, and it is what frameworks
    that fill masked scores with a large finite negative number return; the
    textbook formula :math:`e^{-\infty}/\sum e^{-\infty}` is :math:`0/0`, NaN.
    Callers that want zeros for such rows should test ``mask.any(-1)``.

    References
    ----------
    .. [1] A. Vaswani et al., "Attention is all you need", NeurIPS 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import attention
    >>> q = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> k = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> v = np.array([[1.0], [2.0], [4.0]])
    >>> np.round(attention(q, k, v, scale=1.0), 4)
    array([[2.4223],
           [2.6893]])
    >>> np.round(attention(q, k, v, causal=True, scale=1.0), 4)   # query 0 sees key 0
    array([[1.    ],
           [1.7311]])
    >>> keep = np.zeros((2, 3), dtype=bool)                     # a fully masked row
    >>> np.round(attention(q, k, v, mask=keep), 4)              # uniform weights
    array([[2.3333],
           [2.3333]])
    """
    func = "attention"
    qw, kw, vw, s, out_dtype, batch = _inputs(q, k, v, scale, causal, func)
    nq, nk = qw.shape[-2], kw.shape[-2]
    scores = _scores(qw, kw, s, func)
    if mask is not None:
        m = np.asarray(mask)
        if m.dtype != np.bool_:
            raise TypeError(
                f"attention: mask must be a boolean array (True = keep), got dtype {m.dtype}"
            )
        try:
            m = np.broadcast_to(m, batch + (nq, nk))
        except ValueError:
            raise ValueError(
                f"attention: mask of shape {m.shape} does not broadcast to the scores' shape "
                f"{batch + (nq, nk)}"
            ) from None
        scores = np.where(m, scores, -np.inf)
    if causal:
        scores = np.where(_causal_keep(0, nq, 0, nk), scores, -np.inf)
    weights = softmax(scores, axis=-1)
    result: FloatArray = np.matmul(weights, vw).astype(out_dtype, copy=False)
    return result


def flash_attention_forward(
    q: ArrayLike,
    k: ArrayLike,
    v: ArrayLike,
    *,
    block_q: int,
    block_k: int,
    causal: bool = False,
    scale: float | None = None,
) -> tuple[FloatArray, NDArray[np.float64]]:
    r"""Attention computed block by block with the online-softmax merge.

    For each block of `block_q` queries, the key blocks of `block_k` keys are
    visited in order, carrying per query a running maximum :math:`m`, a running
    sum :math:`\ell` of :math:`e^{\text{score} - m}` and an unnormalised output;
    a new block rescales them by :math:`e^{m_\text{old} - m_\text{new}}`. The
    division by :math:`\ell` is deferred to the end. Only one
    ``block_q x block_k`` block of scores exists at any time.

    Parameters
    ----------
    q, k, v : array_like
        As in :func:`attention`: shapes ``(..., Nq, d)``, ``(..., Nk, d)``,
        ``(..., Nk, dv)``.
    block_q, block_k : int
        Positive block sizes (keyword only). Blocks at the end may be shorter.
    causal : bool, optional
        Keep key ``j`` for query ``i`` only when ``j <= i``; key blocks entirely
        above the diagonal are skipped. Default False.
    scale : float, optional
        Positive factor of the scores; default :math:`1/\sqrt{d}`.

    Returns
    -------
    out : ndarray, shape (..., Nq, dv)
        The attention output, in the common dtype of the inputs.
    lse : ndarray of float64, shape (..., Nq)
        Log-sum-exp of each query's (masked, scaled) scores, :math:`m + \log\ell`,
        kept for :func:`flash_attention_backward`.

    Raises
    ------
    TypeError, ValueError
        As :func:`attention`, and if a block size is not a positive int.

    See Also
    --------
    attention : The direct computation.
    flash_attention_backward : Gradients from `out` and `lse`.
    softmax_lib.merge_partials : The merge rule on its own.

    Notes
    -----
    In exact arithmetic the result equals :func:`attention` for every choice of
    block sizes (the merge rule is exact); in floating point the two differ by
    rounding only, a few units in the last place of float64 in the book's
    measurements (Chapter 8).

    References
    ----------
    .. [1] T. Dao, D. Y. Fu, S. Ermon, A. Rudra and C. Ré, "FlashAttention: fast
       and memory-efficient exact attention with IO-awareness", NeurIPS 2022.
    .. [2] T. Dao, "FlashAttention-2: faster attention with better parallelism and
       work partitioning", 2023, arXiv:2307.08691.
    .. [3] M. Milakov and N. Gimelshein, "Online normalizer calculation for
       softmax", 2018, arXiv:1805.02867.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import attention, flash_attention_forward
    >>> rng = np.random.default_rng(0)
    >>> q, k, v = rng.normal(size=(5, 4)), rng.normal(size=(7, 4)), rng.normal(size=(7, 3))
    >>> out, lse = flash_attention_forward(q, k, v, block_q=2, block_k=3)
    >>> bool(np.allclose(out, attention(q, k, v), rtol=1e-14, atol=0))
    True
    >>> lse.shape
    (5,)
    """
    func = "flash_attention_forward"
    bq = check_positive_int(block_q, func, "block_q")
    bk = check_positive_int(block_k, func, "block_k")
    qw, kw, vw, s, out_dtype, batch = _inputs(q, k, v, scale, causal, func)
    nq, nk, dv = qw.shape[-2], kw.shape[-2], vw.shape[-1]
    out = np.empty(batch + (nq, dv))
    lse = np.empty(batch + (nq,))
    for i0 in range(0, nq, bq):
        i1 = min(nq, i0 + bq)
        qi = qw[..., i0:i1, :]
        m = np.full(batch + (i1 - i0, 1), -np.inf)
        ell = np.zeros(batch + (i1 - i0, 1))
        acc = np.zeros(batch + (i1 - i0, dv))
        for j0 in range(0, nk, bk):
            if causal and j0 > i1 - 1:
                break  # this key block and all later ones are above the diagonal
            j1 = min(nk, j0 + bk)
            sc = _scores(qi, kw[..., j0:j1, :], s, func)
            if causal and j1 - 1 > i0:
                sc = np.where(_causal_keep(i0, i1, j0, j1), sc, -np.inf)
            # Every row keeps key 0, in the first block visited, so m_new is finite.
            m_new = np.maximum(m, sc.max(axis=-1, keepdims=True))
            p = np.exp(sc - m_new)
            alpha = np.exp(m - m_new)  # 0 on the first block, where m = -inf
            ell = alpha * ell + p.sum(axis=-1, keepdims=True)
            acc = alpha * acc + np.matmul(p, vw[..., j0:j1, :])
            m = m_new
        out[..., i0:i1, :] = acc / ell
        lse[..., i0:i1] = (m + np.log(ell))[..., 0]
    return out.astype(out_dtype, copy=False), lse


def _unbroadcast(grad: FloatArray, shape: tuple[int, ...]) -> FloatArray:
    """Sum `grad` over the axes along which an array of `shape` was broadcast."""
    extra = grad.ndim - len(shape)
    g = grad.sum(axis=tuple(range(extra))) if extra else grad
    ones = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=ones, keepdims=True) if ones else g


def flash_attention_backward(
    q: ArrayLike,
    k: ArrayLike,
    v: ArrayLike,
    out: ArrayLike,
    lse: ArrayLike,
    dout: ArrayLike,
    *,
    block_q: int,
    block_k: int,
    causal: bool = False,
    scale: float | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""Gradients of attention, block by block, recomputing the weights from `lse`.

    Given the upstream gradient :math:`dO` of a loss with respect to the output,
    returns the gradients with respect to `q`, `k` and `v`. The weights of each
    block are recomputed as :math:`P = e^{S - \text{lse}}` instead of being
    stored, and the softmax backward pass uses
    :math:`D_i = \sum_c dO_{ic} O_{ic}`, which equals
    :math:`\sum_j P_{ij}\,dP_{ij}` (Chapter 8), so that
    :math:`dS = P \odot (dP - D)` needs no full row of :math:`P`.

    Parameters
    ----------
    q, k, v : array_like
        The inputs of :func:`flash_attention_forward`.
    out : array_like, shape (..., Nq, dv)
        Its output (any leading axes that broadcast to the batch shape).
    lse : array_like, shape (..., Nq)
        Its per-query log-sum-exp.
    dout : array_like, shape (..., Nq, dv)
        Gradient of the loss with respect to `out`.
    block_q, block_k : int
        Positive block sizes; they need not equal those of the forward pass.
    causal : bool, optional
        As in the forward pass.
    scale : float, optional
        As in the forward pass; default :math:`1/\sqrt{d}`.

    Returns
    -------
    dq, dk, dv : ndarray
        Gradients with the shapes and dtypes of `q`, `k`, `v` (float64 for
        integer inputs); gradients of broadcast inputs are summed over the
        broadcast axes.

    Raises
    ------
    TypeError, ValueError
        As :func:`flash_attention_forward`, and if `out`, `lse` or `dout` have
        the wrong shape or are not finite.

    See Also
    --------
    flash_attention_forward : The forward pass that produces `out` and `lse`.

    References
    ----------
    .. [1] T. Dao, D. Y. Fu, S. Ermon, A. Rudra and C. Ré, "FlashAttention: fast
       and memory-efficient exact attention with IO-awareness", NeurIPS 2022.
    .. [2] T. Dao, "FlashAttention-2: faster attention with better parallelism and
       work partitioning", 2023, arXiv:2307.08691.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import flash_attention_forward, flash_attention_backward
    >>> from softmax_lib.testing import numerical_gradient
    >>> rng = np.random.default_rng(1)
    >>> q, k, v = rng.normal(size=(4, 3)), rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    >>> w = rng.normal(size=(4, 2))                       # loss = sum(w * out)
    >>> out, lse = flash_attention_forward(q, k, v, block_q=2, block_k=4)
    >>> dq, dk, dv = flash_attention_backward(q, k, v, out, lse, w, block_q=3, block_k=2)
    >>> loss = lambda x: float(np.sum(w * flash_attention_forward(
    ...     x, k, v, block_q=2, block_k=4)[0]))
    >>> bool(np.allclose(dq, numerical_gradient(loss, q), rtol=1e-7, atol=1e-9))
    True
    """
    func = "flash_attention_backward"
    bq = check_positive_int(block_q, func, "block_q")
    bk = check_positive_int(block_k, func, "block_k")
    qw, kw, vw, s, _, batch = _inputs(q, k, v, scale, causal, func)
    nq, nk, dv = qw.shape[-2], kw.shape[-2], vw.shape[-1]
    extra = []
    for name, x, tail in (("out", out, (nq, dv)), ("lse", lse, (nq,)), ("dout", dout, (nq, dv))):
        arr = as_real_array(x, func, name)
        try:
            arr = np.broadcast_to(arr.astype(np.float64, copy=False), batch + tail)
        except ValueError:
            raise ValueError(
                f"{func}: {name} must have shape {batch + tail}, got {arr.shape}"
            ) from None
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{func}: {name} must be finite (no inf or NaN)")
        extra.append(arr)
    ow, lw, gw = extra
    big_d = np.sum(gw * ow, axis=-1, keepdims=True)  # D_i = rowsum(dO * O)
    lcol = lw[..., None]
    dq = np.zeros(qw.shape)
    dk = np.zeros(kw.shape)
    dvv = np.zeros(vw.shape)
    for j0 in range(0, nk, bk):
        j1 = min(nk, j0 + bk)
        kj, vj = kw[..., j0:j1, :], vw[..., j0:j1, :]
        first = (j0 // bq) * bq if causal else 0  # query blocks below the diagonal
        for i0 in range(first, nq, bq):
            i1 = min(nq, i0 + bq)
            if causal and j0 > i1 - 1:
                continue
            qi, gi = qw[..., i0:i1, :], gw[..., i0:i1, :]
            p = np.exp(_scores(qi, kj, s, func) - lcol[..., i0:i1, :])
            if causal and j1 - 1 > i0:
                p = np.where(_causal_keep(i0, i1, j0, j1), p, 0.0)
            dvv[..., j0:j1, :] += np.matmul(np.swapaxes(p, -1, -2), gi)
            dp = np.matmul(gi, np.swapaxes(vj, -1, -2))
            ds = p * (dp - big_d[..., i0:i1, :])
            dq[..., i0:i1, :] += s * np.matmul(ds, kj)
            dk[..., j0:j1, :] += s * np.matmul(np.swapaxes(ds, -1, -2), qi)
    grads = []
    for g, x in ((dq, q), (dk, k), (dvv, v)):
        orig = as_real_array(x, func)
        grads.append(_unbroadcast(g, orig.shape).astype(orig.dtype, copy=False))
    return grads[0], grads[1], grads[2]
