"""Learning-rate schedules for every solver, recorded in history_."""

import math

import numpy as np
import pytest
from conftest import HAS_KERAS, NO_KERAS, fit_quietly

from skdense import DenseClassifier, DenseRegressor


def _cosine(epoch, rate, warmup, epochs):
    if epoch < warmup:
        return rate * (epoch + 1) / warmup
    return rate * 0.5 * (1 + math.cos(math.pi * (epoch - warmup) / (epochs - warmup)))


@pytest.mark.parametrize("solver", ["sgd", "adam", "rmsprop"])
def test_cosine_with_warm_up_for_every_solver(solver, digits):
    X, y = digits
    clf = fit_quietly(
        DenseClassifier(
            (16,),
            solver=solver,
            learning_rate="cosine",
            learning_rate_init=0.02,
            warmup_epochs=3,
            max_iter=10,
            n_iter_no_change=np.inf,
            random_state=0,
        ),
        X,
        y,
    )
    expected = [_cosine(e, 0.02, 3, 10) for e in range(10)]
    np.testing.assert_allclose(clf.history_["learning_rate"], expected, rtol=1e-6)
    assert max(clf.history_["learning_rate"]) == pytest.approx(0.02)


def test_the_schedules_rate_is_the_rate_trained_with(digits):
    """Warm-up epoch 1 of 2 trains at half the rate: as constant rate/2."""
    X, y = digits
    params = dict(hidden_layer_sizes=(16,), solver="adam", max_iter=1, random_state=0)
    warm = fit_quietly(
        DenseClassifier(
            **params, learning_rate="cosine", warmup_epochs=2, learning_rate_init=0.02
        ),
        X,
        y,
    )
    half = fit_quietly(DenseClassifier(**params, learning_rate_init=0.01), X, y)
    for a, b in zip(warm.coefs_, half.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("solver", ["adam", "rmsprop"])
def test_mlps_schedules_act_for_adam_and_rmsprop_too(solver, digits):
    X, y = digits
    inv = fit_quietly(
        DenseClassifier(
            (16,), solver=solver, learning_rate="invscaling", max_iter=3, random_state=0
        ),
        X,
        y,
    )
    rates = inv.history_["learning_rate"]
    assert rates[0] == pytest.approx(0.001)
    assert rates[1] == pytest.approx(0.001 / (len(X) + 1) ** 0.5)  # t = len(X) seen
    adaptive = fit_quietly(
        DenseRegressor(
            hidden_layer_sizes=(16,),
            solver=solver,
            learning_rate="adaptive",
            learning_rate_init=0.05,
            n_iter_no_change=2,
            tol=1e3,  # nothing counts as improving: divide at once
            max_iter=6,
            random_state=0,
        ),
        X,
        y / 10,
    )
    rates = adaptive.history_["learning_rate"]
    # The first epoch improves on nothing; the next two stall: divided by 5.
    assert rates[:3] == pytest.approx([0.05, 0.05, 0.05])
    assert rates[3] == pytest.approx(0.01)


def test_partial_fit_continues_the_cosine_where_it_was(digits):
    X, y = digits
    clf = DenseClassifier(
        (8,), learning_rate="cosine", max_iter=4, learning_rate_init=0.01
    )
    for _ in range(5):
        clf.partial_fit(X, y, classes=np.arange(10))
    expected = [_cosine(e, 0.01, 0, 4) for e in range(4)] + [0.0]
    np.testing.assert_allclose(clf.history_["learning_rate"], expected, atol=1e-12)


@pytest.mark.skipif(not HAS_KERAS, reason=NO_KERAS)
def test_both_engines_use_the_same_rates(digits):
    X, y = digits
    params = dict(
        hidden_layer_sizes=(8,),
        learning_rate="cosine",
        warmup_epochs=1,
        max_iter=4,
        n_iter_no_change=np.inf,
        random_state=0,
    )
    numpy_rates = fit_quietly(DenseClassifier(**params), X, y).history_["learning_rate"]
    keras = fit_quietly(DenseClassifier(**params, backend="keras"), X, y)
    np.testing.assert_allclose(keras.history_["learning_rate"], numpy_rates, rtol=1e-6)
    assert keras.network_.learning_rate == pytest.approx(numpy_rates[-1], rel=1e-6)


@pytest.mark.parametrize("value", [-1, 1.5, "two"])
def test_a_bad_warm_up_is_refused(value, digits):
    with pytest.raises(ValueError, match="warmup_epochs"):
        DenseClassifier(warmup_epochs=value).fit(*digits)


# RealMLP's shapes of the progress t in [0, 1], written out independently.
REALMLP_SHAPES = {
    "flat_cos": lambda t: 1.0 if t < 0.5 else (1 + math.cos(math.pi * (2 * t - 1))) / 2,
    "coslog4": lambda t: (1 - math.cos(2 * math.pi * math.log2(1 + 15 * t))) / 2,
}


@pytest.mark.parametrize(
    "backend",
    [
        "numpy",
        pytest.param("keras", marks=pytest.mark.skipif(not HAS_KERAS, reason=NO_KERAS)),
    ],
)
@pytest.mark.parametrize("kind", REALMLP_SHAPES)
def test_realmlp_schedules_follow_the_progress_at_each_epochs_middle(
    kind, backend, digits
):
    X, y = digits
    clf = fit_quietly(
        DenseClassifier(
            (8,),
            learning_rate=kind,
            learning_rate_init=0.01,
            warmup_epochs=2,
            max_iter=12,
            n_iter_no_change=np.inf,
            random_state=0,
            backend=backend,
        ),
        X,
        y,
    )
    shape = REALMLP_SHAPES[kind]
    expected = [0.005, 0.01] + [0.01 * shape((e + 0.5) / 10) for e in range(10)]
    np.testing.assert_allclose(clf.history_["learning_rate"], expected, rtol=1e-6)
    if kind == "coslog4":  # four cycles: the rate comes back up three times
        rates = np.array(clf.history_["learning_rate"][2:])
        assert np.sum((rates[1:-1] < rates[:-2]) & (rates[1:-1] < rates[2:])) >= 2
