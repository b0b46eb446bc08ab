"""DenseRegressor(target_scaling="standard"): trained on standardised
targets, predicting in the targets' units."""

import numpy as np
import pytest
from conftest import HAS_KERAS, NO_KERAS, fit_quietly

from skdense import DenseRegressor

BACKENDS = [
    "numpy",
    pytest.param("keras", marks=pytest.mark.skipif(not HAS_KERAS, reason=NO_KERAS)),
]


def _dollars(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)).astype(np.float32)
    return X, 150_000 + 40_000 * X[:, 0] - 20_000 * X[:, 1] ** 2


def _model(**params):
    params = {"hidden_layer_sizes": (16,), "max_iter": 60, "random_state": 0, **params}
    return DenseRegressor(learning_rate_init=0.01, **params)


@pytest.mark.parametrize("backend", BACKENDS)
def test_targets_in_dollars_train_and_predict_in_dollars(backend):
    X, y = _dollars()
    scaled = fit_quietly(_model(target_scaling="standard", backend=backend), X, y)
    raw = fit_quietly(_model(backend=backend), X, y)
    np.testing.assert_allclose(scaled._target_scale, [[y.mean()], [y.std()]], rtol=1e-5)
    assert scaled.score(X, y) > 0.9 > raw.score(X, y)
    assert abs(np.median(scaled.predict(X)) - np.median(y)) < 0.1 * y.std()


def test_weighted_statistics_and_poisson_scales_only():
    X, y = _dollars()
    weights = np.where(y > y.mean(), 3.0, 1.0)
    reg = fit_quietly(_model(target_scaling="standard", max_iter=2), X, y, weights)
    assert reg._target_scale[0][0] == pytest.approx(np.average(y, weights=weights))
    counts = np.random.default_rng(0).poisson(50.0, len(y)).astype(float)
    poisson = fit_quietly(
        _model(target_scaling="standard", loss="poisson", max_iter=2), X, counts
    )
    np.testing.assert_allclose(poisson._target_scale, [[0.0], [counts.mean()]])
    assert (poisson.predict(X) > 0).all()


def test_partial_fit_keeps_the_first_calls_statistics():
    X, y = _dollars()
    reg = _model(target_scaling="standard")
    reg.partial_fit(X, y)
    first = reg._target_scale
    reg.partial_fit(X[:50], y[:50] * 10)
    assert reg._target_scale == first


def test_validation_scores_are_in_the_targets_units():
    X, y = _dollars()
    reg = fit_quietly(
        _model(
            target_scaling="standard",
            early_stopping=True,
            scoring="neg_mean_absolute_error",
            max_iter=5,
        ),
        X,
        y,
    )
    # A mean absolute error in dollars, not in standard deviations.
    assert -reg.history_["val_neg_mean_absolute_error"][-1] > 1000


def test_onnx_predicts_in_the_targets_units():
    pytest.importorskip("onnxruntime")
    pytest.importorskip("skl2onnx")
    import onnxruntime

    from skdense.onnx import to_onnx

    X, y = _dollars()
    reg = fit_quietly(_model(target_scaling="standard", max_iter=5), X, y)
    session = onnxruntime.InferenceSession(to_onnx(reg, X[:1]).SerializeToString())
    (outputs,) = session.run(None, {"X": X})
    np.testing.assert_allclose(outputs[:, 0], reg.predict(X), rtol=1e-5)


def test_the_tabular_preset_scales_the_regressors_targets():
    assert DenseRegressor.from_preset("tabular").target_scaling == "standard"
    assert DenseRegressor().target_scaling is None
