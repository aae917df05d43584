"""Large output spaces: chunked and sampled training losses, trees, and decoding.

The tools of the book's chapter on large vocabularies:

* :func:`chunked_cross_entropy` computes the mean softmax cross-entropy of a
  linear output layer and its gradients without ever holding the full
  (examples x vocabulary) matrix of logits;
* :func:`sampled_softmax_loss` is the sampled-softmax estimate of that loss and
  gradient, with or without the log Q correction;
* :func:`huffman_paths` and :func:`hierarchical_log_prob` build a binary tree of
  sigmoids over the vocabulary and evaluate its exactly normalised
  log-probabilities;
* :func:`top_k_top_p_filter` applies top-k, nucleus (top-p) and min-p filtering
  to a distribution given by its logits, and :func:`gumbel_top_k` samples k
  distinct tokens without replacement.

Everything is computed in float64 (float16/32 inputs are promoted); the
functions are meant for exact checks at small scale, not for speed.
"""

from __future__ import annotations

import heapq
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._core import log_sigmoid, logsumexp, softmax
from ._validation import as_real_array, check_labels, check_positive_int, check_real

__all__ = [
    "CrossEntropyResult",
    "chunked_cross_entropy",
    "sampled_softmax_loss",
    "huffman_paths",
    "hierarchical_log_prob",
    "top_k_top_p_filter",
    "gumbel_top_k",
]

Float = NDArray[np.float64]


class CrossEntropyResult(NamedTuple):
    """Mean loss and its gradients with respect to `h`, `w` and the bias."""

    loss: float
    grad_h: Float
    grad_w: Float
    grad_bias: Float


def _matrix(x: Any, func: str, name: str, ncols: int | None = None) -> Float:
    arr = as_real_array(x, func, name)
    if arr.ndim != 2:
        raise ValueError(f"{func}: {name} must be a 2-D array, got shape {arr.shape}")
    if ncols is not None and arr.shape[1] != ncols:
        raise ValueError(
            f"{func}: {name} must have {ncols} columns to match h, got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{func}: {name} must contain only finite numbers")
    return np.asarray(arr, dtype=np.float64)


def _layer(
    h: Any, w: Any, bias: Any, labels: Any, func: str
) -> tuple[Float, Float, Float, NDArray[np.intp]]:
    hh = _matrix(h, func, "h")
    ww = _matrix(w, func, "w", hh.shape[1])
    if hh.shape[0] == 0 or ww.shape[0] == 0:
        raise ValueError(f"{func}: h and w must not be empty, got {hh.shape} and {ww.shape}")
    v = ww.shape[0]
    if bias is None:
        b = np.zeros(v)
    else:
        b = np.asarray(as_real_array(bias, func, "bias"), dtype=np.float64)
        if b.shape != (v,) or not np.all(np.isfinite(b)):
            raise ValueError(
                f"{func}: bias must be a finite vector of length {v}, got shape {b.shape}"
            )
    y = check_labels(labels, hh.shape[0], v, func)
    return hh, ww, b, y


