"""Saving and loading models: skops (secure), pickle, versions, resuming."""

import importlib
import pickle
import warnings

import numpy as np
import pytest
from conftest import HAS_KERAS, fit_quietly
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skdense
from skdense import DenseClassifier, InconsistentVersionWarning

skops_io = pytest.importorskip(
    "skops.io", reason="skops not installed: pip install 'skdense[persist]'"
)


def _small(backend, **params):
    return DenseClassifier(
        (8,), max_iter=5, batch_size=16, random_state=0, backend=backend, **params
    )


def test_trusted_types_name_real_classes_and_cover_what_a_model_holds(iris, tmp_path):
    for name in skdense.TRUSTED_TYPES:
        if name.endswith("KerasNetwork") and not HAS_KERAS:
            continue
        module, _, attr = name.rpartition(".")
        assert isinstance(getattr(importlib.import_module(module), attr), type)
    X, y = iris
    for solver in ("sgd", "adam", "rmsprop", "lbfgs"):
        for labels in (y, y == 0):  # multiclass and binary networks
            path = tmp_path / f"{solver}.skops"
            skdense.save(fit_quietly(_small("numpy", solver=solver), X, labels), path)
            untrusted = skops_io.get_untrusted_types(file=path)
            assert set(untrusted) <= set(skdense.TRUSTED_TYPES)


@pytest.mark.parametrize("binary", [False, True])
def test_loaded_model_predicts_bit_identically(backend, binary, iris, tmp_path):
    X, y = iris
    y = np.where(y == 0, "setosa", "other") if binary else y
    clf = fit_quietly(_small(backend), X, y)
    path = tmp_path / "model.skops"
    skdense.save(clf, path)
    for loaded in (
        skdense.load(path),
        skops_io.load(path, trusted=skdense.TRUSTED_TYPES),
    ):
        assert type(loaded) is DenseClassifier
        np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
        np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
        assert loaded.get_params() == clf.get_params()
        assert loaded.history_ == clf.history_
        assert loaded.n_iter_ == clf.n_iter_


def test_loaded_model_continues_training_as_the_saved_one_would(
    backend, iris, tmp_path
):
    X, y = iris
    clf = fit_quietly(_small(backend), X, y)
    path = tmp_path / "model.skops"
    skdense.save(clf, path)
    loaded = skdense.load(path)
    # Optimizer state and random generator travel: the next epoch is the same.
    clf.partial_fit(X, y)
    loaded.partial_fit(X, y)
    assert loaded.n_iter_ == clf.n_iter_ == 6
    if backend == "numpy":
        np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    else:
        np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X))
    resumed = fit_quietly(
        skdense.load(path).set_params(warm_start=True, max_iter=3), X, y
    )
    assert resumed.n_iter_ == 3  # this fit's epochs, as MLPClassifier counts
    assert len(resumed.history_["loss"]) == 8


def test_pipeline_round_trip_and_unfitted_model(iris, tmp_path):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), _small("numpy", solver="lbfgs"))
    fit_quietly(pipe, X, y)
    skdense.save(pipe, tmp_path / "pipe.skops")
    loaded = skdense.load(tmp_path / "pipe.skops")
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))
    skdense.save(_small("numpy"), tmp_path / "unfitted.skops")
    assert skdense.load(tmp_path / "unfitted.skops").get_params() == (
        _small("numpy").get_params()
    )


class Doubler(TransformerMixin, BaseEstimator):
    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return 2 * X


def test_a_file_with_an_untrusted_type_is_refused(iris, tmp_path):
    X, y = iris
    pipe = fit_quietly(make_pipeline(Doubler(), _small("numpy", solver="lbfgs")), X, y)
    path = tmp_path / "custom.skops"
    skdense.save(pipe, path)
    name = f"{__name__}.Doubler"
    with pytest.raises(TypeError, match="Untrusted types found") as error:
        skdense.load(path)
    assert isinstance(error.value, skops_io.exceptions.UntrustedTypesFoundException)
    assert name in str(error.value)
    loaded = skdense.load(path, trusted=[name])
    np.testing.assert_array_equal(loaded.predict(X), pipe.predict(X))


def test_loading_runs_no_pickle(backend, iris, tmp_path, monkeypatch):
    X, y = iris
    clf = fit_quietly(_small(backend), X, y)
    path = tmp_path / "model.skops"
    skdense.save(clf, path)
    expected = clf.predict_proba(X)

    def refuse(*args, **kwargs):
        raise AssertionError("pickle was used to load a skops file")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, refuse)
    np.testing.assert_array_equal(skdense.load(path).predict_proba(X), expected)


@pytest.mark.parametrize("round_trip", ["skops", "pickle"])
def test_another_skdense_version_warns_on_load(round_trip, iris, tmp_path, monkeypatch):
    X, y = iris
    clf = fit_quietly(_small("numpy"), X, y)
    monkeypatch.setattr("skdense._version.__version__", "0.0.1")
    if round_trip == "skops":
        skdense.save(clf, tmp_path / "old.skops")
        skdense.save(_small("numpy"), tmp_path / "unfitted.skops")
    else:
        saved, unfitted = pickle.dumps(clf), pickle.dumps(_small("numpy"))
    monkeypatch.undo()

    with pytest.warns(InconsistentVersionWarning, match="saved by skdense 0.0.1"):
        if round_trip == "skops":
            loaded = skdense.load(tmp_path / "old.skops")
        else:
            loaded = pickle.loads(saved)
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    with warnings.catch_warnings():  # an unfitted model has nothing to get wrong
        warnings.simplefilter("error", InconsistentVersionWarning)
        if round_trip == "skops":
            skdense.load(tmp_path / "unfitted.skops")
        else:
            pickle.loads(unfitted)
    with warnings.catch_warnings():  # and the same version is silent
        warnings.simplefilter("error", InconsistentVersionWarning)
        pickle.loads(pickle.dumps(clf))


def test_missing_skops_names_the_extra(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_skops(name, *args, **kwargs):
        if name.startswith("skops"):
            raise ImportError("No module named 'skops'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_skops)
    with pytest.raises(ImportError, match=r"skdense\[persist\]"):
        skdense.save(_small("numpy"), "never-written.skops")
