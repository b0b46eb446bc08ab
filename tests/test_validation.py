"""Bad parameters and bad input: a clear error, and nothing changed."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from skdense import DenseClassifier


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(activation="sigmoidd"), "activation='sigmoidd'.*'logistic'"),
        (dict(hidden_layer_sizes=(10, 0)), "hidden_layer_sizes.*positive"),
        (dict(hidden_layer_sizes=(10, -3)), "hidden_layer_sizes.*positive"),
        (dict(hidden_layer_sizes="wide"), "hidden_layer_sizes"),
        (dict(solver="newton"), "solver='newton'"),
        (dict(batch_size=0), r"batch_size=0.*\[1, inf\)"),
        (dict(batch_size=2.5), "batch_size=2.5.*integer"),
        (dict(learning_rate="cyclic"), "learning_rate='cyclic'"),
        (dict(learning_rate_init=0.0), "learning_rate_init=0.0"),
        (dict(alpha=-1.0), "alpha=-1.0"),
        (dict(l1=float("nan")), "l1=nan"),
        (dict(dropout=1.0), r"dropout=1.0.*\[0.0, 1.0\)"),
        (dict(max_iter=0), "max_iter=0"),
        (dict(momentum=1.5), "momentum=1.5"),
        (dict(beta_1=1.0), "beta_1=1.0"),
        (dict(validation_fraction=1.0), "validation_fraction=1.0"),
        (dict(n_iter_no_change=0), "n_iter_no_change=0"),
        (dict(weight_init="xavier"), "weight_init='xavier'"),
        (dict(bias_lr_factor=0.0), "bias_lr_factor=0.0"),
        (dict(n_ensemble=0), "n_ensemble=0"),
        (dict(n_ensemble=2.0), "n_ensemble=2.0"),
        (dict(dtype=np.int32), "dtype"),
        (dict(dtype="float16"), "dtype"),
        (dict(backend="torch"), "backend='torch'"),
        (dict(class_weight="even"), "class_weight='even'"),
        (dict(label_smoothing=1.0), r"label_smoothing=1.0.*\[0.0, 1.0\)"),
        (dict(shuffle="yes"), "shuffle='yes'"),
        (dict(verbose=-1), "verbose=-1"),
    ],
)
def test_bad_parameters_raise_at_fit_naming_the_parameter(blobs, params, message):
    X, y = blobs
    clf = DenseClassifier(**params)  # __init__ only stores
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)
    assert not hasattr(clf, "classes_")


@pytest.fixture
def fitted(blobs):
    X, y = blobs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return DenseClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(
            X, y
        )


def _bad_inputs(X, y):
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    X_inf = X.copy()
    X_inf[0, 0] = np.inf
    return {
        "nan": ((X_nan, y), "NaN"),
        "inf": ((X_inf, y), "infinity"),
        "empty": ((X[:0], y[:0]), "0 sample"),
        "1-d X": ((X[:, 0], y), "Expected 2D array"),
        "3-d X": ((X[:, :, None], y), "dim 3"),
        "string X": ((np.full(X.shape, "a"), y), "could not convert"),
        "mismatched lengths": ((X, y[:-1]), "inconsistent numbers of samples"),
        "single class": ((X, np.zeros(len(y))), "at least 2 classes"),
        "continuous y": ((X, np.linspace(0, 1, len(y))), "Unknown label type"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "nan",
        "inf",
        "empty",
        "1-d X",
        "3-d X",
        "string X",
        "mismatched lengths",
        "single class",
        "continuous y",
    ],
)
def test_bad_training_data_raises_and_leaves_a_fitted_model_unchanged(
    fitted, blobs, case
):
    X, y = blobs
    (X_bad, y_bad), message = _bad_inputs(X, y)[case]
    before = pickle.dumps(fitted)
    expected = fitted.predict_proba(X)
    # A partial_fit chunk may hold a single class of those already known.
    methods = (
        (fitted.fit,) if case == "single class" else (fitted.fit, fitted.partial_fit)
    )
    for method in methods:
        with pytest.raises(ValueError, match=message):
            method(X_bad, y_bad)
        assert pickle.dumps(fitted) == before
    np.testing.assert_array_equal(fitted.predict_proba(X), expected)


def test_wrong_feature_count_at_predict(fitted, blobs):
    X, _ = blobs
    with pytest.raises(
        ValueError, match="3 features, but DenseClassifier is expecting 2"
    ):
        fitted.predict(np.hstack([X, X[:, :1]]))
    with pytest.raises(ValueError, match="NaN"):
        fitted.predict_proba(np.full((2, 2), np.nan))
    assert fitted.predict(X).shape == (len(X),)


def test_predict_before_fit_is_a_not_fitted_error(blobs):
    with pytest.raises(NotFittedError):
        DenseClassifier().predict(blobs[0])


@pytest.mark.parametrize(
    "sample_weight, message",
    [
        (np.ones(5), r"sample_weight.shape == \(5,\)"),
        (-np.ones(120), "non-negative"),
        (np.full(120, np.nan), "finite"),
        (np.zeros(120), "non-zero"),
        (np.repeat([1.0, 0.0, 0.0], 40), "Only one class"),
    ],
)
def test_bad_sample_weight(fitted, blobs, sample_weight, message):
    X, y = blobs
    before = pickle.dumps(fitted)
    with pytest.raises(ValueError, match=message):
        fitted.fit(X, y, sample_weight=sample_weight)
    assert pickle.dumps(fitted) == before


def test_bad_validation_data(fitted, blobs):
    X, y = blobs
    before = pickle.dumps(fitted)
    with pytest.raises(ValueError, match="tuple"):
        fitted.fit(X, y, validation_data=X)
    with pytest.raises(ValueError, match="features"):
        fitted.fit(X, y, validation_data=(X[:, :1], y))
    with pytest.raises(ValueError, match="not in y"):
        fitted.fit(X, y, validation_data=(X, y + 10))
    with pytest.raises(ValueError, match="samples in X_val"):
        fitted.fit(X, y, validation_data=(X, y[:-1]))
    assert pickle.dumps(fitted) == before


def test_partial_fit_with_unknown_class_weight_label(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="class_weight has labels"):
        DenseClassifier(class_weight={7: 2.0}).fit(X, y)
