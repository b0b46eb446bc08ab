"""The training run: warnings that point at the caller, samples seen (t_)."""

import pickle
import warnings

import numpy as np
import pytest
from conftest import fit_quietly
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import cross_validate

import skdense
from skdense import DenseClassifier, DenseRegressor


def _only(caught, category):
    found = [w for w in caught if issubclass(w.category, category)]
    assert len(found) == 1, [str(w.message) for w in caught]
    return found[0]


def _fit_recording(clf, X, y, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(X, y, **kwargs)
    return caught


def test_convergence_warning_points_at_the_callers_fit(blobs):
    X, y = blobs
    caught = _fit_recording(DenseClassifier((4,), max_iter=2), X, y)
    warning = _only(caught, ConvergenceWarning)
    assert warning.filename == __file__
    assert "Stochastic optimizer" in str(warning.message)


def test_lbfgs_has_its_own_convergence_message(blobs):
    X, y = blobs
    caught = _fit_recording(DenseClassifier((4,), solver="lbfgs", max_iter=2), X, y)
    warning = _only(caught, ConvergenceWarning)
    assert warning.filename == __file__
    message = str(warning.message)
    assert message.startswith("L-BFGS failed to converge after 2 iteration(s)")
    assert "ITERATIONS REACHED LIMIT" in message.upper()  # SciPy says why
    assert "Stochastic" not in message


def test_lbfgs_stopped_by_max_fun_warns(blobs):
    X, y = blobs
    clf = DenseClassifier((4,), solver="lbfgs", max_iter=500, max_fun=5)
    warning = _only(_fit_recording(clf, X, y), ConvergenceWarning)
    assert warning.filename == __file__
    assert "EVALUATIONS EXCEEDS LIMIT" in str(warning.message).upper()  # SciPy says
    assert clf.n_iter_ < 500


def test_divergence_warning_points_at_the_callers_fit(blobs):
    X, y = blobs
    clf = DenseClassifier(
        (16,),
        activation="identity",
        solver="sgd",
        momentum=0.0,
        learning_rate_init=1e3,
        random_state=0,
    )
    warning = _only(_fit_recording(clf, X * 1e4, y), RuntimeWarning)
    assert "diverged" in str(warning.message)
    assert warning.filename == __file__


def test_batch_size_warning_points_at_the_callers_fit(blobs):
    X, y = blobs
    clf = DenseClassifier((4,), batch_size=1000, max_iter=1)
    caught = _fit_recording(clf, X, y)
    warning = _only([w for w in caught if "batch_size" in str(w.message)], UserWarning)
    assert warning.filename == __file__


def test_inside_a_search_the_warning_names_scikit_learn_not_skdense(blobs):
    X, y = blobs
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cross_validate(DenseClassifier((4,), max_iter=1), X, y, cv=2)
    found = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(found) == 2
    for warning in found:
        assert "sklearn" in warning.filename
        assert "skdense" not in warning.filename.split("sklearn")[-1]


def test_version_warning_points_at_the_callers_load(blobs, monkeypatch):
    X, y = blobs
    clf = DenseClassifier((4,), solver="lbfgs", max_iter=5)
    _fit_recording(clf, X, y)
    state = clf.__getstate__()
    state["_skdense_version"] = "0.0.1"
    with pytest.warns(skdense.InconsistentVersionWarning) as caught:
        DenseClassifier.__new__(DenseClassifier).__setstate__(state)
    assert caught[0].filename == __file__
    with monkeypatch.context() as patch:
        patch.setattr("skdense._version.__version__", "0.0.1")
        saved = pickle.dumps(clf)
    with pytest.warns(skdense.InconsistentVersionWarning) as caught:
        pickle.loads(saved)
    assert caught[0].filename == __file__


def test_t_counts_the_samples_of_partial_fit_chunks_of_any_size(blobs):
    X, y = blobs
    clf = DenseClassifier((4,), solver="sgd", learning_rate="invscaling")
    clf.partial_fit(X[:30], y[:30], classes=[0, 1, 2])
    assert clf.t_ == 30
    clf.partial_fit(X[30:], y[30:])
    assert clf.t_ == 120
    clf.partial_fit(X[:7], y[:7])
    assert clf.t_ == 127
    # invscaling reads the samples seen: lr0 / (t + 1) ** power_t
    assert clf.network_.learning_rate == pytest.approx(0.001 / 128**0.5)


def test_t_counts_epochs_of_fit_and_continues_under_warm_start(blobs):
    X, y = blobs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = DenseClassifier((4,), max_iter=3).fit(X, y)
        assert clf.t_ == 3 * len(X)
        clf.set_params(warm_start=True, max_iter=2).fit(X[::2], y[::2])
        assert clf.t_ == 3 * len(X) + 2 * 60
        clf.set_params(warm_start=False).fit(X, y)
        assert clf.t_ == 2 * len(X)
        split = DenseClassifier((4,), max_iter=2, early_stopping=True).fit(X, y)
    assert split.t_ == 2 * (len(X) - 12)  # the validation tenth is not trained on


def _warming_up_to(rate):
    """Plain sgd whose rate climbs over 30 epochs to ``rate``, watching the
    validation loss without stopping early: high rates make it diverge."""
    return DenseClassifier(
        (16,),
        solver="sgd",
        momentum=0.0,
        alpha=0.0,
        learning_rate="cosine",
        warmup_epochs=30,
        learning_rate_init=rate,
        max_iter=30,
        early_stopping=True,
        scoring="loss",
        n_iter_no_change=100,
        random_state=0,
    )


def test_a_diverging_fit_with_early_stopping_keeps_the_best_epoch(blobs):
    # The rate climbs (a 30-epoch warm-up to 25) until the loss overflows: the
    # validation loss is best early on, then grows until the fit diverges.
    X, y = blobs
    clf = _warming_up_to(25.0)
    with pytest.warns(RuntimeWarning, match="Training diverged"):
        clf.fit(X[::2], y[::2], validation_data=(X[1::2], y[1::2]))
    val_loss = clf.history_["val_loss"]
    best = min(range(len(val_loss)), key=val_loss.__getitem__)
    assert best < len(val_loss) - 1  # the last epoch was not the best
    # The model holds the best epoch's weights, not the last finite ones.
    restored = log_loss(y[1::2], clf.predict_proba(X[1::2]))
    assert restored == pytest.approx(val_loss[best], rel=1e-5)
    assert clf.best_validation_score_ == -val_loss[best]


@pytest.mark.parametrize("estimator", [DenseClassifier, DenseRegressor])
def test_the_progress_bar_names_the_estimator(estimator, blobs, capsys):
    pytest.importorskip("tqdm", reason="tqdm not installed: pip install tqdm")
    X, y = blobs
    fit_quietly(estimator(hidden_layer_sizes=(4,), max_iter=2, verbose=1), X, y)
    err = capsys.readouterr().err
    assert err.lstrip("\r").startswith(estimator.__name__ + ":"), err[:80]


def test_a_validation_pass_that_overflows_is_a_divergence(blobs):
    # At a rate climbing to 20, the training loss stays finite one epoch
    # longer than the validation loss: that epoch is a divergence too, with
    # one warning and no NumPy overflow warning, and no NaN in history_.
    X, y = blobs
    clf = _warming_up_to(20.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(X[::2], y[::2], validation_data=(X[1::2], y[1::2]))
    assert [str(w.message)[:17] for w in caught] == ["Training diverged"]
    assert all(np.isfinite(values).all() for values in clf.history_.values())
    val_loss = clf.history_["val_loss"]
    restored = log_loss(y[1::2], clf.predict_proba(X[1::2]))
    assert restored == pytest.approx(min(val_loss), rel=1e-5)
