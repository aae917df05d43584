"""Tests for sparsemax, entmax and Fenchel-Young losses (softmax_lib/_sparse.py).

Reference values come from two sources independent of the code under test: an
mpmath bisection on the threshold tau of the closed form
``p_i = [(alpha - 1) x_i - tau]_+ ** (1 / (alpha - 1))`` at 60 digits, and
scipy's generic constrained solver (SLSQP) applied to the defining problem
``argmax_{p in simplex} <x, p> - Omega(p)``.
"""

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.exceptions import AxisError
from scipy.optimize import minimize

from softmax_lib import (
    cross_entropy,
    entmax15,
    entmax_bisect,
    fenchel_young_loss,
    softmax,
    sparsemax,
)
from softmax_lib.testing import numerical_gradient, reference_softmax

finite = st.floats(-20.0, 20.0, allow_nan=False, allow_infinity=False)
rows = arrays(np.float64, st.integers(1, 12), elements=finite)
MAPS = {"sparsemax": sparsemax, "entmax15": entmax15}


# ---------------------------------------------------------------------------
# Independent references
# ---------------------------------------------------------------------------


def mp_entmax(x, alpha, dps=60, steps=250):
    """alpha-entmax of one row by bisection on tau in mpmath (alpha > 1)."""
    with mpmath.workdps(dps):
        a1 = mpmath.mpf(alpha) - 1
        s = [a1 * mpmath.mpf(float(v)) for v in x]
        top = max(s)
        n = len(s)
        lo, hi = top - 1, top - mpmath.mpf(n) ** (-a1)

        def probs(tau):
            return [(v - tau) ** (1 / a1) if v > tau else mpmath.mpf(0) for v in s]

        for _ in range(steps):
            mid = (lo + hi) / 2
            if mpmath.fsum(probs(mid)) >= 1:
                lo = mid
            else:
                hi = mid
        return [float(p) for p in probs((lo + hi) / 2)]


def slsqp_map(x, omega, grad_omega):
    """argmax_{p in simplex} <x, p> - omega(p) by SLSQP, from the uniform point."""
    n = len(x)
    res = minimize(
        lambda p: -(x @ p - omega(p)),
        np.full(n, 1.0 / n),
        jac=lambda p: -(x - grad_omega(p)),
        method="SLSQP",
        bounds=[(0.0, 1.0)] * n,
        constraints=[{"type": "eq", "fun": lambda p: p.sum() - 1.0}],
        options={"ftol": 1e-13, "maxiter": 500},
    )
    assert res.success, res.message
    return res.x


def tsallis15(p):
    return (np.sum(np.clip(p, 0, None) ** 1.5) - 1.0) / 0.75


CASES = [
    [2.0, 1.0, 0.5],
    [1.0, 0.8, 0.1],
    [0.0, 0.0, 0.0, 0.0],
    [3.0, -1.0, 2.9, 0.2, 0.1],
    [-5.0, 10.0, 9.5, 9.9, 0.0, 9.7],
    list(np.random.default_rng(0).normal(size=20) * 2),
    list(np.random.default_rng(1).normal(size=50) * 0.3),
] + [
    list(np.random.default_rng(42 + i).normal(size=3 + 3 * i) * scale)
    for i, scale in enumerate([0.1, 1.0, 5.0, 1.0, 0.1, 5.0])
]
# Worst absolute errors measured on these 13 rows: sparsemax, entmax15 and
# entmax_bisect for alpha <= 2 about 1.7e-16; alpha = 2.5 2.2e-16; alpha = 4
# 2.6e-14 (for alpha > 2 an entry just above the threshold is
# base ** (1 / (alpha - 1)) with an infinite slope at base = 0). Tolerances
# below are those times a margin of at least 6.
BISECT_TOL = {1.01: 1e-15, 1.2: 1e-15, 1.5: 1e-15, 2.0: 1e-15, 2.5: 1e-14, 4.0: 5e-13}


