"""ONNX export: onnxruntime gives what predict and predict_proba give."""

import numpy as np
import pytest
from conftest import HAS_KERAS, NO_KERAS, fit_quietly
from sklearn.datasets import load_iris
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdense import DenseClassifier, DenseRegressor
from skdense.backends import INPUT_SCALINGS
from skdense.backends._ops import HIDDEN_ACTIVATIONS, LOSSES

REGRESSION_LOSSES = [name for name, row in LOSSES.items() if row.score == "r2"]

for _module in ("skl2onnx", "onnxruntime"):
    pytest.importorskip(
        _module, reason=f"{_module} not installed: pip install 'skdense[onnx]'"
    )
import onnxruntime  # noqa: E402
import skl2onnx  # noqa: E402

from skdense.onnx import to_onnx  # noqa: E402

BACKENDS = [
    "numpy",
    pytest.param("keras", marks=pytest.mark.skipif(not HAS_KERAS, reason=NO_KERAS)),
]


@pytest.fixture(scope="module")
def iris32():
    X, y = load_iris(return_X_y=True)
    return X.astype(np.float32), y


def _run(onnx_model, X):
    session = onnxruntime.InferenceSession(onnx_model.SerializeToString())
    return session.run(None, {session.get_inputs()[0].name: X})


def _targets(kind, y):
    return {
        "binary": (y == 1).astype(int),
        "multiclass": y,
        "strings": np.array(["setosa", "versicolor", "virginica"])[y],
        "multilabel": np.c_[y == 0, y == 1, y > 0].astype(int),
    }[kind]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("kind", ["binary", "multiclass", "strings", "multilabel"])
def test_classifier_probabilities_and_labels_match(backend, kind, iris32):
    X, y = iris32
    y = _targets(kind, y)
    clf = fit_quietly(
        DenseClassifier(
            (16, 8), activation="tanh", max_iter=30, backend=backend, random_state=0
        ),
        X,
        y,
    )
    labels, proba = _run(to_onnx(clf, X[:1]), X)
    np.testing.assert_allclose(proba, clf.predict_proba(X), atol=1e-5)
    np.testing.assert_array_equal(labels, clf.predict(X))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_every_hidden_activation_exports(backend, activation, iris32):
    X, y = iris32
    clf = fit_quietly(
        DenseClassifier(
            (8, 4), activation=activation, max_iter=5, backend=backend, random_state=0
        ),
        X,
        y,
    )
    _, proba = _run(to_onnx(clf, X[:1]), X)
    np.testing.assert_allclose(proba, clf.predict_proba(X), atol=1e-5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_input_scale_is_part_of_the_graph(backend, iris32):
    X, y = iris32
    pixels = np.round(X * 30).astype(np.float32)  # like integer pixel values
    clf = fit_quietly(
        DenseClassifier(
            (16,), input_scale=1 / 30, max_iter=20, backend=backend, random_state=0
        ),
        pixels,
        y,
    )
    _, proba = _run(to_onnx(clf, pixels[:1]), pixels)
    np.testing.assert_allclose(proba, clf.predict_proba(pixels), atol=1e-5)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("scaling", INPUT_SCALINGS)
@pytest.mark.parametrize("clip", [None, 1.5])
def test_input_stage_is_part_of_the_graph(backend, scaling, clip, iris32):
    X, y = iris32
    raw = X * 40 + 7  # far from standardised, so that the stage matters
    raw[::10, 3] *= -100  # a heavy tail, either side, that input_log logs
    clf = fit_quietly(
        DenseClassifier(
            (16,),
            input_scaling=scaling,
            input_clip=clip,
            input_log=10.0,
            max_iter=20,
            backend=backend,
            random_state=0,
        ),
        raw,
        y,
    )
    assert clf.network_.spec.input_logged == (3,)
    labels, proba = _run(to_onnx(clf, raw[:1]), raw)
    np.testing.assert_allclose(proba, clf.predict_proba(raw), atol=1e-5)
    np.testing.assert_array_equal(labels, clf.predict(raw))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("loss", REGRESSION_LOSSES)
def test_regressor_predictions_match(backend, loss, iris32):
    X, y = iris32
    Y = np.c_[y, X[:, 0]]  # two non-negative targets
    reg = fit_quietly(
        DenseRegressor(loss, hidden_layer_sizes=(16,), max_iter=30, backend=backend),
        X,
        Y,
    )
    (predictions,) = _run(to_onnx(reg, X[:1]), X)
    np.testing.assert_allclose(predictions, reg.predict(X), rtol=1e-5, atol=1e-5)


def test_pipelines_convert_through_skl2onnx_itself(iris32):
    X, y = iris32
    pipeline = fit_quietly(
        make_pipeline(StandardScaler(), DenseClassifier((16,), max_iter=20)), X, y
    )
    onnx_model = skl2onnx.to_onnx(
        pipeline, X[:1], options={DenseClassifier: {"zipmap": False}}
    )
    labels, proba = _run(onnx_model, X)
    np.testing.assert_allclose(proba, pipeline.predict_proba(X), atol=1e-5)
    np.testing.assert_array_equal(labels, pipeline.predict(X))
    # skl2onnx's default for classifiers, a ZipMap of {class: probability}.
    _, maps = _run(skl2onnx.to_onnx(pipeline, X[:1]), X[:2])
    assert maps[0] == pytest.approx(dict(enumerate(pipeline.predict_proba(X[:1])[0])))

    regression = fit_quietly(
        make_pipeline(
            StandardScaler(), DenseRegressor(hidden_layer_sizes=(8,), max_iter=20)
        ),
        X,
        y,
    )
    (predictions,) = _run(skl2onnx.to_onnx(regression, X[:1]), X)
    np.testing.assert_allclose(
        predictions[:, 0], regression.predict(X), rtol=1e-5, atol=1e-5
    )


def test_float64_input_computes_in_float64(iris32):
    X, y = iris32
    X = X.astype(np.float64)
    clf = fit_quietly(DenseClassifier((16,), dtype=np.float64, max_iter=20), X, y)
    _, proba = _run(to_onnx(clf, X[:1]), X)
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba, clf.predict_proba(X), atol=1e-10)


