"""Saved models are a promise: files written by earlier releases keep loading.

``tests/fixtures/<version>/`` holds models saved by that release (pickle and
``skdense.save``) with the probabilities it predicted; see
``tests/fixtures/make_fixtures.py``. Each must load with today's code, predict
the same probabilities, and keep training.
"""

import importlib.util
import pickle
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import HAS_KERAS

import skdense
from skdense import InconsistentVersionWarning

FIXTURES = Path(__file__).parent / "fixtures"
SAVED = sorted(
    (folder.name, path.stem, path.suffix)
    for folder in FIXTURES.iterdir()
    if folder.is_dir()
    for path in folder.iterdir()
    if path.suffix in (".pkl", ".skops")
)


def _load(path):
    if path.suffix == ".pkl":
        if np.lib.NumpyVersion(np.__version__) < "2.0.0":
            # The fixtures were pickled under NumPy 2, whose arrays name the
            # module numpy._core; NumPy 1.x has no such module.
            pytest.skip("NumPy 1.x cannot unpickle arrays pickled by NumPy 2")
        with open(path, "rb") as f:
            return pickle.load(f)
    if importlib.util.find_spec("skops") is None:
        pytest.skip("skops not installed: pip install 'skdense[persist]'")
    return skdense.load(path)


def test_fixtures_are_there():
    assert len(SAVED) >= 8


@pytest.mark.parametrize(
    "version, name, suffix", SAVED, ids=["/".join(s) for s in SAVED]
)
def test_saved_model_loads_and_predicts_the_same(version, name, suffix):
    if name.startswith("keras") and not HAS_KERAS:
        pytest.skip("TensorFlow/Keras not installed: pip install 'skdense[keras]'")
    folder = FIXTURES / version
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = _load(folder / f"{name}{suffix}")
    version_warnings = [
        w for w in caught if issubclass(w.category, InconsistentVersionWarning)
    ]
    # Another version's file loads with a warning; the same version's, silently.
    assert bool(version_warnings) == (version != skdense.__version__)

    X = np.load(folder / "X_probe.npy")
    expected = np.load(folder / f"{name}_proba.npy")
    # The same model: the same labels, and probabilities equal up to the
    # rounding of another CPU's BLAS. Whatever the weights' dtype, both engines
    # predict in float64 (the weights are the saved ones, exactly), so a few
    # ulps of float64 is the claim: 1e-12, not float32's 1e-6.
    outputs = _outputs(model, X)
    if hasattr(model, "predict_proba"):
        np.testing.assert_array_equal(
            model.classes_[outputs.argmax(axis=1)],
            model.classes_[expected.argmax(axis=1)],
        )
    np.testing.assert_allclose(outputs, expected, rtol=1e-12, atol=1e-15)

    # The loaded model keeps training from where it was.
    estimator = model[-1] if hasattr(model, "steps") else model
    Xt = model[:-1].transform(X) if hasattr(model, "steps") else X
    targets = model.predict(X)
    if not hasattr(model, "predict_proba"):  # its own predictions teach nothing
        targets = targets + 1.0
    if estimator.solver == "lbfgs":
        estimator.set_params(warm_start=True, max_iter=2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            estimator.fit(Xt, targets)
    else:
        estimator.partial_fit(Xt, targets)
    outputs = _outputs(estimator, Xt)
    assert np.isfinite(outputs).all()
    assert not np.array_equal(outputs, expected)


def _outputs(model, X):
    """A classifier's probabilities, a regressor's predictions."""
    return getattr(model, "predict_proba", model.predict)(X)
