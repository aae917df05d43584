"""Tests for softmax_jacobian, softmax_vjp, cross_entropy and gumbel_max_sample.

Reference values come from mpmath, never from the code under test: probabilities
and log-probabilities from softmax_lib.testing.reference_softmax, derivatives by
mpmath's own numerical differentiation at 50 digits (scoped with workdps), losses
from the definition. Sampling is checked with a seeded chi-square test.

Tolerances: each is the worst error measured on these inputs (1,500 derandomized
examples for the hypothesis tests) times the margin stated beside it, about 10.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from softmax_lib import (
    cross_entropy,
    gumbel_max_sample,
    softmax_jacobian,
    softmax_vjp,
)
from softmax_lib.testing import numerical_gradient, reference_softmax

finite = st.floats(min_value=-50.0, max_value=50.0, allow_nan=False, allow_infinity=False)
vectors = arrays(np.float64, st.integers(1, 8), elements=finite)


def ref_probs(x):
    return np.array([float(p) for p in reference_softmax(x)[0]])


def mp_jacobian(x, temperature=1):
    """Jacobian by mpmath's numerical differentiation of an mpmath softmax (50 digits)."""
    n = len(x)
    jac = np.empty((n, n))
    with mp.workdps(50):
        for j in range(n):
            for i in range(n):

                def f(t, i=i, j=j):
                    y = [mp.mpf(float(v)) for v in x]
                    y[j] = t
                    e = [mp.exp(v / temperature) for v in y]
                    return e[i] / mp.fsum(e)

                jac[i, j] = float(mp.diff(f, mp.mpf(float(x[j]))))
    return jac


# ---------------------------------------------------------------------------
# softmax_jacobian
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x, T",
    [
        ([2.0, 1.0, 0.5], 1.0),
        ([0.3, -1.2, 4.0, 0.0], 1.0),
        ([1.0, -2.0, 0.0], 0.5),
        ([5.0, 5.0], 3.0),
    ],
)
def test_jacobian_matches_mpmath_derivative(x, T):
    # measured 2.0e-15 relative, 9.0e-17 absolute; margin 5
    np.testing.assert_allclose(
        softmax_jacobian(x, temperature=T), mp_jacobian(x, T), rtol=1e-14, atol=5e-16
    )


def test_jacobian_two_way_tie_is_quarter_matrix():
    np.testing.assert_array_equal(softmax_jacobian([3.0, 3.0]), [[0.25, -0.25], [-0.25, 0.25]])


def test_jacobian_batch_and_axis():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3))
    jac = softmax_jacobian(x)
    assert jac.shape == (4, 3, 3)
    for r in range(4):
        # measured 2.7e-16 relative; margin 5 as above
        np.testing.assert_allclose(jac[r], mp_jacobian(x[r]), rtol=1e-14, atol=5e-16)
    jac0 = softmax_jacobian(x.T, axis=0)
    np.testing.assert_allclose(jac0, jac, rtol=0, atol=0)


@given(vectors)
def test_jacobian_symmetric_psd_rows_sum_to_zero(x):
    jac = softmax_jacobian(x)
    np.testing.assert_array_equal(jac, jac.T)  # -p_i p_j = -p_j p_i exactly
    np.testing.assert_allclose(jac.sum(axis=1), 0.0, atol=2e-15)  # measured 3.8e-16; margin 5
    eig = np.linalg.eigvalsh(jac)
    assert eig.min() >= -1e-15  # measured -1.4e-16; margin 7
    assert eig.max() <= 0.5 + 2e-15  # measured 0.5 + 2.2e-16; margin 9


def test_jacobian_keeps_float32():
    assert softmax_jacobian(np.array([1.0, 2.0], dtype=np.float32)).dtype == np.float32


def test_jacobian_bad_input():
    with pytest.raises(ValueError, match="softmax_jacobian: x must have at least one dimension"):
        softmax_jacobian(1.0)
    with pytest.raises(TypeError, match="softmax_jacobian: axis must be a single int"):
        softmax_jacobian([1.0, 2.0], axis=None)
    with pytest.raises(ValueError, match="softmax_jacobian: temperature"):
        softmax_jacobian([1.0, 2.0], temperature=0.0)
    with pytest.raises(TypeError, match="softmax_jacobian: x must"):
        softmax_jacobian(["a", "b"])


# ---------------------------------------------------------------------------
# softmax_vjp
# ---------------------------------------------------------------------------


def test_vjp_matches_mpmath():
    x, v = [2.0, 1.0, 0.5], [1.0, -1.0, 0.5]
    expected = mp_jacobian(x).T @ np.array(v)
    np.testing.assert_allclose(softmax_vjp(x, v), expected, rtol=1e-14)  # measured 2.1e-15


