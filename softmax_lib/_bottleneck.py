"""The softmax bottleneck: rank, fitting, mixtures, sigsoftmax and argmax geometry.

A softmax output layer computes logits as inner products of a context vector
with one vector per class. This module holds the tools that Chapter 7 of the
book uses to study what such a layer can and cannot express:

* :func:`log_prob_matrix` and :func:`numerical_rank` build the contexts-by-classes
  matrix of log-probabilities and measure its rank;
* :func:`fit_softmax_model` fits a softmax (or a mixture of softmaxes) with
  ``d``-dimensional vectors to a target matrix of probabilities by L-BFGS;
* :func:`mixture_of_softmaxes` and :func:`sigsoftmax` are two output layers
  whose log-probabilities are not limited to rank ``d + 1``;
* :func:`unargmaxable_classes` finds the classes that can never be the argmax,
  by one linear program per class;
* :func:`effective_rank` summarises a spectrum, and :func:`estimate_hidden_size`
  reads the hidden size of a softmax model off the log-probability vectors it returns;
* :func:`load_book_text` and :func:`char_ngram_table` build a small language target
  (next-character distributions) from a sample of the book's prose shipped as package
  data.

Only :func:`fit_softmax_model` and :func:`unargmaxable_classes` need SciPy; it
is imported when they are called, so ``import softmax_lib`` needs numpy alone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._core import log_sigmoid, log_softmax, logsumexp, softmax
from ._validation import (
    as_real_array,
    check_bool,
    check_positive_int,
    check_real,
    check_single_axis,
)

__all__ = [
    "log_prob_matrix",
    "numerical_rank",
    "fit_softmax_model",
    "SoftmaxFit",
    "effective_rank",
    "estimate_hidden_size",
    "load_book_text",
    "char_ngram_table",
    "NgramTable",
    "mixture_of_softmaxes",
    "sigsoftmax",
    "unargmaxable_classes",
]


# ---------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------

def _finite_matrix(x: Any, func: str, name: str) -> np.ndarray:
    """Return `x` as a finite 2-D float64 array (a new array), or raise."""
    arr = as_real_array(x, func, name)
    if arr.ndim != 2:
        raise ValueError(
            f"{func}: {name} must be a 2-D array, "
            f"got {arr.ndim} dimension(s) with shape {arr.shape}"
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{func}: {name} must not be empty, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{func}: {name} must contain only finite numbers")
    return np.array(arr, dtype=np.float64, copy=True)


# ---------------------------------------------------------------------------
# Rank
# ---------------------------------------------------------------------------

def log_prob_matrix(
    contexts: ArrayLike, embeddings: ArrayLike, bias: ArrayLike | None = None
) -> NDArray[np.float64]:
    r"""Log-probabilities of a softmax layer for many contexts at once.

    Row :math:`i` holds :math:`\log\operatorname{softmax}(W h_i + b)`, the
    log-probabilities that context vector :math:`h_i` gives to every class.

    Parameters
    ----------
    contexts : array_like, shape (n_contexts, d)
        One context vector :math:`h_i` per row.
    embeddings : array_like, shape (n_classes, d)
        One class (output embedding) vector :math:`w_x` per row.
    bias : array_like, shape (n_classes,), optional
        One bias per class. Default: no bias.

    Returns
    -------
    ndarray, shape (n_contexts, n_classes)
        The matrix :math:`A_{ix} = \log p(x \mid i)`, in float64; every row
        is a log-probability vector (its exponentials sum to one).

    Raises
    ------
    TypeError
        If an argument is not real.
    ValueError
        If `contexts` or `embeddings` is not a non-empty finite 2-D array,
        their second dimensions differ, or `bias` does not have one finite
        entry per class.

    See Also
    --------
    numerical_rank : The rank of the returned matrix.
    log_softmax : Applied to each row of the logits.

    Notes
    -----
    With :math:`H` the matrix of contexts and :math:`W` that of class vectors,
    the result is :math:`A = HW^\top + \mathbf{1}b^\top - c\,\mathbf{1}^\top`
    with :math:`c_i = \operatorname{LSE}(W h_i + b)`. Its rank is therefore at
    most :math:`d + 1` without a bias and :math:`d + 2` with one, however
    many contexts and classes there are: the softmax bottleneck of [1]_.

    References
    ----------
    .. [1] Z. Yang, Z. Dai, R. Salakhutdinov and W. W. Cohen, "Breaking the
       softmax bottleneck: a high-rank RNN language model", ICLR 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import log_prob_matrix, numerical_rank
    >>> rng = np.random.default_rng(0)
    >>> A = log_prob_matrix(rng.normal(size=(50, 3)), rng.normal(size=(40, 3)))
    >>> A.shape
    (50, 40)
    >>> bool(np.allclose(np.exp(A).sum(axis=1), 1.0))
    True
    >>> numerical_rank(A)          # d + 1, although the matrix is 50 x 40
    4
    """
    func = "log_prob_matrix"
    H = _finite_matrix(contexts, func, "contexts")
    W = _finite_matrix(embeddings, func, "embeddings")
    if H.shape[1] != W.shape[1]:
        raise ValueError(
            f"{func}: contexts and embeddings must have the same second dimension d, "
            f"got contexts of shape {H.shape} and embeddings of shape {W.shape}"
        )
    logits = H @ W.T
    if bias is not None:
        b = as_real_array(bias, func, "bias")
        if b.shape != (W.shape[0],):
            raise ValueError(
                f"{func}: bias must have shape ({W.shape[0]},), one entry per class, "
                f"got {b.shape}"
            )
        if not np.all(np.isfinite(b)):
            raise ValueError(f"{func}: bias must contain only finite numbers")
        logits = logits + b.astype(np.float64)
    return np.asarray(log_softmax(logits, axis=1), dtype=np.float64)


def numerical_rank(a: ArrayLike, *, rtol: float = 1e-10) -> int:
    r"""Numerical rank of a matrix: the number of singular values above ``rtol`` times the largest.

    Parameters
    ----------
    a : array_like, shape (m, n)
        A finite real matrix, for example from :func:`log_prob_matrix`.
    rtol : float, optional
        Relative tolerance (keyword only): singular values
        :math:`\sigma_k \le \mathrm{rtol}\cdot\sigma_1` count as zero.
        Default ``1e-10``.

    Returns
    -------
    int
        The numerical rank, between 0 and ``min(m, n)``.

    Raises
    ------
    TypeError
        If `a` is not real or `rtol` is not a number.
    ValueError
        If `a` is not a non-empty finite 2-D array, or `rtol` is not positive
        and finite.

    See Also
    --------
    numpy.linalg.matrix_rank : Called with ``rtol``; its own default is
        :math:`\max(m, n)\,\varepsilon` relative to :math:`\sigma_1`.

    Notes
    -----
    A rank computed in floating point needs a threshold: a matrix of exact
    rank :math:`r` has computed singular values :math:`\sigma_{r+1}, \dots` of
    the order of :math:`\varepsilon\,\sigma_1 \approx 10^{-16}\sigma_1`, not
    zero. The default ``1e-10`` sits far above that rounding level and far
    below the smallest genuine singular values in the book's examples, so
    the count does not change from one machine to another. Always report the
    threshold with the rank.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import numerical_rank
    >>> u, v = np.arange(1.0, 5.0), np.arange(1.0, 4.0)
    >>> numerical_rank(np.outer(u, v))       # exactly rank one
    1
    >>> numerical_rank(np.outer(u, v) + 1e-6 * np.eye(4, 3))
    3
    >>> numerical_rank(np.outer(u, v) + 1e-6 * np.eye(4, 3), rtol=1e-5)
    1
    """
    func = "numerical_rank"
    A = _finite_matrix(a, func, "a")
    r = check_real(rtol, func, "rtol", 0.0, lo_open=True)
    return int(np.linalg.matrix_rank(A, rtol=r))


# ---------------------------------------------------------------------------
# Output layers that escape the bottleneck
# ---------------------------------------------------------------------------

def mixture_of_softmaxes(
    logits: ArrayLike, mixture_logits: ArrayLike, *, log: bool = False
) -> NDArray[np.floating[Any]]:
    r"""Mixture of softmaxes: a weighted average of several softmax distributions.

    .. math::

        p(x) = \sum_{k=1}^{K} \pi_k \operatorname{softmax}(z_k)_x,
        \qquad \pi = \operatorname{softmax}(a).

    Parameters
    ----------
    logits : array_like, shape (..., K, n_classes)
        The logits :math:`z_k` of the :math:`K` components (for a language
        model, :math:`z_k = W h_k` with one context vector per component).
    mixture_logits : array_like, shape (..., K)
        The logits :math:`a` of the mixture weights. Leading dimensions
        broadcast against those of `logits`.
    log : bool, optional
        Return :math:`\log p` instead of :math:`p` (keyword only), computed
        as a log-sum-exp so that it stays exact where :math:`p` underflows.
        Default False.

    Returns
    -------
    ndarray, shape (..., n_classes)
        Probabilities (or log-probabilities) over the classes, in the
        common floating dtype of the two inputs (float64 for integers); the
        computation itself runs in float64.

    Raises
    ------
    TypeError
        If an argument is not real or `log` is not a bool.
    ValueError
        If `logits` has fewer than two dimensions, `mixture_logits` has no
        dimension, the number of components differs, or the leading
        dimensions do not broadcast.

    See Also
    --------
    softmax : The case :math:`K = 1`.
    sigsoftmax : A parameter-free way out of the softmax bottleneck.

    Notes
    -----
    Yang et al. [1]_ proposed the mixture of softmaxes (MoS) to break the
    softmax bottleneck: although each component has log-probabilities of
    low rank, the logarithm of their weighted *average* is a non-linear
    function of the logits, and the matrix of :math:`\log p` over many
    contexts generally has full rank. The log form is computed as
    :math:`\operatorname{LSE}_k(\log\pi_k + \log\operatorname{softmax}(z_k)_x)`
    with the library's :func:`log_softmax` and :func:`logsumexp`.

    References
    ----------
    .. [1] Z. Yang, Z. Dai, R. Salakhutdinov and W. W. Cohen, "Breaking the
       softmax bottleneck: a high-rank RNN language model", ICLR 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import mixture_of_softmaxes, softmax
    >>> z = np.array([[4.0, 0.0, 0.0], [0.0, 0.0, 4.0]])   # two components
    >>> mixture_of_softmaxes(z, [0.0, 0.0])                 # equal weights: two modes
    array([0.49116579, 0.01766842, 0.49116579])
    >>> softmax(z.mean(axis=0))                              # one softmax of the mean logits
    array([0.46831053, 0.06337894, 0.46831053])

    One component is plain softmax; the log form avoids underflow:

    >>> mixture_of_softmaxes([[2.0, 1.0, 0.5]], [0.0])
    array([0.62853172, 0.2312239 , 0.14024438])
    >>> mixture_of_softmaxes([[0.0, -800.0], [0.0, -900.0]], [0.0, 0.0], log=True)
    array([   0.        , -800.69314718])
    """
    func = "mixture_of_softmaxes"
    z = as_real_array(logits, func, "logits")
    a = as_real_array(mixture_logits, func, "mixture_logits")
    log = check_bool(log, func, "log")
    if z.ndim < 2:
        raise ValueError(f"{func}: logits must have shape (..., K, n_classes), got shape {z.shape}")
    if a.ndim < 1:
        raise ValueError(f"{func}: mixture_logits must have shape (..., K), got a scalar")
    if a.shape[-1] != z.shape[-2]:
        raise ValueError(
            f"{func}: mixture_logits has {a.shape[-1]} components but logits has {z.shape[-2]} "
            f"(logits shape {z.shape}, mixture_logits shape {a.shape})"
        )
    try:
        np.broadcast_shapes(z.shape[:-2], a.shape[:-1])
    except ValueError:
        raise ValueError(
            f"{func}: the leading dimensions of logits {z.shape[:-2]} and mixture_logits "
            f"{a.shape[:-1]} do not broadcast"
        ) from None
    out_dtype = np.result_type(z.dtype, a.dtype)
    log_pi = log_softmax(a.astype(np.float64), axis=-1)
    joint = log_pi[..., None] + log_softmax(z.astype(np.float64), axis=-1)
    if log:
        out = logsumexp(joint, axis=-2)
    else:
        with np.errstate(under="ignore"):
            out = np.sum(np.exp(joint), axis=-2)
    return np.asarray(out).astype(out_dtype, copy=False)


def sigsoftmax(x: ArrayLike, axis: int = -1, *, log: bool = False) -> NDArray[np.floating[Any]]:
    r"""Sigsoftmax: softmax weighted by the sigmoid of each logit.

    .. math::

        \operatorname{sigsoftmax}(x)_i = \frac{e^{x_i}\,\sigma(x_i)}{\sum_j e^{x_j}\,\sigma(x_j)}

    Parameters
    ----------
    x : array_like
        Real logits; float16, float32 and float64 keep their dtype.
    axis : int, optional
        The axis along which the outputs sum to one. Default ``-1``.
    log : bool, optional
        Return the logarithm (keyword only). Default False.

    Returns
    -------
    ndarray
        Probabilities (or log-probabilities) with the shape of `x`.

    Raises
    ------
    TypeError
        If `x` is not real, `axis` is not an int or `log` is not a bool.
    ValueError
        If `axis` is out of range.

    See Also
    --------
    softmax, log_sigmoid, mixture_of_softmaxes

    Notes
    -----
    Kanai et al. [1]_ proposed sigsoftmax as an output layer that breaks the
    softmax bottleneck without any extra parameter. It equals
    :math:`\operatorname{softmax}(x + \log\sigma(x))`, and that is how it is
    computed here (with :func:`log_sigmoid`, so nothing overflows): the
    log-output :math:`x_i + \log\sigma(x_i) - \text{const}` is a non-linear
    function of the logit, so over many contexts its matrix is not limited to
    rank :math:`d + 1`. Unlike softmax, sigsoftmax is *not* invariant to
    adding a constant to every logit.

    References
    ----------
    .. [1] S. Kanai, Y. Fujiwara, Y. Yamanaka and S. Adachi, "Sigsoftmax:
       reanalysis of the softmax bottleneck", Advances in Neural Information
       Processing Systems 31 (NeurIPS 2018), pp. 286--296.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import sigsoftmax, softmax
    >>> sigsoftmax([2.0, 1.0, 0.5])
    array([0.68351542, 0.2087037 , 0.10778088])
    >>> sigsoftmax([12.0, 11.0, 10.5])     # not shift invariant: close to softmax here
    array([0.62853514, 0.23122271, 0.14024215])
    >>> softmax([12.0, 11.0, 10.5])
    array([0.62853172, 0.2312239 , 0.14024438])
    >>> sigsoftmax([1000.0, 0.0])
    array([1., 0.])
    """
    func = "sigsoftmax"
    arr = as_real_array(x, func)
    check_single_axis(axis, arr.ndim, func)
    log = check_bool(log, func, "log")
    shifted = arr + log_sigmoid(arr)
    if log:
        return log_softmax(shifted, axis=axis)
    return softmax(shifted, axis=axis)


# ---------------------------------------------------------------------------
# Fitting a (mixture of) softmax model(s) to a target matrix
# ---------------------------------------------------------------------------

def _kl_and_grad_softmax(
    theta: NDArray[np.float64], P: NDArray[np.float64], neg_entropy: float, n: int, m: int, d: int
) -> tuple[float, NDArray[np.float64]]:
    """Mean KL(P_i || softmax(H W^T)_i) over rows, and its gradient in (H, W)."""
    H = theta[: n * d].reshape(n, d)
    W = theta[n * d:].reshape(m, d)
    Z = H @ W.T
    logQ = log_softmax(Z, axis=1)
    kl = (neg_entropy - float(np.sum(P * logQ))) / n
    G = (softmax(Z, axis=1) - P) / n          # d KL / d logits
    return kl, np.concatenate([(G @ W).ravel(), (G.T @ H).ravel()])


def _kl_and_grad_mixture(
    theta: NDArray[np.float64],
    P: NDArray[np.float64],
    neg_entropy: float,
    n: int,
    m: int,
    d: int,
    k: int,
) -> tuple[float, NDArray[np.float64]]:
    """Mean KL for a mixture of k softmaxes, and its gradient in (H, A, W)."""
    H = theta[: n * k * d].reshape(n, k, d)
    A = theta[n * k * d: n * k * d + n * k].reshape(n, k)
    W = theta[n * k * d + n * k:].reshape(m, d)
    Z = H @ W.T                                # (n, k, m)
    log_s = log_softmax(Z, axis=2)
    log_pi = log_softmax(A, axis=1)
    joint = log_pi[:, :, None] + log_s
    logQ = np.asarray(logsumexp(joint, axis=1))  # (n, m)
    kl = (neg_entropy - float(np.sum(P * logQ))) / n
    with np.errstate(under="ignore"):
        resp = np.exp(joint - logQ[:, None, :])    # responsibilities r_ikx
        S = np.exp(log_s)
    U = P[:, None, :] * resp                   # (n, k, m)
    u_sum = U.sum(axis=2)                      # (n, k)
    gZ = -(U - S * u_sum[:, :, None]) / n
    gA = -(u_sum - np.exp(log_pi)) / n
    gH = gZ @ W                                # (n, k, d)
    gW = np.einsum("ikx,ikd->xd", gZ, H)
    return kl, np.concatenate([gH.ravel(), gA.ravel(), gW.ravel()])


@dataclass(frozen=True, eq=False)
class SoftmaxFit:
    r"""Result of :func:`fit_softmax_model`: the fitted model and how the fit went.

    Attributes
    ----------
    kl : float
        Mean Kullback--Leibler divergence :math:`\frac1N\sum_i
        \operatorname{KL}(P_i \,\|\, Q_i)` reached, in nats, without the
        ``l2`` penalty.
    log_probs : ndarray, shape (n_contexts, n_classes)
        The fitted model's log-probabilities :math:`\log Q`.
    contexts : ndarray, shape (n_contexts, d) or (n_contexts, K, d)
        The context vectors :math:`h_i` (one per component for a mixture).
    mixture_logits : ndarray, shape (n_contexts, K), or None
        The logits of the mixture weights; None for a plain softmax.
    embeddings : ndarray, shape (n_classes, d)
        The class vectors :math:`w_x`.
    n_params : int
        Number of fitted numbers: :math:`(N + n)d` for a softmax,
        :math:`N(Kd + K) + nd` for a mixture of :math:`K` softmaxes.
    n_iter : int
        L-BFGS iterations of the best start.
    converged : bool
        Whether L-BFGS met its tolerance on the best start.
    n_starts : int
        Number of starting points tried (``n_restarts``).
    """

    kl: float
    log_probs: NDArray[np.float64]
    contexts: NDArray[np.float64]
    mixture_logits: NDArray[np.float64] | None
    embeddings: NDArray[np.float64]
    n_params: int
    n_iter: int
    converged: bool
    n_starts: int


def fit_softmax_model(
    target: ArrayLike,
    d: int,
    *,
    n_components: int = 1,
    l2: float = 0.0,
    n_restarts: int = 1,
    seed: int = 0,
    maxiter: int = 5000,
    gtol: float = 1e-7,
) -> SoftmaxFit:
    r"""Fit a softmax (or mixture-of-softmaxes) model with ``d``-dimensional vectors to a target.

    Each row of `target` is the true next-class distribution
    :math:`P_i` of one context. The model has a free context vector
    :math:`h_i \in \mathbb{R}^d` per row (or :math:`K` of them plus :math:`K`
    mixture logits when ``n_components = K > 1``) and a class vector
    :math:`w_x \in \mathbb{R}^d` per column, and predicts
    :math:`Q_i = \operatorname{softmax}(W h_i)` (or the mixture
    :math:`\sum_k \pi_{ik}\operatorname{softmax}(W h_{ik})`). The parameters
    minimise the mean Kullback--Leibler divergence

    .. math::

        \frac{1}{N}\sum_{i=1}^{N} \operatorname{KL}(P_i \,\|\, Q_i)
        = \frac{1}{N}\sum_{i,x} P_{ix}\,(\log P_{ix} - \log Q_{ix}).

    Parameters
    ----------
    target : array_like, shape (n_contexts, n_classes)
        Non-negative rows that each sum to one (within ``1e-8``).
    d : int
        Dimension of the context and class vectors.
    n_components : int, optional
        Number of softmax components :math:`K` (keyword only). Default 1,
        a plain softmax.
    l2 : float, optional
        Weight :math:`\lambda \ge 0` of a penalty :math:`\lambda\lVert\theta\rVert^2`
        on all parameters, added to the objective (keyword only). Default 0.
        A mixture needs one to converge (see Notes).
    n_restarts : int, optional
        Number of starting points (keyword only). Default 1: only the
        deterministic start described in Notes. Further starts are seeded
        random perturbations of it; the fit with the lowest objective wins.
    seed : int, optional
        Seed of the random perturbations (keyword only; used by mixtures
        and by restarts). Default 0.
    maxiter : int, optional
        Maximum number of L-BFGS iterations per start (keyword only).
        Default 5000.
    gtol : float, optional
        L-BFGS stops when the largest gradient entry is below this (keyword
        only). Default ``1e-7``.

    Returns
    -------
    SoftmaxFit
        A frozen record with the KL reached, the model's log-probabilities,
        its parameters, their number, and whether L-BFGS converged.

    Raises
    ------
    TypeError
        If `target` is not real or an integer argument is not an int.
    ValueError
        If `target` is not a finite 2-D array of probability rows, `d`,
        `n_components`, `n_restarts`, `maxiter` or `gtol` is not positive, or
        `l2` is negative.
    ImportError
        If SciPy is not installed.

    See Also
    --------
    log_prob_matrix, mixture_of_softmaxes, numerical_rank

    Notes
    -----
    The problem is not convex (the logits :math:`h_i^\top w_x` are bilinear in
    the parameters), so L-BFGS [1]_ finds a local minimum, and the KL it
    reports is an upper bound on the true floor; more restarts can only lower
    it. The first start is deterministic: a plain softmax starts from the
    rank-``d`` truncated SVD of the row-centred :math:`\log P` (the best
    rank-``d`` fit in the least-squares sense), and the components of a
    mixture start from that same point plus a small seeded perturbation.
    Gradients are analytic: for a softmax, :math:`\partial\,\mathrm{KL} /
    \partial z_{ix} = (Q_{ix} - P_{ix}) / N`, computed with the library's
    :func:`softmax` and :func:`log_softmax`. Entries with :math:`P_{ix} = 0`
    contribute nothing (:math:`0 \log 0 = 0`).

    A mixture's infimum is often not attained: its components can keep
    sharpening and lower the KL ever more slowly, so L-BFGS never meets its
    tolerance. A penalty ``l2`` makes the minimum exist; with one of about
    ``1e-4`` or more the small fits of the book converge.

    Without a bias, a softmax with ``d >= rank(log P) - 1`` can fit a target
    with positive entries exactly; below that the KL has a positive floor
    (Chapter 7 proves both, after Yang et al.).

    References
    ----------
    .. [1] D. C. Liu and J. Nocedal, "On the limited memory BFGS method for
       large scale optimization", *Mathematical Programming* 45, 1989,
       pp. 503--528.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import fit_softmax_model, softmax
    >>> rng = np.random.default_rng(0)
    >>> P = softmax(2.0 * rng.normal(size=(12, 12)))      # a full-rank target
    >>> low = fit_softmax_model(P, 2)
    >>> high = fit_softmax_model(P, 11)                    # d = n_classes - 1 fits exactly
    >>> bool(low.kl > 0.05), bool(high.kl < 1e-8), low.converged
    (True, True, True)
    >>> low.contexts.shape, low.embeddings.shape, low.n_params
    ((12, 2), (12, 2), 48)
    """
    func = "fit_softmax_model"
    P = _finite_matrix(target, func, "target")
    d = check_positive_int(d, func, "d")
    k = check_positive_int(n_components, func, "n_components")
    n_restarts = check_positive_int(n_restarts, func, "n_restarts")
    maxiter = check_positive_int(maxiter, func, "maxiter")
    gtol = check_real(gtol, func, "gtol", 0.0, lo_open=True)
    l2 = check_real(l2, func, "l2", 0.0)
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{func}: seed must be an int, got {type(seed).__name__} {seed!r}")
    if np.any(P < 0):
        raise ValueError(
            f"{func}: target must be non-negative (rows are probability distributions)"
        )
    if not np.allclose(P.sum(axis=1), 1.0, rtol=0.0, atol=1e-8):
        raise ValueError(f"{func}: every row of target must sum to one (within 1e-8)")
    try:
        from scipy.optimize import minimize
    except ImportError as exc:  # pragma: no cover - scipy is installed with the book
        raise ImportError(f"{func} needs SciPy (pip install scipy)") from exc

    n, m = P.shape
    positive = P > 0
    neg_entropy = float(np.sum(P[positive] * np.log(P[positive])))

    # Deterministic start: truncated SVD of the row-centred log-target.
    L = np.log(np.where(positive, P, np.min(P[positive])))
    L = L - L.mean(axis=1, keepdims=True)
    U, s, Vt = np.linalg.svd(L, full_matrices=False)
    r = min(d, s.size)
    H0 = np.zeros((n, d))
    W0 = np.zeros((m, d))
    H0[:, :r] = U[:, :r] * np.sqrt(s[:r])
    W0[:, :r] = Vt[:r].T * np.sqrt(s[:r])
    rng = np.random.default_rng(seed)
    scale = 0.5 * max(float(np.std(H0)), 1e-3)

    def kl_grad(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        if k == 1:
            return _kl_and_grad_softmax(theta, P, neg_entropy, n, m, d)
        return _kl_and_grad_mixture(theta, P, neg_entropy, n, m, d, k)

    def fun(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        value, grad = kl_grad(theta)
        if l2:
            return value + l2 * float(theta @ theta), grad + 2.0 * l2 * theta
        return value, grad

    best: Any = None
    for start in range(n_restarts):
        if k == 1:
            H = H0 if start == 0 else H0 + scale * rng.normal(size=H0.shape)
            W = W0 if start == 0 else W0 + scale * rng.normal(size=W0.shape)
            theta0 = np.concatenate([H.ravel(), W.ravel()])
        else:
            Hk = H0[:, None, :] + scale * rng.normal(size=(n, k, d))
            theta0 = np.concatenate([Hk.ravel(), np.zeros(n * k), W0.ravel()])
        res = minimize(
            fun, theta0, jac=True, method="L-BFGS-B",
            options={"maxiter": maxiter, "gtol": gtol, "ftol": 1e-15},
        )
        if best is None or res.fun < best.fun:
            best = res
    theta = best.x
    A: NDArray[np.float64] | None
    if k == 1:
        H = theta[: n * d].reshape(n, d)
        W = theta[n * d:].reshape(m, d)
        A = None
        log_probs = log_softmax(H @ W.T, axis=1)
        n_params = (n + m) * d
    else:
        H = theta[: n * k * d].reshape(n, k, d)
        A = theta[n * k * d: n * k * d + n * k].reshape(n, k).copy()
        W = theta[n * k * d + n * k:].reshape(m, d)
        log_probs = mixture_of_softmaxes(H @ W.T, A, log=True)
        n_params = n * k * d + n * k + m * d
    kl = (neg_entropy - float(np.sum(P * log_probs))) / n
    return SoftmaxFit(
        kl=max(kl, 0.0),
        log_probs=np.asarray(log_probs, dtype=np.float64),
        contexts=H.copy(),
        mixture_logits=A,
        embeddings=W.copy(),
        n_params=int(n_params),
        n_iter=int(best.nit),
        converged=bool(best.success),
        n_starts=n_restarts,
    )


# ---------------------------------------------------------------------------
# Spectra: effective rank and the hidden size of a black-box model
# ---------------------------------------------------------------------------

def effective_rank(a: ArrayLike) -> float:
    r"""Effective rank: the exponential of the entropy of the normalised singular values.

    .. math::

        \operatorname{erank}(A) = \exp\Big(-\sum_{k} q_k \log q_k\Big),
        \qquad q_k = \frac{\sigma_k}{\sum_j \sigma_j}.

    Parameters
    ----------
    a : array_like, shape (m, n)
        A finite real matrix with at least one non-zero entry.

    Returns
    -------
    float
        A number between 1 and ``min(m, n)``: 1 for a rank-one matrix,
        ``min(m, n)`` when all singular values are equal.

    Raises
    ------
    TypeError
        If `a` is not real.
    ValueError
        If `a` is not a non-empty finite 2-D array, or is all zeros.

    See Also
    --------
    numerical_rank : Counts singular values above a threshold instead.

    Notes
    -----
    The numerical rank counts every singular value above a threshold, however
    small; the effective rank of Roy and Vetterli [1]_ weighs them by size,
    so that a matrix of full rank whose singular values decay fast has a
    small effective rank. It is a continuous, scale-free summary of the
    spectrum, not a rank in the algebraic sense.

    References
    ----------
    .. [1] O. Roy and M. Vetterli, "The effective rank: a measure of
       effective dimensionality", 15th European Signal Processing Conference
       (EUSIPCO), 2007, pp. 606--610.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import effective_rank, numerical_rank
    >>> round(effective_rank(np.eye(4)), 6)
    4.0
    >>> D = np.diag(1.0 / np.arange(1.0, 9.0) ** 2)        # full rank, fast decay
    >>> numerical_rank(D), round(effective_rank(D), 4)
    (8, 3.2148)
    """
    func = "effective_rank"
    A = _finite_matrix(a, func, "a")
    s = np.linalg.svd(A, compute_uv=False)
    total = float(s.sum())
    if total == 0.0:
        raise ValueError(f"{func}: a must have at least one non-zero entry")
    q = s[s > 0] / total
    return float(np.exp(-np.sum(q * np.log(q))))


def estimate_hidden_size(log_prob_vectors: ArrayLike) -> int:
    r"""Estimate the hidden size of a softmax model from the log-probability vectors it returns.

    Parameters
    ----------
    log_prob_vectors : array_like, shape (n_queries, n_classes)
        One full log-probability (or logit) vector per query, as returned by a
        model for different inputs. Needs more queries and more classes than
        the hidden size being estimated.

    Returns
    -------
    int
        The number of singular values of the row-centred matrix before its
        largest drop (the largest ratio :math:`\sigma_k / \sigma_{k+1}`). For
        a softmax layer :math:`\log\operatorname{softmax}(W h + b)` with
        :math:`d`-dimensional :math:`h`, this is :math:`d` without a bias and
        :math:`d + 1` with one (see Notes). 0 if every row is constant.

    Raises
    ------
    TypeError
        If the input is not real.
    ValueError
        If it is not a finite 2-D array with at least two rows and two
        columns.

    See Also
    --------
    log_prob_matrix, numerical_rank

    Notes
    -----
    Row :math:`i` of the input is :math:`W h_i + b - c_i\mathbf{1}`, with a
    per-query constant :math:`c_i` (the log-normaliser). Subtracting each
    row's mean removes :math:`c_i` exactly and leaves
    :math:`C(W h_i + b)` with :math:`C = I - \frac1n\mathbf{1}\mathbf{1}^\top`:
    every row lies in the span of the :math:`d` columns of :math:`CW` plus,
    with a bias, the vector :math:`Cb`. The stacked matrix therefore has rank
    at most :math:`d` (or :math:`d + 1`), and for generic queries exactly
    that; its singular values drop to rounding level after that index. The
    largest drop is used rather than a fixed threshold, so the estimate also
    works on log-probabilities rounded to a few digits, as long as the
    rounding noise stays below the smallest genuine singular value. This is
    the observation behind the hidden-size attacks of Finlayson et al. [1]_
    and Carlini et al. [2]_ on language models served through an API.

    References
    ----------
    .. [1] M. Finlayson, X. Ren and S. Swayamdipta, "Logits of API-protected
       LLMs leak proprietary information", COLM 2024, arXiv:2403.09539.
    .. [2] N. Carlini et al., "Stealing part of a production language model",
       ICML 2024, arXiv:2403.06634.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import estimate_hidden_size, log_prob_matrix
    >>> rng = np.random.default_rng(0)
    >>> W = rng.normal(size=(500, 16))                 # 500 classes, hidden size 16
    >>> A = log_prob_matrix(rng.normal(size=(100, 16)), W)
    >>> estimate_hidden_size(A)
    16
    >>> estimate_hidden_size(np.round(A, 3))           # rounded outputs still give it away
    16
    """
    func = "estimate_hidden_size"
    A = _finite_matrix(log_prob_vectors, func, "log_prob_vectors")
    if min(A.shape) < 2:
        raise ValueError(
            f"{func}: log_prob_vectors must have at least two rows and two columns, "
            f"got shape {A.shape}"
        )
    centred = A - A.mean(axis=1, keepdims=True)
    s = np.linalg.svd(centred, compute_uv=False)
    if s[0] == 0.0:
        return 0
    floor = s[0] * np.finfo(np.float64).eps
    log_s = np.log(np.maximum(s, floor))
    drops = log_s[:-1] - log_s[1:]
    if float(drops.max()) <= 0.0:
        return int(s.size)
    return int(np.argmax(drops)) + 1


# ---------------------------------------------------------------------------
# A language target: character n-grams of the book's own prose
# ---------------------------------------------------------------------------

def load_book_text() -> str:
    """Return the sample of the book's own prose shipped with the library.

    Returns
    -------
    str
        About 38 kB of English text: the prose of the markdown cells of the
        book's first chapters, with code, mathematics and markup removed,
        wrapped at 88 characters.

    See Also
    --------
    char_ngram_table : Builds next-character distributions from it.

    Notes
    -----
    The file ``softmax_lib/data/book_prose.txt`` is package data, read with
    ``importlib.resources``, so it is available wherever the library is
    installed, also outside the book's repository.

    Examples
    --------
    >>> from softmax_lib import load_book_text
    >>> text = load_book_text()
    >>> text.split()[:3]
    ['Introduction:', 'from', 'scores']
    """
    return resources.files("softmax_lib").joinpath("data/book_prose.txt").read_text(
        encoding="utf-8"
    )


class NgramTable(NamedTuple):
    """Result of :func:`char_ngram_table`.

    Attributes
    ----------
    probs : ndarray, shape (n_contexts, n_classes)
        Row :math:`i` is the smoothed distribution of the character that
        follows context ``contexts[i]``, over the characters ``classes``.
    contexts : list of str
        The contexts (strings of ``order - 1`` characters), most frequent first.
    classes : list of str
        The next characters (the classes), most frequent first.
    """

    probs: NDArray[np.float64]
    contexts: list[str]
    classes: list[str]


def char_ngram_table(
    text: str,
    order: int,
    *,
    n_contexts: int,
    n_classes: int,
    smoothing: float = 0.1,
    lower: bool = True,
) -> NgramTable:
    r"""Next-character distributions of a text: a contexts-by-characters probability table.

    Parameters
    ----------
    text : str
        The text. Runs of whitespace are replaced by one space.
    order : int
        The n of the n-gram (at least 2): contexts are the ``order - 1``
        characters before the predicted one.
    n_contexts : int
        Keep the `n_contexts` most frequent contexts (keyword only).
    n_classes : int
        Keep the `n_classes` most frequent characters as classes (keyword
        only); occurrences of other characters as the next character are
        dropped.
    smoothing : float, optional
        Additive (Lidstone) smoothing :math:`\alpha > 0` added to every count
        (keyword only), so that every entry is positive. Default 0.1.
    lower : bool, optional
        Lower-case the text first (keyword only). Default True.

    Returns
    -------
    NgramTable
        ``probs`` (shape (n_contexts, n_classes), rows on the simplex),
        ``contexts`` and ``classes``.

    Raises
    ------
    TypeError
        If `text` is not a str, an integer argument is not an int, or
        `smoothing` is not a real number or `lower` not a bool.
    ValueError
        If `order` < 2, `smoothing` is not positive, or the text has fewer
        distinct contexts or characters than requested.

    See Also
    --------
    load_book_text, fit_softmax_model

    Notes
    -----
    Entry :math:`(i, x)` is :math:`(c_{ix} + \alpha) / (\sum_y c_{iy} + n\alpha)`,
    with :math:`c_{ix}` the number of times context :math:`i` is followed by
    character :math:`x` and :math:`n` the number of classes. Ties in
    frequency are broken alphabetically, so the table is deterministic. Such
    a table is a small stand-in for the matrix :math:`P` of true next-token
    probabilities that Yang et al. reason about; it is the empirical
    distribution of one text, not a language.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import char_ngram_table
    >>> t = char_ngram_table("abab abba", 2, n_contexts=2, n_classes=2, smoothing=1.0)
    >>> t.contexts, t.classes
    (['a', 'b'], ['a', 'b'])
    >>> np.round(t.probs, 4)     # a -> b 3 times; b -> a twice, b -> b once
    array([[0.2, 0.8],
           [0.6, 0.4]])
    """
    func = "char_ngram_table"
    if not isinstance(text, str):
        raise TypeError(f"{func}: text must be a str, got {type(text).__name__}")
    order = check_positive_int(order, func, "order")
    if order < 2:
        raise ValueError(f"{func}: order must be at least 2, got {order}")
    n_contexts = check_positive_int(n_contexts, func, "n_contexts")
    n_classes = check_positive_int(n_classes, func, "n_classes")
    alpha = check_real(smoothing, func, "smoothing", 0.0, lo_open=True)
    if check_bool(lower, func, "lower"):
        text = text.lower()
    text = " ".join(text.split())
    k = order - 1
    pairs = Counter((text[i - k: i], text[i]) for i in range(k, len(text)))
    char_counts = Counter(text)
    classes = [c for c, _ in sorted(char_counts.items(), key=lambda t: (-t[1], t[0]))]
    if len(classes) < n_classes:
        raise ValueError(
            f"{func}: the text has {len(classes)} distinct characters, fewer than "
            f"n_classes = {n_classes}"
        )
    classes = classes[:n_classes]
    column = {c: j for j, c in enumerate(classes)}
    ctx_counts: Counter[str] = Counter()
    for (ctx, nxt), c in pairs.items():
        if nxt in column:
            ctx_counts[ctx] += c
    contexts = [c for c, _ in sorted(ctx_counts.items(), key=lambda t: (-t[1], t[0]))]
    if len(contexts) < n_contexts:
        raise ValueError(
            f"{func}: the text has {len(contexts)} distinct contexts of length {k}, "
            f"fewer than n_contexts = {n_contexts}"
        )
    contexts = contexts[:n_contexts]
    row = {c: i for i, c in enumerate(contexts)}
    counts = np.zeros((n_contexts, n_classes))
    for (ctx, nxt), c in pairs.items():
        if ctx in row and nxt in column:
            counts[row[ctx], column[nxt]] += c
    counts += alpha
    return NgramTable(counts / counts.sum(axis=1, keepdims=True), contexts, classes)


# ---------------------------------------------------------------------------
# Classes that can never win
# ---------------------------------------------------------------------------

def unargmaxable_classes(
    embeddings: ArrayLike, bias: ArrayLike | None = None, *, tol: float = 1e-9
) -> NDArray[np.intp]:
    r"""Classes that are never the argmax of ``embeddings @ h + bias``, for any input ``h``.

    Parameters
    ----------
    embeddings : array_like, shape (n_classes, d)
        One class vector :math:`w_x` per row.
    bias : array_like, shape (n_classes,), optional
        One bias per class. Default: no bias.
    tol : float, optional
        A class counts as argmaxable when it can beat every other class by
        a margin greater than `tol` (keyword only). Default ``1e-9``.

    Returns
    -------
    ndarray of int
        The sorted indices of the classes that can never be the strict
        argmax. Empty if every class can win.

    Raises
    ------
    TypeError
        If an argument is not real.
    ValueError
        If `embeddings` is not a non-empty finite 2-D array, `bias` does not
        have one finite entry per class, or `tol` is not positive.
    ImportError
        If SciPy is not installed.

    See Also
    --------
    log_prob_matrix

    Notes
    -----
    Class :math:`i` wins for input :math:`h` when
    :math:`(w_i - w_j)^\top h + b_i - b_j > 0` for every :math:`j \ne i`. For
    each class, one linear program (``scipy.optimize.linprog``, HiGHS)
    maximises the smallest margin :math:`t` subject to
    :math:`(w_j - w_i)^\top h + t \le b_i - b_j` and :math:`t \le 1`; the
    class is argmaxable exactly when the optimum exceeds 0 [2]_. Without a
    bias the condition is scale-free, and a class is unargmaxable exactly
    when its vector lies in the convex hull of the other class vectors [1]_.
    Tied classes (equal vectors and biases) are never the *strict* argmax.

    References
    ----------
    .. [1] D. Demeter, G. Kimmel and D. Downey, "Stolen probability: a
       structural weakness of neural language models", ACL 2020,
       pp. 2191--2197.
    .. [2] A. Grivas, N. Bogoychev and A. Lopez, "Low-rank softmax can have
       unargmaxable classes in theory but rarely in practice", ACL 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import unargmaxable_classes
    >>> W = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0], [0.1, 0.1]])
    >>> unargmaxable_classes(W)                  # [0.1, 0.1] is inside the triangle
    array([3])
    >>> W_unit = W / np.linalg.norm(W, axis=1, keepdims=True)
    >>> unargmaxable_classes(W_unit)             # unit vectors: every class can win
    array([], dtype=int64)
    >>> unargmaxable_classes(W, bias=[0.0, 0.0, 0.0, 1.0])   # a bias can rescue it
    array([], dtype=int64)
    """
    func = "unargmaxable_classes"
    W = _finite_matrix(embeddings, func, "embeddings")
    tol = check_real(tol, func, "tol", 0.0, lo_open=True)
    m, d = W.shape
    if bias is None:
        b = np.zeros(m)
    else:
        b_arr = as_real_array(bias, func, "bias")
        if b_arr.shape != (m,):
            raise ValueError(
                f"{func}: bias must have shape ({m},), one entry per class, got {b_arr.shape}"
            )
        if not np.all(np.isfinite(b_arr)):
            raise ValueError(f"{func}: bias must contain only finite numbers")
        b = np.array(b_arr, dtype=np.float64)
    if m == 1:
        return np.array([], dtype=np.intp)
    try:
        from scipy.optimize import linprog
    except ImportError as exc:  # pragma: no cover - scipy is installed with the book
        raise ImportError(f"{func} needs SciPy (pip install scipy)") from exc

    cost = np.zeros(d + 1)
    cost[-1] = -1.0                               # maximise t
    bounds = [(None, None)] * d + [(None, 1.0)]
    losers = []
    for i in range(m):
        others = np.arange(m) != i
        A_ub = np.hstack([W[others] - W[i], np.ones((m - 1, 1))])
        b_ub = b[i] - b[others]
        res = linprog(cost, A_ub=A_ub, b_ub=b_ub, bounds=bounds, method="highs")
        if res.status != 0:  # pragma: no cover - the LP is always feasible and bounded
            raise RuntimeError(f"{func}: linear program for class {i} failed: {res.message}")
        if -res.fun <= tol:
            losers.append(i)
    return np.array(losers, dtype=np.intp)