def chunked_cross_entropy(
    h: ArrayLike,
    w: ArrayLike,
    labels: ArrayLike,
    *,
    chunk_size: int,
    bias: ArrayLike | None = None,
) -> CrossEntropyResult:
    r"""Mean softmax cross-entropy of ``h @ w.T + bias`` and its gradients, by vocabulary chunks.

    The logits of example ``i`` are ``z_i = w @ h_i + bias``; the loss is
    ``mean_i(logsumexp(z_i) - z_i[labels[i]])``. The (N, V) logit matrix is never
    formed: a first pass over blocks of `chunk_size` vocabulary rows accumulates
    each example's log-sum-exp by the online (running-maximum) rule, a second pass
    recomputes each block of logits and adds its share of the gradients.

    Parameters
    ----------
    h : array_like, shape (N, d)
        Context (hidden) vectors, one row per example.
    w : array_like, shape (V, d)
        Output vectors, one row per vocabulary entry.
    labels : array_like of int, shape (N,)
        Target classes in ``0, ..., V - 1``.
    chunk_size : int
        Number of vocabulary rows per block; peak extra memory is about
        ``N * chunk_size`` floats.
    bias : array_like, shape (V,), optional
        Output bias (zero if omitted).

    Returns
    -------
    CrossEntropyResult
        ``(loss, grad_h, grad_w, grad_bias)``: the mean loss (a float) and its
        gradients with shapes (N, d), (V, d) and (V,), in float64.

    Raises
    ------
    TypeError
        If an argument has the wrong type (for example float labels).
    ValueError
        If shapes disagree, labels are out of range or an input is not finite.

    Notes
    -----
    With ``p_i = softmax(z_i)`` and ``e_y`` the one-hot target, the gradient of the
    mean loss with respect to ``z_i`` is ``(p_i - e_y) / N``, so
    ``grad_h = G @ w``, ``grad_w = G.T @ h`` and ``grad_bias = G.sum(0)`` with
    ``G`` the (N, V) matrix of those rows; both are sums over vocabulary blocks.
    This is the blockwise scheme of Wijmans et al. (2024) written in numpy.
    Time is that of the direct computation plus one extra pass of matrix
    products; memory falls from O(NV) to O(N * chunk_size + Vd).

    References
    ----------
    .. [1] E. Wijmans, B. Huval, A. Hertzberg, V. Koltun and P. Kraehenbuehl,
       "Cut your losses in large-vocabulary language models", preprint,
       2024.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> h, w = rng.normal(size=(4, 3)), rng.normal(size=(10, 3))
    >>> y = np.array([0, 3, 9, 3])
    >>> res = chunked_cross_entropy(h, w, y, chunk_size=4)
    >>> z = h @ w.T
    >>> direct = np.mean(np.log(np.exp(z).sum(1)) - z[np.arange(4), y])
    >>> bool(abs(res.loss - direct) < 1e-14)
    True
    >>> res.grad_w.shape
    (10, 3)
    """
    func = "chunked_cross_entropy"
    hh, ww, b, y = _layer(h, w, bias, labels, func)
    c = check_positive_int(chunk_size, func, "chunk_size")
    n, v = hh.shape[0], ww.shape[0]
    # Pass 1: running max m and running sum s of exp(z - m), per example.
    m = np.full(n, -np.inf)
    s = np.zeros(n)
    for start in range(0, v, c):
        z = hh @ ww[start : start + c].T + b[start : start + c]
        m_new = np.maximum(m, z.max(axis=1))
        s = s * np.exp(m - m_new) + np.exp(z - m_new[:, None]).sum(axis=1)
        m = m_new
    lse = m + np.log(s)
    target = np.einsum("ij,ij->i", hh, ww[y]) + b[y]
    loss = float(np.mean(lse - target))
    # Pass 2: gradients, block by block.
    grad_h = np.zeros_like(hh)
    grad_w = np.zeros_like(ww)
    grad_b = np.zeros(v)
    rows = np.arange(n)
    for start in range(0, v, c):
        stop = min(start + c, v)
        g = np.exp(hh @ ww[start:stop].T + b[start:stop] - lse[:, None])
        hit = (y >= start) & (y < stop)
        g[rows[hit], y[hit] - start] -= 1.0
        g /= n
        grad_h += g @ ww[start:stop]
        grad_w[start:stop] = g.T @ hh
        grad_b[start:stop] = g.sum(axis=0)
    return CrossEntropyResult(loss, grad_h, grad_w, grad_b)