# ---------------------------------------------------------------------------
# Values against the references
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("x", CASES)
def test_sparsemax_and_entmax15_match_mpmath(x):
    for alpha, f in ((2.0, sparsemax), (1.5, entmax15)):
        ref = np.array(mp_entmax(x, alpha))
        got = f(np.array(x))
        assert np.max(np.abs(got - ref)) <= 1e-15
        assert np.array_equal(got == 0, ref == 0), "support differs from the exact one"


@pytest.mark.parametrize("alpha", [1.01, 1.2, 1.5, 2.0, 2.5, 4.0])
@pytest.mark.parametrize("x", CASES)
def test_entmax_bisect_matches_mpmath(x, alpha):
    ref = np.array(mp_entmax(x, alpha))
    got = entmax_bisect(np.array(x), alpha)
    assert np.max(np.abs(got - ref)) <= BISECT_TOL[alpha]
    # an exact zero of the reference is an exact zero here
    assert np.all(got[ref == 0] == 0)


@pytest.mark.parametrize("x", CASES[:5])
def test_maps_match_a_generic_constrained_solver(x):
    x = np.array(x)
    ref_sp = slsqp_map(x, lambda p: 0.5 * p @ p, lambda p: p)
    ref_15 = slsqp_map(x, tsallis15, lambda p: 2.0 * np.sqrt(np.clip(p, 0, None)))
    # SLSQP stops near 1e-8 of the optimum: this checks the definition, not the digits
    assert np.max(np.abs(sparsemax(x) - ref_sp)) < 1e-6
    assert np.max(np.abs(entmax15(x) - ref_15)) < 1e-5


def test_alpha_one_is_softmax_exactly():
    x = np.array([2.0, 1.0, 0.5, -3.0])
    assert np.array_equal(entmax_bisect(x, 1.0), softmax(x))
    assert np.array_equal(entmax_bisect(x, 1), softmax(x))


@given(rows)
def test_entmax_bisect_equals_the_sorting_algorithms(x):
    assert np.max(np.abs(entmax_bisect(x, 2.0) - sparsemax(x))) <= 1e-14
    assert np.max(np.abs(entmax_bisect(x, 1.5) - entmax15(x))) <= 1e-14


@given(rows)
def test_alpha_to_one_approaches_softmax(x):
    ref = softmax(x)
    errs = [np.max(np.abs(entmax_bisect(x, 1.0 + eps) - ref)) for eps in (1e-2, 1e-4)]
    # the difference is O(alpha - 1): measured at most 1.0 * (alpha - 1) on 3000
    # random rows of this range, and going 100 times closer shrinks it at least
    # 25-fold (down to the rounding level); margins of 2 and 2.5
    assert errs[0] <= 2e-2
    assert errs[1] <= errs[0] / 10 + 1e-15


def test_alpha_to_one_is_first_order():
    x = np.array([2.0, 1.0, 0.5, -3.0])
    ref = np.array([float(v) for v in reference_softmax(x)[0]])
    e1 = np.max(np.abs(entmax_bisect(x, 1.0 + 1e-3) - ref))
    e2 = np.max(np.abs(entmax_bisect(x, 1.0 + 1e-5) - ref))
    assert 50 < e1 / e2 < 200  # close to the factor 100 of a first-order term


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sparsemax", "entmax15", "bisect13"])
@given(x=rows, shift=finite)
def test_simplex_shift_permutation(name, x, shift):
    f = MAPS.get(name, lambda v: entmax_bisect(v, 1.3))
    p = f(x)
    assert np.all(p >= 0) and abs(p.sum() - 1.0) <= 1e-13
    assert np.max(np.abs(f(x + shift) - p)) <= 1e-12 * max(1.0, abs(shift))
    perm = np.random.default_rng(len(x)).permutation(len(x))
    assert np.max(np.abs(f(x[perm]) - p[perm])) <= 1e-14
    assert np.all(np.isfinite(p))


