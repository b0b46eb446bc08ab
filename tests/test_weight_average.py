"""ema_momentum: the network between epochs is the moving average of its
weights over the steps, and training goes on from the weights it reached,
in both engines and on both kernel paths."""

import pickle

import numpy as np
import pytest
from conftest import HAS_KERAS, NO_KERAS, fit_quietly
from test_kernels import needs_numba

from skdense import DenseClassifier, DenseRegressor
from skdense.backends import NetworkSpec, make_network, use_kernels

MOMENTUM = 0.8


def _problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(48, 5)).astype(np.float32)
    Y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 48)]
    return X, Y


def _spec(**changes):
    settings = dict(hidden_layer_sizes=(8,), learning_rate_init=0.05, alpha=0.01)
    return NetworkSpec(5, 3, "softmax", **{**settings, **changes})


def _full_batch_epochs(spec, n_epochs, engine="numpy"):
    """The weights after each of ``n_epochs`` one-step epochs."""
    X, Y = _problem()
    net = make_network(engine, spec, random_state=0)
    weights = []
    for _ in range(n_epochs):
        net.train_epoch(X, Y, batch_size=len(X), shuffle=False)
        weights.append(net.get_weights())
    return net, weights


@pytest.mark.parametrize("kernels", ["numpy", pytest.param("numba", marks=needs_numba)])
def test_the_network_is_the_moving_average_of_the_steps(kernels):
    # One step an epoch: the plain fit's weights after each step, w1, w2, w3.
    # The averaged fit shows w1, then m w1 + (1 - m) w2, then m (that) +
    # (1 - m) w3, which holds only if each epoch trained on from w_t, not
    # from the average shown.
    with use_kernels(kernels):
        _, steps = _full_batch_epochs(_spec(), 3)
        _, shown = _full_batch_epochs(_spec(ema_momentum=MOMENTUM), 3)
    average = steps[0]
    for step, got in zip(steps, shown, strict=True):
        average = [
            MOMENTUM * a + (1 - MOMENTUM) * w
            for a, w in zip(average, step, strict=True)
        ]
        for want, have in zip(average, got, strict=True):
            np.testing.assert_allclose(have, want, rtol=1e-5, atol=1e-6)
    # The average lags the steps: the weights shown are not the last step's.
    assert not np.allclose(shown[-1][0], steps[-1][0], rtol=1e-3)


def test_a_momentum_of_zero_is_no_average():
    # average = 0 * average + 1 * weights is the weights exactly, so the fit
    # is the plain one, bit for bit (one process, one kernel path).
    X, y = _problem()[0], np.arange(48) % 3
    plain = DenseClassifier((8,), max_iter=4, random_state=0)
    zero = DenseClassifier((8,), max_iter=4, random_state=0, ema_momentum=0.0)
    fit_quietly(plain, X, y)
    fit_quietly(zero, X, y)
    plain_weights = plain.coefs_ + plain.intercepts_
    for a, b in zip(plain_weights, zero.coefs_ + zero.intercepts_, strict=True):
        np.testing.assert_array_equal(a, b)


def test_set_weights_is_where_training_goes_on_from():
    X, Y = _problem()
    sgd = dict(solver="sgd", momentum=0.0)  # no optimizer state to differ
    net = make_network("numpy", _spec(ema_momentum=MOMENTUM, **sgd), random_state=0)
    net.train_epoch(X, Y, batch_size=16, shuffle=False)
    chosen = [w * 0.5 for w in net.get_weights()]
    net.set_weights(chosen)
    twin = make_network("numpy", _spec(**sgd), random_state=0)
    twin.set_weights(chosen)
    # Both take the next step from ``chosen`` (the weights the averaged
    # network reached, not the average it shows, are compared).
    net.train_epoch(X, Y, batch_size=len(X), shuffle=False)
    twin.train_epoch(X, Y, batch_size=len(X), shuffle=False)
    np.testing.assert_allclose(
        net._training_weights, twin._flat_params, rtol=1e-6, atol=1e-7
    )


@pytest.mark.parametrize("estimator", [DenseClassifier, DenseRegressor])
def test_partial_fit_and_a_pickle_between_epochs_keep_both_weights(estimator):
    X, Y = _problem()
    y = Y.argmax(axis=1) if estimator is DenseClassifier else X[:, 0]
    kwargs = {"classes": [0, 1, 2]} if estimator is DenseClassifier else {}
    model = estimator(
        hidden_layer_sizes=(8,), random_state=0, ema_momentum=MOMENTUM, batch_size=16
    )
    resumed = pickle.loads(pickle.dumps(model.partial_fit(X, y, **kwargs)))
    model.partial_fit(X, y)
    resumed.partial_fit(X, y)
    # The same steps in one process: the same weights, bit for bit.
    for a, b in zip(model.coefs_, resumed.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_full_batch_solver_is_refused_and_the_estimator_kept():
    X, y = _problem()[0], np.arange(48) % 3
    clf = fit_quietly(DenseClassifier((8,), max_iter=3, random_state=0), X, y)
    before = clf.predict_proba(X)
    clf.set_params(solver="lbfgs", ema_momentum=0.9)
    with pytest.raises(ValueError, match="ema_momentum=0.9 .*full-batch"):
        clf.fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)


@pytest.mark.parametrize("bad", [1.0, -0.1, "0.9"])
def test_a_momentum_outside_0_1_is_refused(bad):
    X, y = _problem()[0], np.arange(48) % 3
    with pytest.raises((ValueError, TypeError), match="ema_momentum"):
        DenseClassifier(ema_momentum=bad).fit(X, y)


@pytest.mark.skipif(not HAS_KERAS, reason=NO_KERAS)
def test_both_engines_average_alike():
    """Keras's ``use_ema`` and the NumPy engine's average, epoch after epoch,
    from the same start (the third epoch trains from the weights reached),
    with learning-rate factors (Keras's optimizer subclass) too."""
    X, Y = _problem()
    spec = _spec(ema_momentum=MOMENTUM, solver="adam", bias_lr_factor=0.5)
    numpy_net = make_network("numpy", spec, random_state=0)
    keras_net = make_network("keras", spec, random_state=0)
    keras_net.set_weights(numpy_net.get_weights())
    for _ in range(3):
        numpy_net.train_epoch(X, Y, batch_size=16, shuffle=False)
        keras_net.train_epoch(X, Y, batch_size=16, shuffle=False)
        for a, b in zip(numpy_net.get_weights(), keras_net.get_weights(), strict=True):
            np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-5)
    # And a pickled Keras engine trains on from the weights it had reached.
    resumed = pickle.loads(pickle.dumps(keras_net))
    keras_net.train_epoch(X, Y, batch_size=16, shuffle=False)
    resumed.train_epoch(X, Y, batch_size=16, shuffle=False)
    for a, b in zip(keras_net.get_weights(), resumed.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
