"""A small, seeded, deterministic softmax classifier written in NumPy.

It exists so that the book can train real models with its own code and show
every step: softmax regression (no hidden layer) or a network with one hidden
layer of rectified linear units, trained on the mean cross-entropy by
full-batch gradient descent or by L-BFGS. There is no mini-batching and no
dropout: given the same data and seed, training performs the same arithmetic
every time.
"""

from __future__ import annotations

import contextlib
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from ._core import softmax
from ._derivation import cross_entropy
from ._validation import (
    as_real_array,
    check_bool,
    check_labels,
    check_positive_int,
    check_real,
)

__all__ = ["SoftmaxClassifier"]

_SOLVERS = ("gd", "lbfgs")


def _single_threaded_blas() -> contextlib.AbstractContextManager[Any]:
    """Limit BLAS to one thread while training.

    A single thread makes every matrix product independent of the number of
    cores (and is faster for matrices this small).
    """
    limits: contextlib.AbstractContextManager[Any] = threadpool_limits(limits=1, user_api="blas")
    return limits


class SoftmaxClassifier:
    r"""Softmax regression, or a one-hidden-layer ReLU network, trained on cross-entropy.

    The model maps an input :math:`x \in \mathbb{R}^d` to logits

    .. math::

        z = W_2^\top \max(0, W_1^\top x + b_1) + b_2
        \quad\text{or, without a hidden layer,}\quad z = W^\top x + b,

    and its class probabilities are :math:`\operatorname{softmax}(z)`. It is
    trained on the mean cross-entropy (optionally with label smoothing) plus
    an L2 penalty :math:`\frac{\lambda}{2}\sum \|W\|_F^2` on the weight
    matrices (not the biases).

    Parameters
    ----------
    hidden_units : int, optional
        Width :math:`h` of the hidden layer; 0 (the default) gives softmax
        regression.
    solver : {"lbfgs", "gd"}, optional
        ``"lbfgs"`` (default): ``scipy.optimize.minimize`` with L-BFGS-B and
        the exact gradient. ``"gd"``: full-batch gradient descent with heavy-ball
        momentum.
    max_iter : int, optional
        Iterations per call of :meth:`fit`. Default 200.
    learning_rate : float, optional
        Step size of gradient descent. Default 0.5.
    momentum : float, optional
        Heavy-ball momentum of gradient descent, in :math:`[0, 1)`. Default 0.9.
    weight_decay : float, optional
        The L2 coefficient :math:`\lambda \ge 0`. Default 0.
    label_smoothing : float, optional
        :math:`\alpha \in [0, 1)`: train against :math:`(1 - \alpha)\,y +
        \alpha / k` instead of the one-hot :math:`y`. Default 0.
    seed : int, optional
        Seed of the initial weights. Default 0.

    Attributes
    ----------
    weights_ : list of (ndarray, ndarray)
        The fitted ``(W, b)`` of each layer, input layer first.
    n_classes_ : int
        Number of classes :math:`k`.
    n_iter_ : int
        Iterations performed so far (summed over warm-started calls).
    loss_ : float
        Training objective (loss plus penalty) at the current parameters.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range or `solver` is unknown.

    See Also
    --------
    softmax_lib.cross_entropy : The training loss.
    softmax_lib.fit_temperature : Calibrating the fitted model afterwards.

    Notes
    -----
    The gradient of the mean cross-entropy with respect to the logits is
    :math:`(\operatorname{softmax}(z) - t)/n` for targets :math:`t`; it is
    propagated through the layers by hand. Weights are initialised from
    ``numpy.random.default_rng(seed)``: :math:`W_1` with standard deviation
    :math:`\sqrt{2/d}` [1]_ and :math:`W_2` with :math:`\sqrt{1/h}`; softmax
    regression starts from :math:`W` with standard deviation
    :math:`\sqrt{1/d}`; biases start at 0.

    Training limits the BLAS library to one thread (through
    ``threadpoolctl``, when it is installed), so that matrix products, and
    hence the fitted weights, do not depend on the number of cores.

    With ``warm_start=True``, :meth:`fit` continues from the current
    parameters (and, for gradient descent, the current momentum), so that
    ``fit`` for 100 iterations twice performs exactly the same arithmetic as
    ``fit`` for 200 iterations once. That is how the book records a model at
    several points of one training run.

    References
    ----------
    .. [1] K. He, X. Zhang, S. Ren and J. Sun, "Delving deep into rectifiers:
       surpassing human-level performance on ImageNet classification",
       *ICCV*, 2015, pp. 1026--1034.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import SoftmaxClassifier
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> y = np.array([0, 1, 1, 1])                     # logical OR
    >>> clf = SoftmaxClassifier(weight_decay=0.01).fit(X, y)
    >>> clf.predict(X)
    array([0, 1, 1, 1])
    >>> clf.predict_proba(X).sum(axis=1)
    array([1., 1., 1., 1.])

    A one-hidden-layer network learns XOR, which no linear model can:

    >>> net = SoftmaxClassifier(hidden_units=8, solver="gd", max_iter=500, seed=1)
    >>> net.fit(X, np.array([0, 1, 1, 0])).predict(X)
    array([0, 1, 1, 0])
    """

    def __init__(
        self,
        hidden_units: int = 0,
        *,
        solver: str = "lbfgs",
        max_iter: int = 200,
        learning_rate: float = 0.5,
        momentum: float = 0.9,
        weight_decay: float = 0.0,
        label_smoothing: float = 0.0,
        seed: int = 0,
    ) -> None:
        func = "SoftmaxClassifier"
        self.hidden_units = check_positive_int(hidden_units, func, "hidden_units", minimum=0)
        if solver not in _SOLVERS:
            raise ValueError(f"{func}: solver must be 'lbfgs' or 'gd', got {solver!r}")
        self.solver = str(solver)
        self.max_iter = check_positive_int(max_iter, func, "max_iter", minimum=0)
        self.learning_rate = check_real(learning_rate, func, "learning_rate", 0.0, lo_open=True)
        self.momentum = check_real(momentum, func, "momentum", 0.0, 1.0, hi_open=True)
        self.weight_decay = check_real(weight_decay, func, "weight_decay", 0.0)
        self.label_smoothing = check_real(
            label_smoothing, func, "label_smoothing", 0.0, 1.0, hi_open=True
        )
        self.seed = check_positive_int(seed, func, "seed", minimum=0)
        self.weights_: list[tuple[np.ndarray, np.ndarray]] | None = None
        self.n_classes_ = 0
        self.n_iter_ = 0
        self.loss_ = float("nan")
        self._velocity: list[np.ndarray] | None = None

    # -- parameters -------------------------------------------------------

    def _init_weights(self, d: int, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
        rng = np.random.default_rng(self.seed)
        if self.hidden_units == 0:
            return [(rng.normal(0.0, np.sqrt(1.0 / d), size=(d, k)), np.zeros(k))]
        h = self.hidden_units
        w1 = rng.normal(0.0, np.sqrt(2.0 / d), size=(d, h))
        w2 = rng.normal(0.0, np.sqrt(1.0 / h), size=(h, k))
        return [(w1, np.zeros(h)), (w2, np.zeros(k))]

    def _flat(self) -> np.ndarray:
        assert self.weights_ is not None
        return np.concatenate([a.ravel() for layer in self.weights_ for a in layer])

    def _unflat(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        assert self.weights_ is not None
        out, pos = [], 0
        for w, b in self.weights_:
            nw, nb = w.size, b.size
            out.append(
                (theta[pos : pos + nw].reshape(w.shape), theta[pos + nw : pos + nw + nb].copy())
            )
            pos += nw + nb
        return out

    # -- forward and backward ----------------------------------------------

    @staticmethod
    def _forward(
        weights: list[tuple[np.ndarray, np.ndarray]], X: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray | None]:
        if len(weights) == 1:
            w, b = weights[0]
            return X @ w + b, None
        (w1, b1), (w2, b2) = weights
        hidden = np.maximum(X @ w1 + b1, 0.0)
        return hidden @ w2 + b2, hidden

    def _objective(
        self, weights: list[tuple[np.ndarray, np.ndarray]], X: np.ndarray, y: np.ndarray
    ) -> tuple[float, list[tuple[np.ndarray, np.ndarray]]]:
        """Training objective and its gradient with respect to every parameter."""
        n, k = X.shape[0], self.n_classes_
        alpha = self.label_smoothing
        logits, hidden = self._forward(weights, X)
        loss = float(cross_entropy(logits, y, label_smoothing=alpha, reduction="mean"))
        target = np.full((n, k), alpha / k)
        target[np.arange(n), y] += 1.0 - alpha
        g = (softmax(logits, axis=1) - target) / n  # d loss / d logits
        lam = self.weight_decay
        loss += 0.5 * lam * sum(float(np.sum(w * w)) for w, _ in weights)
        if hidden is None:
            w, _ = weights[0]
            return loss, [(X.T @ g + lam * w, g.sum(axis=0))]
        (w1, _), (w2, _) = weights
        grad2 = (hidden.T @ g + lam * w2, g.sum(axis=0))
        back = (g @ w2.T) * (hidden > 0.0)
        grad1 = (X.T @ back + lam * w1, back.sum(axis=0))
        return loss, [grad1, grad2]

    # -- public API ---------------------------------------------------------

    def _check_X(self, X: Any, func: str) -> np.ndarray:
        arr = as_real_array(X, func, "X")
        if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
            raise ValueError(
                f"{func}: X must be a non-empty 2-D array (examples by features), "
                f"got shape {arr.shape}"
            )
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{func}: X must be finite")
        if (
            self.weights_ is not None
            and func != "SoftmaxClassifier.fit"
            and arr.shape[1] != self.weights_[0][0].shape[0]
        ):
            raise ValueError(
                f"{func}: X has {arr.shape[1]} features, but the classifier was fitted on "
                f"{self.weights_[0][0].shape[0]}"
            )
        return arr.astype(np.float64)

    def fit(
        self,
        X: ArrayLike,
        labels: ArrayLike,
        *,
        n_classes: int | None = None,
        warm_start: bool = False,
    ) -> SoftmaxClassifier:
        """Train on inputs `X` and integer class `labels`.

        Parameters
        ----------
        X : array_like, shape (n, d)
            Finite inputs, one row per example.
        labels : array_like of int, shape (n,)
            Classes in ``0, ..., k - 1``.
        n_classes : int, optional
            Number of classes :math:`k`; default ``max(labels) + 1``.
        warm_start : bool, optional
            Continue from the current parameters instead of a fresh
            initialisation (keyword only). Default False.

        Returns
        -------
        SoftmaxClassifier
            The classifier itself, fitted.

        Raises
        ------
        TypeError
            If `labels` is not an integer array.
        ValueError
            If the shapes disagree, a label is out of range, or a warm start
            is asked with different data dimensions.
        """
        func = "SoftmaxClassifier.fit"
        Xa = self._check_X(X, func)
        warm_start = check_bool(warm_start, func, "warm_start")
        if n_classes is None:
            y = check_labels(labels, Xa.shape[0], None, func)
            k = max(int(y.max()) + 1, 2)
        else:
            k = check_positive_int(n_classes, func, "n_classes", minimum=2)
            y = check_labels(labels, Xa.shape[0], k, func)
        d = Xa.shape[1]
        if warm_start and self.weights_ is not None:
            if self.weights_[0][0].shape[0] != d or self.n_classes_ != k:
                raise ValueError(
                    f"{func}: warm_start needs data with the same features and classes as before"
                )
        else:
            self.n_classes_ = k
            self.weights_ = self._init_weights(d, k)
            self._velocity = None
            self.n_iter_ = 0
        with _single_threaded_blas():
            if self.solver == "gd":
                self._fit_gd(Xa, y)
            else:
                self._fit_lbfgs(Xa, y)
            self.loss_, _ = self._objective(self.weights_, Xa, y)
        return self

    def _fit_gd(self, X: np.ndarray, y: np.ndarray) -> None:
        assert self.weights_ is not None
        params = [a.copy() for layer in self.weights_ for a in layer]
        if self._velocity is None:
            self._velocity = [np.zeros_like(a) for a in params]
        vel = self._velocity
        lr, mu = self.learning_rate, self.momentum
        for _ in range(self.max_iter):
            weights = [(params[i], params[i + 1]) for i in range(0, len(params), 2)]
            _, grads = self._objective(weights, X, y)
            flat_grads = [a for layer in grads for a in layer]
            for p, v, g in zip(params, vel, flat_grads, strict=False):
                v *= mu
                v -= lr * g
                p += v
        self.weights_ = [(params[i], params[i + 1]) for i in range(0, len(params), 2)]
        self.n_iter_ += self.max_iter

    def _fit_lbfgs(self, X: np.ndarray, y: np.ndarray) -> None:
        def fun(theta: np.ndarray) -> tuple[float, np.ndarray]:
            loss, grads = self._objective(self._unflat(theta), X, y)
            return loss, np.concatenate([a.ravel() for layer in grads for a in layer])

        if self.max_iter == 0:
            return
        result = minimize(
            fun,
            self._flat(),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": self.max_iter, "gtol": 1e-10, "ftol": 1e-15},
        )
        self.weights_ = self._unflat(result.x)
        self.n_iter_ += int(result.nit)

    def _fitted(self, func: str) -> list[tuple[np.ndarray, np.ndarray]]:
        if self.weights_ is None:
            raise ValueError(f"{func}: this SoftmaxClassifier is not fitted yet; call fit first")
        return self.weights_

    def predict_logits(self, X: ArrayLike) -> NDArray[np.float64]:
        """Logits of each class for each row of `X`.

        Parameters
        ----------
        X : array_like, shape (n, d)
            Finite inputs with the number of features seen in :meth:`fit`.

        Returns
        -------
        ndarray, shape (n, k)
            The logits.

        Raises
        ------
        ValueError
            If the classifier is not fitted or `X` has the wrong shape.
        """
        func = "SoftmaxClassifier.predict_logits"
        weights = self._fitted(func)
        return self._forward(weights, self._check_X(X, func))[0]

    def predict_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        """Class probabilities, the softmax of :meth:`predict_logits`.

        Parameters
        ----------
        X : array_like, shape (n, d)
            Finite inputs.

        Returns
        -------
        ndarray, shape (n, k)
            Rows of probabilities summing to one.

        Raises
        ------
        ValueError
            If the classifier is not fitted or `X` has the wrong shape.
        """
        return cast(NDArray[np.float64], softmax(self.predict_logits(X), axis=1))

    def predict(self, X: ArrayLike) -> NDArray[np.intp]:
        """Predicted class (the argmax of the logits) for each row of `X`.

        Parameters
        ----------
        X : array_like, shape (n, d)
            Finite inputs.

        Returns
        -------
        ndarray of int, shape (n,)
            Predicted classes.

        Raises
        ------
        ValueError
            If the classifier is not fitted or `X` has the wrong shape.
        """
        classes: NDArray[np.intp] = np.argmax(self.predict_logits(X), axis=1)
        return classes
