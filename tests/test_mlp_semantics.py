"""MLPClassifier's attributes, stopping rules and errors, on both engines."""

import numpy as np
import pytest
from conftest import fit_quietly
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from skdense import DenseClassifier

SMALL = dict(hidden_layer_sizes=(8,), batch_size=16, random_state=0)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_shape_attributes(backend, blobs, n_classes):
    X, y = blobs
    keep = y < n_classes
    clf = fit_quietly(
        DenseClassifier((8, 4), max_iter=2, backend=backend), X[keep], y[keep]
    )
    assert clf.n_layers_ == 4
    assert clf.n_outputs_ == (1 if n_classes == 2 else 3)
    assert clf.out_activation_ == ("logistic" if n_classes == 2 else "softmax")
    with pytest.raises(NotFittedError):
        DenseClassifier().n_layers_  # noqa: B018


def test_assigned_weights_replace_the_networks(backend, blobs):
    X, y = blobs
    clf = fit_quietly(DenseClassifier(**SMALL, max_iter=2, backend=backend), X, y)
    coefs = [np.zeros_like(w) for w in clf.coefs_]
    clf.coefs_ = coefs
    clf.intercepts_ = [np.array([0.0] * 8), np.array([0.0, 1.0, 0.0])]
    assert all((w == 0).all() for w in clf.coefs_)
    # Zero weights: every hidden unit is 0, so the output is softmax(b).
    expected = np.exp([0.0, 1.0, 0.0]) / np.exp([0.0, 1.0, 0.0]).sum()
    np.testing.assert_allclose(clf.predict_proba(X[:3]), [expected] * 3, rtol=1e-6)
    before = clf.predict_proba(X)
    with pytest.raises(ValueError, match="shapes"):
        clf.coefs_ = [np.zeros((3, 8)), np.zeros((8, 3))]
    with pytest.raises(ValueError, match="shapes"):
        clf.intercepts_ = [np.zeros(8)]
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_n_iter_counts_one_fit_and_partial_fit_adds_up(backend, blobs):
    X, y = blobs
    clf = DenseClassifier(**SMALL, max_iter=3, warm_start=True, backend=backend)
    fit_quietly(clf, X, y)
    fit_quietly(clf, X, y)
    assert clf.n_iter_ == 3
    assert len(clf.loss_curve_) == 6
    clf.partial_fit(X, y)
    clf.partial_fit(X, y)
    assert clf.n_iter_ == 5


def test_n_iter_no_change_inf_never_stops_early(backend, blobs):
    X, y = blobs
    clf = DenseClassifier(
        **SMALL, max_iter=15, tol=10.0, n_iter_no_change=np.inf, backend=backend
    )
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert clf.n_iter_ == 15
    stopping = DenseClassifier(**SMALL, max_iter=15, tol=10.0, n_iter_no_change=2)
    assert stopping.fit(X, y).n_iter_ == 3


@pytest.mark.parametrize("value", [0, 1.5, -np.inf, np.nan, "inf"])
def test_n_iter_no_change_refuses_other_values(blobs, value):
    with pytest.raises(ValueError, match="n_iter_no_change.*np.inf"):
        DenseClassifier(n_iter_no_change=value).fit(*blobs)


def test_changed_classes_are_errors(backend, blobs):
    X, y = blobs
    clf = fit_quietly(DenseClassifier(**SMALL, max_iter=2, backend=backend), X, y)
    clf.set_params(warm_start=True)
    message = "warm_start can only be used where `y` has the same classes"
    with pytest.raises(ValueError, match=message):
        clf.fit(X[y < 2], y[y < 2])
    with pytest.raises(ValueError, match="not the same as on last call"):
        clf.partial_fit(X, y, classes=[0, 1, 2, 3])
    clf.partial_fit(X[:16], y[:16], classes=[2, 1, 0])  # the same classes: fine
    clf.partial_fit(X[:16], y[:16])  # a chunk of known classes: fine


def test_partial_fit_refuses_early_stopping(backend, blobs):
    X, y = blobs
    clf = fit_quietly(
        DenseClassifier(**SMALL, max_iter=3, early_stopping=True, backend=backend),
        X,
        y,
    )
    before = clf.predict_proba(X)
    with pytest.raises(ValueError, match="does not support early_stopping"):
        clf.partial_fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_early_stopping_split_is_stratified_as_mlpclassifier(blobs):
    X = [[1, 2], [2, 3], [3, 4], [4, 5]]
    with pytest.raises(ValueError, match="least populated class"):
        DenseClassifier(early_stopping=True).fit(X, [0, 0, 0, 1])
    with pytest.raises(ValueError, match="test_size = 1 should be greater"):
        DenseClassifier(early_stopping=True).fit(X, [0, 0, 1, 1])
    X, y = blobs
    clf = fit_quietly(DenseClassifier(**SMALL, max_iter=3, early_stopping=True), X, y)
    assert len(clf.validation_scores_) == clf.n_iter_ == 3


def test_lbfgs_ignores_early_stopping_as_mlpclassifier(blobs):
    X, y = blobs
    clf = fit_quietly(
        DenseClassifier((4,), solver="lbfgs", early_stopping=True, max_iter=5),
        X,
        y,
        validation_data=(X, y),
    )
    assert clf.best_loss_ == min(clf.loss_curve_)
    assert clf.validation_scores_ is None
