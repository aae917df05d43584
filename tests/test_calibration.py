"""Tests for the calibration measures and temperature scaling.

Reference values are computed by hand, with mpmath, or with scikit-learn
(``calibration_curve``, ``brier_score_loss``, ``log_loss``), never with the
code under test.
"""

import math
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, log_loss

from softmax_lib import (
    brier_score,
    expected_calibration_error,
    fit_temperature,
    negative_log_likelihood,
    reliability_curve,
)

# Four predictions over three classes: confidences 0.9 (correct), 0.8 (wrong),
# 0.4 (correct), 0.45 (wrong).
HAND_PROBS = np.array([[0.9, 0.05, 0.05], [0.8, 0.1, 0.1], [0.4, 0.35, 0.25], [0.2, 0.45, 0.35]])
HAND_LABELS = np.array([0, 1, 0, 2])


def random_probs(rng, n, k):
    z = rng.normal(scale=2.0, size=(n, k))
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------------------
# Hand-computed cases
# ---------------------------------------------------------------------------


def test_reliability_curve_by_hand():
    curve = reliability_curve(HAND_PROBS, HAND_LABELS, n_bins=2)
    np.testing.assert_allclose(curve.confidence, [0.425, 0.85], rtol=1e-15)
    np.testing.assert_array_equal(curve.accuracy, [0.5, 0.5])
    np.testing.assert_array_equal(curve.counts, [2, 2])
    np.testing.assert_array_equal(curve.lower, [0.0, 0.5])
    np.testing.assert_array_equal(curve.upper, [0.5, 1.0])


def test_reliability_curve_drops_empty_bins_by_hand():
    # Ten bins: 0.4 and 0.45 fall in (0.3, 0.4] and (0.4, 0.5];
    # 0.8 in (0.7, 0.8]; 0.9 in (0.8, 0.9].
    curve = reliability_curve(HAND_PROBS, HAND_LABELS, n_bins=10)
    np.testing.assert_array_equal(curve.counts, [1, 1, 1, 1])
    np.testing.assert_array_equal(curve.accuracy, [1.0, 0.0, 0.0, 1.0])
    np.testing.assert_allclose(curve.lower, [0.3, 0.4, 0.7, 0.8])


def test_ece_by_hand():
    # 0.5 * |0.5 - 0.425| + 0.5 * |0.5 - 0.85| = 0.2125
    assert expected_calibration_error(HAND_PROBS, HAND_LABELS, n_bins=2) == pytest.approx(
        0.2125, abs=1e-15
    )
    # ten bins, one example each: mean of |correct - confidence| = (0.6 + 0.45 + 0.8 + 0.1) / 4
    assert expected_calibration_error(HAND_PROBS, HAND_LABELS, n_bins=10) == pytest.approx(
        0.4875, abs=1e-15
    )


def test_ece_with_one_bin_is_gap_of_means():
    rng = np.random.default_rng(3)
    p = random_probs(rng, 200, 4)
    y = rng.integers(0, 4, size=200)
    conf = p.max(axis=1).mean()
    acc = np.mean(p.argmax(axis=1) == y)
    for strategy in ("uniform", "quantile"):
        assert expected_calibration_error(p, y, n_bins=1, strategy=strategy) == pytest.approx(
            abs(acc - conf), abs=1e-14
        )


def test_ece_zero_for_perfect_confident_predictions():
    p = np.eye(3)[[0, 1, 2, 1]]
    assert expected_calibration_error(p, [0, 1, 2, 1]) == 0.0
    assert expected_calibration_error(p, [1, 0, 0, 0]) == 1.0


def test_quantile_bins_by_hand():
    # Confidences 0.4, 0.45, 0.8, 0.9: the median edge is 0.625, so the bins
    # are {0.4, 0.45} and {0.8, 0.9}, as with two equal-width bins.
    curve = reliability_curve(HAND_PROBS, HAND_LABELS, n_bins=2, strategy="quantile")
    np.testing.assert_array_equal(curve.counts, [2, 2])
    np.testing.assert_allclose(curve.upper, [0.625, 0.9])


