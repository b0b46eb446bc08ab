"""Ctrl-C during fit: stop after the current batch, keep what was learnt."""

import os
import signal
import threading
import warnings

import numpy as np
import pytest
from conftest import HAS_KERAS, NO_KERAS
from sklearn.exceptions import ConvergenceWarning

from skdense import DenseClassifier, DenseRegressor
from skdense.backends import _numpy


def _ctrl_c():
    os.kill(os.getpid(), signal.SIGINT)


@pytest.fixture
def ctrl_c_at_batch(monkeypatch):
    """Press Ctrl-C (a real SIGINT) during the given batches of the NumPy engine.

    A batch number given twice is pressed twice.

    Returns the list of batches (backprop calls) run, which grows as training
    goes.
    """
    calls = []

    def press_at(*batches):
        original = _numpy.DenseNetwork._backprop

        def backprop(self, *args, **kwargs):
            calls.append(len(calls) + 1)
            for _ in range(batches.count(len(calls))):
                _ctrl_c()
            return original(self, *args, **kwargs)

        monkeypatch.setattr(_numpy.DenseNetwork, "_backprop", backprop)
        return calls

    return press_at


def _data(n=600):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 5))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)
    return X, y


def test_first_ctrl_c_stops_after_the_current_batch(ctrl_c_at_batch):
    X, y = _data()
    handler = signal.getsignal(signal.SIGINT)
    batches = ctrl_c_at_batch(25)  # 10 batches an epoch: in the third epoch
    clf = DenseClassifier((8,), batch_size=60, max_iter=1000, random_state=0)
    with pytest.warns(UserWarning, match=r"interrupted \(Ctrl-C\) in epoch 3"):
        clf.fit(X, y)
    assert len(batches) == 25  # the batch it was in finished; no other began
    assert clf.n_iter_ == 3
    assert len(clf.history_["loss"]) == len(clf.history_["accuracy"]) == 3
    assert np.isfinite(clf.history_["loss"]).all()
    assert signal.getsignal(signal.SIGINT) is handler  # put back
    proba = clf.predict_proba(X)
    assert np.isfinite(proba).all()
    # The weights are those after batch 25: training on resumes from them.
    before = [w.copy() for w in clf.coefs_]
    clf.partial_fit(X, y)
    assert clf.n_iter_ == 4
    assert not np.array_equal(before[0], clf.coefs_[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.set_params(warm_start=True, max_iter=2).fit(X, y)
    assert clf.n_iter_ == 2 and len(clf.history_["loss"]) == 6


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_a_regressor_stops_after_the_current_batch_too(ctrl_c_at_batch, loss):
    X, y = _data()
    batches = ctrl_c_at_batch(15)  # in the second epoch
    reg = DenseRegressor(
        loss, hidden_layer_sizes=(8,), batch_size=60, max_iter=1000, random_state=0
    )
    with pytest.warns(UserWarning, match=r"interrupted \(Ctrl-C\) in epoch 2"):
        reg.fit(X, y, validation_data=(X[:50], y[:50]))
    assert len(batches) == 15 and reg.n_iter_ == 2
    assert [len(v) for v in reg.history_.values()] == [2, 2, 2, 2]
    assert np.isfinite(reg.predict(X)).all()
    reg.partial_fit(X, y)
    assert reg.n_iter_ == 3


def test_interrupted_partial_epoch_matches_training_only_those_batches(
    ctrl_c_at_batch,
):
    X, y = _data()
    ctrl_c_at_batch(4)
    params = dict(hidden_layer_sizes=(8,), batch_size=60, shuffle=False, random_state=0)
    with pytest.warns(UserWarning, match="interrupted"):
        interrupted = DenseClassifier(**params, max_iter=50).fit(X, y)
    # The same four batches as a whole (shorter) epoch give the same weights.
    reference = DenseClassifier(**params).partial_fit(
        X[:240], y[:240], classes=[0, 1, 2]
    )
    for a, b in zip(interrupted.coefs_, reference.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)
    assert interrupted.history_["accuracy"] == reference.history_["accuracy"]


def test_early_stopping_and_validation_survive_an_interrupt(ctrl_c_at_batch):
    X, y = _data()
    ctrl_c_at_batch(33)
    clf = DenseClassifier(
        (8,), batch_size=54, max_iter=500, early_stopping=True, random_state=0
    )
    with pytest.warns(UserWarning, match="interrupted"):
        clf.fit(X, y)
    assert clf.n_iter_ == 4  # 10 training batches an epoch, validation held out
    assert len(clf.history_["val_loss"]) == 4
    assert np.isfinite(clf.predict_proba(X)).all()


def test_second_ctrl_c_aborts_at_once_and_leaves_the_estimator_as_it_was(
    ctrl_c_at_batch,
):
    X, y = _data()
    handler = signal.getsignal(signal.SIGINT)
    batches = ctrl_c_at_batch(5, 5)  # pressed twice before batch 5 is done
    clf = DenseClassifier((8,), batch_size=60, max_iter=100, random_state=0)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    assert len(batches) == 5
    assert not hasattr(clf, "classes_")
    assert signal.getsignal(signal.SIGINT) is handler


def test_lbfgs_stops_after_the_current_iteration(ctrl_c_at_batch):
    X, y = _data()
    ctrl_c_at_batch(10)
    clf = DenseClassifier((8,), solver="lbfgs", max_iter=500, random_state=0)
    with pytest.warns(UserWarning, match="interrupted"):
        clf.fit(X, y)
    assert 1 <= clf.n_iter_ < 10
    assert len(clf.history_["loss"]) == clf.n_iter_
    assert np.isfinite(clf.predict_proba(X)).all()


def test_fit_in_a_worker_thread_leaves_signals_alone():
    X, y = _data()
    errors = []

    def fit():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                DenseClassifier((4,), max_iter=3, random_state=0).fit(X, y)
        except Exception as error:  # signal.signal would raise ValueError here
            errors.append(error)

    thread = threading.Thread(target=fit)
    thread.start()
    thread.join()
    assert errors == []


@pytest.mark.skipif(not HAS_KERAS, reason=NO_KERAS)
def test_keras_backend_stops_cleanly_too(monkeypatch):
    from skdense.backends import _keras

    X, y = _data()
    original = _keras.KerasNetwork.train_epoch
    epochs = []

    def train_epoch(self, *args, **kwargs):
        epochs.append(1)
        if len(epochs) == 3:
            _ctrl_c()  # lands before Keras's first compiled call of epoch 3
        return original(self, *args, **kwargs)

    monkeypatch.setattr(_keras.KerasNetwork, "train_epoch", train_epoch)
    clf = DenseClassifier(
        (8,), backend="keras", batch_size=60, max_iter=200, random_state=0
    )
    with pytest.warns(UserWarning, match="interrupted"):
        clf.fit(X, y)
    assert len(epochs) == 3 and clf.n_iter_ == 3
    assert len(clf.history_["loss"]) == 3
    assert np.isfinite(clf.predict_proba(X)).all()
    clf.partial_fit(X, y)
    assert clf.n_iter_ == 4
