"""weight_init="data" (RealMLP's data-dependent start) and bias_lr_factor,
on both engines."""

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import fit_quietly

from skdense import DenseClassifier, DenseRegressor
from skdense.backends import NetworkSpec, make_network
from skdense.backends._shared import DATA_INIT_ROWS, forward_hidden


def _pre_activations(clf, X):
    """Each layer's pre-activation on ``X`` (the network has identity units)."""
    weights, spec = clf.network_.get_weights(), clf.network_.spec
    layers = [forward_hidden(X, weights, spec, i) for i in range(len(clf.coefs_) - 1)]
    logits = layers[-1] @ np.float64(clf.coefs_[-1]) + clf.intercepts_[-1]
    return [*layers, logits]


def _started(X, y, **params):
    """A classifier after one epoch at a learning rate too small to move it:
    its initial weights."""
    params = dict(max_iter=1, learning_rate_init=1e-12, random_state=0, **params)
    return fit_quietly(DenseClassifier(**params), X, y)


@pytest.mark.parametrize("embedding", [None, "pbld"])
def test_data_start_gives_every_unit_spread_one_and_its_zero_inside_the_data(
    backend, embedding
):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4)) * [1.0, 30.0, 0.01, 5.0] + [0.0, 100.0, 0.0, -3.0]
    y = rng.integers(0, 3, 300)
    clf = _started(
        X,
        y,
        hidden_layer_sizes=(12, 7),
        activation="identity",
        weight_init="data",
        numeric_embedding=embedding,
        backend=backend,
    )
    for z in _pre_activations(clf, X):
        # float32 weights: the spread is 1 to float32 rounding.
        np.testing.assert_allclose(z.std(axis=0), 1.0, rtol=1e-5)
        assert np.all(z.min(axis=0) < 0) and np.all(z.max(axis=0) > 0)


def test_data_start_looks_at_a_sample_of_large_data():
    rng = np.random.default_rng(1)
    n = 3 * DATA_INIT_ROWS
    X, y = rng.normal(size=(n, 3)), rng.integers(0, 2, n)
    params = dict(hidden_layer_sizes=(40,), activation="identity", weight_init="data")
    (z, _) = _pre_activations(_started(X, y, **params), X)
    # The sample's spread is 1; all the rows' is close (a sampling error),
    # but not 1 to rounding, as it would be had every row been used.
    np.testing.assert_allclose(z.std(axis=0), 1.0, rtol=0.1)
    assert np.abs(z.std(axis=0) - 1.0).max() > 1e-3


def test_data_start_is_reproducible_and_its_own_draw():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(200, 5)), rng.integers(0, 2, 200)
    first, again = (_started(X, y, weight_init="data") for _ in range(2))
    for a, b in zip(first.coefs_, again.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)  # same seed, same process
    normal = _started(X, y, weight_init="normal")
    # The same draw, scaled unit by unit: the directions are N(0, 1)'s.
    w_data, w_normal = first.coefs_[0], normal.coefs_[0]
    np.testing.assert_allclose(
        w_data / np.linalg.norm(w_data, axis=0),
        w_normal / np.linalg.norm(w_normal, axis=0),
        rtol=1e-5,
        atol=1e-6,
    )


def test_data_start_takes_constant_sparse_and_categorical_inputs():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 60)
    constant = _started(np.ones((60, 3)), y, weight_init="data")
    assert all(np.all(np.isfinite(w)) for w in constant.coefs_ + constant.intercepts_)
    X = sp.random(60, 8, density=0.3, random_state=0, format="csr")
    assert np.all(np.isfinite(_started(X, y, weight_init="data").predict_proba(X)))
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"x": rng.normal(size=60), "c": rng.choice(list("abc"), 60)})
    clf = _started(frame, y, weight_init="data", categorical_features="from_dtype")
    assert np.all(np.isfinite(clf.predict_proba(frame)))


def test_data_start_trains_a_regressor_and_warm_start_keeps_its_weights():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(200, 3))
    y = X @ [1.0, -2.0, 0.5]
    reg = fit_quietly(
        DenseRegressor(weight_init="data", max_iter=200, random_state=0), X, y
    )
    assert reg.score(X, y) > 0.95
    before = [w.copy() for w in reg.coefs_]
    reg.set_params(warm_start=True, max_iter=1, learning_rate_init=1e-12)
    fit_quietly(reg, X, y)
    for a, b in zip(before, reg.coefs_, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-9)  # not drawn again


@pytest.mark.parametrize("solver", ["sgd", "adam", "rmsprop"])
def test_bias_lr_factor_scales_the_biases_steps_only(solver):
    X = np.random.default_rng(5).normal(size=(32, 4)).astype(np.float32)
    Y = np.eye(3, dtype=np.float32)[np.arange(32) % 3]
    steps = {}
    for factor in (1.0, 0.1):
        spec = NetworkSpec(
            4,
            3,
            "softmax",
            hidden_layer_sizes=(5,),
            solver=solver,
            bias_lr_factor=factor,
        )
        net = make_network("numpy", spec, random_state=0)
        before = net.get_weights()
        net.train_epoch(X, Y, batch_size=32, shuffle=False)  # one step
        steps[factor] = [
            w - w0 for w, w0 in zip(net.get_weights(), before, strict=True)
        ]
    n_layers = 2
    for i, (full, slow) in enumerate(zip(steps[1.0], steps[0.1], strict=True)):
        expected = 0.1 * full if i >= n_layers else full
        np.testing.assert_allclose(slow, expected, rtol=1e-4, atol=1e-7)