def test_brier_by_hand():
    # (0.25**2 * 2 + 0.5**2 * 2) / 2
    assert brier_score([[0.75, 0.25], [0.5, 0.5]], [0, 1]) == pytest.approx(0.3125, abs=1e-16)
    assert brier_score([[1.0, 0.0, 0.0]], [0]) == 0.0
    assert brier_score([[1.0, 0.0, 0.0]], [2]) == 2.0


# ---------------------------------------------------------------------------
# Against scikit-learn
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("n_bins", [1, 3, 5, 10, 15])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reliability_curve_matches_sklearn_for_binary(strategy, n_bins, seed):
    rng = np.random.default_rng(seed)
    p = rng.uniform(size=300)
    y = (rng.uniform(size=300) < p**1.5).astype(int)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    curve = reliability_curve(p, y, n_bins=n_bins, strategy=strategy)
    np.testing.assert_allclose(curve.accuracy, prob_true, rtol=1e-14)
    np.testing.assert_allclose(curve.confidence, prob_pred, rtol=1e-14)


def test_reliability_curve_matches_sklearn_on_bin_edges():
    # Values exactly on interior edges go to the lower bin, as in scikit-learn.
    p = np.array([0.0, 0.2, 0.4, 0.5, 0.6, 0.8, 1.0, 0.2, 0.4])
    y = np.array([0, 0, 1, 0, 1, 1, 1, 1, 0])
    prob_true, prob_pred = calibration_curve(y, p, n_bins=5)
    curve = reliability_curve(p, y, n_bins=5)
    np.testing.assert_allclose(curve.accuracy, prob_true)
    np.testing.assert_allclose(curve.confidence, prob_pred)


def test_top_label_curve_equals_sklearn_on_correctness():
    # The multi-class curve is calibration_curve of (correct, confidence).
    rng = np.random.default_rng(5)
    p = random_probs(rng, 400, 5)
    y = rng.integers(0, 5, size=400)
    correct = (p.argmax(axis=1) == y).astype(int)
    prob_true, prob_pred = calibration_curve(correct, p.max(axis=1), n_bins=10)
    curve = reliability_curve(p, y, n_bins=10)
    np.testing.assert_allclose(curve.accuracy, prob_true, rtol=1e-14)
    np.testing.assert_allclose(curve.confidence, prob_pred, rtol=1e-14)


def test_brier_matches_sklearn():
    rng = np.random.default_rng(7)
    p = rng.uniform(size=100)
    y = rng.integers(0, 2, size=100)
    assert brier_score(p, y) == pytest.approx(brier_score_loss(y, p), rel=1e-14)
    # the two-column matrix form is exactly twice the vector form
    both = np.column_stack([1.0 - p, p])
    assert brier_score(both, y) == pytest.approx(2 * brier_score_loss(y, p), rel=1e-14)


def test_nll_matches_sklearn_log_loss():
    rng = np.random.default_rng(8)
    z = rng.normal(scale=3.0, size=(50, 4))
    y = rng.integers(0, 4, size=50)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    assert negative_log_likelihood(z, y) == pytest.approx(
        log_loss(y, p, labels=range(4)), rel=1e-12
    )


# ---------------------------------------------------------------------------
# Against mpmath
# ---------------------------------------------------------------------------


def mp_nll(z, y, T=1.0):
    mpmath.mp.dps = 50
    total = mpmath.mpf(0)
    for row, label in zip(z, y, strict=True):
        row = [mpmath.mpf(float(v)) / mpmath.mpf(T) for v in row]
        total += mpmath.log(sum(mpmath.exp(v) for v in row)) - row[label]
    return float(total / len(z))


@pytest.mark.parametrize("T", [0.25, 1.0, 3.0])
def test_nll_matches_mpmath(T):
    z = np.array([[2.0, -1.0, 0.5], [-30.0, 40.0, 0.0], [700.0, -700.0, 1.0]])
    y = np.array([0, 0, 2])
    assert negative_log_likelihood(z, y, temperature=T) == pytest.approx(mp_nll(z, y, T), rel=1e-14)