@given(rows)
def test_exact_zeros_below_the_threshold(x):
    p = sparsemax(x)
    s = p > 0
    tau = np.mean(x[s]) - 1.0 / s.sum()
    assert np.all(p[~s] == 0)
    assert np.all(x[~s] <= tau + 1e-12)
    assert np.allclose(p[s], x[s] - tau, atol=1e-12)
    # entries at least 1 below the maximum get exactly 0 in sparsemax
    assert np.all(p[x <= x.max() - 1.0] == 0)
    # and at least 2 below the maximum in 1.5-entmax
    assert np.all(entmax15(x)[x <= x.max() - 2.0] == 0)


@given(rows, rows)
def test_sparsemax_is_the_euclidean_projection(x, other):
    """The projection is closer to x than any other point of the simplex."""
    p = sparsemax(x)
    q = np.abs(np.resize(other, len(x))) + 1e-3
    q /= q.sum()
    assert np.sum((p - x) ** 2) <= np.sum((q - x) ** 2) + 1e-12
    # variational inequality: <x - p, q - p> <= 0 for every q in the simplex
    assert (x - p) @ (q - p) <= 1e-12


def test_sparsemax_jacobian_against_finite_differences():
    rng = np.random.default_rng(3)
    worst = 0.0
    for _ in range(20):
        x = rng.normal(size=6)
        p = sparsemax(x)
        s = (p > 0).astype(float)
        # away from kinks: no entry within 1e-3 of the threshold
        tau = x[p > 0][0] - p[p > 0][0]
        if np.min(np.abs(x - tau)) < 1e-3:
            continue
        J = np.diag(s) - np.outer(s, s) / s.sum()
        for i in range(6):
            g = numerical_gradient(lambda v, i=i: sparsemax(v)[i], x)
            worst = max(worst, float(np.max(np.abs(g - J[i]))))
    assert worst < 1e-8  # piecewise linear: finite differences are exact up to rounding


def test_outputs_never_nan_for_finite_extreme_input():
    x = np.array([1e308, -1e308, 0.0, 1e300])
    for f in (sparsemax, entmax15, lambda v: entmax_bisect(v, 1.7)):
        with np.errstate(all="raise"):
            p = f(x)
        assert np.array_equal(p, [1.0, 0.0, 0.0, 0.0])


# ---------------------------------------------------------------------------
# Special values, dtypes, axes, no mutation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("f", [sparsemax, entmax15, lambda v, axis=-1: entmax_bisect(v, 1.3, axis)])
def test_special_values(f):
    p = f(np.array([1.0, -np.inf, 0.5]))
    assert p[1] == 0.0 and abs(p.sum() - 1) < 1e-15
    assert np.array_equal(f(np.full(3, -np.inf)), np.full(3, 1 / 3))
    assert np.array_equal(f(np.array([np.inf, 1.0, np.inf])), [0.5, 0.0, 0.5])
    assert np.all(np.isnan(f(np.array([np.nan, 1.0, 2.0]))))
    assert f(np.zeros((0, 3))).shape == (0, 3)


@pytest.mark.parametrize("f", [sparsemax, entmax15, lambda v, axis=-1: entmax_bisect(v, 1.3, axis)])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int64, np.bool_])
def test_dtypes_and_no_mutation(f, dtype):
    x = np.array([[3.0, 1.0, 2.5], [0.0, 1.0, 0.0]]).astype(dtype)
    before = x.copy()
    p = f(x)
    assert np.array_equal(x, before)
    want = np.float64 if dtype in (np.int64, np.bool_) else dtype
    assert p.dtype == want
    ref = f(x.astype(np.float64))
    assert np.max(np.abs(p.astype(np.float64) - ref)) <= np.finfo(want).eps


