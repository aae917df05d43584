r"""Sparse alternatives to softmax: sparsemax, entmax and Fenchel-Young losses.

Each map is a regularised argmax over the probability simplex,

.. math::

    \hat p_\Omega(x) = \operatorname*{argmax}_{p \in \Delta^{n-1}} \langle x, p\rangle - \Omega(p),

with :math:`\Omega` the negative Shannon entropy (softmax), half the squared
Euclidean norm (sparsemax) or a Tsallis :math:`\alpha`-entropy
(:math:`\alpha`-entmax). The last two return exact zeros.

Special values follow the rule of :func:`softmax_lib.softmax`. Within a slice
let ``m`` be the largest entry. If ``m`` is finite, an entry of ``-inf`` gets
probability exactly 0. If ``m`` is infinite (``+inf`` somewhere, or every
entry ``-inf``), the entries equal to ``m`` share the mass equally. A NaN
anywhere in a slice makes that whole slice NaN.

All work is done in float64 (longdouble stays longdouble) on the input shifted
by its maximum, and float16/float32/bfloat16 results are rounded once. Entries more
than ``1/(alpha - 1)`` below the maximum are outside the support, so they are
clipped to a finite floor first; this changes no output and keeps every
intermediate finite.
"""

from __future__ import annotations

from typing import Any, Literal, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._core import log_softmax, softmax
from ._validation import (
    as_float_array,
    check_labels,
    check_positive_int,
    check_real,
    check_single_axis,
    is_ml_float,
    normalize_axes,
)

__all__ = ["sparsemax", "entmax15", "entmax_bisect", "fenchel_young_loss"]

#: Largest alpha accepted by :func:`entmax_bisect`: above it the map is so
#: ill-conditioned that float64 results lose most of their digits.
ALPHA_MAX = 4.0

Axis = int | tuple[int, ...] | None


# ---------------------------------------------------------------------------
# Shared plumbing
# ---------------------------------------------------------------------------


def _work_dtype(dtype: np.dtype) -> np.dtype:
    """float64, or longdouble for longdouble input (ml_dtypes formats compute in float64)."""
    if is_ml_float(dtype):
        return np.dtype(np.float64)
    return np.result_type(dtype, np.float64)


def _eps(dtype: np.dtype) -> float:
    """Machine epsilon of a floating dtype (ml_dtypes included); float64's otherwise."""
    if is_ml_float(dtype):
        import ml_dtypes

        return float(ml_dtypes.finfo(dtype).eps)  # type: ignore[no-untyped-call]
    if dtype.kind == "f":
        return float(np.finfo(dtype).eps)
    return float(np.finfo(np.float64).eps)


