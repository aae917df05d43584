"""Tests for SoftmaxClassifier: gradients, determinism, and agreement with scikit-learn.

Tolerances are the worst error measured on these fixed, seeded problems (numpy 2.4,
scipy 1.17, scikit-learn 1.9, one BLAS thread), times a margin of about 10 stated
beside each, so that a real regression fails while another CPU's last bits do not.
"""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from softmax_lib import SoftmaxClassifier, log_sigmoid, sigmoid
from softmax_lib.testing import numerical_gradient


def blobs(seed=0, n=60, d=3, k=3):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=2.0, size=(k, d))
    y = np.arange(n) % k
    return centres[y] + rng.normal(size=(n, d)), y


def flat_objective(clf, X, y, theta):
    loss, _ = clf._objective(clf._unflat(theta), X, y)
    return loss


@pytest.mark.parametrize("hidden", [0, 5])
@pytest.mark.parametrize("alpha, lam", [(0.0, 0.0), (0.1, 0.05)])
def test_gradient_matches_finite_differences(hidden, alpha, lam):
    X, y = blobs(1, n=30)
    clf = SoftmaxClassifier(
        hidden,
        max_iter=3,
        solver="gd",
        learning_rate=0.1,
        label_smoothing=alpha,
        weight_decay=lam,
        seed=4,
    ).fit(X, y)
    theta = clf._flat()
    _, grads = clf._objective(clf.weights_, X, y)
    analytic = np.concatenate([a.ravel() for layer in grads for a in layer])
    numeric = numerical_gradient(lambda t: flat_objective(clf, X, y, t), theta)
    # measured worst 4.8e-11 over the four cases; margin 10
    np.testing.assert_allclose(analytic, numeric, atol=5e-10, rtol=0)


def test_same_seed_same_weights_and_different_seed_differs():
    X, y = blobs(2)
    a = SoftmaxClassifier(8, solver="gd", max_iter=50, seed=3).fit(X, y)
    b = SoftmaxClassifier(8, solver="gd", max_iter=50, seed=3).fit(X, y)
    c = SoftmaxClassifier(8, solver="gd", max_iter=50, seed=4).fit(X, y)
    for (wa, ba), (wb, bb) in zip(a.weights_, b.weights_, strict=False):
        np.testing.assert_array_equal(wa, wb)
        np.testing.assert_array_equal(ba, bb)
    assert not np.array_equal(a.weights_[0][0], c.weights_[0][0])


def test_warm_start_in_chunks_equals_one_run():
    X, y = blobs(3)
    one = SoftmaxClassifier(6, solver="gd", max_iter=60, seed=1).fit(X, y)
    chunks = SoftmaxClassifier(6, solver="gd", max_iter=20, seed=1)
    for i in range(3):
        chunks.fit(X, y, warm_start=i > 0)
    assert chunks.n_iter_ == one.n_iter_ == 60
    for (w1, b1), (w2, b2) in zip(one.weights_, chunks.weights_, strict=False):
        np.testing.assert_array_equal(w1, w2)
        np.testing.assert_array_equal(b1, b2)


def test_softmax_regression_matches_sklearn_multinomial():
    # Mean cross-entropy + lam/2 ||W||^2 is sklearn's C * sum CE + 1/2 ||W||^2 with C = 1/(n lam).
    X, y = blobs(4, n=90, d=4, k=3)
    lam = 0.05
    ours = SoftmaxClassifier(weight_decay=lam, max_iter=1000).fit(X, y)
    ref = LogisticRegression(C=1.0 / (len(y) * lam), tol=1e-12, max_iter=10000).fit(X, y)
    # measured 4.6e-8 (probabilities) and 8.4e-8 (weights); margin about 10
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=5e-7, rtol=0)
    np.testing.assert_allclose(ours.weights_[0][0], ref.coef_.T, atol=1e-6, rtol=0)


def test_two_class_softmax_regression_is_logistic_regression():
    # Logistic regression fitted by Newton's method on the same data, independently.
    rng = np.random.default_rng(6)
    X = rng.normal(size=(200, 2))
    y = (rng.uniform(size=200) < sigmoid(X @ np.array([1.5, -2.0]) + 0.5)).astype(int)
    A = np.column_stack([X, np.ones(len(y))])
    w = np.zeros(3)
    for _ in range(50):
        p = sigmoid(A @ w)
        w -= np.linalg.solve(A.T @ (A * (p * (1 - p))[:, None]), A.T @ (p - y))
    clf = SoftmaxClassifier(max_iter=1000).fit(X, y)
    ((W, b),) = clf.weights_
    # measured 1.6e-9 (weights), 2.6e-10 (bias), 2.6e-10 (probabilities); margin about 10
    np.testing.assert_allclose(W[:, 1] - W[:, 0], w[:2], atol=2e-8, rtol=0)
    assert b[1] - b[0] == pytest.approx(w[2], abs=3e-9)
    np.testing.assert_allclose(clf.predict_proba(X)[:, 1], sigmoid(A @ w), atol=3e-9, rtol=0)
    nll = -np.mean(y * log_sigmoid(A @ w) + (1 - y) * log_sigmoid(-(A @ w)))
    assert clf.loss_ == pytest.approx(nll, rel=1e-14)  # measured: equal; a few ulps allowed
    # Without weight decay the sum of the two class vectors never moves from its start.
    init = SoftmaxClassifier(max_iter=0).fit(X, y).weights_[0][0]
    # measured 6.7e-16; margin 15
    np.testing.assert_allclose(W.sum(axis=1), init.sum(axis=1), atol=1e-14, rtol=0)


