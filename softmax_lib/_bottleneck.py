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
  by one linear program per class.

Only :func:`fit_softmax_model` and :func:`unargmaxable_classes` need SciPy; it
is imported when they are called, so ``import softmax_lib`` needs numpy alone.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._core import log_sigmoid, log_softmax, logsumexp, softmax
from ._validation import as_real_array, normalize_axes

__all__ = [
    "log_prob_matrix",
    "numerical_rank",
    "fit_softmax_model",
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
        raise ValueError(f"{func}: {name} must be a 2-D array, got {arr.ndim} dimension(s) with shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{func}: {name} must not be empty, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{func}: {name} must contain only finite numbers")
    return np.array(arr, dtype=np.float64, copy=True)


def _positive_int(value: Any, func: str, name: str) -> int:
    """Return `value` as a positive int, or raise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{func}: {name} must be a positive int, got {type(value).__name__} {value!r}")
    if int(value) < 1:
        raise ValueError(f"{func}: {name} must be a positive int, got {int(value)}")
    return int(value)


def _positive_float(value: Any, func: str, name: str) -> float:
    """Return `value` as a positive finite float, or raise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{func}: {name} must be a positive finite number, got {type(value).__name__} {value!r}")
    v = float(value)
    if not (np.isfinite(v) and v > 0.0):
        raise ValueError(f"{func}: {name} must be a positive finite number, got {v!r}")
    return v


def _check_bool(value: Any, func: str, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{func}: {name} must be True or False, got {value!r}")
    return bool(value)


# ---------------------------------------------------------------------------
# Rank
# ---------------------------------------------------------------------------

def log_prob_matrix(contexts: ArrayLike, embeddings: ArrayLike, bias: ArrayLike | None = None) -> NDArray[np.float64]:
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
            raise ValueError(f"{func}: bias must have shape ({W.shape[0]},), one entry per class, got {b.shape}")
        if not np.all(np.isfinite(b)):
            raise ValueError(f"{func}: bias must contain only finite numbers")
        logits = logits + b.astype(np.float64)
    return log_softmax(logits, axis=1)


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
    r = _positive_float(rtol, func, "rtol")
    return int(np.linalg.matrix_rank(A, rtol=r))


# ---------------------------------------------------------------------------
# Output layers that escape the bottleneck
# ---------------------------------------------------------------------------

def mixture_of_softmaxes(logits: ArrayLike, mixture_logits: ArrayLike, *, log: bool = False) -> NDArray[np.floating[Any]]:
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
    log = _check_bool(log, func, "log")
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
    if isinstance(axis, tuple) or axis is None:
        raise TypeError(f"{func}: axis must be an int, got {axis!r}")
    log = _check_bool(log, func, "log")
    normalize_axes(axis, max(arr.ndim, 1), func)
    shifted = arr + log_sigmoid(arr)
    if log:
        return log_softmax(shifted, axis=axis)
    return softmax(shifted, axis=axis)


# ---------------------------------------------------------------------------
# Fitting a (mixture of) softmax model(s) to a target matrix
# ---------------------------------------------------------------------------

def _kl_and_grad_softmax(theta: np.ndarray, P: np.ndarray, neg_entropy: float, n: int, m: int, d: int) -> tuple[float, np.ndarray]:
    """Mean KL(P_i || softmax(H W^T)_i) over rows, and its gradient in (H, W)."""
    H = theta[: n * d].reshape(n, d)
    W = theta[n * d:].reshape(m, d)
    Z = H @ W.T
    logQ = log_softmax(Z, axis=1)
    kl = (neg_entropy - float(np.sum(P * logQ))) / n
    G = (softmax(Z, axis=1) - P) / n          # d KL / d logits
    return kl, np.concatenate([(G @ W).ravel(), (G.T @ H).ravel()])


def _kl_and_grad_mixture(theta: np.ndarray, P: np.ndarray, neg_entropy: float, n: int, m: int, d: int, k: int) -> tuple[float, np.ndarray]:
    """Mean KL for a mixture of k softmaxes, and its gradient in (H, A, W)."""
    H = theta[: n * k * d].reshape(n, k, d)
    A = theta[n * k * d: n * k * d + n * k].reshape(n, k)
    W = theta[n * k * d + n * k:].reshape(m, d)
    Z = H @ W.T                                # (n, k, m)
    log_s = log_softmax(Z, axis=2)
    log_pi = log_softmax(A, axis=1)
    joint = log_pi[:, :, None] + log_s
    logQ = logsumexp(joint, axis=1)            # (n, m)
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


def fit_softmax_model(
    target: ArrayLike,
    d: int,
    *,
    n_components: int = 1,
    l2: float = 0.0,
    seed: int = 0,
    maxiter: int = 5000,
    gtol: float = 1e-7,
) -> dict[str, Any]:
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
        A mixture needs a small one to converge (see Notes).
    seed : int, optional
        Seed of the random perturbation that separates the components of a
        mixture (keyword only; unused when ``n_components == 1``). Default 0.
    maxiter : int, optional
        Maximum number of L-BFGS iterations (keyword only). Default 5000.
    gtol : float, optional
        L-BFGS stops when the largest gradient entry is below this (keyword
        only). Default ``1e-7``.

    Returns
    -------
    dict
        ``"kl"`` (float, the mean KL divergence reached, without the
        penalty), ``"log_probs"``
        (ndarray of shape (n_contexts, n_classes), the model's
        :math:`\log Q`), ``"contexts"`` (shape (n_contexts, d), or
        (n_contexts, K, d) for a mixture), ``"mixture_logits"`` (shape
        (n_contexts, K), or None), ``"embeddings"`` (shape (n_classes, d)),
        ``"n_params"`` (int, number of fitted numbers), ``"n_iter"`` (int)
        and ``"converged"`` (bool, whether L-BFGS met its tolerance).

    Raises
    ------
    TypeError
        If `target` is not real or an integer argument is not an int.
    ValueError
        If `target` is not a finite 2-D array of probability rows, `d`,
        `n_components`, `maxiter` or `gtol` is not positive, or `l2` is
        negative.
    ImportError
        If SciPy is not installed.

    See Also
    --------
    log_prob_matrix, mixture_of_softmaxes, numerical_rank

    Notes
    -----
    The problem is not convex (the logits :math:`h_i^\top w_x` are bilinear in
    the parameters), so L-BFGS [1]_ finds a local minimum. To make it a good
    and reproducible one, the start is deterministic: a plain softmax starts
    from the rank-``d`` truncated SVD of the row-centred :math:`\log P` (the
    best rank-``d`` fit in the least-squares sense), and the components of a
    mixture start from that same point plus a small seeded perturbation.
    Gradients are analytic: for a softmax, :math:`\partial\,\mathrm{KL} /
    \partial z_{ix} = (Q_{ix} - P_{ix}) / N`, computed with the library's
    :func:`softmax` and :func:`log_softmax`. Entries with :math:`P_{ix} = 0`
    contribute nothing (:math:`0 \log 0 = 0`).

    A mixture's infimum is often not attained: its components can keep
    sharpening and lower the KL ever more slowly, so L-BFGS never meets its
    tolerance and where it stops depends on rounding. A small ``l2`` makes
    the minimum exist; the run then converges and is reproducible up to the
    choice among local minima.

    Without a bias, a softmax with ``d >= rank(log P) - 1`` can fit a target
    with positive entries exactly; below that the KL has a positive floor
    (Chapter 7 proves both).

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
    >>> bool(low["kl"] > 0.05), bool(high["kl"] < 1e-8)
    (True, True)
    >>> sorted(low)
    ['contexts', 'converged', 'embeddings', 'kl', 'log_probs', 'mixture_logits', 'n_iter', 'n_params']
    """
    func = "fit_softmax_model"
    P = _finite_matrix(target, func, "target")
    d = _positive_int(d, func, "d")
    k = _positive_int(n_components, func, "n_components")
    maxiter = _positive_int(maxiter, func, "maxiter")
    gtol = _positive_float(gtol, func, "gtol")
    if isinstance(l2, (bool, np.bool_)) or not isinstance(l2, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{func}: l2 must be a non-negative number, got {type(l2).__name__} {l2!r}")
    l2 = float(l2)
    if not (np.isfinite(l2) and l2 >= 0.0):
        raise ValueError(f"{func}: l2 must be a non-negative finite number, got {l2!r}")
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (numbers.Integral, np.integer)):
        raise TypeError(f"{func}: seed must be an int, got {type(seed).__name__} {seed!r}")
    if np.any(P < 0):
        raise ValueError(f"{func}: target must be non-negative (rows are probability distributions)")
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

    if k == 1:
        theta0 = np.concatenate([H0.ravel(), W0.ravel()])

        def kl_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
            return _kl_and_grad_softmax(theta, P, neg_entropy, n, m, d)
    else:
        rng = np.random.default_rng(seed)
        scale = 0.5 * max(float(np.std(H0)), 1e-3)
        Hk = H0[:, None, :] + scale * rng.normal(size=(n, k, d))
        theta0 = np.concatenate([Hk.ravel(), np.zeros(n * k), W0.ravel()])

        def kl_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
            return _kl_and_grad_mixture(theta, P, neg_entropy, n, m, d, k)

    def fun(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = kl_grad(theta)
        if l2:
            return value + l2 * float(theta @ theta), grad + 2.0 * l2 * theta
        return value, grad

    res = minimize(
        fun, theta0, jac=True, method="L-BFGS-B",
        options={"maxiter": maxiter, "gtol": gtol, "ftol": 1e-15},
    )
    theta = res.x
    if k == 1:
        H = theta[: n * d].reshape(n, d)
        W = theta[n * d:].reshape(m, d)
        A = None
        log_probs = log_softmax(H @ W.T, axis=1)
        n_params = (n + m) * d
    else:
        H = theta[: n * k * d].reshape(n, k, d)
        A = theta[n * k * d: n * k * d + n * k].reshape(n, k)
        W = theta[n * k * d + n * k:].reshape(m, d)
        log_probs = mixture_of_softmaxes(H @ W.T, A, log=True)
        n_params = n * k * d + n * k + m * d
    kl = (neg_entropy - float(np.sum(P * log_probs))) / n
    return {
        "kl": max(kl, 0.0),
        "log_probs": log_probs,
        "contexts": H.copy(),
        "mixture_logits": None if A is None else A.copy(),
        "embeddings": W.copy(),
        "n_params": int(n_params),
        "n_iter": int(res.nit),
        "converged": bool(res.success),
    }


# ---------------------------------------------------------------------------
# Classes that can never win
# ---------------------------------------------------------------------------

def unargmaxable_classes(embeddings: ArrayLike, bias: ArrayLike | None = None, *, tol: float = 1e-9) -> NDArray[np.intp]:
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
    tol = _positive_float(tol, func, "tol")
    m, d = W.shape
    if bias is None:
        b = np.zeros(m)
    else:
        b_arr = as_real_array(bias, func, "bias")
        if b_arr.shape != (m,):
            raise ValueError(f"{func}: bias must have shape ({m},), one entry per class, got {b_arr.shape}")
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