@pytest.mark.parametrize("f", [sparsemax, entmax15, lambda v, axis=-1: entmax_bisect(v, 1.3, axis)])
def test_axes(f):
    x = np.random.default_rng(4).normal(size=(3, 4, 5))
    assert np.allclose(f(x, axis=1), np.moveaxis(f(np.moveaxis(x, 1, -1)), -1, 1), atol=0)
    p = f(x, axis=(1, 2))
    assert np.allclose(p.sum(axis=(1, 2)), 1.0, atol=1e-14)
    assert np.allclose(p[0], f(x[0].ravel()).reshape(4, 5), atol=1e-15)
    assert abs(f(x, axis=None).sum() - 1.0) < 1e-14
    assert float(f(7.0)) == 1.0


@pytest.mark.parametrize("alpha", [2.5, 3.0, 4.0])
@pytest.mark.parametrize("n", [2, 1000, 100_000])
def test_large_alpha_ties_keep_their_mass(alpha, n):
    # with lambda as the unknown, 1 + (alpha - 1)(0 - lambda) = n^(1 - alpha)
    # rounded to 0 here and gave 0/0; bisecting on that base cannot
    p = entmax_bisect(np.zeros(n), alpha)
    assert np.max(np.abs(p * n - 1.0)) <= 1e-12
    q = entmax_bisect(np.array([1.0, 1.0, -3.0, 1.0]), alpha)
    assert np.max(np.abs(q - [1 / 3, 1 / 3, 0.0, 1 / 3])) <= 1e-15


def test_alpha_above_the_cap_is_refused():
    for alpha in (4.0 + 1e-9, 5.0, 700.0, 1e6):
        with pytest.raises(ValueError, match="entmax_bisect: alpha must be in \\[1, 4\\]"):
            entmax_bisect([0.0, 0.0], alpha)
    assert np.all(np.isfinite(entmax_bisect(np.zeros(1000), 4.0)))


def test_axis_is_validated_by_entmax_bisect_at_alpha_one():
    with pytest.raises(AxisError, match="entmax_bisect: axis 5"):
        entmax_bisect([1.0, 2.0], 1.0, axis=5)
    with pytest.raises(TypeError, match="entmax_bisect: axis"):
        entmax_bisect([1.0, 2.0], 1.0, axis=1.5)


def test_no_floating_point_exception_for_tiny_entries():
    x = [0.0, -1e-300, 5e-324]
    with np.errstate(all="raise"):
        for f in (sparsemax, entmax15, lambda v: entmax_bisect(v, 3.0),
                  lambda v: entmax_bisect(v, 1.5)):
            assert np.max(np.abs(f(x) - 1 / 3)) <= 1e-15
        for kind in ("sparsemax", "entmax15"):
            assert fenchel_young_loss(x, 0, kind=kind) >= 0


def test_bfloat16_keeps_its_dtype_and_rounds_once():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    bf16 = ml_dtypes.bfloat16
    x = np.array([[1.5, 0.25, -1.0, 1.25], [0.0, 3.0, -2.0, 2.0]], dtype=bf16)
    x64 = x.astype(np.float64)
    for f, g in ((sparsemax, sparsemax), (entmax15, entmax15),
                 (lambda v: entmax_bisect(v, 3.0), lambda v: entmax_bisect(v, 3.0))):
        got = f(x)
        assert got.dtype == bf16
        assert np.array_equal(got.astype(np.float64), g(x64).astype(bf16).astype(np.float64))
    loss, grad = fenchel_young_loss(x, [0, 1], kind="entmax15", return_grad=True)
    ref_loss, ref_grad = fenchel_young_loss(x64, [0, 1], kind="entmax15", return_grad=True)
    assert loss.dtype == bf16 and grad.dtype == bf16
    assert np.array_equal(loss.astype(np.float64), ref_loss.astype(bf16).astype(np.float64))
    assert np.array_equal(grad.astype(np.float64), ref_grad.astype(bf16).astype(np.float64))