def test_whole_float_labels_come_out_as_int64(iris32):
    X, y = iris32
    clf = fit_quietly(DenseClassifier((4,), max_iter=2), X, y * 2.0)
    labels, _ = _run(to_onnx(clf, X[:1]), X)
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, clf.predict(X))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("estimator", [DenseClassifier, DenseRegressor])
def test_numeric_embedding_is_part_of_the_graph(backend, estimator, iris32):
    X, y = iris32
    model = fit_quietly(
        estimator(
            hidden_layer_sizes=(16,),
            input_scaling="robust",
            numeric_embedding="pbld",
            embedding_sigma=1.0,  # sharp waves: an error in the graph shows
            max_iter=20,
            backend=backend,
            random_state=0,
        ),
        X,
        y,
    )
    for dtype in (np.float32, np.float64):
        outputs = _run(to_onnx(model, X[:1].astype(dtype)), X.astype(dtype))
        if estimator is DenseClassifier:
            np.testing.assert_allclose(outputs[1], model.predict_proba(X), atol=1e-5)
            np.testing.assert_array_equal(outputs[0], model.predict(X))
        else:
            np.testing.assert_allclose(
                outputs[0].ravel(), model.predict(X), rtol=1e-5, atol=1e-5
            )


def _categorical_frame(dtype):
    """A numeric column, a 3-level category column and a 12-level string
    column (embedded); the test rows add unseen and missing levels."""
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    colour = rng.choice(["red", "green", "blue"], 200)
    city = rng.choice([f"city{i}" for i in range(12)], 200)
    X = pd.DataFrame(
        {"x": rng.normal(size=200).astype(dtype), "colour": colour, "city": city}
    )
    y = (colour == "red") + np.isin(city, ["city1", "city2"]) + X["x"] > 0.5
    test = X.iloc[:10].copy()
    test.loc[0, "colour"], test.loc[1, "city"], test.loc[2, "city"] = "pink", None, "x"
    return X.astype({"colour": "category"}), y.to_numpy(), test


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("estimator", [DenseClassifier, DenseRegressor])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_categorical_columns_are_part_of_the_graph(backend, estimator, dtype):
    X, y, test = _categorical_frame(dtype)
    model = fit_quietly(
        estimator(
            hidden_layer_sizes=(8,),
            categorical_features="from_dtype",
            numeric_embedding="pbld",
            max_iter=10,
            backend=backend,
            random_state=0,
        ),
        X,
        y,
    )
    session = onnxruntime.InferenceSession(to_onnx(model, X).SerializeToString())
    feeds = {
        "x": test[["x"]].to_numpy(),
        "colour": test[["colour"]].to_numpy(dtype=object).astype(str),
        "city": test[["city"]].to_numpy(dtype=object).astype(str),
    }
    outputs = session.run(None, feeds)
    if estimator is DenseClassifier:
        np.testing.assert_allclose(outputs[1], model.predict_proba(test), atol=1e-5)
    else:
        np.testing.assert_allclose(
            outputs[0].ravel(), model.predict(test), rtol=1e-5, atol=1e-5
        )


def test_categorical_positions_of_a_numeric_array_are_part_of_the_graph():
    rng = np.random.default_rng(0)
    X = np.c_[rng.normal(size=200), rng.integers(0, 10, 200)].astype(np.float32)
    y = (X[:, 1] % 3 == 0) ^ (X[:, 0] > 0)
    clf = fit_quietly(
        DenseClassifier((8,), categorical_features=[1], max_iter=10, random_state=0),
        X,
        y,
    )
    X[:3, 1] = [10, 11, -5]  # levels the fit did not see
    labels, proba = _run(to_onnx(clf, X[:1]), X)
    np.testing.assert_allclose(proba, clf.predict_proba(X), atol=1e-5)
    np.testing.assert_array_equal(labels, clf.predict(X))


def test_an_all_numeric_dataframe_sample_keeps_the_one_input(iris32):
    pd = pytest.importorskip("pandas")
    X, y = iris32
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    clf = fit_quietly(DenseClassifier((4,), max_iter=5, random_state=0), frame, y)
    session = onnxruntime.InferenceSession(to_onnx(clf, frame).SerializeToString())
    assert [i.name for i in session.get_inputs()] == ["X"]
    proba = session.run(None, {"X": X})[1]
    np.testing.assert_allclose(proba, clf.predict_proba(frame), atol=1e-5)
