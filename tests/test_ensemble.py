"""n_ensemble: networks trained together, predicting their mean (TabM's
ensemble), on both engines."""

import numpy as np
import pytest
from conftest import HAS_KERAS, NO_KERAS, fit_quietly
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV

from skdense import DenseClassifier, DenseRegressor
from skdense._training import deal_out
from skdense.backends import EnsembleNetwork, NetworkSpec, make_network
from skdense.backends._shared import (
    data_dependent_weights,
    forward_hidden,
    forward_proba,
    members,
)


def _data(n=240, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    y = (X[:, 0] + np.sin(2 * X[:, 1]) + 0.5 * rng.normal(size=n) > 0).astype(int)
    y[X[:, 2] > 1.0] = 2
    return X, y


def _ensemble(backend="numpy", k=3, **params):
    params = {"hidden_layer_sizes": (16,), "max_iter": 8, "random_state": 0, **params}
    return DenseClassifier(n_ensemble=k, backend=backend, **params)


def _member_outputs(estimator, X):
    spec = estimator.network_.spec
    weights = members(estimator.network_.get_weights(), spec)
    return [forward_proba(X, w, spec.member) for w in weights]


def test_the_first_network_is_the_plain_network_of_the_same_seed():
    # Same seed, same data, same code path: identical by construction.
    X, y = _data()
    params = dict(weight_init="data", bias_lr_factor=0.1, early_stopping=False)
    single = fit_quietly(_ensemble(k=1, **params), X, y)
    ensemble = fit_quietly(_ensemble(k=3, **params), X, y)
    first = members(ensemble.network_.get_weights(), ensemble.network_.spec)[0]
    for a, b in zip(first, single.network_.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert type(single.network_) is not EnsembleNetwork


def test_networks_start_apart_and_the_seed_fixes_them():
    X, y = _data()
    a = fit_quietly(_ensemble(), X, y)
    b = fit_quietly(_ensemble(), X, y)
    for wa, wb in zip(a.network_.get_weights(), b.network_.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    first_layer = a.coefs_[0]
    assert first_layer.shape == (3, 5, 16)
    assert not np.allclose(first_layer[0], first_layer[1])
    assert not np.allclose(first_layer[1], first_layer[2])


def test_data_start_fits_each_network_to_the_data():
    X, _ = _data()
    spec = NetworkSpec(
        5, 3, "softmax", hidden_layer_sizes=(9,), activation="identity", n_ensemble=2
    )
    network = make_network("numpy", spec, random_state=4)
    weights = data_dependent_weights(network.get_weights(), X, spec, 4)
    for own in members(weights, spec):
        z = forward_hidden(X, own, spec.member, 0)
        np.testing.assert_allclose(z.std(axis=0), 1.0, rtol=1e-10)
    first, second = members(weights, spec)
    assert not np.allclose(first[0], second[0])


@pytest.mark.parametrize("early_stopping", [False, True])
def test_predictions_are_the_mean_of_the_networks(backend, early_stopping):
    X, y = _data()
    clf = fit_quietly(_ensemble(backend, early_stopping=early_stopping), X, y)
    outputs = _member_outputs(clf, X)
    np.testing.assert_allclose(clf.predict_proba(X), np.mean(outputs, axis=0))
    assert clf.predict(X).shape == (X.shape[0],)
    # Three trained networks disagree somewhere: the mean is not any one of them.
    assert min(np.abs(p - clf.predict_proba(X)).max() for p in outputs) > 1e-3


def test_best_epoch_is_chosen_by_the_loss_of_the_mean(backend):
    X, y = _data(400)
    X_val, y_val = _data(200, seed=1)
    clf = fit_quietly(
        _ensemble(
            backend,
            alpha=0.0,  # the validation loss is then the log-loss alone
            max_iter=12,
            early_stopping=True,
            scoring="loss",
            n_iter_no_change=np.inf,
            tol=0.0,
        ),
        X,
        y,
        validation_data=(X_val, y_val),
    )
    # The weights kept are the best epoch's: the ensemble's log-loss there.
    ensemble_loss = log_loss(y_val, clf.predict_proba(X_val))
    assert min(clf.history_["val_loss"]) == pytest.approx(ensemble_loss, rel=1e-5)
    # The loss of the mean is below the networks' mean loss (log-loss is
    # convex), so it is not what was watched.
    member_losses = [log_loss(y_val, p) for p in _member_outputs(clf, X_val)]
    assert ensemble_loss < np.mean(member_losses) - 1e-4


def _dealt_out_ensemble(k=3, backend="numpy"):
    """An ensemble with 30 validation rows dealt out among its networks."""
    X, y = _data(150)
    Y = np.eye(3)[y]
    spec = NetworkSpec(5, 3, "softmax", hidden_layer_sizes=(8,), n_ensemble=k)
    network = make_network(backend, spec, random_state=0)
    validation = (X[120:], Y[120:], None)
    validator = np.arange(30) % k
    network.hold_out(validation, validator)
    return network, (X[:120], Y[:120]), validation, validator


def test_dealt_out_rows_train_every_network_but_their_own(monkeypatch):
    network, (X, Y), (X_val, Y_val, _), validator = _dealt_out_ensemble()
    seen = {}
    for i, member in enumerate(network.members):
        monkeypatch.setattr(
            member,
            "train_epoch",
            lambda X, Y, *args, i=i: seen.update({i: X}) or (1.0, 0.5),
        )
    assert network.train_epoch(X, Y) == (1.0, 0.5)
    for i in range(3):
        expected = np.concatenate([X, X_val[validator != i]])
        np.testing.assert_array_equal(seen[i], expected)  # row copies: exact


def test_dealt_out_rows_are_validated_by_the_network_that_held_them_out(backend):
    network, _, (X_val, Y_val, _), validator = _dealt_out_ensemble(backend=backend)
    spec = network.spec
    own = [
        forward_proba(X_val, w, spec.member)
        for w in members(network.get_weights(), spec)
    ]
    expected = np.choose(validator[:, None], own)
    loss, accuracy, outputs = network.evaluate(X_val, Y_val)
    # Each network evaluates its share in its float32, as a single network.
    np.testing.assert_allclose(outputs, expected, rtol=1e-5, atol=1e-6)
    penalty = np.mean(
        [
            0.5 * spec.alpha * sum(float((w**2).sum()) for w in m.coefs_)
            for m in network.members
        ]
    )
    assert loss == pytest.approx(
        log_loss(Y_val.argmax(1), expected, labels=[0, 1, 2]) + penalty / 30, rel=1e-5
    )
    # (Keras reports each share's accuracy in float32.)
    assert accuracy == pytest.approx(np.mean(expected.argmax(1) == Y_val.argmax(1)))
    network.end_training()  # the rows are given back: the ensemble's mean again
    mean = network.evaluate(X_val, Y_val).outputs
    np.testing.assert_allclose(mean, np.mean(own, axis=0))


def test_dealt_out_regression_rows_are_scored_by_their_own_network():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(90, 4))
    Y = (X @ [1.0, -2.0, 0.5, 0.0] + np.sin(X[:, 0]))[:, None]
    spec = NetworkSpec(4, 1, "identity", hidden_layer_sizes=(8,), n_ensemble=2)
    network = make_network("numpy", spec, random_state=0)
    validator = np.arange(30) % 2
    network.hold_out((X[60:], Y[60:], None), validator)
    loss, accuracy, outputs = network.evaluate(X[60:], Y[60:])
    own = [
        forward_proba(X[60:], w, spec.member)
        for w in members(network.get_weights(), spec)
    ]
    expected = np.choose(validator[:, None], own)
    assert accuracy is None
    # Each network evaluates its rows in its float32, as a single network.
    np.testing.assert_allclose(outputs, expected, rtol=1e-5, atol=1e-6)
    penalty = np.mean(
        [
            0.5 * spec.alpha * sum(float((w**2).sum()) for w in m.coefs_)
            for m in network.members
        ]
    )
    squared = 0.5 * np.sum((expected - Y[60:]) ** 2)
    assert loss == pytest.approx((squared + penalty) / 30, rel=1e-5)


@pytest.mark.parametrize("stratify", [False, True])
@pytest.mark.parametrize("k", [2, 3])
def test_validation_rows_are_dealt_out_evenly(k, stratify):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 100)
    for Y in (np.eye(3)[y], (y == 0).astype(float)[:, None]):
        shares = deal_out(Y, k, seed=5, stratify=stratify)
        counts = np.bincount(shares, minlength=k)
        assert counts.max() - counts.min() <= 1
        if stratify:
            classes = Y[:, 0] if Y.shape[1] == 1 else Y.argmax(1)
            for c in np.unique(classes):
                per_class = np.bincount(shares[classes == c], minlength=k)
                assert per_class.max() - per_class.min() <= 1
        # Integer shares from a seeded permutation: the same on any CPU.
        np.testing.assert_array_equal(shares, deal_out(Y, k, seed=5, stratify=stratify))


def test_held_out_validation_scores_each_row_by_its_own_network():
    X, y = _data(300)
    clf = _ensemble(
        k=2,
        alpha=0.0,
        early_stopping=True,
        scoring="neg_log_loss",
        n_iter_no_change=np.inf,
        tol=0.0,
    )
    clf = fit_quietly(clf, X, y)
    # The scorer saw what the validation loss saw: each row's own network
    # (the loss in the networks' float32, the scorer's probabilities float64).
    np.testing.assert_allclose(
        clf.history_["val_neg_log_loss"], -np.array(clf.history_["val_loss"]), rtol=1e-6
    )
    assert clf.network_._held_out is None  # no training rows kept in the model


def test_regressor_ensemble_predicts_the_mean(backend):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 4))
    y = X @ [1.0, -2.0, 0.5, 0.0] + np.sin(X[:, 0])
    reg = DenseRegressor(
        hidden_layer_sizes=(16,),
        max_iter=20,
        n_ensemble=2,
        backend=backend,
        random_state=0,
    )
    reg = fit_quietly(reg, X, y, validation_data=(X[:50], y[:50]))
    outputs = _member_outputs(reg, X)
    np.testing.assert_allclose(reg.predict(X), np.mean(outputs, axis=0)[:, 0])
    assert len(reg.history_["val_r2"]) == reg.n_iter_