@pytest.mark.parametrize("a, q", [(1.0, 0.6), (3.0, 0.75), (8.0, 0.9), (0.5, 0.95)])
def test_fit_temperature_matches_closed_form(a, q):
    # Every row has logits [a, 0]; a fraction q of labels is 0. The best
    # temperature makes sigma(a / T) = q, so T = a / logit(q).
    n = 20
    n0 = int(round(q * n))
    z = np.tile([a, 0.0], (n, 1))
    y = np.array([0] * n0 + [1] * (n - n0))
    mpmath.mp.dps = 40
    q_exact = mpmath.mpf(n0) / n
    expected = float(mpmath.mpf(a) / mpmath.log(q_exact / (1 - q_exact)))
    assert fit_temperature(z, y) == pytest.approx(expected, rel=1e-10)


def test_fit_temperature_is_a_minimum():
    rng = np.random.default_rng(11)
    z = rng.normal(scale=4.0, size=(300, 5))
    e = np.exp(z / 2.5 - (z / 2.5).max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    y = np.array([rng.choice(5, p=row) for row in p])  # labels drawn at temperature 2.5
    T = fit_temperature(z, y)
    assert 1.5 < T < 4.0
    f = negative_log_likelihood(z, y, temperature=T)
    for factor in (0.99, 0.999, 1.001, 1.01):
        assert f < negative_log_likelihood(z, y, temperature=T * factor)


def test_fit_temperature_bounds_and_degenerate_cases():
    z = np.array([[3.0, 0.0], [0.0, 2.0]])
    assert fit_temperature(z, [0, 1]) == 0.01  # all correct: T -> 0 is best
    assert fit_temperature(z, [0, 1], bounds=(0.5, 4.0)) == 0.5
    assert fit_temperature(z, [1, 0]) == 100.0  # all wrong: T -> infinity
    assert fit_temperature(np.zeros((3, 4)), [0, 1, 2]) == 1.0  # logits carry no information


def test_fit_temperature_huge_logits_warning_free():
    # logit differences near 2 * 1.7e308 overflow if formed naively (np.ptp did)
    big = 1.7e308
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fit_temperature(np.array([[big, -big], [-big, big]]), [0, 0]) == 100.0
        assert fit_temperature(np.array([[big, -big], [big, -big]]), [0, 1]) == 100.0
        assert fit_temperature(np.full((2, 3), big), [0, 1]) == 1.0


def test_temperature_scaling_keeps_predictions():
    rng = np.random.default_rng(2)
    z = rng.normal(scale=5.0, size=(100, 6))
    y = rng.integers(0, 6, size=100)
    T = fit_temperature(z, y)
    np.testing.assert_array_equal(np.argmax(z / T, axis=1), np.argmax(z, axis=1))


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

prob_rows = hnp.arrays(
    np.float64, st.tuples(st.integers(1, 40), st.integers(2, 5)), elements=st.floats(-20, 20)
).map(
    lambda z: (
        np.exp(z - z.max(axis=1, keepdims=True))
        / np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)
    )
)


@given(
    prob_rows,
    st.integers(0, 2**32 - 1),
    st.integers(1, 20),
    st.sampled_from(["uniform", "quantile"]),
)
def test_ece_properties(p, seed, n_bins, strategy):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, p.shape[1], size=p.shape[0])
    ece = expected_calibration_error(p, y, n_bins=n_bins, strategy=strategy)
    assert 0.0 <= ece <= 1.0
    perm = rng.permutation(p.shape[0])
    assert expected_calibration_error(
        p[perm], y[perm], n_bins=n_bins, strategy=strategy
    ) == pytest.approx(ece, abs=1e-12)
    curve = reliability_curve(p, y, n_bins=n_bins, strategy=strategy)
    assert curve.counts.sum() == p.shape[0]
    assert np.all(curve.counts > 0)
    assert np.all(
        (curve.lower <= curve.confidence + 1e-12) & (curve.confidence <= curve.upper + 1e-12)
    )
    assert 0.0 <= brier_score(p, y) <= 2.0