def sampled_softmax_loss(
    h: ArrayLike,
    w: ArrayLike,
    labels: ArrayLike,
    samples: ArrayLike,
    proposal: ArrayLike,
    *,
    correct: bool = True,
    bias: ArrayLike | None = None,
) -> CrossEntropyResult:
    r"""Sampled-softmax estimate of the mean cross-entropy and its gradients.

    Each example's candidate set is its target followed by the shared negative
    `samples` (drawn by the caller from `proposal`, with replacement). The loss
    of example ``i`` is the cross-entropy of the target among the candidates,
    computed on the adjusted logits ``a_ic = z_ic - log q_c`` (``correct=True``,
    the log Q correction of Jean et al. 2015) or ``a_ic = z_ic``
    (``correct=False``, the naive sampled loss).

    Parameters
    ----------
    h : array_like, shape (N, d)
        Context vectors.
    w : array_like, shape (V, d)
        Output vectors.
    labels : array_like of int, shape (N,)
        Target classes.
    samples : array_like of int, shape (S,)
        Negative classes shared by the batch, drawn i.i.d. from `proposal`; a
        sample may equal a target and is then kept (it is part of the estimate).
    proposal : array_like, shape (V,)
        The sampling distribution q: positive entries (a class with q = 0 can
        never be sampled and its share of the normaliser is then never seen),
        summing to one within 1e-6.
    correct : bool, default True
        Subtract ``log q`` from every candidate's logit.
    bias : array_like, shape (V,), optional
        Output bias.

    Returns
    -------
    CrossEntropyResult
        ``(loss, grad_h, grad_w, grad_bias)`` of the sampled loss; gradient rows
        of classes that are not candidates are zero.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If shapes disagree, labels or samples are out of range, or `proposal` is
        not a positive probability vector.

    Notes
    -----
    With the correction, the candidates' softmax weights are self-normalised
    importance weights: as S grows, the gradient with respect to the logits
    converges almost surely to the exact ``(p_i - e_y) / N``, but for finite S
    it is a ratio estimator and biased. Without the correction it converges to
    the gradient of the cross-entropy of ``softmax(z + log q)`` instead
    (Bengio and Senecal 2008). The loss value with the correction differs from
    the full loss by about ``log(S q_y)``, a constant for the parameters.

    References
    ----------
    .. [1] Y. Bengio and J.-S. Senecal, "Adaptive importance sampling to
       accelerate training of a neural probabilistic language model", IEEE
       Trans. Neural Networks 19(4), 2008.
    .. [2] S. Jean, K. Cho, R. Memisevic and Y. Bengio, "On using very large
       target vocabulary for neural machine translation", ACL 2015.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> h, w = rng.normal(size=(2, 3)), rng.normal(size=(6, 3))
    >>> q = np.full(6, 1 / 6)
    >>> res = sampled_softmax_loss(h, w, [1, 4], rng.choice(6, size=5, p=q), q)
    >>> res.grad_w.shape
    (6, 3)
    >>> bool(np.isclose(res.grad_bias.sum(), 0.0))
    True
    """
    func = "sampled_softmax_loss"
    hh, ww, b, y = _layer(h, w, bias, labels, func)
    v = ww.shape[0]
    smp = np.asarray(samples)
    if smp.ndim != 1 or smp.size == 0:
        raise ValueError(f"{func}: samples must be a non-empty 1-D array, got shape {smp.shape}")
    smp = check_labels(smp, smp.shape[0], v, func)
    q = np.asarray(as_real_array(proposal, func, "proposal"), dtype=np.float64)
    if q.shape != (v,) or not np.all(np.isfinite(q)) or np.any(q <= 0.0):
        raise ValueError(
            f"{func}: proposal must be a vector of {v} positive probabilities, "
            f"got shape {q.shape}"
        )
    if abs(q.sum() - 1.0) > 1e-6:
        raise ValueError(f"{func}: proposal must sum to one, got sum {q.sum():.6g}")
    if not isinstance(correct, (bool, np.bool_)):
        raise TypeError(f"{func}: correct must be True or False, got {correct!r}")
    n = hh.shape[0]
    cand = np.concatenate([y[:, None], np.broadcast_to(smp, (n, smp.size))], axis=1)
    a = np.einsum("nd,nkd->nk", hh, ww[cand]) + b[cand]
    if correct:
        a = a - np.log(q[cand])
    lse = logsumexp(a, axis=1)
    loss = float(np.mean(lse - a[:, 0]))
    g = softmax(a, axis=1)
    g[:, 0] -= 1.0
    g /= n
    grad_h = np.einsum("nk,nkd->nd", g, ww[cand])
    grad_w = np.zeros_like(ww)
    np.add.at(grad_w, cand.ravel(), (g[:, :, None] * hh[:, None, :]).reshape(-1, hh.shape[1]))
    grad_b = np.bincount(cand.ravel(), weights=g.ravel(), minlength=v).astype(np.float64)
    return CrossEntropyResult(loss, grad_h, grad_w, grad_b)