def test_coefs_stack_the_networks_and_can_be_assigned():
    X, y = _data()
    clf = fit_quietly(_ensemble(k=2, hidden_layer_sizes=(16, 8)), X, y)
    assert [w.shape for w in clf.coefs_] == [(2, 5, 16), (2, 16, 8), (2, 8, 3)]
    assert [b.shape for b in clf.intercepts_] == [(2, 16), (2, 8), (2, 3)]
    intercepts = [b.copy() for b in clf.intercepts_]
    intercepts[-1][1] = [0.0, 0.0, 50.0]  # the second network votes class 2
    before = clf.predict_proba(X)
    clf.intercepts_ = intercepts
    after = clf.predict_proba(X)
    assert np.all(after[:, 2] > before[:, 2])
    assert np.all(after[:, 2] >= 0.5 - 1e-12)
    with pytest.raises(ValueError, match="must keep the network's shapes"):
        clf.coefs_ = [w[0] for w in clf.coefs_]
    np.testing.assert_array_equal(clf.predict_proba(X), after)  # unchanged


def test_transform_gives_the_networks_features_side_by_side():
    X, y = _data()
    clf = fit_quietly(_ensemble(k=3, hidden_layer_sizes=(16, 8)), X, y)
    features = clf.transform(X)
    assert features.shape == (X.shape[0], 24)
    assert len(clf.get_feature_names_out()) == 24
    spec = clf.network_.spec
    for i, own in enumerate(members(clf.network_.get_weights(), spec)):
        np.testing.assert_allclose(
            features[:, 8 * i : 8 * (i + 1)], forward_hidden(X, own, spec.member, 1)
        )
    assert clf.transform(X, layer=0).shape == (X.shape[0], 48)