@given(vectors, st.data())
def test_vjp_equals_jacobian_product(x, data):
    v = data.draw(arrays(np.float64, x.shape, elements=finite))
    T = data.draw(st.sampled_from([0.25, 1.0, 4.0]))
    got = softmax_vjp(x, v, temperature=T)
    want = softmax_jacobian(x, temperature=T).T @ v
    scale = (1 + np.abs(v).max()) / T
    # measured 1.7e-16 scale; margin 12
    np.testing.assert_allclose(got, want, rtol=0, atol=2e-15 * scale)
    # J 1 = 0: adding a constant to v changes nothing (v + 7 rounds: measured 2.7e-15 scale)
    np.testing.assert_allclose(softmax_vjp(x, v + 7.0, temperature=T), got, atol=3e-14 * scale)


def test_vjp_batched_axis0_and_no_mutation():
    rng = np.random.default_rng(1)
    x, v = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    x0, v0 = x.copy(), v.copy()
    out = softmax_vjp(x, v, axis=0)
    want = np.stack([softmax_jacobian(x[:, k]) @ v[:, k] for k in range(5)], axis=1)
    np.testing.assert_allclose(out, want, rtol=3e-15, atol=1e-15)  # measured 2.6e-16, 1.1e-16
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(v, v0)


def test_vjp_large_logits_finite():
    out = softmax_vjp([1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0])
    assert np.all(np.isfinite(out))


def test_vjp_bad_input():
    with pytest.raises(ValueError, match="softmax_vjp: v must have the shape of x"):
        softmax_vjp([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="softmax_vjp: v must"):
        softmax_vjp([1.0, 2.0], ["a", "b"])


# ---------------------------------------------------------------------------
# cross_entropy
# ---------------------------------------------------------------------------


def mp_cross_entropy(x, y):
    logp = reference_softmax(x)[1]
    with mp.workdps(50):
        terms = (mp.mpf(float(yi)) * lp for yi, lp in zip(y, logp, strict=True) if yi != 0)
        return float(-mp.fsum(terms))


@pytest.mark.parametrize(
    "x, k", [([2.0, 1.0, 0.5], 0), ([2.0, 1.0, 0.5], 2), ([0.0, 3.0, -1.0], 1), ([30.0, -30.0], 1)]
)
def test_cross_entropy_index_matches_mpmath(x, k):
    y = np.eye(len(x))[k]
    assert cross_entropy(x, k) == pytest.approx(mp_cross_entropy(x, y), rel=1e-15)  # 1.2e-16


def test_cross_entropy_tiny_loss_keeps_digits():
    # -log(1 - tiny) ~ e^-40: log(softmax) would round this to 0.
    expected = float(-reference_softmax([0.0, -40.0])[1][0])
    assert cross_entropy([0.0, -40.0], 0) == pytest.approx(expected, rel=1e-15)  # measured 0
    assert expected > 0


def test_cross_entropy_huge_logit_gap_is_exact():
    assert cross_entropy([0.0, -1000.0], 1) == 1000.0
    assert cross_entropy([1000.0, 0.0], 1) == 1000.0


def test_cross_entropy_soft_targets_and_smoothing_match_mpmath():
    x = [0.2, -1.0, 2.5, 0.0]
    y = [0.1, 0.2, 0.6, 0.1]
    assert cross_entropy(x, y) == pytest.approx(mp_cross_entropy(x, y), rel=1e-15)
    alpha = 0.2
    y_smooth = [(1 - alpha) * (k == 2) + alpha / 4 for k in range(4)]
    assert cross_entropy(x, 2, label_smoothing=alpha) == pytest.approx(
        mp_cross_entropy(x, y_smooth), rel=1e-15
    )
    assert cross_entropy(x, np.eye(4)[2], label_smoothing=alpha) == pytest.approx(
        mp_cross_entropy(x, y_smooth), rel=1e-15
    )


def test_cross_entropy_batch_shapes_and_reductions():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 3, 5))
    labels = rng.integers(0, 5, size=(2, 3))
    losses = cross_entropy(x, labels)
    assert losses.shape == (2, 3)
    expected = np.array(
        [[mp_cross_entropy(x[a, b], np.eye(5)[labels[a, b]]) for b in range(3)] for a in range(2)]
    )
    # measured 1.6e-16 relative (all four comparisons); margin 6
    np.testing.assert_allclose(losses, expected, rtol=1e-15)
    np.testing.assert_allclose(cross_entropy(x, np.eye(5)[labels]), expected, rtol=1e-15)
    assert cross_entropy(x, labels, reduction="sum") == pytest.approx(expected.sum(), rel=1e-15)
    assert cross_entropy(x, labels, reduction="mean") == pytest.approx(expected.mean(), rel=1e-15)
    assert np.ndim(cross_entropy(x[0, 0], labels[0, 0])) == 0