def test_network_fits_xor_and_probabilities_are_valid():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 1, 1, 0])
    net = SoftmaxClassifier(8, solver="gd", max_iter=500, seed=1).fit(X, y)
    np.testing.assert_array_equal(net.predict(X), y)
    p = net.predict_proba(X)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_array_equal(net.predict(X), np.argmax(net.predict_logits(X), axis=1))
    assert net.loss_ < 2e-3  # measured 1.8e-4; margin 10
    # A linear model cannot. XOR's four points are symmetric under x -> 1 - x, which
    # keeps every label, and the loss is convex, so the best linear logits are
    # constant: the unpenalised optimum predicts 1/2 everywhere, loss ln 2. (The old
    # check, accuracy <= 75%, could not fail: the best linear rule reaches 75%.)
    linear = SoftmaxClassifier().fit(X, y)
    assert linear.loss_ == pytest.approx(np.log(2), abs=1e-14)  # measured 1.1e-16 above ln 2
    np.testing.assert_allclose(linear.predict_proba(X), 0.5, atol=1e-8)  # measured 7.2e-10


def test_label_smoothing_lowers_confidence_and_matches_class_frequencies():
    X, y = blobs(5, n=60)
    alpha, k = 0.2, 3
    clf = SoftmaxClassifier(label_smoothing=alpha, max_iter=2000).fit(X, y)
    p = clf.predict_proba(X)
    # At the optimum the bias gradient, sum_i (p_i - t_i), vanishes: the mean
    # prediction equals the mean smoothed target.
    target_mean = (1 - alpha) * np.bincount(y, minlength=k) / len(y) + alpha / k
    np.testing.assert_allclose(p.mean(axis=0), target_mean, atol=1e-8)  # measured 6.4e-10
    plain = SoftmaxClassifier(max_iter=2000).fit(X, y).predict_proba(X)
    assert p.max(axis=1).mean() < plain.max(axis=1).mean() - 0.05


def test_inputs_not_mutated():
    X, y = blobs(6)
    X0, y0 = X.copy(), y.copy()
    clf = SoftmaxClassifier(4, solver="gd", max_iter=5).fit(X, y)
    clf.predict_proba(X)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


def test_bad_arguments():
    with pytest.raises(TypeError, match="hidden_units"):
        SoftmaxClassifier(2.5)
    with pytest.raises(ValueError, match="hidden_units"):
        SoftmaxClassifier(-1)
    with pytest.raises(ValueError, match="solver"):
        SoftmaxClassifier(solver="adam")
    with pytest.raises(ValueError, match="learning_rate"):
        SoftmaxClassifier(learning_rate=0.0)
    with pytest.raises(ValueError, match="momentum"):
        SoftmaxClassifier(momentum=1.0)
    with pytest.raises(ValueError, match="label_smoothing"):
        SoftmaxClassifier(label_smoothing=1.0)
    with pytest.raises(TypeError, match="seed"):
        SoftmaxClassifier(seed=None)
    with pytest.raises(ValueError, match="weight_decay"):
        SoftmaxClassifier(weight_decay=-1.0)


def test_bad_data():
    X, y = blobs(7)
    clf = SoftmaxClassifier()
    with pytest.raises(ValueError, match="fit"):
        clf.predict_logits(X)
    with pytest.raises(
        TypeError, match="SoftmaxClassifier.fit: labels must be an array of integer"
    ):
        clf.fit(X, y.astype(float))
    with pytest.raises(TypeError, match="SoftmaxClassifier.fit: labels .* booleans are not labels"):
        clf.fit(X, y == 1)
    with pytest.raises(TypeError, match="SoftmaxClassifier.fit: warm_start must be True or False"):
        clf.fit(X, y, warm_start=1)
    with pytest.raises(ValueError, match="SoftmaxClassifier.fit: n_classes must be an int >= 2"):
        clf.fit(X, y, n_classes=1)
    with pytest.raises(ValueError, match="labels"):
        clf.fit(X, y[:-1])
    with pytest.raises(ValueError, match="labels"):
        clf.fit(X, y, n_classes=2)
    with pytest.raises(ValueError, match="X"):
        clf.fit(X[:, 0], y)
    with pytest.raises(ValueError, match="X"):
        clf.fit(np.where(X > 0, np.nan, X), y)
    clf.fit(X, y)
    with pytest.raises(ValueError, match="X"):
        clf.predict(X[:, :2])
    with pytest.raises(ValueError, match="warm_start"):
        clf.fit(X[:, :2], y, warm_start=True)