def test_bad_input_names_function_and_argument():
    with pytest.raises(TypeError, match="sparsemax: x"):
        sparsemax("abc")
    with pytest.raises(TypeError, match="entmax15: x must be real"):
        entmax15(np.array([1j, 2]))
    with pytest.raises(AxisError, match="sparsemax: axis 2"):
        sparsemax(np.zeros((2, 2)), axis=2)
    with pytest.raises(ValueError, match="entmax_bisect: alpha"):
        entmax_bisect([1.0, 2.0], 0.5)
    with pytest.raises(ValueError, match="entmax_bisect: alpha"):
        entmax_bisect([1.0, 2.0], math.nan)
    with pytest.raises(TypeError, match="entmax_bisect: alpha"):
        entmax_bisect([1.0, 2.0], True)
    with pytest.raises(ValueError, match="entmax_bisect: n_iter"):
        entmax_bisect([1.0, 2.0], 1.5, n_iter=0)
    with pytest.raises(TypeError, match="entmax_bisect: n_iter"):
        entmax_bisect([1.0, 2.0], 1.5, n_iter=2.5)
    with pytest.raises(TypeError, match="entmax_bisect: x"):
        entmax_bisect("ab", 1.0)


# ---------------------------------------------------------------------------
# Fenchel-Young losses
# ---------------------------------------------------------------------------


def test_softmax_loss_is_cross_entropy_and_kl():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(8, 5)) * 3
    labels = rng.integers(0, 5, size=8)
    got = fenchel_young_loss(x, labels, kind="softmax")
    assert np.max(np.abs(got - cross_entropy(x, labels, reduction="none"))) < 1e-14
    y = softmax(rng.normal(size=(8, 5)), axis=1)
    p = softmax(x, axis=1)
    kl = np.sum(y * (np.log(y) - np.log(p)), axis=1)
    assert np.max(np.abs(fenchel_young_loss(x, y) - kl)) < 1e-13


@pytest.mark.parametrize("kind", ["sparsemax", "entmax15"])
def test_loss_matches_its_definition_with_mpmath_prediction(kind):
    """L = <x, p - y> + Omega(y) - Omega(p) with p from the mpmath reference."""
    rng = np.random.default_rng(6)
    alpha = 2.0 if kind == "sparsemax" else 1.5
    omega = (lambda p: 0.5 * p @ p) if kind == "sparsemax" else tsallis15
    for _ in range(10):
        x = rng.normal(size=5) * 2
        y = rng.dirichlet(np.ones(5))
        p = np.array(mp_entmax(x, alpha))
        ref = x @ (p - y) + omega(y) - omega(p)
        assert abs(fenchel_young_loss(x, y, kind=kind) - ref) < 1e-13


@pytest.mark.parametrize("kind", ["softmax", "sparsemax", "entmax15"])
def test_gradient_is_p_minus_y(kind):
    rng = np.random.default_rng(7)
    f = {"softmax": softmax, "sparsemax": sparsemax, "entmax15": entmax15}[kind]
    worst = 0.0
    for _ in range(10):
        x = rng.normal(size=5) * 2
        y = rng.dirichlet(np.ones(5))
        loss, grad = fenchel_young_loss(x, y, kind=kind, return_grad=True)
        assert np.max(np.abs(grad - (f(x) - y))) <= 1e-15  # f(x) unshifted: last bits
        g = numerical_gradient(lambda v, y=y: fenchel_young_loss(v, y, kind=kind), x)
        worst = max(worst, float(np.max(np.abs(g - grad))))
    assert worst < 1e-8  # the loss is differentiable everywhere (Omega strictly convex)


@given(rows, st.integers(0, 11))
def test_sparsemax_loss_margin(x, k):
    k = k % len(x)
    others = np.delete(x, k)
    loss = fenchel_young_loss(x, k, kind="sparsemax")
    assert loss >= 0
    if len(x) == 1 or x[k] >= others.max() + 1.0:
        assert loss == 0.0
    elif x[k] < others.max() + 1.0 - 1e-9:
        assert loss > 0


