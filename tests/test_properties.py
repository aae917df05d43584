"""Property-based tests (hypothesis) of softmax_lib's core functions.

Each test states a mathematical property of softmax or log-sum-exp and checks
it on generated inputs, including very large and very small values.

Tolerances: each is the worst case measured over 1,500 derandomized examples per
test (3,000 for the temperature and float32 tests) of these strategies, times the
margin stated beside it (about 4), in units of the rounding error the operation
can make, so that a real loss of accuracy fails.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.special
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from softmax_lib import log_softmax, logsumexp, softmax

EPS64 = np.finfo(np.float64).eps

# Any finite float64, and "ordinary" values where every formula is well conditioned.
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
ordinary = st.floats(min_value=-50.0, max_value=50.0, allow_nan=False, allow_infinity=False)


def vectors(elements=finite, max_size=40):
    return hnp.arrays(np.float64, st.integers(1, max_size), elements=elements)


def matrices(elements=ordinary):
    shapes = hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=8)
    return hnp.arrays(np.float64, shapes, elements=elements)


@given(vectors())
def test_finite_input_gives_a_probability_vector_without_warnings(x):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(x)
        lse = logsumexp(x)
        lp = log_softmax(x)
    assert np.all((p >= 0) & (p <= 1))
    assert abs(p.sum() - 1.0) <= len(x) * EPS64  # measured 0.25 n eps; margin 4
    assert np.isfinite(lse)
    assert not np.isnan(lp).any() and not (lp > 0).any()
    # -inf only where the true log-probability is below -max_float
    with np.errstate(over="ignore"):
        below = (x - x.max()) < -np.finfo(np.float64).max
    assert np.array_equal(np.isneginf(lp), below)


@given(matrices(), st.integers(-2, 1))
def test_each_slice_sums_to_one(x, axis):
    p = softmax(x, axis=axis)
    # measured 0.5 n eps; margin 4
    np.testing.assert_allclose(p.sum(axis=axis), 1.0, rtol=0, atol=2 * x.shape[axis] * EPS64)


@given(vectors(ordinary), st.floats(-1e3, 1e3))
def test_shift_invariance(x, c):
    # x + c is rounded, so compare with softmax of the rounded shifted vector's
    # exact differences: the change is bounded by the rounding of x + c.
    p, q = softmax(x), softmax(x + c)
    bound = 4 * (abs(c) + np.abs(x).max() + 1) * EPS64
    np.testing.assert_allclose(q, p, rtol=2 * bound, atol=1e-300)  # measured 0.53 bound; margin 4


@given(vectors(ordinary), st.floats(-1e3, 1e3))
def test_logsumexp_is_shift_equivariant(x, c):
    y = x + c
    lse = logsumexp(x)
    # x + c and lse + c round: measured within 0.98 (|c| + |lse| + 1) eps; margin 4
    tol = 4 * (abs(c) + abs(lse) + 1) * EPS64
    np.testing.assert_allclose(logsumexp(y), lse + c, rtol=0, atol=tol)


@given(vectors())
def test_order_is_preserved(x):
    order = np.argsort(x, kind="stable")
    for out in (softmax(x), log_softmax(x)):
        ranked = out[order]
        assert np.all(ranked[1:] >= ranked[:-1])  # not np.diff: -inf - -inf is NaN


@given(vectors(), st.integers(1, 6), st.integers(0, 5))
def test_equal_logits_get_exactly_equal_outputs(x, copies, which):
    # x_i = x_j must give p_i = p_j exactly, also for entries tied with the maximum
    y = np.concatenate([x, np.repeat(x[[which % len(x)]], copies), np.repeat(x.max(), copies)])
    for out in (softmax(y), log_softmax(y)):
        for value in np.unique(y):
            tied = out[y == value]
            assert np.all(tied == tied[0]), (value, tied)


@given(vectors())
def test_logsumexp_lies_between_max_and_max_plus_log_n(x):
    lse, m = logsumexp(x), x.max()
    slack = 4 * EPS64 * max(abs(m), 1.0)
    with np.errstate(over="ignore"):  # m + log n may round past max_float
        assert m - slack <= lse <= m + np.log(len(x)) + slack


@given(vectors(st.floats(-700, 700)))
def test_log_softmax_is_log_of_softmax_where_representable(x):
    p = softmax(x)
    lp = log_softmax(x)
    ok = p > 1e-300
    # measured within 1.06 eps max(1, |log p|); margin 4
    tol = 4 * EPS64 * np.maximum(1.0, np.abs(lp[ok]))
    assert np.all(np.abs(lp[ok] - np.log(p[ok])) <= tol)


@given(matrices(), st.integers(-2, 1))
def test_agrees_with_scipy_on_ordinary_inputs(x, axis):
    # measured: softmax 7.5e-15 relative; log_softmax 6.7e-16 and logsumexp 2.1e-16
    # relative to max(1, |value|); margin about 4
    np.testing.assert_allclose(
        softmax(x, axis=axis), scipy.special.softmax(x, axis=axis), rtol=3e-14, atol=1e-300
    )
    np.testing.assert_allclose(
        log_softmax(x, axis=axis), scipy.special.log_softmax(x, axis=axis), rtol=3e-15, atol=3e-15
    )
    np.testing.assert_allclose(
        logsumexp(x, axis=axis), scipy.special.logsumexp(x, axis=axis), rtol=1e-15, atol=1e-15
    )


@given(vectors(ordinary), st.floats(0.05, 20.0))
def test_temperature_is_division_of_the_logits(x, T):
    # x / T rounds, and the error grows with the logits: measured within
    # 2.44 (max|x| / T + 1) eps; margin 3
    tol = 8 * (np.abs(x).max() / T + 1) * EPS64
    np.testing.assert_allclose(softmax(x, temperature=T), softmax(x / T), rtol=tol, atol=1e-300)


@given(vectors(ordinary, max_size=10), st.floats(0.05, 1.0), st.floats(1.0, 20.0))
def test_lower_temperature_puts_more_mass_on_the_argmax(x, t_low, t_high):
    assume(np.ptp(x) > 1e-6)
    top = np.argmax(x)
    # measured violation 5.6e-17 (a rounding of the larger value); margin 4
    assert softmax(x, temperature=t_low)[top] >= softmax(x, temperature=t_high)[top] - 2.2e-16


@given(hnp.arrays(np.float32, st.integers(1, 30), elements=st.floats(-80, 80, width=32)))
def test_float32_stays_float32_and_close_to_float64(x):
    p32 = softmax(x)
    assert p32.dtype == np.float32
    p64 = softmax(x.astype(np.float64))
    # measured 0.50 eps32 (the float32 result is correctly rounded); margin 4
    np.testing.assert_allclose(p32, p64, rtol=2 * np.finfo(np.float32).eps, atol=1e-44)


# --- Lipschitz, co-coercivity and smoothness (chapter "What softmax guarantees") ---

def logit_pairs(lo, hi, max_n):
    element = st.floats(lo, hi)
    return st.integers(2, max_n).flatmap(
        lambda n: st.tuples(hnp.arrays(np.float64, n, elements=element),
                            hnp.arrays(np.float64, n, elements=element)))


# wide pairs, and pairs near a tie, where the constants 1/2, 2 and 1/4 are nearly attained
pairs = st.one_of(logit_pairs(-30, 30, 8), logit_pairs(-0.5, 0.5, 3))


@given(vectors(st.floats(-30, 30), max_size=12))
def test_jacobian_spectral_norm_is_at_most_one_half(x):
    from softmax_lib import softmax_jacobian

    eig = np.linalg.eigvalsh(softmax_jacobian(x))
    assert eig.max() <= 0.5 + 4 * EPS64
    assert eig.min() >= -4 * EPS64


@given(pairs)
def test_softmax_is_one_half_lipschitz_and_cocoercive_with_constant_two(xy):
    x, y = xy
    g, d = softmax(x) - softmax(y), x - y
    # Rounding slack: over 60,000 random pairs of these kinds (seed 0) the worst violation
    # of either inequality was 0.23 eps (1 + ||d||_1); the slack is 4 eps (1 + ||d||_1),
    # about 17 times that.
    slack = 4 * EPS64 * (1.0 + np.abs(d).sum())
    assert np.linalg.norm(g) <= 0.5 * np.linalg.norm(d) + slack
    assert g @ d >= 2 * (g @ g) - slack


def test_the_cocoercivity_constant_two_is_sharp_at_a_tie():
    # x = (delta, -delta), y = -x: the ratio <g, d> / ||g||^2 is 2 delta / tanh(delta)
    delta = 1e-3
    x, y = np.array([delta, -delta]), np.array([-delta, delta])
    g = softmax(x) - softmax(y)
    ratio = (g @ (x - y)) / (g @ g)
    # g has entries of size delta with rounding errors of about eps, so the ratio carries a
    # relative error of about eps / delta = 2e-13; the worst error measured at 2,000 deltas
    # within 1% of 1e-3 was 2.7e-13. Tolerance: 5e-12, about 20 times that.
    assert abs(ratio - 2 * delta / np.tanh(delta)) < 5e-12
    assert 2.0 < ratio < 2.0 + 1e-6  # a claimed constant 2 + 1e-6 would fail here


@given(pairs, st.integers(0, 7))
def test_cross_entropy_descent_lemma_with_constant_one_quarter(zz, label):
    from softmax_lib import cross_entropy

    z, w = zz
    label = label % len(z)
    grad = softmax(z) - np.eye(len(z))[label]
    ce_z, ce_w = float(cross_entropy(z, label)), float(cross_entropy(w, label))
    linear, quadratic = grad @ (w - z), 0.25 * np.sum((w - z) ** 2)
    # Rounding slack relative to the size of the terms: over 60,000 random pairs of these
    # kinds (seed 0) the worst violation was 0.60 eps (1 + ce_z + |linear| + quadratic +
    # ce_w); the slack is 8 eps times that scale, about 13 times the worst case.
    scale = 1.0 + ce_z + abs(linear) + quadratic + ce_w
    assert ce_w <= ce_z + linear + quadratic + 8 * EPS64 * scale
