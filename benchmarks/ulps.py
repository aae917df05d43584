"""Correctly rounded references and errors in ulps, shared by the benchmark and the tests.

Errors are measured in ulps of the correctly rounded result: for an exact value
``y`` in a format with ``p`` significant bits and smallest normal exponent
``emin``, ``ulp(y) = 2**(max(floor(log2|y|), emin) - p + 1)`` (the smallest
subnormal for ``y = 0`` and for every subnormal ``y``), and the error of a
computed ``c`` is ``|c - RN(y)| / ulp(y)``, with ``RN`` rounding to nearest.
References are computed in mpmath at ``PREC`` bits, with ``log1p`` of the sum
without the largest term so that tiny contributions are not lost in the
reference either.

Used by ``benchmarks/bench_core.py`` (run as a script, so imported as ``ulps``)
and by ``tests/test_accuracy.py`` (as ``benchmarks.ulps``).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np

PREC = 160
#: significant bits and smallest normal exponent of each format
FORMATS = {np.float64: (53, -1022), np.float32: (24, -126), np.float16: (11, -14)}
#: accuracy targets in ulps, (float64, float32)
ULP_TARGETS = {"softmax": (5.0, 1.0), "log_softmax": (5.0, 1.0), "logsumexp": (2.5, 1.0)}
#: how far rows of probabilities may sum from 1, in eps of their format
SUM_EPS = {np.float64: 2.0, np.float32: 1.0}


def ulp_exponent(y: mpmath.mpf, prec: int, emin: int) -> int:
    """Exponent q with ulp(y) = 2**q in a format with `prec` bits and smallest normal exponent `emin`."""
    if y == 0:
        return emin - prec + 1
    _, e = mpmath.frexp(y)  # |y| = f * 2**e with f in [0.5, 1)
    return max(int(e) - 1, emin) - prec + 1


def ulp_error(computed: float, exact: mpmath.mpf, dtype: type) -> float:
    """Error of `computed` in ulps of the correctly rounded `exact` (inf if not finite)."""
    if not math.isfinite(computed):
        return math.inf
    prec, emin = FORMATS[dtype]
    q = ulp_exponent(exact, prec, emin)
    rounded = mpmath.ldexp(mpmath.nint(mpmath.ldexp(exact, -q)), q)
    return float(mpmath.ldexp(abs(mpmath.mpf(computed) - rounded), -q))


def max_ulp_error(computed: np.ndarray, exact: list[mpmath.mpf], dtype: type) -> float:
    """Largest :func:`ulp_error` over the entries of `computed`."""
    values = np.asarray(computed, dtype=np.float64).ravel()
    return max((ulp_error(float(c), y, dtype) for c, y in zip(values, exact)), default=0.0)


def reference(row: np.ndarray, temperature: float = 1.0) -> tuple[list, list, mpmath.mpf]:
    """softmax, log_softmax and logsumexp of ``row / temperature``, the division done exactly."""
    with mpmath.workprec(PREC):
        t = mpmath.mpf(temperature)
        xs = [mpmath.mpf(float(v)) / t for v in row]
        k = max(range(len(xs)), key=lambda i: xs[i])
        m = xs[k]
        terms = [mpmath.exp(v - m) for v in xs]
        # log(sum) = log1p(sum without the largest term): a tiny rest survives
        # even where 1 + rest would round to 1 at the working precision.
        log_total = mpmath.log1p(mpmath.fsum(terms[:k] + terms[k + 1:]))
        total = mpmath.exp(log_total)
        return [v / total for v in terms], [(v - m) - log_total for v in xs], m + log_total