@given(
    hnp.arrays(
        np.float64, st.tuples(st.integers(1, 20), st.integers(2, 5)), elements=st.floats(-50, 50)
    ),
    st.integers(0, 2**32 - 1),
)
def test_nll_nonnegative_and_finite(z, seed):
    y = np.random.default_rng(seed).integers(0, z.shape[1], size=z.shape[0])
    v = negative_log_likelihood(z, y)
    assert np.isfinite(v) and v >= 0.0


# ---------------------------------------------------------------------------
# Bad input and no mutation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("func", [expected_calibration_error, reliability_curve, brier_score])
def test_bad_probs(func):
    with pytest.raises(ValueError, match="probs"):
        func([[0.5, 0.6]], [0])  # row does not sum to one
    with pytest.raises(ValueError, match="probs"):
        func([[1.5, -0.5]], [0])  # outside [0, 1]
    with pytest.raises(ValueError, match="probs"):
        func(np.zeros((0, 3)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match="probs"):
        func(np.full((2, 2, 2), 0.5), [0, 1])
    with pytest.raises(TypeError, match="probs"):
        func("0.5", [0])
    with pytest.raises(ValueError, match="probs"):
        func([[np.nan, 1.0]], [0])


@pytest.mark.parametrize("func", [expected_calibration_error, reliability_curve, brier_score])
def test_bad_labels(func):
    p = [[0.5, 0.5], [0.2, 0.8]]
    with pytest.raises(TypeError, match="labels"):
        func(p, [0.0, 1.0])
    with pytest.raises(ValueError, match="labels"):
        func(p, [0, 2])
    with pytest.raises(ValueError, match="labels"):
        func(p, [0])
    with pytest.raises(ValueError, match="labels"):
        func([0.5, 0.2], [0, 3])


@pytest.mark.parametrize("func", [expected_calibration_error, reliability_curve])
def test_bad_bins(func):
    p = [[0.5, 0.5]]
    with pytest.raises(TypeError, match="n_bins"):
        func(p, [0], n_bins=2.0)
    with pytest.raises(TypeError, match="n_bins"):
        func(p, [0], n_bins=True)
    with pytest.raises(ValueError, match="n_bins"):
        func(p, [0], n_bins=0)
    with pytest.raises(ValueError, match="strategy"):
        func(p, [0], strategy="adaptive")


def test_bad_logits_temperature_and_bounds():
    with pytest.raises(ValueError, match="logits"):
        negative_log_likelihood([1.0, 2.0], [0])
    with pytest.raises(ValueError, match="logits"):
        negative_log_likelihood([[np.inf, 0.0]], [0])
    with pytest.raises(ValueError, match="temperature"):
        negative_log_likelihood([[1.0, 0.0]], [0], temperature=0.0)
    with pytest.raises(TypeError, match="temperature"):
        negative_log_likelihood([[1.0, 0.0]], [0], temperature="2")
    with pytest.raises(ValueError, match="bounds"):
        fit_temperature([[1.0, 0.0]], [0], bounds=(2.0, 1.0))
    with pytest.raises(TypeError, match="bounds"):
        fit_temperature([[1.0, 0.0]], [0], bounds=None)
    with pytest.raises(TypeError, match="labels"):
        fit_temperature([[1.0, 0.0]], ["0"])


def test_inputs_not_mutated():
    p = HAND_PROBS.copy()
    y = HAND_LABELS.copy()
    z = np.log(p)
    z_copy = z.copy()
    expected_calibration_error(p, y, strategy="quantile")
    reliability_curve(p, y)
    brier_score(p, y)
    negative_log_likelihood(z, y, temperature=2.0)
    fit_temperature(z, y)
    np.testing.assert_array_equal(p, HAND_PROBS)
    np.testing.assert_array_equal(y, HAND_LABELS)
    np.testing.assert_array_equal(z, z_copy)


# ---------------------------------------------------------------------------
# Classwise and L2 calibration errors, Brier decomposition, conformal sets
# ---------------------------------------------------------------------------

from fractions import Fraction  # noqa: E402

from softmax_lib import (  # noqa: E402
    ReliabilityCurve,
    brier_decomposition,
    classwise_calibration_error,
    conformal_prediction_sets,
    l2_calibration_error,
)


def slow_binary_ece(f, o, n_bins):
    """Equal-width ECE of forecasts f for outcomes o, one example at a time (bins (a, b])."""
    sums = {}
    for fi, oi in zip(f.tolist(), o.tolist(), strict=True):
        b = 0
        while b < n_bins - 1 and fi > (b + 1) / n_bins:
            b += 1
        s = sums.setdefault(b, [0, 0.0, 0.0])
        s[0] += 1
        s[1] += fi
        s[2] += oi
    return sum(abs(s[2] / s[0] - s[1] / s[0]) * s[0] for s in sums.values()) / len(f)


def test_reliability_curve_is_public_and_has_counts():
    curve = reliability_curve(HAND_PROBS, HAND_LABELS, n_bins=2)
    assert isinstance(curve, ReliabilityCurve)
    assert curve._fields == ("confidence", "accuracy", "counts", "lower", "upper")


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("n_bins", [1, 4, 15])
def test_classwise_matches_slow_reference(seed, n_bins):
    rng = np.random.default_rng(seed)
    p = random_probs(rng, 150, 4)
    y = rng.integers(0, 4, size=150)
    expected = np.mean([slow_binary_ece(p[:, j], (y == j).astype(float), n_bins) for j in range(4)])
    assert classwise_calibration_error(p, y, n_bins=n_bins) == pytest.approx(expected, abs=1e-14)


def test_classwise_by_hand_and_zero_for_one_hot():
    assert classwise_calibration_error([[0.5, 0.5], [0.5, 0.5]], [0, 0]) == 0.5
    p = np.eye(3)[[0, 1, 2, 1]]
    assert classwise_calibration_error(p, [0, 1, 2, 1]) == 0.0
    with pytest.raises(ValueError, match="matrix"):
        classwise_calibration_error([0.5, 0.2], [0, 1])


@pytest.mark.parametrize("n, a", [(2, Fraction(1, 3)), (5, Fraction(7, 10)), (9, Fraction(1, 2))])
def test_debiased_l2_is_unbiased_for_squared_error(n, a):
    # Forecast 0 for every example, outcomes Bernoulli(a): the true squared calibration
    # error is a**2. Average the code's squared estimate over all k = 0..n positives,
    # weighted by the exact binomial probabilities.
    expected = Fraction(0)
    plug_in = Fraction(0)
    for k in range(n + 1):
        labels = [1] * k + [0] * (n - k)
        pmf = math.comb(n, k) * a**k * (1 - a) ** (n - k)
        est = l2_calibration_error(np.zeros(n), labels, n_bins=1)
        expected += pmf * Fraction(est**2)
        plug_in += pmf * Fraction(
            l2_calibration_error(np.zeros(n), labels, n_bins=1, debiased=False) ** 2
        )
    assert float(expected) == pytest.approx(float(a**2), rel=1e-12)
    # the plug-in estimate is biased upwards by a (1 - a) / n
    assert float(plug_in) == pytest.approx(float(a**2 + a * (1 - a) / n), rel=1e-12)


def test_l2_by_hand_and_bad_flag():
    assert l2_calibration_error([0.5] * 4, [1, 1, 1, 0], n_bins=1, debiased=False) == 0.25
    assert l2_calibration_error([0.5] * 4, [1, 1, 1, 0], n_bins=1) == 0.0
    with pytest.raises(TypeError, match="debiased"):
        l2_calibration_error([0.5], [1], debiased=1)


@given(
    prob_rows,
    st.integers(0, 2**32 - 1),
    st.integers(1, 20),
    st.sampled_from(["uniform", "quantile"]),
)
def test_new_estimators_properties(p, seed, n_bins, strategy):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, p.shape[1], size=p.shape[0])
    cw = classwise_calibration_error(p, y, n_bins=n_bins, strategy=strategy)
    assert 0.0 <= cw <= 1.0
    plug = l2_calibration_error(p, y, n_bins=n_bins, strategy=strategy, debiased=False)
    counts = reliability_curve(p, y, n_bins=n_bins, strategy=strategy).counts
    if np.any(counts < 2):
        with pytest.raises(ValueError, match="at least 2 examples"):
            l2_calibration_error(p, y, n_bins=n_bins, strategy=strategy)
    else:
        deb = l2_calibration_error(p, y, n_bins=n_bins, strategy=strategy)
        assert 0.0 <= deb <= plug + 1e-15
    assert 0.0 <= plug <= 1.0 + 1e-15
    # the L2 error bounds the L1 (ECE) from above (Jensen), for the same bins
    assert expected_calibration_error(p, y, n_bins=n_bins, strategy=strategy) <= plug + 1e-12
    d = brier_decomposition(p, y, n_bins=n_bins, strategy=strategy)
    total = d.reliability - d.resolution + d.uncertainty + d.within_bin
    assert total == pytest.approx(d.score, abs=1e-12)
    assert d.reliability >= 0 and d.resolution >= 0 and 0 <= d.uncertainty <= 0.25


