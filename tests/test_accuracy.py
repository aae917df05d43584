"""Accuracy targets of softmax, log_softmax and logsumexp, against mpmath.

Errors are measured in ulps of the correctly rounded result: for an exact
value ``y`` in a format with ``p`` significant bits and smallest normal exponent
``emin``, ``ulp(y) = 2**(max(floor(log2|y|), emin) - p + 1)`` (the smallest
subnormal for ``y = 0`` and for every subnormal ``y``), and the error of a
computed ``c`` is ``|c - RN(y)| / ulp(y)`` with ``RN`` rounding to nearest.
References are computed at 160 bits, with ``log1p`` of the sum without the
largest term so that tiny contributions are not lost in the reference either.

Targets (float64 / float32): softmax <= 5 / 1 ulp, log_softmax <= 5 / 1 ulp,
logsumexp <= 2.5 / 1 ulp; rows sum to 1 within 2 / 1 eps; finite input never
gives NaN or inf.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from softmax_lib import log_softmax, logsumexp, softmax

PREC = 160
FORMATS = {np.float64: (53, -1022), np.float32: (24, -126), np.float16: (11, -14)}
TARGETS = {  # function: (float64, float32) in ulps
    "softmax": (5.0, 1.0),
    "log_softmax": (5.0, 1.0),
    "logsumexp": (2.5, 1.0),
}
SUM_EPS = {np.float64: 2.0, np.float32: 1.0}


def ulp_exponent(y: mpmath.mpf, prec: int, emin: int) -> int:
    if y == 0:
        return emin - prec + 1
    _, e = mpmath.frexp(y)  # |y| = f * 2**e, f in [0.5, 1)
    return max(int(e) - 1, emin) - prec + 1


def ulp_error(computed: float, exact: mpmath.mpf, dtype: type) -> float:
    """Error of `computed` in ulps of the correctly rounded `exact`."""
    if not math.isfinite(computed):
        return math.inf
    prec, emin = FORMATS[dtype]
    q = ulp_exponent(exact, prec, emin)
    rounded = mpmath.ldexp(mpmath.nint(mpmath.ldexp(exact, -q)), q)
    return float(mpmath.ldexp(abs(mpmath.mpf(computed) - rounded), -q))


def reference(row: np.ndarray) -> tuple[list, list, mpmath.mpf]:
    """softmax, log_softmax and logsumexp of one row at 160 bits."""
    with mpmath.workprec(PREC):
        xs = [mpmath.mpf(float(v)) for v in row]
        k = max(range(len(xs)), key=lambda i: xs[i])
        m = xs[k]
        terms = [mpmath.exp(v - m) for v in xs]
        log_total = mpmath.log1p(mpmath.fsum(terms[:k] + terms[k + 1:]))
        total = mpmath.exp(log_total)
        return [t / total for t in terms], [(v - m) - log_total for v in xs], m + log_total


def adversarial(dtype: type) -> dict[str, np.ndarray]:
    """A compact set of hard rows: each family is a 2-D array of rows."""
    rng = np.random.default_rng(1234)
    f32 = dtype == np.float32
    big, wide = (100.0, 100.0) if f32 else (1000.0, 700.0)
    tie, dom = (1e-5, 20.0) if f32 else (1e-12, 40.0)
    n = 64
    fam = {
        "huge": big + 0.05 * big * rng.standard_normal((2, n)),
        "very negative": -big + 0.05 * big * rng.standard_normal((2, n)),
        "tiny": 1e-10 * rng.standard_normal((2, n)),
        "wide range": np.concatenate([rng.uniform(-wide, np.pi, (2, n - 1)), np.full((2, 1), np.pi)], axis=1),
        "mixed magnitudes": rng.choice([-1.0, 1.0], (2, n)) * 10.0 ** rng.uniform(-8, np.log10(wide), (2, n)),
        "near ties": 3.0 + tie * rng.standard_normal((2, n)),
        "one dominant": np.concatenate([np.full((2, 1), dom), rng.standard_normal((2, n - 1))], axis=1),
        "two entries": np.array([[0.0, -dom], [1e-3, -wide]]),
        "above the no-shift range": 690.0 + 5.0 * rng.standard_normal((2, n)),
        "long row": 4.0 * rng.standard_normal((1, 20_000)),
    }
    return {name: rows.astype(dtype) for name, rows in fam.items()}


CASES = [(dtype, family) for dtype in (np.float64, np.float32) for family in adversarial(dtype)]


@pytest.mark.parametrize(("dtype", "family"), CASES, ids=[f"{np.dtype(d).name}-{f}" for d, f in CASES])
def test_accuracy_targets(dtype, family):
    rows = adversarial(dtype)[family]
    i = 0 if dtype == np.float64 else 1
    p, logp, lse = softmax(rows), log_softmax(rows), logsumexp(rows)
    assert p.dtype == logp.dtype == lse.dtype == dtype
    for r, row in enumerate(rows):
        ref_p, ref_logp, ref_lse = reference(row)
        worst = {
            "softmax": max(ulp_error(float(c), y, dtype) for c, y in zip(p[r], ref_p)),
            "log_softmax": max(ulp_error(float(c), y, dtype) for c, y in zip(logp[r], ref_logp)),
            "logsumexp": ulp_error(float(lse[r]), ref_lse, dtype),
        }
        for name, err in worst.items():
            assert err <= TARGETS[name][i], f"{name} {family} row {r}: {err} ulp > {TARGETS[name][i]}"
        eps = float(np.finfo(dtype).eps)
        assert abs(math.fsum(p[r].astype(np.float64)) - 1.0) <= SUM_EPS[dtype] * eps


def test_the_naive_and_shifted_formulas_miss_the_targets():
    """The test set is hard enough: the textbook formulas fail it."""
    row = adversarial(np.float64)["wide range"][0]
    ref_p, _, _ = reference(row)
    shifted = np.exp(row - row.max()) / np.sum(np.exp(row - row.max()))
    assert max(ulp_error(float(c), y, np.float64) for c, y in zip(shifted, ref_p)) > 5
    x = np.array([0.0, -40.0])
    _, ref_logp, _ = reference(x)
    naive_log = x - np.log(np.sum(np.exp(x)))
    assert ulp_error(float(naive_log[0]), ref_logp[0], np.float64) > 1e10
    assert ulp_error(float(log_softmax(x)[0]), ref_logp[0], np.float64) <= 1


def test_ulp_definition_on_known_values():
    # One float apart is one ulp; the smallest subnormal is one ulp of 0.
    assert ulp_error(float(np.nextafter(1.0, 2.0)), mpmath.mpf(1), np.float64) == 1.0
    assert ulp_error(5e-324, mpmath.mpf(0), np.float64) == 1.0
    assert ulp_error(0.0, mpmath.mpf(0), np.float64) == 0.0
    assert ulp_error(float(np.float32(1.0) + np.finfo(np.float32).eps), mpmath.mpf(1), np.float32) == 1.0
    assert ulp_error(math.inf, mpmath.mpf(1), np.float64) == math.inf


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_finite_input_gives_finite_output(dtype):
    info = np.finfo(dtype)
    x = np.array([[info.max, -info.max, 0.0, info.tiny], [-info.max, -info.max, -info.max, 1.0]], dtype=dtype)
    with np.errstate(all="raise"):
        for out in (softmax(x), log_softmax(x[:, 2:]), logsumexp(x)):
            assert np.isfinite(out).all()
    assert np.array_equal(softmax(x)[0], np.array([1, 0, 0, 0], dtype=dtype))


def reference_scaled(row: np.ndarray, temperature: float) -> tuple[list, list]:
    """softmax and log_softmax of row / temperature, the division done exactly."""
    with mpmath.workprec(PREC):
        t = mpmath.mpf(temperature)
        xs = [mpmath.mpf(float(v)) / t for v in row]
        k = max(range(len(xs)), key=lambda i: xs[i])
        terms = [mpmath.exp(v - xs[k]) for v in xs]
        log_total = mpmath.log1p(mpmath.fsum(terms[:k] + terms[k + 1:]))
        total = mpmath.exp(log_total)
        return [v / total for v in terms], [(v - xs[k]) - log_total for v in xs]


@pytest.mark.parametrize("temperature", [0.1, 0.7, 3.0])
@pytest.mark.parametrize("n", [64, 33_000])  # one block, and a row longer than a block
def test_temperature_is_applied_without_amplified_rounding(temperature, n):
    rng = np.random.default_rng(7)
    row = np.concatenate([[np.pi], rng.uniform(-700.0, np.pi, n - 1)])
    ref_p, ref_logp = reference_scaled(row, temperature)
    p, logp = softmax(row, temperature=temperature), log_softmax(row, temperature=temperature)
    assert max(ulp_error(float(c), y, np.float64) for c, y in zip(p, ref_p)) <= 5
    assert max(ulp_error(float(c), y, np.float64) for c, y in zip(logp, ref_logp)) <= 5
