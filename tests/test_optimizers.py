"""Each optimizer against the textbook form of its update rule."""

import numpy as np
import pytest

from skdense.backends._optimizers import SGD, Adam, AdamW, RMSprop


def _steps(optimizer, params, grads_seq):
    for grads in grads_seq:
        optimizer.update(params, grads.copy())  # optimizers may overwrite grads
    return params


@pytest.fixture
def problem():
    rng = np.random.default_rng(0)
    return rng.normal(size=50), [rng.normal(size=50) for _ in range(5)]


def test_plain_sgd(problem):
    p0, grads = problem
    expected = p0 - 0.1 * np.sum(grads, axis=0)
    got = _steps(SGD(50, np.float64, 0.1, momentum=0.0), p0.copy(), grads)
    np.testing.assert_allclose(got, expected)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_sgd(problem, nesterov):
    p0, grads = problem
    p, v = p0.copy(), np.zeros(50)
    for g in grads:
        v = 0.9 * v - 0.05 * g
        p = p + (0.9 * v - 0.05 * g if nesterov else v)
    got = _steps(SGD(50, np.float64, 0.05, 0.9, nesterov), p0.copy(), grads)
    np.testing.assert_allclose(got, p)


def test_adam(problem):
    p0, grads = problem
    p, m, v = p0.copy(), np.zeros(50), np.zeros(50)
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.01
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        lr_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        p = p - lr_t * m / (np.sqrt(v) + eps)
    got = _steps(Adam(50, np.float64, lr, b1, b2, eps), p0.copy(), grads)
    np.testing.assert_allclose(got, p, rtol=1e-10, atol=1e-12)


def test_rmsprop(problem):
    p0, grads = problem
    p, v = p0.copy(), np.zeros(50)
    for g in grads:
        v = 0.9 * v + 0.1 * g**2
        p = p - 0.01 * g / np.sqrt(v + 1e-7)
    got = _steps(RMSprop(50, np.float64, 0.01, 0.9, 1e-7), p0.copy(), grads)
    np.testing.assert_allclose(got, p)


def test_learning_rate_is_read_at_every_step(problem):
    p0, grads = problem
    sgd = SGD(50, np.float64, 0.1, momentum=0.0)
    p = _steps(sgd, p0.copy(), grads[:1])
    sgd.learning_rate = 0.0
    np.testing.assert_array_equal(_steps(sgd, p.copy(), grads[1:]), p)


FUSED = {
    "sgd": lambda: SGD(50, np.float64, 0.05, momentum=0.0),
    "momentum": lambda: SGD(50, np.float64, 0.05, 0.9, nesterov=False),
    "nesterov": lambda: SGD(50, np.float64, 0.05, 0.9, nesterov=True),
    "adam": lambda: Adam(50, np.float64, 0.01),
    "adamw": lambda: AdamW(50, np.float64, 0.01, weight_decay=0.1),
    "rmsprop": lambda: RMSprop(50, np.float64, 0.01, 0.9, 1e-7),
}


@pytest.mark.parametrize("path", ["numpy", "numba"])
@pytest.mark.parametrize("name", FUSED)
def test_rate_factors_multiply_each_weights_step(problem, name, path):
    """A weight's step at factor f is f times its step at 1: the first step
    (AdamW's decay aside, which the factors leave alone), on both paths."""
    p0, grads = problem
    factors = np.where(np.arange(50) < 20, 1.0, 4.0)
    plain, factored = FUSED[name](), FUSED[name]()
    factored.rate_factors = factors
    shrink = plain._shrink() if name == "adamw" else 1.0
    steps = []
    for optimizer in (plain, factored):
        p = p0.copy()
        if path == "numpy":
            optimizer.update(p, grads[0].copy())
        else:
            kernels = pytest.importorskip(
                "skdense.backends._numba_kernels",
                reason="Numba is not installed (pip install 'skdense[fast]')",
            )
            optimizer.fused_update(kernels, p, grads[0].copy(), 0, 0.0, 0.0)
        steps.append(p - shrink * p0)
    np.testing.assert_allclose(steps[1], factors * steps[0], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", FUSED)
@pytest.mark.parametrize("decay, l1", [(0.0, 0.0), (0.3, 0.0), (0.0, 0.2), (0.3, 0.2)])
def test_fused_update_is_the_penalty_then_the_update(problem, name, decay, l1):
    """The compiled step, with the penalty's gradient on the first 30 weights
    (the weight matrices; the rest are biases), against the NumPy path."""
    kernels = pytest.importorskip(
        "skdense.backends._numba_kernels",
        reason="Numba is not installed (pip install 'skdense[fast]')",
    )
    p0, grads = problem
    plain, fused = FUSED[name](), FUSED[name]()
    expected, got = p0.copy(), p0.copy()
    for g in grads:
        penalised = g.copy()
        penalised[:30] += decay * expected[:30] + l1 * np.sign(expected[:30])
        plain.update(expected, penalised)
        fused.fused_update(kernels, got, g.copy(), 30, decay, l1)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