def test_l2_debiased_rejects_single_example_bins():
    # Ten predictions with confidence 0.90, ..., 0.99, all wrong: the plug-in L2 error is
    # the root-mean-square confidence, about 0.945. With 15 (or 16 examples and 15)
    # equal-mass bins some bins hold one example; letting them contribute 0 while keeping
    # their weight would report 0 (or 0.319): the function must refuse instead.
    for n in (10, 16):
        conf = np.linspace(0.90, 0.99, n)
        p, y = np.column_stack([conf, 1.0 - conf]), np.ones(n, dtype=int)
        plug = l2_calibration_error(p, y, debiased=False)
        assert plug == pytest.approx(math.sqrt(np.mean(conf**2)), rel=1e-4)
        with pytest.raises(ValueError, match="at least 2 examples in every non-empty bin"):
            l2_calibration_error(p, y)
    # five equal-mass bins of two: every outcome is 0, so the noise term is 0 and the
    # debiased estimate is the plug-in one for the same bins, close to the true 0.945
    conf = np.linspace(0.90, 0.99, 10)
    p, y = np.column_stack([conf, 1.0 - conf]), np.ones(10, dtype=int)
    deb = l2_calibration_error(p, y, n_bins=5)
    assert deb == l2_calibration_error(p, y, n_bins=5, debiased=False)
    assert deb == pytest.approx(math.sqrt(np.mean(conf.reshape(5, 2).mean(axis=1) ** 2)))


