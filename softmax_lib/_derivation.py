"""Derivatives of softmax, the cross-entropy loss and Gumbel-max sampling.

The public functions live in :mod:`softmax_lib`; this module holds their
implementation. Everything here is built on :func:`softmax_lib.softmax` and
:func:`softmax_lib.log_softmax`, so it inherits their treatment of large
logits and special values.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._core import log_softmax, softmax
from ._validation import (
    as_real_array,
    check_labels,
    check_positive_int,
    check_real,
    check_single_axis,
    check_temperature,
)

__all__ = ["softmax_jacobian", "softmax_vjp", "cross_entropy", "gumbel_max_sample"]

_REDUCTIONS = ("none", "mean", "sum")


# ---------------------------------------------------------------------------
# The Jacobian and vector-Jacobian products
# ---------------------------------------------------------------------------


def softmax_jacobian(
    x: ArrayLike, axis: int = -1, *, temperature: float = 1.0
) -> NDArray[np.floating[Any]]:
    r"""The Jacobian matrix of softmax, :math:`J = (\operatorname{diag}(p) - p p^\top) / T`.

    .. math::

        J_{ij} = \frac{\partial p_i}{\partial x_j} = \frac{1}{T}\, p_i (\delta_{ij} - p_j),
        \qquad p = \operatorname{softmax}(x / T).

    Parameters
    ----------
    x : array_like
        Real scores (logits); see :func:`softmax` for accepted types.
    axis : int, optional
        The axis along which softmax is taken. Default ``-1``.
    temperature : float, optional
        Positive, finite temperature :math:`T` (keyword only). Default 1.

    Returns
    -------
    ndarray
        For `x` of shape ``(..., n)`` (after moving `axis` to the end), an
        array of shape ``(..., n, n)`` holding one :math:`n \times n` Jacobian
        per slice, in the floating dtype of `x`. A 1-d `x` gives one matrix.

    Raises
    ------
    TypeError
        If `x` is not real, `axis` is not a single int, or `temperature` is
        not a real number.
    ValueError
        If `x` is 0-d, `axis` is out of range, or `temperature` is not positive
        and finite.

    See Also
    --------
    softmax_vjp : The product :math:`J^\top v` without forming :math:`J`.
    softmax : The function being differentiated.

    Notes
    -----
    :math:`J` is symmetric and positive semi-definite, its rows and columns sum
    to zero (so the ones vector spans its null space when every :math:`p_i >
    0`), and its spectral norm is at most :math:`1/(2T)`. It costs
    :math:`n^2` memory per slice: backpropagation needs only products with
    it, which :func:`softmax_vjp` computes in :math:`O(n)`.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import softmax_jacobian
    >>> softmax_jacobian([0.0, 0.0])
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    >>> J = softmax_jacobian([2.0, 1.0, 0.5])
    >>> np.allclose(J, J.T), np.allclose(J.sum(axis=0), 0.0)
    (True, True)
    """
    func = "softmax_jacobian"
    arr = as_real_array(x, func)
    if arr.ndim == 0:
        raise ValueError(
            f"{func}: x must have at least one dimension (the classes), got a 0-d array"
        )
    ax = check_single_axis(axis, arr.ndim, func)
    temperature = check_temperature(temperature, func)
    p = softmax(np.moveaxis(arr, ax, -1), axis=-1, temperature=temperature)
    jac = -p[..., :, None] * p[..., None, :]
    diag = np.einsum("...ii->...i", jac)  # a writeable view of the diagonal
    diag += p
    if temperature != 1.0:
        jac /= np.asarray(temperature, dtype=jac.dtype)
    return jac


def softmax_vjp(
    x: ArrayLike, v: ArrayLike, axis: int = -1, *, temperature: float = 1.0
) -> NDArray[np.floating[Any]]:
    r"""Vector-Jacobian product of softmax, :math:`J^\top v`, without forming :math:`J`.

    With :math:`p = \operatorname{softmax}(x / T)`,

    .. math::

        (J^\top v)_j = \frac{1}{T}\, p_j \Big(v_j - \sum_i p_i v_i\Big),

    which is what backpropagation through a softmax layer computes: `v` is the
    gradient of a loss with respect to the probabilities and the result is
    the gradient with respect to the logits.

    Parameters
    ----------
    x : array_like
        Real scores (logits); see :func:`softmax` for accepted types.
    v : array_like
        The vector(s) to multiply, with the same shape as `x`.
    axis : int, optional
        The axis along which softmax is taken. Default ``-1``.
    temperature : float, optional
        Positive, finite temperature :math:`T` (keyword only). Default 1.

    Returns
    -------
    ndarray
        :math:`J^\top v` for every slice, with the shape of `x` and the
        floating dtype of ``x + v``.

    Raises
    ------
    TypeError
        If `x` or `v` is not real, `axis` is not a single int, or
        `temperature` is not a real number.
    ValueError
        If `x` is 0-d, `v` does not have the shape of `x`, `axis` is out of
        range, or `temperature` is not positive and finite.

    See Also
    --------
    softmax_jacobian : The full matrix, for small :math:`n`.

    Notes
    -----
    The cost is :math:`O(n)` time and memory per slice instead of the
    :math:`O(n^2)` of forming the Jacobian. Because :math:`J` is symmetric,
    the same function also gives the Jacobian-vector product :math:`J v`
    (forward mode). Adding a constant to every entry of `v` does not change
    the result: :math:`J \mathbf{1} = 0`.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import softmax_jacobian, softmax_vjp
    >>> x, v = np.array([2.0, 1.0, 0.5]), np.array([1.0, -1.0, 0.5])
    >>> softmax_vjp(x, v)
    array([ 0.33473713, -0.33930489,  0.00456776])
    >>> np.allclose(softmax_vjp(x, v), softmax_jacobian(x).T @ v)
    True
    """
    func = "softmax_vjp"
    arr = as_real_array(x, func)
    vec = as_real_array(v, func, name="v")
    if arr.ndim == 0:
        raise ValueError(
            f"{func}: x must have at least one dimension (the classes), got a 0-d array"
        )
    if vec.shape != arr.shape:
        raise ValueError(f"{func}: v must have the shape of x, {arr.shape}, got {vec.shape}")
    ax = check_single_axis(axis, arr.ndim, func)
    temperature = check_temperature(temperature, func)
    dtype = np.result_type(arr.dtype, vec.dtype)
    p = softmax(arr.astype(dtype, copy=False), axis=ax, temperature=temperature)
    vec = vec.astype(p.dtype, copy=False)
    out = p * (vec - np.sum(p * vec, axis=ax, keepdims=True))
    if temperature != 1.0:
        out /= np.asarray(temperature, dtype=out.dtype)
    result: NDArray[np.floating[Any]] = out
    return result


# ---------------------------------------------------------------------------
# Cross-entropy from logits
# ---------------------------------------------------------------------------


def cross_entropy(
    logits: ArrayLike,
    labels: ArrayLike,
    *,
    label_smoothing: float = 0.0,
    reduction: str = "none",
) -> NDArray[np.floating[Any]] | np.floating[Any]:
    r"""Cross-entropy loss from logits, :math:`-\sum_i y_i \log\operatorname{softmax}(x)_i`.

    Parameters
    ----------
    logits : array_like, shape (..., n)
        Real scores; the last axis holds the ``n`` classes, any leading axes
        are a batch.
    labels : array_like, shape (...) or (..., n)
        Either integer class indices in ``[0, n)`` with the batch shape
        ``logits.shape[:-1]``, or target probability vectors with the shape
        of `logits` (non-negative, each summing to one; a one-hot vector is
        the same as its index).
    label_smoothing : float, optional
        :math:`\alpha \in [0, 1)` (keyword only): the targets become
        :math:`(1 - \alpha) y + \alpha / n`. Default 0.
    reduction : {"none", "mean", "sum"}, optional
        ``"none"`` (the default) returns one loss per example; ``"mean"`` and
        ``"sum"`` reduce over the whole batch.

    Returns
    -------
    ndarray or numpy scalar
        Losses of shape ``logits.shape[:-1]`` (``"none"``) or a scalar, in the
        floating dtype of `logits` (float64 for integer logits). A single
        example (1-d `logits`) gives a numpy scalar.

    Raises
    ------
    TypeError
        If `logits` is not real, integer-shaped `labels` are not integers,
        `label_smoothing` is not a real number, or `reduction` is not a str.
    ValueError
        If `logits` is 0-d or has no classes, `labels` has neither accepted
        shape, a class index is out of range, a target vector is negative,
        not finite or does not sum to one, `label_smoothing` is outside
        ``[0, 1)``, `reduction` is not one of the three names, or
        ``reduction="mean"`` is asked of an empty batch.

    See Also
    --------
    log_softmax : The log-probabilities the loss is computed from.
    softmax_vjp : Backpropagation through softmax alone.

    Notes
    -----
    The loss is computed as :math:`-\sum_i y_i\, \ell_i` with :math:`\ell =
    \operatorname{log\_softmax}(x)`, never as ``log(softmax(x))``: when a
    probability underflows to 0 its logarithm is ``-inf``, while
    log-softmax stays exact, so the loss is finite for every finite input.
    Its gradient with respect to the logits is :math:`\operatorname{softmax}(x) -
    y` (with :math:`y` the smoothed target).

    The default ``reduction="none"`` returns per-example losses, so that
    weighting, masking and averaging stay visible in the calling code (note
    that PyTorch and Keras default to the mean). Terms with a zero target
    contribute exactly 0, even where a logit is ``-inf``; a target class
    whose logit is ``-inf`` gives an infinite loss. A NaN logit makes its
    own example NaN.

    With label smoothing [1]_, the loss equals :math:`(1 - \alpha)` times the
    loss against :math:`y` plus :math:`\alpha` times the loss against the
    uniform distribution.

    References
    ----------
    .. [1] C. Szegedy, V. Vanhoucke, S. Ioffe, J. Shlens and Z. Wojna,
       "Rethinking the Inception architecture for computer vision", in
       *Proceedings of the IEEE Conference on Computer Vision and Pattern
       Recognition (CVPR)*, 2016, pp. 2818--2826.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import cross_entropy
    >>> logits = np.array([[2.0, 1.0, 0.5], [0.0, 3.0, -1.0]])
    >>> cross_entropy(logits, [0, 1])
    array([0.46436878, 0.0658839 ])
    >>> mean = cross_entropy(logits, [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], reduction="mean")
    >>> print(f"{mean:.6f}")
    0.265126
    >>> cross_entropy(logits, [0, 1], label_smoothing=0.1)
    array([0.54770212, 0.29921724])

    A confident wrong prediction: the true class's probability underflows to
    0, so ``-log(softmax(x))`` is infinite, while the loss from log-softmax
    is exact:

    >>> from softmax_lib import softmax
    >>> float(cross_entropy([0.0, -1000.0], 1))
    1000.0
    >>> with np.errstate(divide="ignore"):
    ...     float(-np.log(softmax([0.0, -1000.0])[1]))
    inf
    """
    func = "cross_entropy"
    x = as_real_array(logits, func, name="logits")
    if x.ndim == 0:
        raise ValueError(
            f"{func}: logits must have at least one dimension (the classes), got a 0-d array"
        )
    n = x.shape[-1]
    if n == 0:
        raise ValueError(
            f"{func}: logits must have at least one class along the last axis, got shape {x.shape}"
        )
    alpha = check_real(label_smoothing, func, "label_smoothing", 0.0, 1.0, hi_open=True)
    if not isinstance(reduction, str):
        raise TypeError(
            f"{func}: reduction must be one of {_REDUCTIONS}, "
            f"got {type(reduction).__name__} {reduction!r}"
        )
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{func}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    if isinstance(labels, (str, bytes)):
        raise TypeError(
            f"{func}: labels must be integer class indices or probability vectors, got {labels!r}"
        )
    lab = np.asarray(labels)
    batch = x.shape[:-1]

    logp = log_softmax(x, axis=-1)
    work = logp.dtype
    if lab.shape == batch:
        if lab.dtype.kind not in "iub":
            raise TypeError(
                f"{func}: labels of shape {lab.shape} (the batch shape) must be integer class "
                f"indices, got dtype {lab.dtype}; pass probability vectors with shape {x.shape}"
            )
        idx = check_labels(lab, batch, n, func)
        picked = np.take_along_axis(logp, idx[..., None], axis=-1)[..., 0]
        loss = -picked
        if alpha > 0.0:
            # The uniform part: -(1/n) sum_i logp_i. Only finite (or -inf) terms occur.
            uniform = -np.mean(logp, axis=-1)
            loss = (1.0 - alpha) * loss + alpha * uniform
    elif lab.shape == x.shape:
        y = as_real_array(lab, func, name="labels")
        if y.size:
            if not np.all(np.isfinite(y)):
                raise ValueError(
                    f"{func}: labels must be finite probability vectors; found inf or NaN"
                )
            if np.any(y < 0):
                raise ValueError(
                    f"{func}: labels must be non-negative probability vectors; found {y.min()!r}"
                )
            tol = math.sqrt(float(np.finfo(y.dtype).eps))
            sums = np.sum(y, axis=-1, dtype=np.float64)
            if np.any(np.abs(sums - 1.0) > tol):
                worst = sums.flat[int(np.argmax(np.abs(sums - 1.0)))]
                raise ValueError(
                    f"{func}: labels given as probability vectors must sum to 1 along the last "
                    f"axis (within {tol:.1e}); found a sum of {worst!r}"
                )
        y = y.astype(work, copy=False)
        if alpha > 0.0:
            y = (1.0 - alpha) * y + alpha / n
        with np.errstate(invalid="ignore"):
            terms = np.where(y > 0, y * logp, 0.0)
        loss = -np.sum(terms, axis=-1)
    else:
        raise ValueError(
            f"{func}: labels must have shape {batch} (class indices) or {x.shape} "
            f"(probability vectors) for logits of shape {x.shape}, got {lab.shape}"
        )

    loss = np.asarray(loss, dtype=work)
    if reduction == "sum":
        loss = np.sum(loss)
    elif reduction == "mean":
        if loss.size == 0:
            raise ValueError(
                f"{func}: reduction='mean' needs at least one example; logits has shape {x.shape}"
            )
        loss = np.mean(loss)
    out_dtype = x.dtype
    loss = np.asarray(loss).astype(out_dtype, copy=False)
    if loss.ndim == 0:
        return loss[()]
    return loss


# ---------------------------------------------------------------------------
# Gumbel-max sampling
# ---------------------------------------------------------------------------


def _check_size(size: Any, func: str) -> tuple[int, ...]:
    if size is None:
        return ()
    if isinstance(size, (numbers.Integral, np.integer)) and not isinstance(size, (bool, np.bool_)):
        dims: tuple[Any, ...] = (size,)
    elif isinstance(size, tuple):
        dims = size
    else:
        raise TypeError(
            f"{func}: size must be None, an int or a tuple of ints, "
            f"got {type(size).__name__} {size!r}"
        )
    return tuple(check_positive_int(d, func, "size", minimum=0) for d in dims)


def gumbel_max_sample(
    logits: ArrayLike, rng: np.random.Generator, size: int | tuple[int, ...] | None = None
) -> NDArray[np.intp] | np.intp:
    r"""Sample classes from :math:`\operatorname{softmax}(\text{logits})` by the Gumbel-max trick.

    Draws independent standard Gumbel noise :math:`g_i` and returns
    :math:`\arg\max_i (x_i + g_i)`, which takes the value :math:`k` with
    probability exactly :math:`\operatorname{softmax}(x)_k`.

    Parameters
    ----------
    logits : array_like, shape (..., n)
        Real scores; the last axis holds the classes, leading axes are a
        batch of independent distributions. Entries of ``-inf`` are never
        drawn.
    rng : numpy.random.Generator
        The source of randomness, for example ``np.random.default_rng(0)``.
        The same seed gives the same samples.
    size : int or tuple of ints, optional
        How many independent draws per distribution. The result has shape
        ``size + logits.shape[:-1]`` (an int counts as ``(size,)``). Default
        None: one draw per distribution.

    Returns
    -------
    ndarray of intp or numpy intp
        Class indices in ``[0, n)``. One draw from a 1-d `logits` is a numpy
        integer scalar.

    Raises
    ------
    TypeError
        If `rng` is not a :class:`numpy.random.Generator` (a seed,
        ``None`` or the legacy ``RandomState`` are rejected so that
        randomness is always explicit), `logits` is not real, or `size` is
        not None, an int or a tuple of ints.
    ValueError
        If `logits` is 0-d or has no classes, contains NaN or ``+inf``, has
        a distribution whose logits are all ``-inf``, or `size` is negative.

    See Also
    --------
    softmax : The distribution being sampled.

    Notes
    -----
    The noise is :math:`g = -\log(-\log u)` with :math:`u` uniform on
    (0, 1), from ``numpy.random.Generator.gumbel``; the addition runs in
    float64 whatever the dtype of `logits`. Because only the argmax matters,
    the logits need not be normalised, and shifting them all by a constant
    changes nothing. The trick goes back to Gumbel's extreme-value theory
    [1]_; see [2]_ for its use in machine learning. It needs ``n`` random
    numbers per draw, so for many draws from one fixed distribution
    ``numpy.random.Generator.choice`` is cheaper; the trick earns its
    keep when the logits change from draw to draw, and as the starting point
    of the Gumbel-softmax relaxation.

    References
    ----------
    .. [1] E. J. Gumbel, *Statistical Theory of Extreme Values and Some
       Practical Applications*, National Bureau of Standards Applied
       Mathematics Series 33, 1954.
    .. [2] C. J. Maddison, D. Tarlow and T. Minka, "A* sampling", in
       *Advances in Neural Information Processing Systems 27*, 2014,
       pp. 3086--3094.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import gumbel_max_sample, softmax
    >>> rng = np.random.default_rng(0)
    >>> draws = gumbel_max_sample([2.0, 1.0, 0.5], rng, size=10)
    >>> draws.shape, draws.dtype == np.intp
    ((10,), True)
    >>> counts = np.bincount(gumbel_max_sample([2.0, 1.0, 0.5], rng, size=100_000), minlength=3)
    >>> np.abs(counts / 100_000 - softmax([2.0, 1.0, 0.5])).max() < 0.01
    np.True_
    >>> gumbel_max_sample([0.0, 1.0], 42, size=3)
    Traceback (most recent call last):
    ...
    TypeError: gumbel_max_sample: rng must be a numpy.random.Generator (for example
    np.random.default_rng(42)), got int 42
    """
    func = "gumbel_max_sample"
    if not isinstance(rng, np.random.Generator):
        hint = (
            f" (for example np.random.default_rng({rng!r}))"
            if isinstance(rng, numbers.Integral)
            else ""
        )
        raise TypeError(
            f"{func}: rng must be a numpy.random.Generator{hint}, got {type(rng).__name__} {rng!r}"
        )
    x = as_real_array(logits, func, name="logits")
    if x.ndim == 0:
        raise ValueError(
            f"{func}: logits must have at least one dimension (the classes), got a 0-d array"
        )
    n = x.shape[-1]
    if n == 0:
        raise ValueError(
            f"{func}: logits must have at least one class along the last axis, got shape {x.shape}"
        )
    if np.any(np.isnan(x)) or np.any(x == np.inf):
        raise ValueError(f"{func}: logits must be finite or -inf; found NaN or +inf")
    if x.size and np.any(np.all(x == -np.inf, axis=-1)):
        raise ValueError(
            f"{func}: every logit of a distribution is -inf; there is nothing to sample"
        )
    dims = _check_size(size, func)
    shape = dims + x.shape[:-1]
    noise = rng.gumbel(size=shape + (n,))
    perturbed = noise + x.astype(np.float64)
    out: NDArray[np.intp] = np.argmax(perturbed, axis=-1).astype(np.intp, copy=False)
    if out.ndim == 0:
        return cast(np.intp, out[()])
    return out