def test_cross_entropy_gradient_is_p_minus_y():
    x = np.array([0.4, -1.3, 2.0, 0.7])
    y = np.array([0.0, 0.0, 1.0, 0.0])
    grad = numerical_gradient(lambda z: cross_entropy(z, y), x)
    np.testing.assert_allclose(grad, ref_probs(x) - y, atol=4e-11)  # measured 4.2e-12


def test_cross_entropy_minus_inf_logits():
    # A class that is impossible and not the target contributes nothing.
    assert cross_entropy([0.0, -np.inf], 0) == 0.0
    assert cross_entropy([0.0, 0.0, -np.inf], [0.5, 0.5, 0.0]) == pytest.approx(
        np.log(2), rel=1e-15
    )
    assert cross_entropy([0.0, -np.inf], 1) == np.inf
    assert cross_entropy([0.0, -np.inf], 0, label_smoothing=0.1) == np.inf


def test_cross_entropy_dtype_and_no_mutation():
    x = np.array([[1.0, 2.0, 0.5]], dtype=np.float32)
    y = np.array([[0.2, 0.5, 0.3]])
    x0, y0 = x.copy(), y.copy()
    out = cross_entropy(x, y, label_smoothing=0.1)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)
    assert cross_entropy([1, 2, 3], 0).dtype == np.float64


@given(arrays(np.float64, st.integers(2, 8), elements=finite), st.data())
def test_cross_entropy_properties(x, data):
    k = data.draw(st.integers(0, x.size - 1))
    loss = cross_entropy(x, k)
    assert np.isfinite(loss) and loss >= 0
    scale = max(1.0, float(loss))
    # shift invariance: x + 100 rounds (2 ulp(150) = 5.7e-14); measured 4.6e-15 scale
    assert abs(cross_entropy(x + 100.0, k) - loss) <= 1e-13 * scale
    # index and one-hot agree (measured: exactly)
    assert abs(cross_entropy(x, np.eye(x.size)[k]) - loss) <= 4.5e-16 * scale
    # smoothing is a mixture of the one-hot loss and the uniform loss
    alpha = data.draw(st.floats(0.0, 0.99))
    uniform = cross_entropy(x, np.full(x.size, 1.0 / x.size))
    mixed = (1 - alpha) * loss + alpha * uniform
    # measured 4.1e-16 max(1, mixed); margin 10
    assert abs(cross_entropy(x, k, label_smoothing=alpha) - mixed) <= 4e-15 * max(1.0, mixed)


def test_cross_entropy_bad_labels():
    x = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"cross_entropy: labels must be in 0, \.\.\., 2, got"):
        cross_entropy(x, [0, 3])
    with pytest.raises(ValueError, match=r"cross_entropy: labels must be in 0, \.\.\., 2, got"):
        cross_entropy(x, [-1, 0])
    with pytest.raises(TypeError, match="cross_entropy: labels .* booleans are not labels"):
        cross_entropy(x, [True, False])
    with pytest.raises(TypeError, match="cross_entropy: labels of shape"):
        cross_entropy(x, [0.0, 1.0])
    with pytest.raises(ValueError, match="cross_entropy: labels must have shape"):
        cross_entropy(x, [0, 1, 2, 0])
    with pytest.raises(
        ValueError, match="cross_entropy: labels given as probability vectors must sum to 1"
    ):
        cross_entropy(x, [[0.5, 0.2, 0.2], [1.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="cross_entropy: labels must be non-negative"):
        cross_entropy(x, [[1.5, -0.5, 0.0], [1.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="cross_entropy: labels must be finite"):
        cross_entropy(x, [[np.nan, 0.5, 0.5], [1.0, 0.0, 0.0]])
    with pytest.raises(TypeError, match="cross_entropy: labels must be"):
        cross_entropy(x, "cat")


def test_cross_entropy_bad_options():
    with pytest.raises(ValueError, match=r"cross_entropy: label_smoothing must be in \[0, 1\)"):
        cross_entropy([1.0, 2.0], 0, label_smoothing=1.0)
    with pytest.raises(ValueError, match="cross_entropy: label_smoothing"):
        cross_entropy([1.0, 2.0], 0, label_smoothing=-0.1)
    with pytest.raises(TypeError, match="cross_entropy: label_smoothing must be a real number"):
        cross_entropy([1.0, 2.0], 0, label_smoothing="0.1")
    with pytest.raises(ValueError, match="cross_entropy: reduction must be one of"):
        cross_entropy([1.0, 2.0], 0, reduction="average")
    with pytest.raises(ValueError, match="cross_entropy: logits must have at least one dimension"):
        cross_entropy(1.0, 0)
    with pytest.raises(ValueError, match="cross_entropy: logits must have at least one class"):
        cross_entropy(np.zeros((2, 0)), [0, 0])
    with pytest.raises(
        ValueError, match="cross_entropy: reduction='mean' needs at least one example"
    ):
        cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int), reduction="mean")
    assert cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int)).shape == (0,)