@given(rows, st.integers(0, 11))
def test_losses_nonnegative_and_zero_at_the_prediction(x, k):
    k = k % len(x)
    for kind, f in (("softmax", softmax), ("sparsemax", sparsemax), ("entmax15", entmax15)):
        assert fenchel_young_loss(x, k, kind=kind) >= 0
        assert fenchel_young_loss(x, f(x), kind=kind) <= 1e-12


def test_loss_special_values_axis_and_dtype():
    x = np.array([[1.0, -np.inf, 0.0], [-np.inf] * 3, [np.inf, 0.0, 0.0]])
    for kind in ("softmax", "sparsemax", "entmax15"):
        loss, grad = fenchel_young_loss(x, [0, 0, 0], kind=kind, return_grad=True)
        assert np.isfinite(loss[0]) and np.isfinite(grad[0]).all()
        assert loss[1] == np.inf and np.allclose(grad[1], [-2 / 3, 1 / 3, 1 / 3])
        assert np.isnan(loss[2]) and np.isnan(grad[2]).all()
        assert fenchel_young_loss([1.0, -np.inf], 1, kind=kind) == np.inf
    x3 = np.random.default_rng(8).normal(size=(2, 4, 3)).astype(np.float32)
    lab = np.array([[0, 1, 2], [3, 3, 0]])
    loss, grad = fenchel_young_loss(x3, lab, kind="entmax15", axis=1, return_grad=True)
    assert loss.shape == (2, 3) and grad.shape == x3.shape and loss.dtype == np.float32
    ref = fenchel_young_loss(np.moveaxis(x3, 1, -1).astype(np.float64), lab, kind="entmax15")
    assert np.max(np.abs(loss - ref)) < 1e-6


@pytest.mark.parametrize("kind", ["softmax", "sparsemax", "entmax15"])
def test_integer_one_hot_targets_are_probabilities(kind):
    x = np.array([[2.0, 1.0, 0.5], [0.0, 1.5, 0.0]])
    one_hot = np.eye(3, dtype=int)[[0, 1]]
    assert np.array_equal(
        fenchel_young_loss(x, one_hot, kind=kind), fenchel_young_loss(x, [0, 1], kind=kind)
    )
    with pytest.raises(ValueError, match="fenchel_young_loss: integer y must be labels"):
        fenchel_young_loss(x, np.zeros((2, 4), dtype=int), kind=kind)


def test_loss_bad_input():
    x = np.zeros((2, 3))
    with pytest.raises(ValueError, match="fenchel_young_loss: kind"):
        fenchel_young_loss(x, [0, 1], kind="tsallis")
    with pytest.raises(TypeError, match="fenchel_young_loss: kind"):
        fenchel_young_loss(x, [0, 1], kind=2)
    with pytest.raises(ValueError, match="fenchel_young_loss: labels must be in"):
        fenchel_young_loss(x, [0, 3])
    with pytest.raises(ValueError, match="fenchel_young_loss: integer y must be labels of shape"):
        fenchel_young_loss(x, [0, 1, 2])
    with pytest.raises(TypeError, match="fenchel_young_loss: y must be"):
        fenchel_young_loss(x, [True, False])
    with pytest.raises(ValueError, match="fenchel_young_loss: each y"):
        fenchel_young_loss(x, np.full((2, 3), 0.5))
    with pytest.raises(ValueError, match="fenchel_young_loss: y must be non-negative"):
        fenchel_young_loss(x, np.array([[1.5, -0.5, 0.0]] * 2))
    with pytest.raises(ValueError, match="fenchel_young_loss: probability targets"):
        fenchel_young_loss(x, np.full((2, 2), 0.5))
    with pytest.raises(TypeError, match="fenchel_young_loss: axis"):
        fenchel_young_loss(x, [0, 1], axis=(0, 1))
    with pytest.raises(ValueError, match="fenchel_young_loss: x must have at least one"):
        fenchel_young_loss(1.0, 0)
