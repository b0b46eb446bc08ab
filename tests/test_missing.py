"""Missing values as inputs (missing_values="indicator"), and infinities refused."""

import pickle

import numpy as np
import pytest
from conftest import HAS_KERAS, NO_KERAS, fit_quietly
from sklearn.base import clone

from skdense import DenseClassifier, DenseRegressor

BACKENDS = [
    "numpy",
    pytest.param("keras", marks=pytest.mark.skipif(not HAS_KERAS, reason=NO_KERAS)),
]


def _data(n=300, seed=0):
    """Four columns; column 1 is missing in a third of the rows, and the
    class is mostly whether it is."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    missing = rng.random(n) < 0.35
    X[missing, 1] = np.nan
    y = (missing ^ (rng.random(n) < 0.05)).astype(int)
    return X, y


def _model(estimator=DenseClassifier, **params):
    params = {"hidden_layer_sizes": (8,), "max_iter": 30, "random_state": 0, **params}
    return estimator(missing_values="indicator", **params)


def test_nan_is_refused_by_default_naming_the_column_and_the_parameter():
    X, y = _data()
    with pytest.raises(ValueError, match=r"NaN in column 1\. Set missing_values="):
        DenseClassifier().fit(X, y)
    clf = fit_quietly(DenseClassifier(max_iter=2), np.nan_to_num(X), y)
    with pytest.raises(ValueError, match="NaN in column 1"):
        clf.predict(X)
    assert clf.predict(np.nan_to_num(X)).shape == (300,)  # still usable


@pytest.mark.parametrize("missing_values", ["error", "indicator"])
@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_infinity_is_refused_naming_the_column(missing_values, value):
    pd = pytest.importorskip("pandas")
    X, y = _data()
    frame = pd.DataFrame(np.nan_to_num(X), columns=["a", "b", "c", "d"])
    frame.loc[5, "c"] = value
    model = DenseClassifier(missing_values=missing_values, max_iter=2)
    with pytest.raises(ValueError, match="infinity.*column 'c'"):
        model.fit(frame, y)
    fit_quietly(model, frame.replace([np.inf, -np.inf], 0.0), y)
    with pytest.raises(ValueError, match="infinity.*column 'c'"):
        model.predict(frame)


def test_the_network_learns_what_missing_means():
    """The class is whether column 1 is missing: only its indicator tells."""
    X, y = _data()
    clf = fit_quietly(_model(learning_rate_init=0.02, max_iter=100), X, y)
    assert clf._missing.indicated == (1,)
    assert clf.coefs_[0].shape == (5, 8)  # four columns and one indicator
    X_test, y_test = _data(seed=1)
    assert clf.score(X_test, y_test) > 0.9


def test_fill_values_are_the_training_medians_and_nan_anywhere_is_filled():
    X, y = _data()
    clf = fit_quietly(_model(), X, y)
    np.testing.assert_allclose(clf._missing.fill, np.nanmedian(X, axis=0))
    # Column 0 had no NaN in the fit: a NaN there is its median, no error.
    row = X[:1].copy()
    row[0, 0] = np.nan
    filled = row.copy()
    filled[0, 0] = clf._missing.fill[0]
    np.testing.assert_allclose(clf.predict_proba(row), clf.predict_proba(filled))


@pytest.mark.parametrize("backend", BACKENDS)
def test_both_engines_read_the_same_missing_inputs_and_train(backend):
    X, y = _data()
    clf = fit_quietly(
        _model(backend=backend, learning_rate_init=0.02, max_iter=60), X, y
    )
    inputs = clf._checked_inputs(X, (np.float32,))
    assert inputs.shape == (300, 5)
    # Exact: the indicator is np.isnan cast to 0.0 / 1.0.
    np.testing.assert_array_equal(inputs[:, 4], np.isnan(X[:, 1]))
    assert not np.isnan(inputs).any()
    assert clf.score(X, y) > 0.85
    assert clf.transform(X).shape == (300, 8)


def test_gradients_through_the_missing_inputs_match_finite_differences():
    from test_gradients import _numerical_gradients

    X, y = _data(n=9)
    clf = fit_quietly(_model(dtype=np.float64, max_iter=1), X, y)
    inputs = clf._checked_inputs(X, (np.float64,))
    net = clf.network_
    Y = y[:, None].astype(np.float64)
    _, grads = net.loss_and_gradients(inputs, Y, None)
    grads = [g.copy() for g in grads]
    expected = _numerical_gradients(net, lambda: net.loss_and_gradients(inputs, Y)[0])
    assert np.abs(grads[0][4]).max() > 0  # the indicator's weights learn
    for analytic, numeric in zip(grads, expected, strict=False):
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_sample_weight_and_partial_fit_keep_the_first_fits_statistics():
    X, y = _data()
    clf = _model()
    clf.partial_fit(X, y, classes=[0, 1], sample_weight=np.full(300, 2.0))
    fill, indicated = clf._missing.fill, clf._missing.indicated
    other = np.nan_to_num(X, nan=100.0)  # no NaN, other medians
    other[:10, 3] = np.nan
    clf.partial_fit(other, y)
    assert (clf._missing.fill, clf._missing.indicated) == (fill, indicated)
    assert clf.coefs_[0].shape[0] == 5
    warm = fit_quietly(_model(warm_start=True), X, y)
    fit_quietly(warm, other, y)
    assert warm._missing.fill == fill


def test_the_allow_nan_tag_follows_the_parameter():
    assert not DenseClassifier().__sklearn_tags__().input_tags.allow_nan
    assert _model().__sklearn_tags__().input_tags.allow_nan
    assert _model(DenseRegressor).__sklearn_tags__().input_tags.allow_nan


def test_a_saved_model_keeps_its_missing_inputs(tmp_path):
    pytest.importorskip("skops")
    import skdense

    X, y = _data()
    clf = fit_quietly(_model(), X, y)
    # Exact: the same weights and code in one process predict identically.
    skdense.save(clf, tmp_path / "model.skops")
    for loaded in (
        skdense.load(tmp_path / "model.skops"),
        pickle.loads(pickle.dumps(clf)),
    ):
        np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_a_dataframe_with_categories_and_nan_in_numbers():
    pd = pytest.importorskip("pandas")
    X, y = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    frame["colour"] = pd.Categorical(np.where(y == 1, "red", "blue"))
    frame.loc[::9, "colour"] = None
    clf = fit_quietly(
        _model(categorical_features="from_dtype", learning_rate_init=0.02), frame, y
    )
    assert clf.n_features_in_ == 5 and clf._missing.indicated == (1,)
    assert clf.score(frame, y) > 0.9


def test_onnx_gives_the_same_outputs_on_rows_with_nan():
    pytest.importorskip("onnxruntime")
    pytest.importorskip("skl2onnx")
    import onnxruntime

    from skdense.onnx import to_onnx

    X, y = _data()
    X = X.astype(np.float32)
    X_test = X[:40].copy()
    X_test[::3, 0] = np.nan  # NaN where the fit had none
    for model, target in ((_model(), y), (_model(DenseRegressor), X[:, 2] + y)):
        fit_quietly(model, X, target)
        session = onnxruntime.InferenceSession(
            to_onnx(model, X[:1]).SerializeToString()
        )
        outputs = session.run(None, {"X": X_test})[-1]
        expected = (
            model.predict_proba(X_test)
            if hasattr(model, "predict_proba")
            else model.predict(X_test)[:, None]
        )
        np.testing.assert_allclose(outputs, expected, rtol=1e-4, atol=1e-5)


def test_a_failed_call_changes_nothing():
    X, y = _data()
    clf = fit_quietly(_model(), X, y)
    before = clone(clf).get_params(), clf._missing, clf.predict_proba(X)
    bad = X.copy()
    bad[0, 0] = np.inf
    with pytest.raises(ValueError):
        clf.fit(bad, y)
    # Exact: the same network, untouched, predicting in the same process.
    assert clf._missing is before[1]
    np.testing.assert_array_equal(clf.predict_proba(X), before[2])