# ---------------------------------------------------------------------------
# gumbel_max_sample
# ---------------------------------------------------------------------------


def test_gumbel_frequencies_pass_chi_square():
    x = np.array([2.0, 1.0, 0.5, -1.0])
    n = 200_000
    draws = gumbel_max_sample(x, np.random.default_rng(12345), size=n)
    counts = np.bincount(draws, minlength=4)
    p = ref_probs(x)
    _, pvalue = stats.chisquare(counts, n * p)
    assert pvalue > 1e-3
    # and the test does detect a wrong distribution: uniform noise instead of Gumbel
    rng = np.random.default_rng(12345)
    wrong = np.argmax(x + rng.uniform(size=(n, 4)) * 3, axis=-1)
    _, wrong_pvalue = stats.chisquare(np.bincount(wrong, minlength=4), n * p)
    assert wrong_pvalue < 1e-10


def test_gumbel_batch_distributions_are_separate():
    x = np.array([[0.0, 0.0, -np.inf], [-np.inf, 5.0, -np.inf]])
    draws = gumbel_max_sample(x, np.random.default_rng(3), size=(1000,))
    assert draws.shape == (1000, 2)
    assert set(np.unique(draws[:, 0])) == {0, 1}
    assert np.all(draws[:, 1] == 1)


def test_gumbel_reproducible_and_shapes():
    x = [0.3, 0.1, -0.2]
    a = gumbel_max_sample(x, np.random.default_rng(7), size=50)
    b = gumbel_max_sample(x, np.random.default_rng(7), size=50)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, gumbel_max_sample(x, np.random.default_rng(8), size=50))
    one = gumbel_max_sample(x, np.random.default_rng(7))
    assert np.ndim(one) == 0 and 0 <= one < 3
    assert gumbel_max_sample(x, np.random.default_rng(7), size=(2, 3)).shape == (2, 3)
    assert gumbel_max_sample(x, np.random.default_rng(7), size=0).shape == (0,)


def test_gumbel_shift_invariant_draws():
    # The argmax of x + g is unchanged by a common shift, so the draws are identical.
    x = np.array([0.3, 0.1, -0.2])
    a = gumbel_max_sample(x, np.random.default_rng(9), size=100)
    b = gumbel_max_sample(x + 10.0, np.random.default_rng(9), size=100)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("bad", [None, 0, 42, np.random.RandomState(0), "seed"])
def test_gumbel_rejects_non_generator(bad):
    with pytest.raises(TypeError, match="gumbel_max_sample: rng must be a numpy.random.Generator"):
        gumbel_max_sample([0.0, 1.0], bad, size=3)


def test_gumbel_bad_logits_and_size():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="gumbel_max_sample: logits must be finite or -inf"):
        gumbel_max_sample([0.0, np.nan], rng)
    with pytest.raises(ValueError, match="gumbel_max_sample: logits must be finite or -inf"):
        gumbel_max_sample([0.0, np.inf], rng)
    with pytest.raises(
        ValueError, match="gumbel_max_sample: every logit of a distribution is -inf"
    ):
        gumbel_max_sample([[0.0, 1.0], [-np.inf, -np.inf]], rng)
    with pytest.raises(
        ValueError, match="gumbel_max_sample: logits must have at least one dimension"
    ):
        gumbel_max_sample(0.0, rng)
    with pytest.raises(ValueError, match="gumbel_max_sample: size must be an int >= 0, got -1"):
        gumbel_max_sample([0.0, 1.0], rng, size=-1)
    with pytest.raises(TypeError, match="gumbel_max_sample: size must be None, an int or a tuple"):
        gumbel_max_sample([0.0, 1.0], rng, size=2.5)
    with pytest.raises(TypeError, match="gumbel_max_sample: size must be an int >= 0, got float"):
        gumbel_max_sample([0.0, 1.0], rng, size=(2, 2.5))


def test_gumbel_no_mutation():
    x = np.array([0.5, 0.25, 0.0])
    x0 = x.copy()
    gumbel_max_sample(x, np.random.default_rng(0), size=10)
    np.testing.assert_array_equal(x, x0)