def _rowwise(x: Any, axis: Any, func: str, kernel: Any) -> NDArray[np.floating[Any]]:
    """Apply ``kernel`` (rows of finite-max, shifted, clipped input -> probabilities).

    ``kernel(Z)`` gets a 2-D array in working precision whose rows have maximum
    exactly 0 and no infinite entries; it returns probabilities of the same shape.
    Rows with an infinite maximum and rows with NaN are handled here.
    """
    arr = as_float_array(x, func)
    shape, dtype = arr.shape, arr.dtype
    if arr.ndim == 0:
        arr = arr.reshape(1)
    axes = normalize_axes(axis, arr.ndim, func)
    if arr.size == 0:
        return np.empty(shape, dtype=dtype)
    kept = [i for i in range(arr.ndim) if i not in axes]
    perm = kept + list(axes)
    moved = arr.transpose(perm)
    n_rows = int(np.prod(moved.shape[: len(kept)], dtype=np.int64))
    work = _work_dtype(dtype)
    X = np.asarray(moved.reshape(n_rows, arr.size // n_rows), dtype=work)
    m = np.max(X, axis=1, keepdims=True)  # NaN if the row has a NaN
    out = np.zeros(X.shape, dtype=work)
    finite = np.isfinite(m[:, 0])
    if finite.any():
        with np.errstate(over="ignore"):  # x - m = -inf only far outside the support
            shifted = X[finite] - m[finite]
        with np.errstate(under="ignore"):  # tiny probabilities may round to 0
            out[finite] = kernel(shifted)
    inf_rows = np.isinf(m[:, 0])
    if inf_rows.any():
        tied = (X[inf_rows] == m[inf_rows]).astype(work)
        out[inf_rows] = tied / tied.sum(axis=1, keepdims=True)
    out[np.isnan(m[:, 0])] = np.nan
    inverse = sorted(range(arr.ndim), key=perm.__getitem__)
    back = out.reshape(moved.shape).transpose(inverse)
    return np.asarray(back.astype(dtype)).reshape(shape)


def _sparsemax_rows(Z: np.ndarray) -> np.ndarray:
    """Sparsemax of rows with maximum 0 (entries may be -inf, never NaN)."""
    Z = np.maximum(Z, -2.0)  # entries <= -1 are never in the support
    n = Z.shape[1]
    zs = -np.sort(-Z, axis=1)  # descending
    cs = np.cumsum(zs, axis=1)
    k = np.arange(1, n + 1, dtype=Z.dtype)
    support = 1.0 + k * zs > cs  # true exactly for k = 1, ..., |S|
    size = support.sum(axis=1)  # >= 1 since zs[:, 0] = 0 > -1
    tau = (cs[np.arange(len(Z)), size - 1] - 1.0) / size
    return np.asarray(np.maximum(Z - tau[:, None], 0.0))


def _entmax15_rows(Z: np.ndarray) -> np.ndarray:
    """1.5-entmax of rows with maximum 0: ``p = [z/2 - tau]_+^2``."""
    S = np.maximum(Z / 2.0, -2.0)  # entries with z/2 <= -1 are never in the support
    n = S.shape[1]
    ss = -np.sort(-S, axis=1)
    k = np.arange(1, n + 1, dtype=S.dtype)
    mean = np.cumsum(ss, axis=1) / k
    mean_sq = np.cumsum(ss * ss, axis=1) / k
    var = np.maximum(mean_sq - mean * mean, 0.0)
    delta = np.maximum((1.0 - k * var) / k, 0.0)
    tau_k = mean - np.sqrt(delta)
    size = (tau_k <= ss).sum(axis=1)  # >= 1: tau_1 = ss_1 - 1
    tau = tau_k[np.arange(len(S)), size - 1]
    p = np.maximum(S - tau[:, None], 0.0) ** 2
    # dividing by the sum removes the last rounding of the threshold
    return np.asarray(p / p.sum(axis=1, keepdims=True))


# ---------------------------------------------------------------------------
# Public maps
# ---------------------------------------------------------------------------


def sparsemax(x: ArrayLike, axis: Axis = -1) -> NDArray[np.floating[Any]]:
    r"""Sparsemax: the Euclidean projection of scores onto the probability simplex.

    .. math::

        \operatorname{sparsemax}(x) = \operatorname*{argmin}_{p \in \Delta^{n-1}}
        \lVert p - x \rVert_2^2 = [x - \tau(x)]_+ ,

    where the threshold :math:`\tau(x)` makes the result sum to one.

    Parameters
    ----------
    x : array_like
        Real scores. Integers and booleans compute in float64; float16,
        float32, float64 and the ``ml_dtypes`` formats (bfloat16, float8)
        keep their dtype.
    axis : int, tuple of ints or None, optional
        Axis or axes along which the output sums to one (default the last).

    Returns
    -------
    ndarray
        Probabilities of the shape and floating dtype of `x`, with exact zeros
        outside the support :math:`\{i : x_i > \tau\}`.

    Raises
    ------
    TypeError
        If `x` is not real, or `axis` is not an int, a tuple of ints or None.
    ValueError, numpy.exceptions.AxisError
        If `x` is ragged or `axis` is out of range or repeated.

    Notes
    -----
    The sorting algorithm of Duchi et al. [2]_ (also in [1]_): with
    :math:`z_{(1)} \ge \dots \ge z_{(n)}` the sorted scores, the support size
    is the largest :math:`k` with :math:`1 + k z_{(k)} > \sum_{j \le k} z_{(j)}`,
    and
    :math:`\tau = (\sum_{j \le k} z_{(j)} - 1)/k`. Cost :math:`O(n \log n)`.
    Entries of ``-inf`` get exactly 0; special values otherwise follow
    :func:`softmax_lib.softmax` (a row of all ``-inf`` is uniform, ``+inf``
    entries share the mass, NaN makes the row NaN).

    References
    ----------
    .. [1] A. F. T. Martins and R. F. Astudillo, "From softmax to sparsemax: a
       sparse model of attention and multi-label classification", ICML 2016.
    .. [2] J. Duchi, S. Shalev-Shwartz, Y. Singer and T. Chandra, "Efficient
       projections onto the l1-ball for learning in high dimensions", ICML
       2008, pp. 272--279.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import sparsemax
    >>> np.round(sparsemax([2.0, 1.0, 0.5]), 4)
    array([1., 0., 0.])
    >>> np.round(sparsemax([1.0, 0.8, 0.1]), 4)
    array([0.6, 0.4, 0. ])
    """
    return _rowwise(x, axis, "sparsemax", _sparsemax_rows)


def entmax15(x: ArrayLike, axis: Axis = -1) -> NDArray[np.floating[Any]]:
    r"""1.5-entmax: the Tsallis-entropy map halfway between softmax and sparsemax.

    .. math::

        \operatorname{entmax}_{1.5}(x) = \big[x/2 - \tau(x)\big]_+^2 ,

    the maximiser of :math:`\langle x, p\rangle + \tfrac{4}{3}\big(1 - \sum_i
    p_i^{3/2}\big)` over the simplex.

    Parameters
    ----------
    x : array_like
        Real scores (see :func:`sparsemax`).
    axis : int, tuple of ints or None, optional
        Axis or axes along which the output sums to one (default the last).

    Returns
    -------
    ndarray
        Probabilities of the shape and floating dtype of `x`; exact zeros
        outside the support.

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        As :func:`sparsemax`.

    Notes
    -----
    Exact sorting algorithm of Peters et al. [1]_: for each candidate
    support of the :math:`k` largest entries of :math:`s = x/2`, the threshold
    solving :math:`\sum_{j \le k} (s_{(j)} - \tau)^2 = 1` is
    :math:`\tau_k = \bar s_k - \sqrt{(1 - k\,\mathrm{var}_k)/k}`, and the
    support size is the number of :math:`k` with :math:`\tau_k \le s_{(k)}`.
    The result is divided by its sum to remove the rounding of the threshold.
    Special values as in :func:`sparsemax`.

    References
    ----------
    .. [1] B. Peters, V. Niculae and A. F. T. Martins, "Sparse
       sequence-to-sequence models", ACL 2019, pp. 1504--1519.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import entmax15
    >>> np.round(entmax15([2.0, 1.0, 0.5]), 4)
    array([0.8146, 0.1621, 0.0233])
    >>> float(entmax15([3.0, 0.0, 0.0])[1])
    0.0
    """
    return _rowwise(x, axis, "entmax15", _entmax15_rows)


def entmax_bisect(
    x: ArrayLike, alpha: float, axis: Axis = -1, *, n_iter: int = 60
) -> NDArray[np.floating[Any]]:
    r"""alpha-entmax for any ``alpha >= 1``, by bisection on the threshold.

    .. math::

        \operatorname{entmax}_\alpha(x)_i
        = \big[1 + (\alpha - 1)(x_i - \lambda)\big]_+^{1/(\alpha-1)},

    with :math:`\lambda` chosen so that the output sums to one (the usual
    threshold is :math:`\tau = (\alpha - 1)\lambda - 1`). ``alpha = 1`` is
    softmax and ``alpha = 2`` sparsemax.

    Parameters
    ----------
    x : array_like
        Real scores (see :func:`sparsemax`).
    alpha : float
        The Tsallis parameter, a real number in ``[1, 4]``; ``alpha = 1``
        returns :func:`softmax_lib.softmax` exactly.
    axis : int, tuple of ints or None, optional
        Axis or axes along which the output sums to one (default the last).
    n_iter : int, optional
        Number of bisection steps (keyword only, default 60).

    Returns
    -------
    ndarray
        Probabilities of the shape and floating dtype of `x`.

    Raises
    ------
    TypeError
        If `alpha` is not real or `n_iter` not an int, and as :func:`sparsemax`.
    ValueError
        If `alpha` is outside ``[1, 4]`` or `n_iter < 1`.

    Notes
    -----
    For ``alpha <= 2``, with the row shifted to maximum 0, :math:`\lambda` lies in
    :math:`[0, (1 - n^{1-\alpha})/(\alpha - 1)] \subset [0, \ln n]`; each step
    halves that bracket, so after `n_iter` steps :math:`\lambda` is within
    :math:`2^{-n_\text{iter}} \ln n` of its exact value (below float64
    resolution for the default). For ``alpha > 2`` the bisection runs
    geometrically on the base at the maximum,
    :math:`b = 1 - (\alpha - 1)\lambda \in [n^{1-\alpha}, 1]`, which keeps
    :math:`b` to full relative precision, so entries tied at the maximum
    never lose their mass. The output is then divided by its sum, as in
    the reference implementation of Peters et al. [1]_. Written with
    ``log1p`` and ``exp``, the formula tends to softmax as ``alpha -> 1``
    without cancellation. Measured in ``tests/test_sparse.py`` against an
    mpmath bisection on its 13 test rows (float64, absolute error): at most
    about ``2e-16`` for alpha in ``[1.01, 2.5]`` and ``3e-14`` at 4. For
    alpha above 2 the map is ill-conditioned: an entry just inside the
    support is a root ``base ** (1/(alpha - 1))`` of a small base, and the
    Jacobian grows like :math:`p_i^{2-\alpha}`, so last-bit rounding is
    magnified. Above alpha = 4 the error grows quickly (measured on random
    rows of 5 to 50 scores: about ``1e-10`` at alpha 6 and 8, ``0.07`` at
    alpha 20), so larger alpha is refused. Entries whose base is ``<= 0`` are
    exact zeros; a base that is positive but rounds to 0 (for alpha above 2,
    an entry within rounding of the threshold) or a power that underflows
    (for alpha close to 1, entries far below the maximum, as in softmax)
    also gives 0.

    References
    ----------
    .. [1] B. Peters, V. Niculae and A. F. T. Martins, "Sparse
       sequence-to-sequence models", ACL 2019, pp. 1504--1519.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import entmax_bisect, entmax15, sparsemax
    >>> x = np.array([2.0, 1.0, 0.5])
    >>> float(np.max(np.abs(entmax_bisect(x, 1.5) - entmax15(x)))) < 1e-15
    True
    >>> np.round(entmax_bisect([1.0, 0.8, 0.1], 2.0), 4)
    array([0.6, 0.4, 0. ])
    """
    func = "entmax_bisect"
    a = check_real(alpha, func, "alpha", 1.0, ALPHA_MAX)
    steps = check_positive_int(n_iter, func, "n_iter")
    if a == 1.0:
        arr = as_float_array(x, func)  # the error messages name this function
        normalize_axes(axis, max(arr.ndim, 1), func)
        return softmax(x, axis=axis)
    am1 = a - 1.0

    def kernel(Z: np.ndarray) -> np.ndarray:
        Z = np.maximum(Z, -2.0 / am1)  # entries with am1 * z <= -1 are never in the support
        n = Z.shape[1]
        if a <= 2.0:
            # lambda in [0, (1 - n^(1-alpha))/(alpha - 1)]; log1p/exp keep alpha -> 1 exact
            lo = np.zeros((len(Z), 1), dtype=Z.dtype)
            hi = np.full_like(lo, -np.expm1(-am1 * np.log(n)) / am1)

            def mass(lam: np.ndarray) -> np.ndarray:
                base = np.maximum(am1 * (Z - lam), -1.0)
                with np.errstate(divide="ignore"):
                    return np.asarray(np.exp(np.log1p(base) / am1))

            for _ in range(steps):
                mid = (lo + hi) / 2.0
                too_much = mass(mid).sum(axis=1, keepdims=True) >= 1.0
                lo = np.where(too_much, mid, lo)
                hi = np.where(too_much, hi, mid)
            p = mass((lo + hi) / 2.0)
        else:
            # the base at the maximum, b = 1 - (alpha - 1) lambda, lies in
            # [n^(1-alpha), 1]; bisecting b geometrically keeps it to full
            # relative precision, so ties at the maximum never round to 0
            u = am1 * Z
            blo = np.full((len(Z), 1), float(n) ** -am1, dtype=Z.dtype)
            bhi = np.ones_like(blo)

            def mass_b(b: np.ndarray) -> np.ndarray:
                return np.asarray(np.maximum(b + u, 0.0) ** (1.0 / am1))

            for _ in range(steps):
                mid = np.sqrt(blo * bhi)
                enough = mass_b(mid).sum(axis=1, keepdims=True) >= 1.0
                bhi = np.where(enough, mid, bhi)
                blo = np.where(enough, blo, mid)
            p = mass_b(np.sqrt(blo * bhi))
        return np.asarray(p / p.sum(axis=1, keepdims=True))

    return _rowwise(x, axis, func, kernel)


# ---------------------------------------------------------------------------
# Fenchel-Young losses
# ---------------------------------------------------------------------------

_KINDS = ("softmax", "sparsemax", "entmax15")


@overload
def fenchel_young_loss(
    x: ArrayLike, y: ArrayLike, *, kind: str = ..., axis: int = ...,
    return_grad: Literal[False] = ...,
) -> NDArray[np.floating[Any]]: ...


@overload
def fenchel_young_loss(
    x: ArrayLike, y: ArrayLike, *, kind: str = ..., axis: int = ...,
    return_grad: Literal[True],
) -> tuple[NDArray[np.floating[Any]], NDArray[np.floating[Any]]]: ...


def fenchel_young_loss(
    x: ArrayLike,
    y: ArrayLike,
    *,
    kind: str = "softmax",
    axis: int = -1,
    return_grad: bool = False,
) -> NDArray[np.floating[Any]] | tuple[NDArray[np.floating[Any]], NDArray[np.floating[Any]]]:
    r"""Fenchel-Young loss of scores `x` against targets `y`, and its gradient.

    .. math::

        L_\Omega(x; y) = \Omega^*(x) + \Omega(y) - \langle x, y\rangle
        = \langle x, \hat p - y\rangle + \Omega(y) - \Omega(\hat p),
        \qquad \nabla_x L_\Omega = \hat p - y,

    where :math:`\hat p` is the prediction map of :math:`\Omega`:
    ``"softmax"`` (:math:`\Omega` the negative Shannon entropy; the loss is
    the cross-entropy, or the KL divergence :math:`\mathrm{KL}(y \| \hat p)`
    for soft targets), ``"sparsemax"`` (:math:`\Omega = \tfrac12\lVert
    p\rVert^2`) or ``"entmax15"`` (Tsallis, :math:`\alpha = 1.5`).

    Parameters
    ----------
    x : array_like
        Real scores; entries may be ``-inf`` (probability 0).
    y : array_like
        Either integer class labels with the shape of `x` without `axis`, or
        probability vectors with the shape of `x` (non-negative, summing to one
        along `axis` within the square root of their machine epsilon). An
        integer array with the shape of `x` (for example one-hot rows) is read
        as probability vectors.
    kind : {"softmax", "sparsemax", "entmax15"}, optional
        The regulariser (keyword only).
    axis : int, optional
        The class axis (keyword only, default the last).
    return_grad : bool, optional
        If True, also return the gradient :math:`\hat p - y` (keyword only).

    Returns
    -------
    loss : ndarray
        Non-negative losses, shape of `x` without `axis`, floating dtype of `x`.
        ``+inf`` where `y` puts mass on a class whose score is ``-inf``.
    grad : ndarray
        Only with ``return_grad=True``: :math:`\hat p - y`, the shape of `x`.

    Raises
    ------
    TypeError
        If `x` is not real, labels are not integers, or `kind` is not a string.
    ValueError
        If `kind` is unknown, labels are out of range, `y` has the wrong shape
        or is not a probability vector.

    Notes
    -----
    Blondel, Martins and Niculae [1]_. The loss is computed in float64 with the
    scores shifted by their row maximum (every term is shift invariant because
    :math:`\hat p` and :math:`y` sum to one). For ``"softmax"`` it is
    :math:`\sum_i y_i (\log y_i - \log \hat p_i)` with log-softmax. Rounding can
    make the exact zero of a perfectly predicted target a tiny negative
    number, so results are clipped at 0, where the loss provably lies. A row
    of `x` that is all ``-inf`` gives loss ``+inf`` (and the gradient of the
    uniform prediction); a row containing ``+inf`` or NaN gives NaN.

    References
    ----------
    .. [1] M. Blondel, A. F. T. Martins and V. Niculae, "Learning with
       Fenchel-Young losses", Journal of Machine Learning Research 21, 2020,
       pp. 1--69.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import fenchel_young_loss
    >>> x = np.array([[2.0, 1.0, 0.5], [0.0, 1.5, 0.0]])
    >>> np.round(fenchel_young_loss(x, [0, 1], kind="softmax"), 4)
    array([0.4644, 0.369 ])
    >>> loss, grad = fenchel_young_loss(x, [0, 1], kind="sparsemax", return_grad=True)
    >>> np.round(loss, 4)
    array([0., 0.])
    >>> float(fenchel_young_loss([1.0, 0.5], 0, kind="sparsemax"))
    0.0625
    """
    func = "fenchel_young_loss"
    if not isinstance(kind, str):
        raise TypeError(f"{func}: kind must be a string, got {type(kind).__name__} {kind!r}")
    if kind not in _KINDS:
        raise ValueError(f"{func}: kind must be one of {_KINDS}, got {kind!r}")
    arr = as_float_array(x, func)
    if arr.ndim == 0:
        raise ValueError(f"{func}: x must have at least one dimension (the classes)")
    ax = check_single_axis(axis, arr.ndim, func)
    dtype = arr.dtype
    work = _work_dtype(dtype)
    X = np.moveaxis(np.asarray(arr, dtype=work), ax, -1)
    lead, n = X.shape[:-1], X.shape[-1]
    if n == 0:
        raise ValueError(f"{func}: x must have at least one class along axis {axis}")
    X = X.reshape(-1, n)
    rows = X.shape[0]

    yarr = np.asarray(y)
    if yarr.dtype.kind == "b":
        raise TypeError(f"{func}: y must be integer labels or probability vectors, got bools")
    if yarr.dtype.kind in "iu" and yarr.shape != arr.shape:
        if yarr.shape != lead:
            raise ValueError(
                f"{func}: integer y must be labels of shape {lead} or probability "
                f"vectors of shape {arr.shape}, got shape {yarr.shape}"
            )
        labels = check_labels(yarr, lead, n, func).reshape(rows)
        Y = np.zeros((rows, n), dtype=work)
        Y[np.arange(rows), labels] = 1.0
    else:
        Yr = as_float_array(yarr, func, "y")
        if Yr.shape != arr.shape:
            raise ValueError(
                f"{func}: probability targets y must have the shape of x {arr.shape}, "
                f"got {Yr.shape}"
            )
        Y = np.moveaxis(np.asarray(Yr, dtype=work), ax, -1).reshape(-1, n)
        tol = float(np.sqrt(_eps(Yr.dtype)))
        if not np.all(np.isfinite(Y)) or np.any(Y < 0):
            raise ValueError(f"{func}: y must be non-negative and finite")
        if np.any(np.abs(Y.sum(axis=1) - 1.0) > tol):
            raise ValueError(f"{func}: each y vector must sum to one along axis {axis}")

    with np.errstate(under="ignore"):  # tiny products may round to 0
        m = np.max(X, axis=1, keepdims=True)
        bad = ~np.isfinite(m[:, 0])
        with np.errstate(over="ignore", invalid="ignore"):
            Xs = np.where(bad[:, None], 0.0, X - np.where(bad[:, None], 0.0, m))
        if kind == "softmax":
            P = softmax(Xs, axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                logp = log_softmax(Xs, axis=1)
                logy = np.log(np.where(Y > 0, Y, 1.0))
                terms = np.where(Y > 0, Y * (logy - logp), 0.0)
            loss = terms.sum(axis=1)
        else:
            if kind == "sparsemax":
                P = _sparsemax_rows(Xs)

                def omega(p: np.ndarray) -> np.ndarray:
                    return np.asarray(0.5 * np.sum(p * p, axis=1))
            else:
                P = _entmax15_rows(Xs)

                def omega(p: np.ndarray) -> np.ndarray:
                    return np.asarray((np.sum(p * np.sqrt(p), axis=1) - 1.0) / 0.75)

            D = P - Y
            with np.errstate(invalid="ignore"):  # -inf * 0 where both p and y are 0
                inner = np.where(D != 0, Xs * D, 0.0).sum(axis=1)
            loss = inner + omega(Y) - omega(P)
    loss = np.maximum(loss, 0.0)  # keeps +inf, turns no NaN into a number
    G = P - Y  # a row of all -inf predicts uniform probabilities, as softmax does
    loss[m[:, 0] == -np.inf] = np.inf
    undefined = np.isnan(m[:, 0]) | (m[:, 0] == np.inf)
    loss[undefined] = np.nan
    G[undefined] = np.nan
    loss_out: NDArray[np.floating[Any]] = np.asarray(loss.reshape(lead).astype(dtype))
    if not return_grad:
        return loss_out
    grad_out: NDArray[np.floating[Any]] = np.moveaxis(G.reshape(lead + (n,)), -1, ax).astype(dtype)
    return loss_out, grad_out