def test_brier_decomposition_classwise_uncertainty_is_data_only():
    rng = np.random.default_rng(12)
    y = rng.integers(0, 4, size=300)
    useful = random_probs(rng, 300, 4) * 0.3 + 0.7 * np.eye(4)[y]
    constant = np.tile(np.bincount(y, minlength=4) / 300, (300, 1))
    freq = np.bincount(y, minlength=4) / 300
    for p in (useful, constant):
        d = brier_decomposition(p, y, n_bins=10, classwise=True)
        # the uncertainty is sum_j pi_j (1 - pi_j), whatever the model
        assert d.uncertainty == pytest.approx(float(np.sum(freq * (1 - freq))), abs=1e-15)
        assert d.score == pytest.approx(brier_score(p, y), abs=1e-14)
        total = d.reliability - d.resolution + d.uncertainty + d.within_bin
        assert total == pytest.approx(d.score, abs=1e-13)
    # top-label: the outcome "prediction correct" depends on the model, and so does the
    # uncertainty term (the docstring says so)
    top_u = brier_decomposition(useful, y, n_bins=10).uncertainty
    top_c = brier_decomposition(constant, y, n_bins=10).uncertainty
    acc_u = np.mean(useful.argmax(axis=1) == y)
    acc_c = np.mean(constant.argmax(axis=1) == y)
    assert top_u == pytest.approx(acc_u * (1 - acc_u))
    assert top_c == pytest.approx(acc_c * (1 - acc_c))
    assert abs(top_u - top_c) > 0.05
    # the constant forecast is calibrated and useless classwise too
    d = brier_decomposition(constant, y, n_bins=10, classwise=True)
    assert d.reliability == pytest.approx(0.0, abs=1e-15)
    assert d.resolution == pytest.approx(0.0, abs=1e-15)
    # a vector is unaffected by classwise
    f = rng.uniform(size=50)
    o = (rng.uniform(size=50) < f).astype(int)
    assert brier_decomposition(f, o, classwise=True) == brier_decomposition(f, o)
    with pytest.raises(TypeError, match="classwise"):
        brier_decomposition(useful, y, classwise=1)


