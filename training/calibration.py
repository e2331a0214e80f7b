"""A logistic fit with a small ridge penalty (pure numpy): the answer model's calibrations.

Newton's method on standardised features, so that a separable set cannot send a weight to
infinity; the weights are mapped back to the raw features.

    >>> w = fit_logistic([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    >>> len(w), w[0] > 0
    (2, True)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["fit_logistic", "newton_logistic", "sigmoid"]


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


def newton_logistic(z: np.ndarray, y: np.ndarray, ridge: float) -> np.ndarray:
    """Weights of P(y) = sigmoid(z @ w) for a design ``z`` whose last column is the
    intercept's ones: Newton's method with ``ridge`` times the squared weights as penalty
    (the intercept's left out), as the callers standardise ``z``'s other columns."""
    penalty = np.diag([ridge] * (z.shape[1] - 1) + [0.0])
    w = np.zeros(z.shape[1])
    for _ in range(100):
        p = sigmoid(z @ w)
        g = z.T @ (p - y) + penalty @ w
        h = (z * (p * (1 - p))[:, None]).T @ z + penalty + np.eye(len(w)) * 1e-9
        step = np.linalg.solve(h, g)
        w = w - step
        if np.abs(step).max() < 1e-10:
            break
    return w


def fit_logistic(
    features: Sequence[Sequence[float]], target: Sequence[float], ridge: float = 1e-2
) -> tuple[float, ...]:
    """Weights of P(target) = sigmoid(w . features + bias): ``(*w, bias)``, rounded."""
    x = np.asarray(features, dtype=np.float64)
    y = np.asarray(target, dtype=np.float64)
    mu, sd = x.mean(axis=0), x.std(axis=0)
    sd[sd == 0] = 1.0
    w = newton_logistic(np.c_[(x - mu) / sd, np.ones(len(x))], y, ridge)
    slopes = w[:-1] / sd
    bias = w[-1] - float(slopes @ mu)
    return (*(round(float(s), 6) for s in slopes), round(float(bias), 6))
