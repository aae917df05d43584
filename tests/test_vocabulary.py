"""Tests for softmax_lib._vocabulary: chunked and sampled losses, trees, decoding.

References are independent formulas: the direct (N, V) softmax cross-entropy,
finite differences, exact enumeration of all sample sequences, the
Plackett-Luce formula for ordered samples without replacement, and
chi-square tests with fixed seeds.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import chisquare

from softmax_lib import (
    chunked_cross_entropy,
    gumbel_top_k,
    hierarchical_log_prob,
    huffman_paths,
    log_softmax,
    sampled_softmax_loss,
    softmax,
    top_k_top_p_filter,
)
from softmax_lib.testing import numerical_gradient

finite = st.floats(-30, 30, allow_nan=False, allow_infinity=False)


def direct(h, w, y, b=None):
    z = h @ w.T + (0 if b is None else b)
    lp = log_softmax(z, axis=1)
    n = len(y)
    g = np.exp(lp)
    g[np.arange(n), y] -= 1
    g /= n
    return -lp[np.arange(n), y].mean(), g @ w, g.T @ h, g.sum(0)


# ---------------------------------------------------------------------------
# chunked_cross_entropy
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [1, 3, 7, 50, 1000])
def test_chunked_matches_direct(chunk):
    rng = np.random.default_rng(chunk)
    h, w, b = rng.normal(size=(9, 4)), rng.normal(size=(50, 4)) * 3, rng.normal(size=50)
    y = rng.integers(50, size=9)
    res = chunked_cross_entropy(h, w, y, chunk_size=chunk, bias=b)
    ref = direct(h, w, y, b)
    # measured worst case 1.8e-15 (loss) and 1.1e-15 (gradients); margins x50 and x9
    assert abs(res.loss - ref[0]) < 1e-13
    for got, want in zip(res[1:], ref[1:], strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-14)


def test_chunked_gradient_is_the_derivative_of_the_loss():
    rng = np.random.default_rng(3)
    h, w, y = rng.normal(size=(3, 2)), rng.normal(size=(6, 2)), np.array([0, 5, 2])
    res = chunked_cross_entropy(h, w, y, chunk_size=4)
    num_h = numerical_gradient(lambda x: chunked_cross_entropy(x, w, y, chunk_size=4).loss, h)
    num_w = numerical_gradient(lambda x: chunked_cross_entropy(h, x, y, chunk_size=4).loss, w)
    # central differences: measured error about 1e-10; margin x100
    np.testing.assert_allclose(res.grad_h, num_h, atol=1e-8)
    np.testing.assert_allclose(res.grad_w, num_w, atol=1e-8)


def test_chunked_large_logits_stay_finite():
    h = np.array([[1000.0], [-1000.0]])
    w = np.array([[1.0], [0.0], [-1.0]])
    res = chunked_cross_entropy(h, w, [0, 2], chunk_size=1)
    assert res.loss == pytest.approx(0.0, abs=1e-300)
    assert np.all(np.isfinite(res.grad_w))


def test_chunked_does_not_mutate():
    rng = np.random.default_rng(0)
    h, w, y = rng.normal(size=(3, 2)), rng.normal(size=(5, 2)), np.array([1, 2, 3])
    copies = h.copy(), w.copy(), y.copy()
    chunked_cross_entropy(h, w, y, chunk_size=2)
    for a, c in zip((h, w, y), copies, strict=True):
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize(
    "kwargs, exc",
    [
        (dict(chunk_size=0), ValueError),
        (dict(chunk_size=2.0), TypeError),
        (dict(chunk_size=True), TypeError),
        (dict(chunk_size=2, bias=np.zeros(3)), ValueError),
    ],
)
def test_chunked_bad_parameters(kwargs, exc):
    with pytest.raises(exc, match="chunked_cross_entropy"):
        chunked_cross_entropy(np.ones((2, 2)), np.ones((4, 2)), [0, 1], **kwargs)


@pytest.mark.parametrize(
    "h, w, y, exc",
    [
        (np.ones((2, 3)), np.ones((4, 2)), [0, 1], ValueError),  # d mismatch
        (np.ones(3), np.ones((4, 3)), [0], ValueError),  # h not 2-D
        (np.ones((2, 2)), np.ones((4, 2)), [0, 4], ValueError),  # label out of range
        (np.ones((2, 2)), np.ones((4, 2)), [0.0, 1.0], TypeError),  # float labels
        (np.ones((2, 2)), np.ones((4, 2)), [True, False], TypeError),  # bool labels
        (np.ones((2, 2)), np.ones((4, 2)), [0], ValueError),  # wrong count
        (np.full((2, 2), np.nan), np.ones((4, 2)), [0, 1], ValueError),
        ("ab", np.ones((4, 2)), [0, 1], TypeError),
    ],
)
def test_chunked_bad_input(h, w, y, exc):
    with pytest.raises(exc, match="chunked_cross_entropy"):
        chunked_cross_entropy(h, w, y, chunk_size=2)


# ---------------------------------------------------------------------------
# sampled_softmax_loss
# ---------------------------------------------------------------------------


def test_sampled_against_candidate_softmax_formula():
    rng = np.random.default_rng(5)
    h, w, b = rng.normal(size=(3, 2)), rng.normal(size=(7, 2)), rng.normal(size=7)
    y, smp = np.array([0, 3, 6]), np.array([1, 3, 3, 5])
    q = softmax(rng.normal(size=7))
    for correct in (True, False):
        res = sampled_softmax_loss(h, w, y, smp, q, correct=correct, bias=b)
        loss, gz = 0.0, np.zeros((3, 7))
        for i in range(3):
            cand = np.concatenate([[y[i]], smp])
            a = h[i] @ w[cand].T + b[cand] - (np.log(q[cand]) if correct else 0)
            loss += -log_softmax(a)[0] / 3
            pa = softmax(a)
            pa[0] -= 1
            np.add.at(gz[i], cand, pa / 3)
        assert res.loss == pytest.approx(loss, abs=1e-14)
        np.testing.assert_allclose(res.grad_h, gz @ w, atol=1e-14)
        np.testing.assert_allclose(res.grad_w, gz.T @ h, atol=1e-14)
        np.testing.assert_allclose(res.grad_bias, gz.sum(0), atol=1e-14)


def test_sampled_gradient_is_the_derivative_of_its_loss():
    rng = np.random.default_rng(6)
    h, w, y, smp = rng.normal(size=(2, 3)), rng.normal(size=(5, 3)), [1, 4], [0, 0, 2]
    q = np.full(5, 0.2)
    res = sampled_softmax_loss(h, w, y, smp, q)
    num = numerical_gradient(lambda x: sampled_softmax_loss(x, w, y, smp, q).loss, h)
    np.testing.assert_allclose(res.grad_h, num, atol=1e-8)


def _p_hat(z, seq, q, correct):
    g = sampled_softmax_loss([[1.0]], z[:, None], [0], np.array(seq), q, correct=correct)
    return g.grad_bias + np.eye(len(z))[0]


def test_sampled_exact_expectation_is_biased_but_converges():
    """Exact enumeration over all S-tuples: biased at finite S, bias shrinks with S."""
    z, q = np.array([2.0, 1.0, 0.0, -1.0]), np.array([0.1, 0.2, 0.3, 0.4])
    p = softmax(z)
    biases = []
    for s in (1, 2, 4):
        mean = sum(
            np.prod(q[list(seq)]) * _p_hat(z, seq, q, True)
            for seq in itertools.product(range(4), repeat=s)
        )
        biases.append(np.abs(mean - p).sum())
    # measured: 0.614, 0.534, 0.414
    assert biases[0] > 0.5 and biases[0] > biases[1] > biases[2] > 0.3


def test_sampled_converges_to_p_with_correction_and_to_the_wrong_limit_without():
    rng = np.random.default_rng(7)
    z = rng.normal(size=6)
    q = softmax(rng.normal(size=6))
    smp = rng.choice(6, size=200_000, p=q)
    p_c, p_n = _p_hat(z, smp, q, True), _p_hat(z, smp, q, False)
    # fixed seed: measured l1 errors 5.7e-3 and 3.7e-3 (naive: 0.62 from p); margin x2.6
    assert np.abs(p_c - softmax(z)).sum() < 0.015
    assert np.abs(p_n - softmax(z + np.log(q))).sum() < 0.015
    assert np.abs(p_n - softmax(z)).sum() > 0.1


@pytest.mark.parametrize(
    "samples, proposal, exc",
    [
        ([], np.full(4, 0.25), ValueError),
        ([[0, 1]], np.full(4, 0.25), ValueError),
        ([0, 4], np.full(4, 0.25), ValueError),
        ([0.0, 1.0], np.full(4, 0.25), TypeError),
        ([0, 1], np.array([0.5, 0.5, 0.0, 0.0]), ValueError),
        ([0, 1], np.full(4, 0.3), ValueError),
        ([0, 1], np.full(3, 1 / 3), ValueError),
    ],
)
def test_sampled_bad_input(samples, proposal, exc):
    with pytest.raises(exc, match="sampled_softmax_loss"):
        sampled_softmax_loss(np.ones((1, 2)), np.ones((4, 2)), [0], samples, proposal)


def test_sampled_bad_correct_flag_and_no_mutation():
    w = np.ones((4, 2))
    with pytest.raises(TypeError, match="correct"):
        sampled_softmax_loss(np.ones((1, 2)), w, [0], [1], np.full(4, 0.25), correct=1)
    q = np.full(4, 0.25)
    smp = np.array([1, 2])
    sampled_softmax_loss(np.ones((1, 2)), w, [0], smp, q)
    np.testing.assert_array_equal(q, np.full(4, 0.25))
    np.testing.assert_array_equal(smp, [1, 2])


# ---------------------------------------------------------------------------
# huffman_paths and hierarchical_log_prob
# ---------------------------------------------------------------------------


def test_huffman_balanced_and_prefix_free():
    nodes, signs = huffman_paths(np.ones(8))
    assert np.all((signs != 0).sum(1) == 3)
    codes = {tuple(int(s) for s in row if s != 0) for row in signs}
    assert len(codes) == 8  # distinct codes
    for a, b in itertools.permutations(codes, 2):
        assert a != b[: len(a)]  # no code is a prefix of another


def test_huffman_expected_depth_within_one_bit_of_entropy():
    f = 1 / np.arange(1, 301)
    f /= f.sum()
    depth = (huffman_paths(f)[1] != 0).sum(1)
    h = -(f @ np.log2(f))
    assert h <= f @ depth < h + 1


@settings(max_examples=60, deadline=None)
@given(
    counts=arrays(np.float64, st.integers(2, 40), elements=st.floats(0, 100)),
    seed=st.integers(0, 2**16),
)
def test_hierarchical_softmax_sums_to_one(counts, seed):
    rng = np.random.default_rng(seed)
    nodes, signs = huffman_paths(counts)
    v = len(counts)
    u = rng.normal(size=(v - 1, 3)) * 5
    h = rng.normal(size=(4, 3)) * 5
    lp = hierarchical_log_prob(h, u, nodes, signs)
    # measured worst case 4.4e-16 over 300 random trees; margin x200
    np.testing.assert_allclose(np.exp(lp).sum(1), 1.0, atol=1e-13)
    y = rng.integers(v, size=4)
    np.testing.assert_allclose(
        hierarchical_log_prob(h, u, nodes, signs, y), lp[np.arange(4), y], atol=1e-13
    )


def test_hierarchical_two_classes_is_the_sigmoid():
    nodes, signs = huffman_paths([1, 1])
    h, u = np.array([[0.3, -2.0]]), np.array([[1.5, 0.25]])
    lp = hierarchical_log_prob(h, u, nodes, signs)
    x = float(h[0] @ u[0])
    np.testing.assert_allclose(np.exp(lp[0]), [1 / (1 + np.exp(-x)), 1 / (1 + np.exp(x))])


@pytest.mark.parametrize("counts", [[1.0], [[1, 2], [3, 4]], [1, -1, 2], [1, np.inf]])
def test_huffman_bad_input(counts):
    with pytest.raises(ValueError, match="huffman_paths"):
        huffman_paths(counts)


def test_hierarchical_bad_input():
    nodes, signs = huffman_paths([1, 1, 1])
    h, u = np.ones((1, 2)), np.ones((2, 2))
    with pytest.raises(ValueError, match="hierarchical_log_prob"):
        hierarchical_log_prob(h, np.ones((3, 2)), nodes, signs)
    with pytest.raises(ValueError, match="hierarchical_log_prob"):
        hierarchical_log_prob(h, u, nodes, signs * 2)
    with pytest.raises(TypeError, match="hierarchical_log_prob"):
        hierarchical_log_prob(h, u, nodes.astype(float), signs)
    with pytest.raises(ValueError, match="hierarchical_log_prob"):
        hierarchical_log_prob(h, u, nodes, signs, [3])


# ---------------------------------------------------------------------------
# top_k_top_p_filter
# ---------------------------------------------------------------------------

logit_rows = arrays(np.float64, st.integers(1, 30), elements=finite)


@settings(max_examples=150, deadline=None)
@given(
    z=logit_rows,
    k=st.one_of(st.none(), st.integers(1, 40)),
    tp=st.one_of(st.none(), st.floats(0.01, 1.0)),
    mp=st.one_of(st.none(), st.floats(0.0, 1.0)),
)
def test_filter_keeps_argmax_and_renormalises(z, k, tp, mp):
    z0 = z.copy()
    pr = top_k_top_p_filter(z, top_k=k, top_p=tp, min_p=mp)
    np.testing.assert_array_equal(z, z0)  # no mutation
    assert pr[np.argmax(z)] > 0
    assert (pr > 0).sum() >= 1
    assert abs(pr.sum() - 1) < 1e-12
    # kept tokens keep their relative probabilities
    p = softmax(z)
    kept = pr > 0
    np.testing.assert_allclose(pr[kept], p[kept] / p[kept].sum(), rtol=1e-10)


@settings(max_examples=100, deadline=None)
@given(z=logit_rows, tp=st.floats(0.01, 1.0))
def test_top_p_keeps_the_shortest_prefix_reaching_p(z, tp):
    p = softmax(z)
    kept = top_k_top_p_filter(z, top_p=tp) > 0
    order = np.argsort(-p, kind="stable")
    m = int(kept.sum())
    assert set(order[:m]) == set(np.flatnonzero(kept))
    assert p[order[:m]].sum() >= tp - 1e-12 or m == len(z)
    assert m == 1 or p[order[: m - 1]].sum() < tp


def test_filter_known_values_and_ties():
    z = np.log([0.5, 0.2, 0.15, 0.1, 0.05])
    np.testing.assert_allclose(top_k_top_p_filter(z, top_k=2), [5 / 7, 2 / 7, 0, 0, 0])
    np.testing.assert_allclose(
        top_k_top_p_filter(z, top_p=0.8), [0.5 / 0.85, 0.2 / 0.85, 0.15 / 0.85, 0, 0]
    )
    np.testing.assert_allclose(top_k_top_p_filter(z, min_p=0.3), [0.5 / 0.85, 0.2 / 0.85,
                                                                   0.15 / 0.85, 0, 0])
    # top-k keeps every token tied with the k-th
    np.testing.assert_allclose(top_k_top_p_filter([1.0, 0.0, 0.0, -1.0], top_k=2)[3], 0.0)
    assert (top_k_top_p_filter([1.0, 0.0, 0.0, -1.0], top_k=2) > 0).sum() == 3
    # batches work row by row
    zz = np.stack([z, z[::-1]])
    np.testing.assert_allclose(top_k_top_p_filter(zz, top_p=0.8)[1], top_k_top_p_filter(
        z[::-1], top_p=0.8))


@pytest.mark.parametrize(
    "kwargs, exc",
    [
        (dict(top_k=0), ValueError),
        (dict(top_k=2.5), TypeError),
        (dict(top_p=0.0), ValueError),
        (dict(top_p=1.5), ValueError),
        (dict(min_p=-0.1), ValueError),
        (dict(min_p="0.1"), TypeError),
    ],
)
def test_filter_bad_parameters(kwargs, exc):
    with pytest.raises(exc, match="top_k_top_p_filter"):
        top_k_top_p_filter([1.0, 2.0], **kwargs)


@pytest.mark.parametrize("z", [[], 3.0, [1.0, np.nan], [np.inf, 0.0]])
def test_filter_bad_logits(z):
    with pytest.raises(ValueError, match="top_k_top_p_filter"):
        top_k_top_p_filter(z, top_k=1)


# ---------------------------------------------------------------------------
# gumbel_top_k
# ---------------------------------------------------------------------------


def _plackett_luce(p, seq):
    prob, left = 1.0, 1.0
    for i in seq:
        prob *= p[i] / left
        left -= p[i]
    return prob


def _chi_square(draws, p, k):
    perms = list(itertools.permutations(range(len(p)), k))
    index = {t: i for i, t in enumerate(perms)}
    counts = np.bincount([index[tuple(r)] for r in draws.tolist()], minlength=len(perms))
    expected = np.array([_plackett_luce(p, t) for t in perms])
    assert expected.sum() == pytest.approx(1.0)
    return chisquare(counts, expected * len(draws))


@pytest.mark.parametrize("seed", [0, 1])
def test_gumbel_top_k_follows_plackett_luce(seed):
    z = np.array([1.0, 0.2, -0.3, -1.0])
    rng = np.random.default_rng(seed)
    draws = gumbel_top_k(np.broadcast_to(z, (40_000, 4)), 3, rng)
    res = _chi_square(draws, softmax(z), 3)
    assert res.pvalue > 1e-3  # fixed seeds: measured p-values 0.98 and 0.93


def test_a_wrong_sampler_fails_the_same_test():
    """Perturbing the probabilities instead of the logits is rejected (p-value 0.0)."""
    z = np.array([1.0, 0.2, -0.3, -1.0])
    rng = np.random.default_rng(0)
    p = softmax(z)
    # a plausible mistake: perturb the probabilities instead of the logits
    draws = np.argsort(-(p + rng.gumbel(size=(40_000, 4))), axis=1)[:, :3]
    assert _chi_square(draws, p, 3).pvalue < 1e-10


def test_gumbel_top_k_distinct_and_k_equals_one():
    rng = np.random.default_rng(3)
    s = gumbel_top_k(rng.normal(size=(50, 10)), 10, rng)
    assert all(len(set(r)) == 10 for r in s.tolist())
    z = np.array([0.5, 0.0, -0.5])
    first = gumbel_top_k(np.broadcast_to(z, (30_000, 3)), 1, rng)[:, 0]
    res = chisquare(np.bincount(first, minlength=3), softmax(z) * 30_000)
    assert res.pvalue > 1e-3  # measured 0.29


@pytest.mark.parametrize(
    "z, k, rng, exc",
    [
        ([1.0, 2.0], 3, np.random.default_rng(0), ValueError),
        ([1.0, 2.0], 0, np.random.default_rng(0), ValueError),
        ([1.0, 2.0], 1.0, np.random.default_rng(0), TypeError),
        ([1.0, 2.0], 1, 0, TypeError),
        ([1.0, np.nan], 1, np.random.default_rng(0), ValueError),
        ([], 1, np.random.default_rng(0), ValueError),
    ],
)
def test_gumbel_top_k_bad_input(z, k, rng, exc):
    with pytest.raises(exc, match="gumbel_top_k"):
        gumbel_top_k(z, k, rng)