def test_brier_decomposition_exact_cases():
    # vector form: the score is sklearn's brier_score_loss
    rng = np.random.default_rng(5)
    f = rng.uniform(size=100)
    o = (rng.uniform(size=100) < f).astype(int)
    d = brier_decomposition(f, o, n_bins=10)
    assert d.score == pytest.approx(brier_score_loss(o, f), abs=1e-15)
    # forecasts with one value per bin: Murphy's partition is exact (no within-bin term)
    f = np.repeat([0.05, 0.35, 0.65, 0.95], 25)
    d = brier_decomposition(f, o, n_bins=10)
    assert d.within_bin == pytest.approx(0.0, abs=1e-15)
    # a constant forecast of the base rate: calibrated, no resolution
    d = brier_decomposition(np.full(4, 0.25), [0, 0, 1, 0], n_bins=15)
    assert (d.reliability, d.resolution, d.uncertainty, d.score) == (0.0, 0.0, 0.1875, 0.1875)


def lac_probs(true_scores):
    """Two-class probabilities whose LAC score for class 0 is the given value."""
    s = np.asarray(true_scores, dtype=float)
    return np.column_stack([1.0 - s, s])


@pytest.mark.parametrize("m, alpha", [(4, 0.4), (9, 0.1), (19, 0.05), (10, 0.3), (3, 0.1)])
def test_conformal_exact_coverage_by_exchangeability(m, alpha):
    # m + 1 distinct scores; the test score is the r-th smallest for r = 1..m+1, each
    # equally likely under exchangeability. Coverage must be k / (m + 1) with
    # k = ceil((m + 1)(1 - alpha)) capped at m + 1.
    values = np.arange(1, m + 2) / (m + 3)
    covered = 0
    for r in range(m + 1):
        cal = np.delete(values, r)
        result = conformal_prediction_sets(
            lac_probs(cal), np.zeros(m, dtype=int), lac_probs([values[r]]), alpha=alpha
        )
        covered += bool(result.sets[0, 0])
    k = min(math.ceil((m + 1) * (1 - Fraction(str(alpha)))), m + 1)
    assert covered == k
    assert covered / (m + 1) >= 1 - alpha


@pytest.mark.parametrize("m, alpha, rank", [(99, 0.03, 97), (149, 0.18, 123), (9, 0.1, 9)])
def test_conformal_rank_uses_the_decimal_alpha(m, alpha, rank):
    # ceil((m + 1)(1 - alpha)) for the alpha as typed: Fraction(0.03), the binary value,
    # would give 98 for m = 99; the float product 150 * (1 - 0.18) rounds up to 124.
    scores = (np.arange(m) + 1.0) / (m + 2)
    res = conformal_prediction_sets(
        lac_probs(scores[::-1]), np.zeros(m, dtype=int), lac_probs([0.5]), alpha=alpha
    )
    assert res.threshold == scores[rank - 1]


def test_conformal_threshold_matches_numpy_inverted_cdf():
    rng = np.random.default_rng(11)
    p = random_probs(rng, 200, 5)
    y = rng.integers(0, 5, size=200)
    for alpha in (0.05, 0.1, 0.2, 0.5):
        result = conformal_prediction_sets(p, y, p[:3], alpha=alpha)
        k = math.ceil(201 * (1 - alpha))
        ref = np.quantile(1 - p[np.arange(200), y], k / 200, method="inverted_cdf")
        assert result.threshold == ref


