"""Tests for the softmax-bottleneck tools (softmax_lib/_bottleneck.py).

Reference values come from mpmath, from scipy.spatial.ConvexHull, from
brute-force sampling or from finite differences, never from the code under test.
"""

import dataclasses

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.spatial import ConvexHull

from softmax_lib import (
    SoftmaxFit,
    char_ngram_table,
    effective_rank,
    estimate_hidden_size,
    fit_softmax_model,
    load_book_text,
    log_prob_matrix,
    mixture_of_softmaxes,
    numerical_rank,
    sigsoftmax,
    softmax,
    unargmaxable_classes,
)
from softmax_lib._bottleneck import _kl_and_grad_mixture, _kl_and_grad_softmax
from softmax_lib.testing import numerical_gradient


@pytest.fixture(autouse=True)
def _fifty_digits():
    """mpmath references in this module use 50 digits, set locally for each test."""
    with mpmath.workdps(50):
        yield


finite = st.floats(-50.0, 50.0, allow_nan=False, allow_infinity=False)


def mp_log_softmax_row(z):
    lse = mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(v)) for v in z))
    return [mpmath.mpf(v) - lse for v in z]


# ---------------------------------------------------------------------------
# log_prob_matrix and numerical_rank
# ---------------------------------------------------------------------------

