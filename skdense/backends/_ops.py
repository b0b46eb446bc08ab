"""Activations, their derivatives and output losses as small named functions.

Every function works in place where it can, so the training loop allocates
nothing per batch. Derivatives are written in terms of the activation's
*output* ``a = f(z)``, which is what the backward pass keeps.
"""

import numpy as np
from scipy.special import expit


def _identity(z):
    return z


def _logistic(z):
    return expit(z, out=z)


def _tanh(z):
    return np.tanh(z, out=z)


def _relu(z):
    return np.maximum(z, 0, out=z)


def _softmax(z):
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


ACTIVATIONS = {
    "identity": _identity,
    "logistic": _logistic,
    "tanh": _tanh,
    "relu": _relu,
    "softmax": _softmax,
}


def _identity_derivative(a, delta):
    return delta


def _logistic_derivative(a, delta):
    delta *= a
    delta *= 1 - a
    return delta


def _tanh_derivative(a, delta):
    delta *= 1 - a * a
    return delta


def _relu_derivative(a, delta):
    delta *= a > 0
    return delta


# Multiply ``delta`` (dLoss/da) in place by f'(z), given a = f(z).
DERIVATIVES = {
    "identity": _identity_derivative,
    "logistic": _logistic_derivative,
    "tanh": _tanh_derivative,
    "relu": _relu_derivative,
}


def binary_log_loss(z, y):
    """Per-sample logistic loss from the output logits ``z`` (n, 1), y in {0, 1}."""
    z = z[:, 0]
    # log(1 + exp(z)) - y * z, written so that a large |z| cannot overflow.
    return np.maximum(z, 0) - y[:, 0] * z + np.log1p(np.exp(-np.abs(z)))


def softmax_log_loss(z, y):
    """Per-sample cross-entropy from the output logits ``z`` (n, k), one-hot ``y``."""
    z_max = z.max(axis=1)
    log_norm = np.log(np.exp(z - z_max[:, None]).sum(axis=1)) + z_max
    return log_norm - np.einsum("ij,ij->i", z, y)


# Output activation -> per-sample loss computed from the logits. With either
# pair the gradient of the loss with respect to the logits is ``proba - y``.
OUTPUT_LOSSES = {"logistic": binary_log_loss, "softmax": softmax_log_loss}