def huffman_paths(counts: ArrayLike) -> tuple[NDArray[np.intp], NDArray[np.int8]]:
    """Root-to-leaf paths of a Huffman tree over ``V = len(counts)`` classes.

    The tree has ``V - 1`` internal nodes, numbered ``0, ..., V - 2`` with the
    root last; frequent classes get short paths (Mikolov et al. 2013). Equal
    counts give a balanced tree with depth ``ceil(log2 V)``.

    Parameters
    ----------
    counts : array_like, shape (V,)
        Non-negative finite class frequencies, V >= 2. Ties are broken by class
        index, so the tree is deterministic.

    Returns
    -------
    nodes : ndarray of intp, shape (V, L)
        ``nodes[c, j]`` is the j-th internal node on the path from the root to
        class ``c`` (L is the depth of the deepest leaf); padding entries are 0.
    signs : ndarray of int8, shape (V, L)
        +1 to go left at that node, -1 to go right, 0 for padding.

    Raises
    ------
    TypeError
        If `counts` is not real.
    ValueError
        If `counts` is not a 1-D vector of at least two non-negative finite numbers.

    Examples
    --------
    >>> nodes, signs = huffman_paths([1, 1, 1, 1])
    >>> signs
    array([[ 1,  1],
           [ 1, -1],
           [-1,  1],
           [-1, -1]], dtype=int8)
    >>> [int((s != 0).sum()) for s in huffman_paths([8, 4, 2, 1])[1]]
    [1, 2, 3, 3]
    """
    func = "huffman_paths"
    f = as_real_array(counts, func, "counts")
    if f.ndim != 1 or f.size < 2 or not np.all(np.isfinite(f)) or np.any(f < 0):
        raise ValueError(
            f"{func}: counts must be a 1-D vector of at least two non-negative finite "
            f"numbers, got shape {f.shape}"
        )
    v = f.size
    # Heap items: (count, tie-break order, node id); leaves are ids 0..V-1,
    # internal node k gets id V + k.
    heap: list[tuple[float, int, int]] = [(float(f[i]), i, i) for i in range(v)]
    heapq.heapify(heap)
    children: list[tuple[int, int]] = []
    while len(heap) > 1:
        c1, o1, a = heapq.heappop(heap)
        c2, o2, b = heapq.heappop(heap)
        left, right = (a, b) if o1 < o2 else (b, a)
        children.append((left, right))
        heapq.heappush(heap, (c1 + c2, min(o1, o2), v + len(children) - 1))
    paths: list[list[tuple[int, int]]] = [[] for _ in range(v)]
    stack: list[tuple[int, list[tuple[int, int]]]] = [(v + len(children) - 1, [])]
    while stack:
        node, path = stack.pop()
        if node < v:
            paths[node] = path
            continue
        k = node - v
        left, right = children[k]
        stack.append((left, path + [(k, 1)]))
        stack.append((right, path + [(k, -1)]))
    depth = max(len(p) for p in paths)
    nodes = np.zeros((v, depth), dtype=np.intp)
    signs = np.zeros((v, depth), dtype=np.int8)
    for c, p in enumerate(paths):
        for j, (k, s) in enumerate(p):
            nodes[c, j] = k
            signs[c, j] = s
    return nodes, signs


