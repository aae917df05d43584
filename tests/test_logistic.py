"""Tests for logit, log1mexp and bce_with_logits (softmax_lib/_logistic.py).

References come from mpmath at 160 bits (softmax_lib.testing); errors are in ulps
of the correctly rounded value. Measured worst cases (float64) on the families
below: logit 1 ulp, log1mexp 1 ulp, bce_with_logits 1 ulp; the tolerances are
those plus one ulp of margin (plus one more for the loss, a sum of two rounded terms).
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from softmax_lib import bce_with_logits, log1mexp, log_sigmoid, logit, sigmoid
from softmax_lib.testing import PREC, max_ulp_error


def exact_logit(p: float) -> mpmath.mpf:
    with mpmath.workprec(PREC):
        q = mpmath.mpf(p)
        return mpmath.log(q / (1 - q))


def exact_log1mexp(a: float) -> mpmath.mpf:
    # two forms so that the reference itself loses nothing (mpmath works at fixed precision)
    with mpmath.workprec(PREC):
        x = mpmath.mpf(a)
        return mpmath.log(-mpmath.expm1(x)) if x > -1 else mpmath.log1p(-mpmath.exp(x))


def exact_bce(z: float, y: float, w: float = 1.0) -> mpmath.mpf:
    with mpmath.workprec(PREC):
        zz, yy = mpmath.mpf(z), mpmath.mpf(y)
        log_p = -mpmath.log1p(mpmath.exp(-zz))
        log_q = -mpmath.log1p(mpmath.exp(zz))
        return -(mpmath.mpf(w) * yy * log_p + (1 - yy) * log_q)


RNG = np.random.default_rng(20261129)
P_FAMILY = np.concatenate([
    10.0 ** RNG.uniform(-300, 0, 400) * 0.999,           # small to moderate
    1.0 - 10.0 ** RNG.uniform(-15.9, -0.4, 300),          # near 1
    0.5 + RNG.uniform(-1e-3, 1e-3, 300),                  # near 1/2 (cancellation)
    0.25 + RNG.uniform(-1e-3, 1e-3, 100),                 # branch boundary
    [0.25, 0.5, np.nextafter(0.5, 0), np.nextafter(0.25, 0), 5e-324, 1 - 2**-53],
])
A_FAMILY = -np.concatenate([
    10.0 ** RNG.uniform(-300, np.log10(700), 600),
    np.log(2) + RNG.uniform(-1e-3, 1e-3, 100),            # branch boundary
    [np.log(2), 2**-54, 5e-324, 745.0],
])


def test_logit_float64_within_2_ulp():
    refs = [exact_logit(float(p)) for p in P_FAMILY]
    assert max_ulp_error(logit(P_FAMILY), refs, np.float64) <= 2.0


def test_logit_textbook_formula_fails_near_one_half():
    # the regression the three branches exist for
    p = 0.5 + RNG.uniform(-1e-3, 0.0, 200)
    refs = [exact_logit(float(v)) for v in p]
    assert max_ulp_error(np.log(p) - np.log1p(-p), refs, np.float64) > 1000
    assert max_ulp_error(logit(p), refs, np.float64) <= 2.0


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_logit_low_precision_correctly_rounded_within_1_ulp(dtype):
    p = np.concatenate([np.linspace(0.001, 0.999, 301), [0.5]]).astype(dtype)
    refs = [exact_logit(float(v)) for v in p]
    out = logit(p)
    assert out.dtype == dtype
    assert max_ulp_error(out, refs, dtype) <= 1.0


def test_logit_endpoints_and_nan():
    out = logit(np.array([0.0, 1.0, np.nan]))
    assert out[0] == -np.inf and out[1] == np.inf and np.isnan(out[2])


def test_log1mexp_float64_within_2_ulp():
    refs = [exact_log1mexp(float(a)) for a in A_FAMILY]
    assert max_ulp_error(log1mexp(A_FAMILY), refs, np.float64) <= 2.0


def test_log1mexp_naive_formulas_fail_where_expected():
    with np.errstate(divide="ignore"):
        assert np.log(1 - np.exp(-1e-20)) == -np.inf          # 1 - e^a rounds to 0
        assert np.log(-np.expm1(-800.0)) == 0.0                # e^a underflows
    assert float(log1mexp(-1e-20)) == pytest.approx(np.log(1e-20), rel=1e-15)
    assert float(log1mexp(-700.0)) == -float(np.exp(-700.0))   # log(1 - e^a) = -e^a to every bit


def test_log1mexp_special_values():
    out = log1mexp(np.array([0.0, -np.inf, np.nan]))
    assert out[0] == -np.inf and out[1] == 0.0 and np.isnan(out[2])


def test_bce_with_logits_matches_mpmath():
    z = np.concatenate([RNG.normal(scale=5.0, size=200), RNG.normal(scale=300.0, size=100)])
    y = RNG.uniform(0.0, 1.0, size=z.size)
    y[:100] = np.round(y[:100])
    w = RNG.uniform(0.1, 5.0, size=z.size)
    refs = [exact_bce(float(a), float(b), float(c)) for a, b, c in zip(z, y, w, strict=True)]
    assert max_ulp_error(bce_with_logits(z, y, pos_weight=w), refs, np.float64) <= 3.0


def test_bce_with_logits_framework_formula_and_weight():
    rng = np.random.default_rng(1)
    z = rng.normal(scale=4.0, size=(50, 3))
    y = (rng.uniform(size=(50, 3)) < 0.3).astype(float)
    framework = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    np.testing.assert_allclose(bce_with_logits(z, y), framework, rtol=1e-13, atol=0)
    w = np.array([1.0, 2.0, 7.0])
    # PyTorch's weighted form: (1 - y) z + (1 + (w - 1) y) * (log1p(e^-|z|) + max(-z, 0))
    softplus_minus_z = np.log1p(np.exp(-np.abs(z))) + np.maximum(-z, 0)
    torch_form = (1 - y) * z + (1 + (w - 1) * y) * softplus_minus_z
    np.testing.assert_allclose(
        bce_with_logits(z, y, pos_weight=w), torch_form, rtol=1e-12, atol=1e-15
    )


def test_bce_with_logits_infinite_logits_and_dtypes():
    z = np.array([np.inf, -np.inf, np.inf, -np.inf])
    out = bce_with_logits(z, np.array([1.0, 0.0, 0.0, 1.0]))
    np.testing.assert_array_equal(out, [0.0, 0.0, np.inf, np.inf])
    out32 = bce_with_logits(np.array([1.0, -2.0], dtype=np.float32), np.array([1, 0]))
    assert out32.dtype == np.float32
    assert bce_with_logits(np.array([1, 0]), np.array([True, False])).dtype == np.float64
    assert isinstance(bce_with_logits(0.0, 1.0), np.float64)


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-700.0, max_value=700.0))
def test_logit_inverts_sigmoid(z):
    p = sigmoid(z)
    if 1e-300 < p < 0.5:   # below 1/2 the sigmoid's value has full relative accuracy
        # d logit / dp = 1/(p(1-p)): one ulp of p moves the logit by <= 2 eps / (1 - p)
        assert abs(logit(p) - z) <= 8 * np.finfo(float).eps * max(1.0, abs(z))


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-700.0, max_value=700.0))
def test_log1mexp_of_log_sigmoid_is_log_sigmoid_of_minus(z):
    # log(1 - sigma(z)) = log sigma(-z)
    got, want = log1mexp(log_sigmoid(z)), log_sigmoid(-z)
    assert abs(got - want) <= 1e-12 * max(1.0, abs(want)) or z > 36


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-1e6, max_value=1e6), st.floats(min_value=0.0, max_value=1.0))
def test_bce_is_finite_nonnegative_and_label_swap(z, y):
    loss = bce_with_logits(z, y)
    assert np.isfinite(loss) and loss >= -1e-300
    swapped = bce_with_logits(-z, 1.0 - y)
    assert abs(loss - swapped) <= 1e-12 * max(1.0, loss)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: logit([0.5, 1.5]), ValueError, "logit: p must"),
        (lambda: logit(-0.1), ValueError, "logit: p must"),
        (lambda: logit("0.5"), TypeError, "logit: p"),
        (lambda: logit([1j]), TypeError, "logit: p"),
        (lambda: log1mexp(0.1), ValueError, "log1mexp: a must"),
        (lambda: log1mexp(["a"]), TypeError, "log1mexp: a"),
        (lambda: bce_with_logits([0.0], [1.5]), ValueError, "bce_with_logits: targets"),
        (lambda: bce_with_logits([0.0], [1.0], pos_weight=-1.0), ValueError, "pos_weight"),
        (lambda: bce_with_logits([0.0], [1.0], pos_weight=np.inf), ValueError, "pos_weight"),
        (lambda: bce_with_logits(np.zeros(3), np.zeros(2)), ValueError, "broadcast"),
        (lambda: bce_with_logits("z", [1.0]), TypeError, "bce_with_logits: logits"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_inputs_are_not_modified():
    p = np.array([0.1, 0.5, 0.9])
    a = np.array([-1.0, -0.1])
    z, y = np.array([1.0, -1.0]), np.array([1.0, 0.0])
    copies = [v.copy() for v in (p, a, z, y)]
    logit(p), log1mexp(a), bce_with_logits(z, y, pos_weight=np.array([2.0, 2.0]))
    for v, c in zip((p, a, z, y), copies, strict=True):
        np.testing.assert_array_equal(v, c)