def test_conformal_aps_by_hand_and_edges():
    # APS scores of [0.5, 0.3, 0.2]: 0.5, 0.8, 1.0; of a tie [0.4, 0.4, 0.2]: 0.4, 0.4, 1.0
    cal = [[0.5, 0.3, 0.2]] * 3
    res = conformal_prediction_sets(
        cal, [0, 1, 0], [[0.5, 0.3, 0.2], [0.4, 0.4, 0.2]], alpha=0.25, score="aps"
    )
    assert res.threshold == pytest.approx(0.8, abs=1e-15)  # rank ceil(4 * 0.75) = 3
    np.testing.assert_array_equal(res.sets, [[True, True, False], [True, True, False]])
    full = conformal_prediction_sets(cal, [0, 1, 0], [[0.5, 0.3, 0.2]], alpha=0.01)
    assert full.threshold == math.inf and full.sets.all()
    empty = conformal_prediction_sets(cal, [0, 1, 0], [[0.5, 0.3, 0.2]], alpha=1.0)
    assert empty.threshold == -math.inf and not empty.sets.any()


@given(
    prob_rows,
    prob_rows,
    st.integers(0, 2**32 - 1),
    st.floats(0.01, 0.99),
    st.sampled_from(["lac", "aps"]),
)
def test_conformal_properties(cal, test, seed, alpha, score):
    if cal.shape[1] != test.shape[1]:
        test = np.full((2, cal.shape[1]), 1.0 / cal.shape[1])
    y = np.random.default_rng(seed).integers(0, cal.shape[1], size=cal.shape[0])
    res = conformal_prediction_sets(cal, y, test, alpha=alpha, score=score)
    assert res.sets.shape == test.shape and res.sets.dtype == bool
    # on the calibration set itself at least ceil((m+1)(1-alpha)) true labels are covered
    own = conformal_prediction_sets(cal, y, cal, alpha=alpha, score=score)
    k = math.ceil((cal.shape[0] + 1) * (1 - Fraction(str(alpha))))
    assert own.sets[np.arange(cal.shape[0]), y].sum() >= min(k, cal.shape[0])
    # every class at least as probable as an included class is included
    for row, included in zip(test, res.sets, strict=True):
        if included.any():
            assert np.all(included[row >= row[included].min()])
    # a smaller alpha never gives smaller sets
    bigger = conformal_prediction_sets(cal, y, test, alpha=alpha / 2, score=score)
    assert np.all(bigger.sets >= res.sets)


def test_conformal_bad_input():
    p = [[0.5, 0.5], [0.2, 0.8]]
    with pytest.raises(ValueError, match="alpha"):
        conformal_prediction_sets(p, [0, 1], p, alpha=1.5)
    with pytest.raises(TypeError, match="alpha"):
        conformal_prediction_sets(p, [0, 1], p, alpha="0.1")
    with pytest.raises(ValueError, match="score"):
        conformal_prediction_sets(p, [0, 1], p, score="raps")
    with pytest.raises(ValueError, match="columns"):
        conformal_prediction_sets(p, [0, 1], [[0.2, 0.3, 0.5]])
    with pytest.raises(TypeError, match="labels"):
        conformal_prediction_sets(p, np.array([True, False]), p)
    with pytest.raises(ValueError, match="labels"):
        conformal_prediction_sets(p, [0, 2], p)


@pytest.mark.parametrize(
    "func", [classwise_calibration_error, l2_calibration_error, brier_decomposition]
)
def test_new_functions_bad_input(func):
    with pytest.raises(ValueError, match="probs"):
        func([[0.5, 0.6]], [0])
    with pytest.raises(TypeError, match="labels"):
        func([[0.5, 0.5]], [True])
    with pytest.raises(ValueError, match="n_bins"):
        func([[0.5, 0.5]], [0], n_bins=0)
    with pytest.raises(ValueError, match="strategy"):
        func([[0.5, 0.5]], [0], strategy="adaptive")
