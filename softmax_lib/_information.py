"""Shannon entropy of probability vectors, in one place for every chapter."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_real_array, normalize_axes

__all__ = ["entropy"]


def entropy(p: ArrayLike, axis: int | tuple[int, ...] | None = -1) -> NDArray[np.floating[Any]]:
    """Shannon entropy ``H(p) = -sum_i p_i ln p_i`` in nats, with ``0 ln 0 = 0``.

    Parameters
    ----------
    p : array_like
        Probabilities (non-negative; each slice along `axis` is expected to sum to
        one, which is not checked, so that sub-normalised vectors can be used too).
    axis : int, tuple of ints or None, optional
        The axis or axes that hold one distribution. Default -1.

    Returns
    -------
    ndarray
        The entropies, with `axis` removed, in the floating dtype of `p` (float64
        for integer or bool input). A 0-d array for a single distribution.

    Raises
    ------
    TypeError
        If `p` is not real or `axis` is not an int, a tuple of ints or None.
    ValueError
        If `p` has a negative or NaN entry.

    Notes
    -----
    Exact zeros contribute nothing (the limit of ``t ln t`` as ``t -> 0``), so
    one-hot vectors have entropy exactly 0 and the uniform distribution over
    ``n`` outcomes has entropy ``ln n``. Divide by ``ln 2`` for bits.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import entropy
    >>> float(entropy([0.5, 0.5])) == float(np.log(2))
    True
    >>> entropy([[1.0, 0.0, 0.0], [0.25, 0.25, 0.5]])
    array([0.        , 1.03972077])
    """
    arr = as_real_array(p, "entropy", "p")
    if np.any(np.isnan(arr)) or np.any(arr < 0):
        raise ValueError("entropy: p must contain non-negative probabilities (no NaN)")
    axes = normalize_axes(axis, arr.ndim, "entropy")
    positive = arr > 0
    safe = np.where(positive, arr, 1)
    terms = np.where(positive, -arr * np.log(safe), 0)
    return np.asarray(np.sum(terms, axis=axes), dtype=arr.dtype)