def test_log_prob_matrix_matches_mpmath():
    rng = np.random.default_rng(3)
    H, W, b = rng.normal(size=(4, 2)), rng.normal(size=(5, 2)), rng.normal(size=5)
    got = log_prob_matrix(H, W, b)
    for i in range(4):
        z = [sum(mpmath.mpf(H[i, k]) * mpmath.mpf(W[x, k]) for k in range(2)) + mpmath.mpf(b[x])
             for x in range(5)]
        ref = np.array([float(v) for v in mp_log_softmax_row(z)])
        np.testing.assert_allclose(got[i], ref, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("d", [1, 2, 3, 5, 8])
def test_rank_is_d_plus_one(d):
    rng = np.random.default_rng(d)
    A = log_prob_matrix(rng.normal(size=(40, d)), rng.normal(size=(30, d)))
    s = np.linalg.svd(A, compute_uv=False)
    assert s[d] > 1e-3 * s[0]                      # d + 1 genuine singular values
    assert s[d + 1] < 1e-12 * s[0]                 # and nothing else
    assert numerical_rank(A) == d + 1
    assert np.linalg.matrix_rank(A) == d + 1       # numpy's default tolerance agrees


def test_rank_with_bias_is_d_plus_two():
    rng = np.random.default_rng(0)
    A = log_prob_matrix(rng.normal(size=(40, 3)), rng.normal(size=(30, 3)), rng.normal(size=30))
    assert numerical_rank(A) == 5


def test_numerical_rank_known_matrices():
    u, v = np.arange(1.0, 6.0), np.arange(1.0, 5.0)
    assert numerical_rank(np.outer(u, v)) == 1
    assert numerical_rank(np.eye(4)) == 4
    assert numerical_rank(np.diag([1.0, 1e-8, 1e-12])) == 2
    assert numerical_rank(np.diag([1.0, 1e-8, 1e-12]), rtol=1e-6) == 1
    assert numerical_rank(np.zeros((3, 3))) == 0


def test_log_prob_matrix_rows_are_distributions_and_no_mutation():
    rng = np.random.default_rng(1)
    H, W = rng.normal(size=(6, 3)) * 100, rng.normal(size=(7, 3)) * 100
    H0, W0 = H.copy(), W.copy()
    A = log_prob_matrix(H, W)
    assert np.all(np.isfinite(A)) and np.all(A <= 0)
    np.testing.assert_allclose(np.exp(A).sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(H, H0)
    np.testing.assert_array_equal(W, W0)


@pytest.mark.parametrize(
    "args, exc, match",
    [
        (([1.0, 2.0], [[1.0, 2.0]]), ValueError, "contexts must be a 2-D"),
        (([[1.0, 2.0]], [[1.0, 2.0, 3.0]]), ValueError, "same second dimension"),
        (([[1.0, np.nan]], [[1.0, 2.0]]), ValueError, "contexts must contain only finite"),
        (([[1.0, 2.0]], [[1.0, 2.0]], [0.0, 1.0]), ValueError, "bias must have shape"),
        (([["a", "b"]], [[1.0, 2.0]]), TypeError, "contexts"),
        ((np.zeros((0, 2)), [[1.0, 2.0]]), ValueError, "contexts must not be empty"),
    ],
)
def test_log_prob_matrix_bad_input(args, exc, match):
    with pytest.raises(exc, match=match):
        log_prob_matrix(*args)


@pytest.mark.parametrize(
    "a, kwargs, exc, match",
    [
        ([1.0, 2.0], {}, ValueError, "numerical_rank: a must be a 2-D"),
        ([[1.0, np.inf]], {}, ValueError, "a must contain only finite"),
        ([[1.0]], {"rtol": 0.0}, ValueError, "rtol"),
        ([[1.0]], {"rtol": "small"}, TypeError, "rtol"),
    ],
)
def test_numerical_rank_bad_input(a, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        numerical_rank(a, **kwargs)


# ---------------------------------------------------------------------------
# mixture_of_softmaxes
# ---------------------------------------------------------------------------

def test_mixture_matches_mpmath():
    z = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])
    a = np.array([0.3, -0.4])
    pis = [mpmath.exp(v) for v in mp_log_softmax_row(a)]
    comps = [[mpmath.exp(v) for v in mp_log_softmax_row(row)] for row in z]
    ref = [float(sum(pis[k] * comps[k][x] for k in range(2))) for x in range(3)]
    np.testing.assert_allclose(mixture_of_softmaxes(z, a), ref, rtol=1e-14)
    np.testing.assert_allclose(mixture_of_softmaxes(z, a, log=True), np.log(ref), rtol=1e-14)


def test_mixture_log_form_where_probabilities_underflow():
    z = np.array([[0.0, -1000.0], [0.0, -1100.0]])
    got = mixture_of_softmaxes(z, [0.0, 0.0], log=True)
    # log(0.5 e^-1000 + 0.5 e^-1100) = -1000 + log(0.5) + log1p(e^-100)
    half = mpmath.mpf("0.5")
    ref = float(mpmath.log(half * mpmath.exp(-1000) + half * mpmath.exp(-1100)))
    assert got[1] == pytest.approx(ref, rel=1e-15)
    assert got[0] == pytest.approx(0.0, abs=1e-300)


@given(arrays(np.float64, (3, 5), elements=finite), arrays(np.float64, (3,), elements=finite))
def test_mixture_is_a_distribution(z, a):
    p = mixture_of_softmaxes(z, a)
    assert np.all(p >= 0)
    assert np.sum(p) == pytest.approx(1.0, abs=1e-12)
    logp = mixture_of_softmaxes(z, a, log=True)
    assert np.all(np.isfinite(logp))


@given(arrays(np.float64, (1, 6), elements=finite), finite)
def test_mixture_with_one_component_is_softmax(z, a):
    np.testing.assert_allclose(mixture_of_softmaxes(z, [a]), softmax(z[0]), rtol=1e-12, atol=1e-300)


def test_mixture_broadcasts_and_keeps_float32():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(4, 3, 6)).astype(np.float32)
    a = rng.normal(size=(3,)).astype(np.float32)
    p = mixture_of_softmaxes(z, a)
    assert p.shape == (4, 6) and p.dtype == np.float32
    for i in range(4):
        np.testing.assert_allclose(p[i], mixture_of_softmaxes(z[i], a), rtol=1e-6)


def test_mixture_does_not_mutate():
    z = np.array([[1.0, 2.0], [3.0, 4.0]])
    a = np.array([0.0, 1.0])
    z0, a0 = z.copy(), a.copy()
    mixture_of_softmaxes(z, a, log=True)
    np.testing.assert_array_equal(z, z0)
    np.testing.assert_array_equal(a, a0)


def test_mixture_of_low_rank_components_has_full_rank():
    rng = np.random.default_rng(2)
    W = rng.normal(size=(20, 3))
    single = mixture_of_softmaxes(rng.normal(size=(30, 1, 3)) @ W.T, np.zeros((30, 1)), log=True)
    mixed = mixture_of_softmaxes(rng.normal(size=(30, 3, 3)) @ W.T, rng.normal(size=(30, 3)),
                                 log=True)
    assert np.linalg.matrix_rank(single) == 4
    assert np.linalg.matrix_rank(mixed) == 20