def hierarchical_log_prob(
    h: ArrayLike,
    node_w: ArrayLike,
    nodes: ArrayLike,
    signs: ArrayLike,
    labels: ArrayLike | None = None,
) -> Float:
    r"""Log-probabilities of a hierarchical softmax (a binary tree of sigmoids).

    Class ``c`` is reached by a root-to-leaf path; at internal node ``k`` the
    model goes left with probability ``sigmoid(h @ node_w[k])``. So
    ``log p(c | h) = sum_j log_sigmoid(signs[c, j] * h @ node_w[nodes[c, j]])``,
    a sum over the path (O(depth) = O(log V) work for a balanced tree).

    Parameters
    ----------
    h : array_like, shape (N, d)
        Context vectors.
    node_w : array_like, shape (V - 1, d)
        One vector per internal node.
    nodes, signs : array_like, shape (V, L)
        The tree, as returned by :func:`huffman_paths`.
    labels : array_like of int, shape (N,), optional
        If given, return only ``log p(labels[i] | h_i)``, touching the nodes on
        each label's path alone.

    Returns
    -------
    ndarray of float64
        Shape (N,) with `labels`, otherwise the full (N, V) matrix (whose rows
        exponentiate to probability vectors that sum to one exactly in exact
        arithmetic, since ``sigmoid(x) + sigmoid(-x) = 1`` at every node).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If shapes disagree or an input is not finite.

    References
    ----------
    .. [1] F. Morin and Y. Bengio, "Hierarchical probabilistic neural network
       language model", AISTATS 2005.

    Examples
    --------
    >>> import numpy as np
    >>> nodes, signs = huffman_paths([5, 3, 1, 1])
    >>> rng = np.random.default_rng(0)
    >>> h, u = rng.normal(size=(2, 3)), rng.normal(size=(3, 3))
    >>> lp = hierarchical_log_prob(h, u, nodes, signs)
    >>> np.round(np.exp(lp).sum(axis=1), 12)
    array([1., 1.])
    >>> bool(np.allclose(hierarchical_log_prob(h, u, nodes, signs, [2, 0]), lp[[0, 1], [2, 0]]))
    True
    """
    func = "hierarchical_log_prob"
    hh = _matrix(h, func, "h")
    uu = _matrix(node_w, func, "node_w", hh.shape[1])
    nd = np.asarray(nodes)
    sg = np.asarray(signs)
    if nd.dtype.kind not in "iu" or sg.dtype.kind not in "iu":
        raise TypeError(f"{func}: nodes and signs must be integer arrays")
    v = uu.shape[0] + 1
    if nd.ndim != 2 or nd.shape != sg.shape or nd.shape[0] != v:
        raise ValueError(
            f"{func}: nodes and signs must both have shape ({v}, L) for {v - 1} node "
            f"vectors, got {nd.shape} and {sg.shape}"
        )
    if nd.size and (nd.min() < 0 or nd.max() >= v - 1):
        raise ValueError(f"{func}: nodes must lie in 0, ..., {v - 2}")
    if not np.all(np.isin(sg, (-1, 0, 1))):
        raise ValueError(f"{func}: signs must be -1, 0 or +1")
    sgf = sg.astype(np.float64)
    if labels is None:
        scores = hh @ uu.T  # (N, V - 1): every node, for the full matrix
        out: Float = (log_sigmoid(scores[:, nd] * sgf) * (sg != 0)).sum(axis=2)
        return out
    y = check_labels(labels, hh.shape[0], v, func)
    path_w = uu[nd[y]]  # (N, L, d): only the nodes on each path
    s = np.einsum("nd,nld->nl", hh, path_w) * sgf[y]
    res: Float = (log_sigmoid(s) * (sg[y] != 0)).sum(axis=1)
    return res


def top_k_top_p_filter(
    logits: ArrayLike,
    *,
    top_k: int | None = None,
    top_p: float | None = None,
    min_p: float | None = None,
) -> Float:
    """Probabilities after top-k, nucleus (top-p) and min-p filtering, renormalised.

    Works along the last axis. The filters are applied in this order, each to
    the renormalised output of the previous one:

    * ``top_k``: keep the tokens whose logit is at least the k-th largest
      (tokens tied with the k-th are all kept) (Fan et al. 2018);
    * ``top_p``: sort by decreasing probability (ties by index) and keep the
      shortest prefix whose mass reaches `top_p` (Holtzman et al. 2020);
    * ``min_p``: keep the tokens with probability at least ``min_p`` times the
      largest (Nguyen et al. 2024).

    Every filter keeps the most probable token, so at least one token survives.

    Parameters
    ----------
    logits : array_like, shape (..., V)
        Finite logits (divide by a temperature first if one is wanted).
    top_k : int, optional
        A positive int; values above V keep everything.
    top_p : float, optional
        In (0, 1].
    min_p : float, optional
        In [0, 1].

    Returns
    -------
    ndarray of float64, shape (..., V)
        Probabilities, zero for removed tokens, each row summing to one.

    Raises
    ------
    TypeError
        If a parameter has the wrong type.
    ValueError
        If a parameter is out of range or the logits are not finite.

    References
    ----------
    .. [1] A. Fan, M. Lewis and Y. Dauphin, "Hierarchical neural story
       generation", ACL 2018.
    .. [2] A. Holtzman, J. Buys, L. Du, M. Forbes and Y. Choi, "The curious case
       of neural text degeneration", ICLR 2020.
    .. [3] M. N. Nguyen, A. Baker, C. Neo, A. Roush, A. Kirsch and
       R. Shwartz-Ziv, "Turning up the heat: min-p sampling for creative and
       coherent LLM outputs", 2024, arXiv:2407.01082.

    Examples
    --------
    >>> import numpy as np
    >>> z = np.log([0.5, 0.2, 0.15, 0.1, 0.05])
    >>> np.round(top_k_top_p_filter(z, top_k=2), 4)
    array([0.7143, 0.2857, 0.    , 0.    , 0.    ])
    >>> np.round(top_k_top_p_filter(z, top_p=0.8), 4)
    array([0.5882, 0.2353, 0.1765, 0.    , 0.    ])
    >>> np.round(top_k_top_p_filter(z, min_p=0.15), 4)
    array([0.5263, 0.2105, 0.1579, 0.1053, 0.    ])
    """
    func = "top_k_top_p_filter"
    z = as_real_array(logits, func, "logits")
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError(f"{func}: logits must have at least one entry on the last axis")
    if not np.all(np.isfinite(z)):
        raise ValueError(f"{func}: logits must contain only finite numbers")
    p: NDArray[Any] = softmax(np.asarray(z, dtype=np.float64), axis=-1)
    if top_k is not None:
        k = check_positive_int(top_k, func, "top_k")
        if k < p.shape[-1]:
            kth = -np.partition(-p, k - 1, axis=-1)[..., k - 1 : k]
            p = np.where(p >= kth, p, 0.0)
            p = p / p.sum(axis=-1, keepdims=True)
    if top_p is not None:
        tp = check_real(top_p, func, "top_p", 0.0, 1.0, lo_open=True)
        order = np.argsort(-p, axis=-1, kind="stable")
        ps = np.take_along_axis(p, order, axis=-1)
        before = np.cumsum(ps, axis=-1) - ps  # mass strictly before each sorted token
        keep_sorted = before < tp
        keep_sorted[..., 0] = True
        keep = np.zeros_like(keep_sorted)
        np.put_along_axis(keep, order, keep_sorted, axis=-1)
        p = np.where(keep, p, 0.0)
        p = p / p.sum(axis=-1, keepdims=True)
    if min_p is not None:
        mp = check_real(min_p, func, "min_p", 0.0, 1.0)
        p = np.where(p >= mp * p.max(axis=-1, keepdims=True), p, 0.0)
        p = p / p.sum(axis=-1, keepdims=True)
    out: Float = np.asarray(p, dtype=np.float64)
    return out


