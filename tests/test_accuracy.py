"""Accuracy targets of softmax, log_softmax and logsumexp, against mpmath.

Errors are measured in ulps of the correctly rounded result, against references
computed in mpmath at 160 bits; both are defined in ``benchmarks/ulps.py``, which
the benchmark uses too.

Targets (float64 / float32): softmax <= 5 / 1 ulp, log_softmax <= 5 / 1 ulp,
logsumexp <= 2.5 / 1 ulp; rows sum to 1 within 2 / 1 eps; finite input never
gives NaN or inf.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from benchmarks.ulps import SUM_EPS, ULP_TARGETS, reference, ulp_error
from softmax_lib import log_softmax, logsumexp, softmax

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
            assert err <= ULP_TARGETS[name][i], f"{name} {family} row {r}: {err} ulp > {ULP_TARGETS[name][i]}"
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


@pytest.mark.parametrize("temperature", [0.1, 0.7, 3.0])
@pytest.mark.parametrize("n", [64, 33_000])  # one block, and a row longer than a block
def test_temperature_is_applied_without_amplified_rounding(temperature, n):
    rng = np.random.default_rng(7)
    row = np.concatenate([[np.pi], rng.uniform(-700.0, np.pi, n - 1)])
    ref_p, ref_logp, _ = reference(row, temperature)
    p, logp = softmax(row, temperature=temperature), log_softmax(row, temperature=temperature)
    assert max(ulp_error(float(c), y, np.float64) for c, y in zip(p, ref_p)) <= 5
    assert max(ulp_error(float(c), y, np.float64) for c, y in zip(logp, ref_logp)) <= 5