@pytest.mark.parametrize(
    "z, a, kwargs, exc, match",
    [
        ([1.0, 2.0], [0.0], {}, ValueError, "logits must have shape"),
        ([[1.0, 2.0]], 0.0, {}, ValueError, "mixture_logits must have shape"),
        ([[1.0, 2.0]], [0.0, 1.0], {}, ValueError, "components"),
        (np.zeros((2, 1, 3)), np.zeros((3, 1)), {}, ValueError, "broadcast"),
        ([[1.0, 2.0]], [0.0], {"log": 1}, TypeError, "log must be True or False"),
        ([["x", "y"]], [0.0], {}, TypeError, "logits"),
        ([[1.0, 2.0]], [1j], {}, TypeError, "mixture_logits"),
    ],
)
def test_mixture_bad_input(z, a, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        mixture_of_softmaxes(z, a, **kwargs)


# ---------------------------------------------------------------------------
# sigsoftmax
# ---------------------------------------------------------------------------

def test_sigsoftmax_matches_mpmath():
    x = [2.0, 1.0, 0.5, -3.0, 30.0]
    terms = [mpmath.exp(v) / (1 + mpmath.exp(-v)) for v in map(mpmath.mpf, x)]
    total = mpmath.fsum(terms)
    ref = np.array([float(t / total) for t in terms])
    np.testing.assert_allclose(sigsoftmax(x), ref, rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(sigsoftmax(x, log=True),
                               [float(mpmath.log(t / total)) for t in terms], rtol=1e-13)


@given(arrays(np.float64, st.integers(1, 8), elements=st.floats(-700, 700)))
def test_sigsoftmax_distribution_and_order(x):
    p = sigsoftmax(x)
    assert np.all(np.isfinite(p)) and np.all(p >= 0)
    assert np.sum(p) == pytest.approx(1.0, abs=1e-12)
    order = np.argsort(x, kind="stable")
    assert np.all(np.diff(p[order]) >= 0)          # e^x * sigmoid(x) is increasing


def test_sigsoftmax_is_not_shift_invariant_but_softmax_is():
    x = np.array([1.0, 0.0, -1.0])
    assert not np.allclose(sigsoftmax(x), sigsoftmax(x + 5.0))
    np.testing.assert_allclose(softmax(x), softmax(x + 5.0))


def test_sigsoftmax_axis_extremes_dtype_and_no_mutation():
    x = np.array([[1000.0, 0.0], [-1000.0, -1000.0]])
    x0 = x.copy()
    np.testing.assert_allclose(sigsoftmax(x), [[1.0, 0.0], [0.5, 0.5]])
    np.testing.assert_allclose(sigsoftmax(x, axis=0), sigsoftmax(x.T).T)
    np.testing.assert_allclose(sigsoftmax(x, axis=0)[:, 1], [1.0, 0.0])
    np.testing.assert_array_equal(x, x0)
    assert sigsoftmax(np.array([1.0, 2.0], dtype=np.float32)).dtype == np.float32


@pytest.mark.parametrize(
    "x, kwargs, exc, match",
    [
        ("abc", {}, TypeError, "sigsoftmax: x"),
        ([1.0, 2.0], {"axis": 1}, ValueError, "axis"),
        ([1.0, 2.0], {"axis": (0,)}, TypeError, "axis must be a single int"),
        ([1.0, 2.0], {"log": "yes"}, TypeError, "log must be True or False"),
    ],
)
def test_sigsoftmax_bad_input(x, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        sigsoftmax(x, **kwargs)


# ---------------------------------------------------------------------------
# fit_softmax_model
# ---------------------------------------------------------------------------

def _target(n, m, seed=0, scale=2.0):
    rng = np.random.default_rng(seed)
    z = scale * rng.normal(size=(n, m))
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_softmax_gradient_matches_finite_differences():
    P = _target(4, 5)
    n, m, d = 4, 5, 2
    theta = np.random.default_rng(1).normal(size=(n + m) * d)

    def f(t):
        return _kl_and_grad_softmax(t, P, 0.0, n, m, d)

    # central differences keep about 10 digits here (see numerical_gradient)
    np.testing.assert_allclose(f(theta)[1], numerical_gradient(lambda t: f(t)[0], theta),
                               rtol=1e-6, atol=1e-9)


def test_mixture_gradient_matches_finite_differences():
    P = _target(4, 5)
    n, m, d, k = 4, 5, 2, 3
    theta = np.random.default_rng(2).normal(size=n * k * d + n * k + m * d)

    def f(t):
        return _kl_and_grad_mixture(t, P, 0.0, n, m, d, k)

    np.testing.assert_allclose(f(theta)[1], numerical_gradient(lambda t: f(t)[0], theta),
                               rtol=1e-6, atol=1e-9)


def test_fit_returns_a_frozen_record_consistent_with_its_parameters():
    P = _target(10, 8, seed=4)
    fit = fit_softmax_model(P, 3)
    assert isinstance(fit, SoftmaxFit)
    assert fit.converged and fit.n_iter > 0 and fit.n_starts == 1
    np.testing.assert_allclose(fit.log_probs, log_prob_matrix(fit.contexts, fit.embeddings),
                               atol=1e-12)
    kl_ref = float(np.mean(np.sum(P * (np.log(P) - fit.log_probs), axis=1)))
    assert fit.kl == pytest.approx(kl_ref, rel=1e-10, abs=1e-14)
    assert fit.n_params == (10 + 8) * 3
    assert fit.mixture_logits is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.kl = 0.0


def test_exact_fit_at_d_equal_to_classes_minus_one():
    P = _target(12, 9, seed=5)
    exact, low = fit_softmax_model(P, 8), fit_softmax_model(P, 2)
    assert exact.converged and low.converged
    assert exact.kl < 1e-12          # measured 3e-16: the SVD start is already exact
    assert low.kl > 0.1              # measured 0.232


def test_kl_floor_decreases_with_d():
    P = _target(15, 15, seed=6)
    fits = [fit_softmax_model(P, d) for d in (1, 3, 6, 10)]
    assert all(f.converged for f in fits)
    kls = [f.kl for f in fits]       # measured 0.775, 0.306, 0.055, 0.0027
    assert all(a > 2 * b for a, b in zip(kls[:-1], kls[1:], strict=True))


def test_rank_floor_is_positive_below_the_rank():
    # A target whose centred log has rank 9 cannot be fitted exactly with d = 4
    # (Chapter 7, proposition on exact fits); the measured floor is 0.037.
    P = _target(10, 10, seed=7)
    assert np.linalg.matrix_rank(np.log(P)) == 10
    fit = fit_softmax_model(P, 4)
    assert fit.converged and fit.kl > 0.01


def test_restarts_never_do_worse_than_the_first_start():
    P = _target(15, 15, seed=6)
    one = fit_softmax_model(P, 3)
    several = fit_softmax_model(P, 3, n_restarts=4, seed=3)
    assert several.n_starts == 4 and several.converged
    assert several.kl <= one.kl * (1 + 1e-9)


def test_mixture_beats_softmax_at_the_same_d_and_converges_with_a_penalty():
    P = _target(12, 12, seed=8)
    single = fit_softmax_model(P, 2)
    mixture = fit_softmax_model(P, 2, n_components=3, l2=1e-3)
    assert single.converged and mixture.converged
    assert mixture.kl < 0.5 * single.kl          # measured ratio 0.33
    assert np.linalg.matrix_rank(mixture.log_probs) == 12
    assert np.linalg.matrix_rank(single.log_probs) == 3
    assert mixture.contexts.shape == (12, 3, 2)
    assert mixture.mixture_logits is not None and mixture.mixture_logits.shape == (12, 3)
    assert mixture.n_params == 12 * 3 * 2 + 12 * 3 + 12 * 2


def test_fit_handles_zero_target_entries_and_does_not_mutate():
    P = np.array([[0.5, 0.5, 0.0], [0.0, 0.2, 0.8], [1.0, 0.0, 0.0]])
    P0 = P.copy()
    fit = fit_softmax_model(P, 1, maxiter=200)
    assert np.isfinite(fit.kl) and fit.kl >= 0
    np.testing.assert_array_equal(P, P0)


@pytest.mark.parametrize(
    "target, d, kwargs, exc, match",
    [
        ([[0.5, 0.6]], 1, {}, ValueError, "sum to one"),
        ([[1.5, -0.5]], 1, {}, ValueError, "non-negative"),
        ([0.5, 0.5], 1, {}, ValueError, "target must be a 2-D"),
        ([[0.5, 0.5]], 0, {}, ValueError, "d must be a positive int"),
        ([[0.5, 0.5]], 1.5, {}, TypeError, "d must be a positive int"),
        ([[0.5, 0.5]], True, {}, TypeError, "d must be a positive int"),
        ([[0.5, 0.5]], 1, {"n_components": 0}, ValueError, "n_components"),
        ([[0.5, 0.5]], 1, {"n_restarts": 0}, ValueError, "n_restarts"),
        ([[0.5, 0.5]], 1, {"l2": -1.0}, ValueError, "l2"),
        ([[0.5, 0.5]], 1, {"l2": np.inf}, ValueError, "l2"),
        ([[0.5, 0.5]], 1, {"gtol": 0.0}, ValueError, "gtol"),
        ([[0.5, 0.5]], 1, {"gtol": "tiny"}, TypeError, "gtol"),
        ([[0.5, 0.5]], 1, {"seed": 1.5}, TypeError, "seed"),
    ],
)
def test_fit_bad_input(target, d, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fit_softmax_model(target, d, **kwargs)


# ---------------------------------------------------------------------------
# effective_rank and estimate_hidden_size
# ---------------------------------------------------------------------------

def test_effective_rank_known_spectra():
    assert effective_rank(np.eye(5)) == pytest.approx(5.0, rel=1e-14)
    assert effective_rank(np.outer([1.0, 2.0, 3.0], [1.0, -1.0])) == pytest.approx(1.0, rel=1e-14)
    s = np.array([3.0, 2.0, 1.0])
    rng = np.random.default_rng(0)
    Q1, _ = np.linalg.qr(rng.normal(size=(6, 3)))
    Q2, _ = np.linalg.qr(rng.normal(size=(4, 3)))
    q = s / s.sum()
    ref = float(mpmath.exp(-mpmath.fsum(mpmath.mpf(v) * mpmath.log(mpmath.mpf(v)) for v in q)))
    assert effective_rank(Q1 @ np.diag(s) @ Q2.T) == pytest.approx(ref, rel=1e-12)


@given(arrays(np.float64, (4, 3), elements=st.floats(-10, 10)), st.floats(1e-3, 1e3))
def test_effective_rank_is_scale_free_and_bounded(a, c):
    if np.linalg.norm(a) < 1e-6:
        return
    r = effective_rank(a)
    assert 1.0 - 1e-12 <= r <= 3.0 + 1e-12
    assert effective_rank(c * a) == pytest.approx(r, rel=1e-9)


def test_effective_rank_bad_input():
    with pytest.raises(ValueError, match="effective_rank: a must have at least one non-zero"):
        effective_rank(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="effective_rank: a must be a 2-D"):
        effective_rank([1.0, 2.0])


@pytest.mark.parametrize("d", [1, 3, 8, 20])
@pytest.mark.parametrize("with_bias", [False, True])
def test_hidden_size_is_recovered(d, with_bias):
    rng = np.random.default_rng(d)
    W, H = rng.normal(size=(200, d)), rng.normal(size=(60, d))
    b = rng.normal(size=200) if with_bias else None
    A = log_prob_matrix(H, W, b)
    assert estimate_hidden_size(A) == d + int(with_bias)
    # outputs rounded to 4 decimals (noise about 3e-5) still reveal it
    assert estimate_hidden_size(np.round(A, 4)) == d + int(with_bias)


def test_hidden_size_edge_cases():
    assert estimate_hidden_size(np.zeros((3, 4))) == 0                       # constant rows
    assert estimate_hidden_size(np.log(np.full((3, 4), 0.25))) == 0
    with pytest.raises(ValueError, match="at least two rows"):
        estimate_hidden_size([[0.0, -1.0]])
    with pytest.raises(ValueError, match="log_prob_vectors must contain only finite"):
        estimate_hidden_size([[0.0, -np.inf], [0.0, -1.0]])


# ---------------------------------------------------------------------------
# load_book_text and char_ngram_table
# ---------------------------------------------------------------------------

def test_book_text_is_shipped_as_package_data():
    text = load_book_text()
    assert 30_000 < len(text) < 60_000
    assert "softmax" in text.lower()


def test_ngram_table_against_hand_counts():
    t = char_ngram_table("Abab abba", 2, n_contexts=2, n_classes=2, smoothing=1.0)
    # lower-cased "abab abba": a->b three times; b->a twice, b->b once; ' ' is dropped
    assert t.contexts == ["a", "b"] and t.classes == ["a", "b"]
    np.testing.assert_allclose(t.probs, [[1 / 5, 4 / 5], [3 / 5, 2 / 5]], rtol=1e-15)


def test_ngram_table_of_the_book_is_a_probability_table():
    t = char_ngram_table(load_book_text(), 3, n_contexts=50, n_classes=20)
    assert t.probs.shape == (50, 20)
    assert np.all(t.probs > 0)
    np.testing.assert_allclose(t.probs.sum(axis=1), 1.0, rtol=1e-14)
    assert len(set(t.contexts)) == 50 and all(len(c) == 2 for c in t.contexts)
    assert t.classes[0] == " "
    again = char_ngram_table(load_book_text(), 3, n_contexts=50, n_classes=20)
    np.testing.assert_array_equal(t.probs, again.probs)


@pytest.mark.parametrize(
    "args, kwargs, exc, match",
    [
        ((b"ab", 2), {"n_contexts": 1, "n_classes": 1}, TypeError, "text must be a str"),
        (("abab", 1), {"n_contexts": 1, "n_classes": 1}, ValueError, "order must be at least 2"),
        (("abab", 2), {"n_contexts": 1, "n_classes": 3}, ValueError, "distinct characters"),
        (("abab", 2), {"n_contexts": 3, "n_classes": 2}, ValueError, "distinct contexts"),
        (("abab", 2), {"n_contexts": 1, "n_classes": 1, "smoothing": 0.0}, ValueError, "smoothing"),
        (("abab", 2), {"n_contexts": 1, "n_classes": 1, "lower": 1}, TypeError, "lower"),
    ],
)
def test_ngram_table_bad_input(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        char_ngram_table(*args, **kwargs)


# ---------------------------------------------------------------------------
# unargmaxable_classes
# ---------------------------------------------------------------------------

def test_interior_point_is_unargmaxable():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(6, 3))
    lam = rng.dirichlet(np.ones(6))
    W_in = np.vstack([W, lam @ W])                 # strictly inside the hull
    assert 6 in unargmaxable_classes(W_in).tolist()


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("dim", [2, 3])
def test_unargmaxable_equals_non_vertices_of_the_hull(seed, dim):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(12, dim))
    vertices = set(ConvexHull(W).vertices.tolist())
    expected = sorted(set(range(12)) - vertices)
    assert unargmaxable_classes(W).tolist() == expected


def test_unargmaxable_agrees_with_sampling_with_a_bias():
    rng = np.random.default_rng(3)
    W = rng.normal(size=(8, 2))
    b = rng.normal(size=8)
    h = rng.normal(size=(200_000, 2)) * rng.exponential(3.0, size=(200_000, 1))
    winners = set(np.argmax(h @ W.T + b, axis=1).tolist())
    assert sorted(set(range(8)) - winners) == unargmaxable_classes(W, b).tolist()


def test_unit_vectors_are_all_argmaxable():
    rng = np.random.default_rng(4)
    W = rng.normal(size=(20, 2))
    assert unargmaxable_classes(W).size > 0
    W_unit = W / np.linalg.norm(W, axis=1, keepdims=True)
    assert unargmaxable_classes(W_unit).size == 0


def test_duplicates_and_single_class():
    W = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    assert unargmaxable_classes(W).tolist() == [0, 1]      # never the strict argmax
    assert unargmaxable_classes([[1.0, 2.0]]).tolist() == []


def test_unargmaxable_does_not_mutate():
    W = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0], [0.1, 0.1]])
    b = np.zeros(4)
    W0, b0 = W.copy(), b.copy()
    unargmaxable_classes(W, b)
    np.testing.assert_array_equal(W, W0)
    np.testing.assert_array_equal(b, b0)


@pytest.mark.parametrize(
    "W, kwargs, exc, match",
    [
        ([1.0, 2.0], {}, ValueError, "embeddings must be a 2-D"),
        ([[1.0, 2.0]], {"bias": [0.0, 1.0]}, ValueError, "bias must have shape"),
        ([[1.0, 2.0]], {"bias": [np.nan]}, ValueError, "bias must contain only finite"),
        ([[1.0, 2.0]], {"tol": -1.0}, ValueError, "tol"),
        ([[1.0, np.inf]], {}, ValueError, "embeddings must contain only finite"),
    ],
)
def test_unargmaxable_bad_input(W, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        unargmaxable_classes(W, **kwargs)
