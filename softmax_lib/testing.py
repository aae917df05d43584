"""Reference values, errors in ulps and finite differences, for tests and chapters.

In the spirit of ``numpy.testing``: the one place where the book, the test
suite and the benchmarks get their correctly rounded references and their
measure of error, so that all of them judge accuracy the same way.

This module needs `mpmath <https://mpmath.org>`_ (``pip install
"softmax-lib[test]"``); the rest of the library does not.

Errors in ulps
--------------
For an exact value ``y`` and a floating-point format with ``p`` significant
bits and smallest normal exponent ``emin``, the unit in the last place is

    ``ulp(y) = 2**(max(floor(log2 |y|), emin) - p + 1)``

(the spacing of the format's numbers around ``y``; for ``y = 0`` and for every
subnormal ``y`` it is the smallest subnormal). The error of a computed value
``c`` is ``|c - RN(y)| / ulp(y)``, where ``RN(y)`` is ``y`` rounded to the
nearest number of the format. So a correctly rounded result has error 0, and
an error of 1 means one step of the format away from it.

Precision
---------
Every reference is computed in mpmath inside ``mpmath.workprec`` (the global
precision is never changed), at ``PREC`` = 160 bits unless stated.

Examples
--------
>>> import numpy as np
>>> from softmax_lib import softmax
>>> from softmax_lib.testing import reference_softmax, max_ulp_error
>>> x = np.array([1000.0, 0.0, -3.5])
>>> p_exact, logp_exact, lse_exact = reference_softmax(x)
>>> max_ulp_error(softmax(x), p_exact, np.float64)
0.0
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import mpmath
import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "PREC",
    "FORMATS",
    "format_of",
    "ulp",
    "correctly_rounded",
    "ulp_error",
    "max_ulp_error",
    "reference_softmax",
    "numerical_gradient",
    "adversarial_rows",
]

#: Working precision (bits) of every mpmath reference in this module.
PREC = 160

#: Significant bits (including the implicit one) and smallest normal exponent of each
#: floating-point format, by dtype name.
FORMATS: dict[str, tuple[int, int]] = {
    "float64": (53, -1022),
    "float32": (24, -126),
    "float16": (11, -14),
    "bfloat16": (8, -126),
}


def format_of(dtype: Any) -> tuple[int, int]:
    """Significant bits and smallest normal exponent of `dtype`.

    Parameters
    ----------
    dtype : dtype-like
        float16, float32, float64 or ``ml_dtypes.bfloat16``.

    Returns
    -------
    (int, int)
        ``(p, emin)``.

    Examples
    --------
    >>> format_of(np.float32)
    (24, -126)
    """
    name = np.dtype(dtype).name
    if name not in FORMATS and np.dtype(dtype).kind in "biu":
        name = "float64"  # integers and booleans compute in float64
    if name not in FORMATS:
        raise ValueError(f"format_of: dtype must be one of {sorted(FORMATS)}, got {name}")
    return FORMATS[name]


def ulp(y: Any, dtype: Any) -> mpmath.mpf:
    """The unit in the last place of the exact value `y` in the format `dtype`.

    Parameters
    ----------
    y : float or mpmath.mpf
        An exact value.
    dtype : dtype-like
        The format.

    Returns
    -------
    mpmath.mpf
        ``2**(max(floor(log2 |y|), emin) - p + 1)``; the smallest subnormal for 0.

    Examples
    --------
    >>> float(ulp(1.0, np.float64)) == float(np.spacing(1.0))
    True
    >>> float(ulp(0.0, np.float64))
    5e-324
    """
    prec, emin = format_of(dtype)
    with mpmath.workprec(PREC):
        y = mpmath.mpf(y)
        if y == 0:
            return mpmath.ldexp(1, emin - prec + 1)
        _, e = mpmath.frexp(y)  # |y| = f * 2**e with f in [0.5, 1)
        return mpmath.ldexp(1, max(int(e) - 1, emin) - prec + 1)


def correctly_rounded(y: Any, dtype: Any) -> mpmath.mpf:
    """`y` rounded to the nearest number of the format (ties to even), overflow ignored.

    Examples
    --------
    >>> float(correctly_rounded(mpmath.mpf(1) / 3, np.float64)) == 1 / 3
    True
    """
    with mpmath.workprec(PREC):
        q = ulp(y, dtype)
        scaled = mpmath.mpf(y) / q
        n = mpmath.floor(scaled)
        rest = scaled - n
        if rest > 0.5 or (rest == 0.5 and int(n) % 2 == 1):
            n += 1
        return n * q


def ulp_error(computed: float, exact: Any, dtype: Any) -> float:
    """Error of `computed` in ulps of the correctly rounded `exact`.

    Parameters
    ----------
    computed : float
        The value to judge (a float of the format `dtype`).
    exact : float or mpmath.mpf
        The exact (high-precision) value.
    dtype : dtype-like
        The format whose ulps measure the error.

    Returns
    -------
    float
        ``|computed - RN(exact)| / ulp(exact)``: 0 for the correctly rounded
        value, ``inf`` if `computed` is not finite while `exact` is.

    Examples
    --------
    >>> ulp_error(0.1, mpmath.mpf(1) / 10, np.float64)
    0.0
    >>> ulp_error(np.nextafter(0.1, 1.0), mpmath.mpf(1) / 10, np.float64)
    1.0
    """
    computed = float(computed)
    if not math.isfinite(computed):
        return math.inf
    with mpmath.workprec(PREC):
        q = ulp(exact, dtype)
        return float(abs(mpmath.mpf(computed) - correctly_rounded(exact, dtype)) / q)


def max_ulp_error(computed: ArrayLike, exact: Sequence[Any], dtype: Any) -> float:
    """Largest :func:`ulp_error` over the entries of `computed` (in C order).

    Examples
    --------
    >>> max_ulp_error([0.5, 0.25], [mpmath.mpf(1) / 2, mpmath.mpf(1) / 4], np.float64)
    0.0
    """
    values = np.asarray(computed).astype(np.float64).ravel()
    if len(values) != len(exact):
        raise ValueError(
            f"max_ulp_error: computed and exact must have the same number of entries, "
            f"got {len(values)} and {len(exact)}"
        )
    return max(
        (ulp_error(float(c), y, dtype) for c, y in zip(values, exact, strict=True)), default=0.0
    )


def reference_softmax(
    row: ArrayLike, temperature: float = 1.0
) -> tuple[list[mpmath.mpf], list[mpmath.mpf], mpmath.mpf]:
    """Exact softmax, log-softmax and log-sum-exp of one row, at ``PREC`` bits.

    The division by `temperature` is done exactly (in mpmath, from the float
    values). ``log`` of the sum is computed as ``log1p`` of the sum without the
    largest term, so that a tiny rest survives in the reference too.

    Parameters
    ----------
    row : array_like
        One row of finite logits (any real dtype; converted exactly).
    temperature : float
        A positive temperature.

    Returns
    -------
    (list of mpf, list of mpf, mpf)
        softmax, log-softmax and logsumexp of ``row / temperature``.

    Examples
    --------
    >>> p, logp, lse = reference_softmax([0.0, 0.0])
    >>> float(p[0]), float(lse) == math.log(2)
    (0.5, True)
    """
    values = np.asarray(row).astype(np.float64).ravel()
    if values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError("reference_softmax: row must be a non-empty row of finite numbers")
    with mpmath.workprec(PREC):
        t = mpmath.mpf(float(temperature))
        xs = [mpmath.mpf(float(v)) / t for v in values]
        k = max(range(len(xs)), key=lambda i: xs[i])
        m = xs[k]
        terms = [mpmath.exp(v - m) for v in xs]
        log_total = mpmath.log1p(mpmath.fsum(terms[:k] + terms[k + 1 :]))
        total = mpmath.exp(log_total)
        return [v / total for v in terms], [(v - m) - log_total for v in xs], m + log_total


def numerical_gradient(
    f: Callable[[NDArray[np.float64]], float], x: ArrayLike, *, step: float | None = None
) -> NDArray[np.float64]:
    """Central finite-difference gradient of a scalar function, in float64.

    Each coordinate is moved by ``h = step * max(1, |x_i|)`` both ways and the
    difference divided by the distance actually moved (``(x_i + h) - (x_i - h)``
    as stored), so the rounding of the step itself does not enter the error.
    The truncation error is ``O(h**2)`` and the rounding error ``O(eps / h)``;
    the default step ``eps**(1/3)`` (about 6e-6) balances them, which leaves
    about 10 correct digits for a smooth `f` of moderate size.

    Parameters
    ----------
    f : callable
        Maps a float64 array of the shape of `x` to a real number.
    x : array_like
        The point (any shape).
    step : float, optional
        Relative step; default ``np.finfo(float).eps ** (1/3)``.

    Returns
    -------
    ndarray of float64
        The gradient, with the shape of `x`.

    Examples
    --------
    >>> from softmax_lib import logsumexp, softmax
    >>> x = np.array([1.0, 2.0, 0.5])
    >>> g = numerical_gradient(logsumexp, x)
    >>> float(np.max(np.abs(g - softmax(x)))) < 1e-9
    True
    """
    point = np.array(x, dtype=np.float64)  # a copy: x is never modified
    if not np.all(np.isfinite(point)):
        raise ValueError("numerical_gradient: x must contain finite numbers only")
    if step is None:
        step = float(np.finfo(np.float64).eps) ** (1.0 / 3.0)
    if not (isinstance(step, (int, float)) and math.isfinite(step) and step > 0):
        raise ValueError(f"numerical_gradient: step must be a positive finite number, got {step!r}")
    grad = np.empty_like(point)
    flat, gflat = point.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        xi = flat[i]
        h = step * max(1.0, abs(xi))
        flat[i] = xi + h
        up = float(f(point))
        hi = flat[i]
        flat[i] = xi - h
        down = float(f(point))
        lo = flat[i]
        flat[i] = xi
        gflat[i] = (up - down) / (hi - lo)
    return grad


def adversarial_rows(
    rng: np.random.Generator, dtype: Any, n: int = 48, long: int = 2_000
) -> dict[str, tuple[NDArray[Any], float]]:
    """Named families of hard rows for softmax, log-softmax and log-sum-exp.

    Each family is a pair ``(rows, temperature)``: a 2-D array of rows of
    `dtype` (rounded to it) and the temperature to apply. The scales follow
    the format (float64, then float32 and bfloat16, then float16) so that the
    rows probe its whole exponent range.

    ``dominant entry``
        One entry far above the others (the rest is tiny next to 1).
    ``near ties``
        Entries within a few ulps of each other.
    ``wide range``
        Entries spread over the whole range where the exponential is
        representable, with the maximum an irrational-looking number.
    ``mixed magnitudes``
        Signed magnitudes spread over many decades.
    ``large positive offset`` / ``large negative offset``
        Moderate spread around a large positive or negative value (for float64,
        +1000 lies where a plain subtraction of the maximum is not exact).
    ``wide range at an offset``
        A wide range whose maximum is large (for float64, above 680 and with
        entries below half of it, where the shift needs its rounding error).
    ``long row``
        One row of `long` entries (longer than a block when the block size is
        made small).
    ``two entries``
        Two-class rows, one close to the rounding level of the other.
    ``small temperature`` / ``large temperature``
        Ordinary logits at temperatures 0.0123 and 37.7 (not powers of two).
    ``extreme temperatures``
        The same logits at a subnormal or a huge temperature (uniform or
        one-hot limits), taken from 5e-324, 1e-300, 1.5e300 and 1.7e308.
    ``few large terms``
        A maximum of exactly 0, one, two or three entries within a few units
        of it and the others well below, shuffled: the sum without the
        largest term is dominated by one or a few terms, the case where a
        plain pairwise sum rounds most (each addition onto a dominant
        partial sum rounds at that term's scale).
    ``integers``
        Integer logits (compute in float64).

    Parameters
    ----------
    rng : numpy.random.Generator
        The source of randomness (seed it for reproducible rows).
    dtype : dtype-like
        float64, float32, float16, ``ml_dtypes.bfloat16``, or an integer dtype
        (then only the ``integers`` family is returned).
    n : int, optional
        Entries per row (default 48).
    long : int, optional
        Entries of the ``long row`` family (default 2,000; the accuracy
        claims were also checked on 10**6).

    Returns
    -------
    dict of str to (ndarray, float)

    Examples
    --------
    >>> fam = adversarial_rows(np.random.default_rng(0), np.float32)
    >>> rows, t = fam["near ties"]
    >>> rows.dtype, rows.shape[1], t
    (dtype('float32'), 48, 1.0)
    """
    dt = np.dtype(dtype)
    if dt.kind in "biu":
        return {"integers": (rng.integers(-50, 50, size=(3, n)).astype(dt), 1.0)}
    name = dt.name
    big, wide, tie, dom = {
        "float64": (1000.0, 700.0, 1e-12, 40.0),
        "float32": (100.0, 100.0, 1e-5, 20.0),
        "bfloat16": (100.0, 80.0, 1e-2, 8.0),
        "float16": (10.0, 15.0, 1e-2, 8.0),
    }.get(name, (100.0, 100.0, 1e-5, 20.0))
    std = rng.standard_normal

    def rows(values: Any) -> NDArray[Any]:
        return np.asarray(values, dtype=np.float64).astype(dt)

    top = np.full((3, 1), np.pi)
    fam: dict[str, tuple[NDArray[Any], float]] = {
        "dominant entry": (
            rows(np.concatenate([np.full((3, 1), dom), std((3, n - 1))], axis=1)),
            1.0,
        ),
        "near ties": (rows(3.0 + tie * std((3, n))), 1.0),
        "wide range": (
            rows(np.concatenate([rng.uniform(-wide, np.pi, (3, n - 1)), top], axis=1)),
            1.0,
        ),
        "mixed magnitudes": (
            rows(rng.choice([-1.0, 1.0], (3, n)) * 10.0 ** rng.uniform(-8, np.log10(wide), (3, n))),
            1.0,
        ),
        "large positive offset": (rows(big + 0.02 * big * std((3, n))), 1.0),
        "large negative offset": (rows(-big + 0.02 * big * std((3, n))), 1.0),
        "wide range at an offset": (
            rows(np.concatenate([rng.uniform(big - wide, big, (3, n - 1)), top + big], axis=1)),
            1.0,
        ),
        "long row": (rows(3.0 * std((1, long))), 1.0),
        "two entries": (rows([[0.0, -dom], [1e-3, -wide], [wide / 2, 0.0]]), 1.0),
        "small temperature": (rows(4.0 * std((3, n))), 0.0123),
        "large temperature": (rows(wide * std((3, n))), 37.7),
        "extreme temperatures": (
            rows(4.0 * std((1, n))),
            float(rng.choice([5e-324, 1e-300, 1.5e300, 1.7e308])),
        ),
    }
    few = []
    for k in (1, 2, 3):
        row = np.concatenate([[0.0], -rng.uniform(0.5, 3.0, k), -rng.uniform(4.0, 12.0, n - 1 - k)])
        rng.shuffle(row)
        few.append(row)
    fam["few large terms"] = (rows(few), 1.0)
    return fam