def test_partial_fit_trains_every_network_one_epoch():
    X, y = _data()
    clf = _ensemble(k=2)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    first = [w.copy() for w in clf.coefs_]
    clf.partial_fit(X, y)
    assert clf.n_iter_ == 2
    for before, after in zip(first, clf.coefs_, strict=True):
        assert not np.allclose(before[0], after[0])
        assert not np.allclose(before[1], after[1])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_tabular_preset_takes_an_ensemble_and_a_grid_tunes_it():
    X, y = _data()
    preset = DenseClassifier.from_preset(
        "tabular", max_iter=4, batch_size=32, random_state=0
    )
    search = GridSearchCV(preset, {"n_ensemble": [1, 2]}, cv=2).fit(X, y)
    k = search.best_params_["n_ensemble"]
    assert search.best_estimator_.coefs_[0].ndim == (2 if k == 1 else 3)
    assert len(search.cv_results_["mean_test_score"]) == 2


def test_a_full_batch_solver_is_refused_and_the_fitted_model_kept():
    X, y = _data()
    clf = fit_quietly(_ensemble(k=2), X, y)
    before = clf.predict_proba(X)
    clf.set_params(solver="lbfgs")
    with pytest.raises(ValueError, match="n_ensemble=2 .* minibatch solver"):
        clf.fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_onnx_computes_the_mean_of_the_networks(backend):
    pytest.importorskip("skl2onnx", reason="pip install 'skdense[onnx]'")
    onnxruntime = pytest.importorskip(
        "onnxruntime", reason="pip install 'skdense[onnx]'"
    )
    from skdense.onnx import to_onnx

    X, y = _data()
    X = X.astype(np.float32)
    clf = DenseClassifier.from_preset(
        "tabular",
        max_iter=3,
        batch_size=32,
        n_ensemble=3,
        backend=backend,
        random_state=0,
    )
    clf = fit_quietly(clf, X, y)
    session = onnxruntime.InferenceSession(to_onnx(clf, X[:1]).SerializeToString())
    labels, proba = session.run(None, {"X": X})
    # float32 in the graph, float64 in predict_proba.
    np.testing.assert_allclose(proba, clf.predict_proba(X), atol=1e-5)
    margin = np.sort(clf.predict_proba(X), axis=1)
    clear = margin[:, -1] - margin[:, -2] > 1e-4
    np.testing.assert_array_equal(labels[clear], clf.predict(X)[clear])
    reg = DenseRegressor(hidden_layer_sizes=(8,), n_ensemble=2, backend=backend)
    reg = fit_quietly(reg.set_params(max_iter=3, random_state=0), X, X[:, 0] - X[:, 1])
    session = onnxruntime.InferenceSession(to_onnx(reg, X[:1]).SerializeToString())
    (values,) = session.run(None, {"X": X})
    np.testing.assert_allclose(values[:, 0], reg.predict(X), rtol=1e-4, atol=1e-5)


def test_saved_ensemble_loads_and_predicts_the_same(backend, tmp_path):
    pytest.importorskip("skops.io", reason="pip install 'skdense[persist]'")
    import skdense

    X, y = _data()
    clf = fit_quietly(_ensemble(backend, k=2), X, y)
    path = tmp_path / "ensemble.skops"
    skdense.save(clf, path)
    loaded = skdense.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    fit_quietly(loaded.set_params(warm_start=True, max_iter=2), X, y)  # trains on


@pytest.mark.skipif(not HAS_KERAS, reason=NO_KERAS)
def test_keras_build_model_has_no_ensemble():
    from skdense.keras import build_model

    with pytest.raises(TypeError, match="n_ensemble"):
        build_model(n_features=4, n_classes=3, n_ensemble=2)