def gumbel_top_k(logits: ArrayLike, k: int, rng: np.random.Generator) -> NDArray[np.intp]:
    """Sample `k` distinct classes without replacement from ``softmax(logits)``.

    Adds independent standard Gumbel noise to the logits and returns the indices
    of the `k` largest perturbed values, largest first. The ordered sample has
    the distribution of drawing from the softmax, removing the drawn class,
    renormalising and repeating (the Plackett-Luce model; Kool et al. 2019).

    Parameters
    ----------
    logits : array_like, shape (..., V)
        Finite logits; the sample is taken along the last axis.
    k : int
        Sample size, ``1 <= k <= V``.
    rng : numpy.random.Generator
        The source of randomness (for example ``np.random.default_rng(0)``).

    Returns
    -------
    ndarray of intp, shape (..., k)
        Distinct class indices in the order drawn.

    Raises
    ------
    TypeError
        If `rng` is not a Generator or `k` is not an int.
    ValueError
        If `k` is out of range or the logits are not finite.

    Notes
    -----
    With ``k = 1`` this is the Gumbel-max trick.

    References
    ----------
    .. [1] W. Kool, H. van Hoof and M. Welling, "Stochastic beams and where to
       find them: the Gumbel-top-k trick for sampling sequences without
       replacement", ICML 2019.

    Examples
    --------
    >>> import numpy as np
    >>> s = gumbel_top_k([2.0, 1.0, 0.0, -1.0], 3, np.random.default_rng(0))
    >>> s.shape, len(set(s.tolist()))
    ((3,), 3)
    """
    func = "gumbel_top_k"
    z = as_real_array(logits, func, "logits")
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError(f"{func}: logits must have at least one entry on the last axis")
    if not np.all(np.isfinite(z)):
        raise ValueError(f"{func}: logits must contain only finite numbers")
    kk = check_positive_int(k, func, "k")
    if kk > z.shape[-1]:
        raise ValueError(f"{func}: k must be at most the number of classes {z.shape[-1]}, got {kk}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{func}: rng must be a numpy.random.Generator, got {type(rng).__name__}"
        )
    perturbed = np.asarray(z, dtype=np.float64) + rng.gumbel(size=z.shape)
    order = np.argsort(-perturbed, axis=-1, kind="stable")[..., :kk]
    out: NDArray[np.intp] = order.astype(np.intp)
    return out
