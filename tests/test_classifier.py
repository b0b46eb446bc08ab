"""DenseClassifier's behaviour as a scikit-learn estimator."""

import io
import pickle
import warnings

import numpy as np
import pytest
from conftest import fit_quietly
from sklearn.base import clone, is_classifier
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdense import DenseClassifier
from skdense.backends import MinibatchNetwork, MultiClassNetwork

FAST = dict(
    hidden_layer_sizes=(16,),
    max_iter=30,
    batch_size=16,
    learning_rate_init=0.01,
    random_state=0,
)

# These tests train a few epochs (FAST) on purpose: the estimator's
# "maximum iterations reached" warning is expected here.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Stochastic optimizer:sklearn.exceptions.ConvergenceWarning"
)


def test_is_a_classifier_whose_clone_keeps_every_parameter():
    clf = DenseClassifier(
        hidden_layer_sizes=(7, 3),
        activation="tanh",
        solver="rmsprop",
        alpha=0.3,
        batch_size=17,
        learning_rate="adaptive",
        learning_rate_init=0.02,
        power_t=0.3,
        max_iter=11,
        shuffle=False,
        random_state=5,
        tol=0.01,
        verbose=1,
        warm_start=True,
        momentum=0.5,
        nesterovs_momentum=False,
        early_stopping=True,
        validation_fraction=0.2,
        beta_1=0.8,
        beta_2=0.9,
        epsilon=1e-6,
        n_iter_no_change=4,
        max_fun=99,
        l1=0.01,
        dropout=0.2,
        weight_init="normal",
        rho=0.8,
        class_weight="balanced",
        dtype=np.float64,
        backend="numpy",
    )
    assert is_classifier(clf)
    assert clone(clf).get_params() == clf.get_params()


def test_accepts_every_mlpclassifier_parameter_with_its_default():
    ours = DenseClassifier().get_params()
    for name, value in MLPClassifier().get_params().items():
        assert name in ours, name
        assert ours[name] == value, name


def test_an_mlpclassifier_grid_runs_unchanged(blobs):
    X, y = blobs
    grid = {
        "hidden_layer_sizes": [(8,), (8, 4)],
        "alpha": [1e-4, 1e-2],
        "learning_rate_init": [0.01],
        "activation": ["relu", "logistic"],
    }
    search = GridSearchCV(DenseClassifier(max_iter=20, random_state=0), grid, cv=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    assert search.best_score_ > 0.9
    assert set(search.best_params_) == set(grid)


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["cat", "dog"]),
        np.array([-1, 1]),
        np.array([3, 10, 42]),
        np.array(["b", "a", "c", "d"]),
    ],
    ids=["strings", "minus-plus-one", "sparse-ints", "unsorted-strings"],
)
def test_any_labels_round_trip(labels):
    X, y_index = make_classification(
        n_samples=200,
        n_features=6,
        n_informative=4,
        n_classes=len(labels),
        n_clusters_per_class=1,
        random_state=0,
    )
    y = labels[y_index]
    clf = fit_quietly(
        DenseClassifier(solver="lbfgs", hidden_layer_sizes=(16,), random_state=0), X, y
    )
    np.testing.assert_array_equal(clf.classes_, np.unique(labels))
    assert set(clf.predict(X)) <= set(labels)
    assert clf.score(X, y) > 0.8
    proba = clf.predict_proba(X)
    assert proba.shape == (200, len(labels))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # Columns follow classes_: the most probable column is the predicted label.
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))
    with np.errstate(divide="ignore"):  # a saturated probability is exactly 0
        np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba))


def test_binary_uses_the_binary_engine_and_multiclass_the_softmax_one(blobs):
    X, y = blobs
    binary = DenseClassifier(**FAST).fit(X[y < 2], y[y < 2])
    multi = DenseClassifier(**FAST).fit(X, y)
    assert type(binary.network_) is MinibatchNetwork
    assert binary.network_.coefs_[-1].shape == (16, 1)
    assert type(multi.network_) is MultiClassNetwork
    assert multi.network_.coefs_[-1].shape == (16, 3)


def test_history_and_fitted_attributes(blobs):
    X, y = blobs
    clf = DenseClassifier(**FAST).fit(X, y)
    assert set(clf.history_) == {"loss", "learning_rate", "accuracy"}
    assert clf.n_iter_ == len(clf.history_["loss"]) == 30
    assert clf.loss_curve_ == clf.history_["loss"]
    assert clf.loss_ == clf.history_["loss"][-1]
    assert clf.history_["loss"][-1] < clf.history_["loss"][0]
    assert clf.n_features_in_ == 2
    assert [w.shape for w in clf.coefs_] == [(2, 16), (16, 3)]
    assert [b.shape for b in clf.intercepts_] == [(16,), (3,)]


def test_feature_names_are_kept_from_a_dataframe(blobs):
    pd = pytest.importorskip("pandas")
    X, y = blobs
    frame = pd.DataFrame(X, columns=["width", "height"])
    clf = DenseClassifier(**FAST).fit(frame, y)
    np.testing.assert_array_equal(clf.feature_names_in_, ["width", "height"])
    with pytest.warns(UserWarning, match="feature names"):
        clf.predict(X)


def test_validation_data_gives_validation_curves(blobs):
    X, y = blobs
    clf = DenseClassifier(**FAST).fit(
        X[::2], y[::2], validation_data=(X[1::2], y[1::2])
    )
    assert set(clf.history_) == {
        "loss",
        "learning_rate",
        "accuracy",
        "val_loss",
        "val_accuracy",
    }
    assert len(clf.history_["val_loss"]) == 30
    assert clf.history_["val_accuracy"][-1] == pytest.approx(
        clf.score(X[1::2], y[1::2])
    )


def _fit_with_early_stopping(blobs, **params):
    """Fit on noisy labels (overfitting comes soon) with early stopping."""
    X, y = blobs
    rng = np.random.default_rng(0)
    y_noisy = np.where(rng.random(len(y)) < 0.3, rng.integers(0, 3, len(y)), y)
    params = {"max_iter": 300, "n_iter_no_change": 5, **params}
    clf = DenseClassifier(
        hidden_layer_sizes=(64,),
        learning_rate_init=0.05,
        early_stopping=True,
        random_state=0,
        **params,
    ).fit(X[::2], y_noisy[::2], validation_data=(X[1::2], y_noisy[1::2]))
    return clf, X, y_noisy


def test_early_stopping_restores_the_best_weights_and_stops(blobs):
    clf, X, y_noisy = _fit_with_early_stopping(blobs, tol=0.0, scoring="loss")
    val_loss = clf.history_["val_loss"]
    best = int(np.argmin(val_loss))
    assert clf.n_iter_ < 300
    assert len(val_loss) == best + 1 + 5  # stopped n_iter_no_change after the best
    Y_val = np.eye(3)[y_noisy[1::2]]
    restored_loss, _, _ = clf.network_.evaluate(X[1::2], Y_val.astype(np.float32))
    assert restored_loss == pytest.approx(val_loss[best], rel=1e-5)
    assert clf.validation_scores_ == [-v for v in val_loss]
    assert clf.best_validation_score_ == -val_loss[best]
    assert clf.best_loss_ is None


# The fixed budget ends at max_iter, which MLPClassifier warns of too.
@pytest.mark.filterwarnings(
    "ignore:Stochastic optimizer:sklearn.exceptions.ConvergenceWarning"
)
def test_best_epoch_selection_trains_the_whole_budget_and_keeps_the_best(blobs):
    """early_stopping with n_iter_no_change=np.inf: a fixed budget of epochs,
    then the weights of the best validation epoch (RealMLP's selection)."""
    clf, X, y_noisy = _fit_with_early_stopping(
        blobs, tol=0.0, scoring="loss", n_iter_no_change=np.inf, max_iter=40
    )
    val_loss = clf.history_["val_loss"]
    assert len(val_loss) == 40
    best = int(np.argmin(val_loss))
    assert best < 39  # the noisy labels overfit: the last epoch is not the best
    Y_val = np.eye(3)[y_noisy[1::2]].astype(np.float32)
    restored_loss, _, _ = clf.network_.evaluate(X[1::2], Y_val)
    assert restored_loss == pytest.approx(val_loss[best], rel=1e-5)


def test_early_stopping_watches_the_validation_score_by_default(blobs):
    """MLPClassifier's rule: validation accuracy, best weights restored."""
    clf, X, y_noisy = _fit_with_early_stopping(blobs)
    scores = clf.validation_scores_
    assert scores == clf.history_["val_accuracy"]
    assert len(scores) == clf.n_iter_ < 300
    best = int(np.argmax(scores))
    # Stopped once n_iter_no_change epochs in a row failed to beat best + tol.
    assert all(s < scores[best] + clf.tol for s in scores[best + 1 :])
    assert len(scores) == best + 1 + 5
    assert clf.best_validation_score_ == scores[best]
    assert clf.score(X[1::2], y_noisy[1::2]) == pytest.approx(scores[best])
    assert clf.best_loss_ is None


def test_without_early_stopping_best_loss_is_kept(blobs):
    X, y = blobs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = DenseClassifier(**FAST).fit(X, y, validation_data=(X, y))
    assert clf.best_loss_ == min(clf.loss_curve_)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None


def test_early_stopping_holds_out_validation_fraction(blobs):
    X, y = blobs
    clf = DenseClassifier(**FAST, early_stopping=True, validation_fraction=0.25).fit(
        X, y
    )
    assert "val_loss" in clf.history_


def test_training_stops_when_the_loss_plateaus(blobs):
    X, y = blobs
    clf = DenseClassifier(
        hidden_layer_sizes=(8,),
        tol=1.0,
        n_iter_no_change=3,
        max_iter=100,
        random_state=0,
    ).fit(X, y)
    assert clf.n_iter_ == 1 + 3  # the first epoch sets the best loss


def test_max_iter_without_convergence_warns(blobs):
    X, y = blobs
    with pytest.warns(ConvergenceWarning, match="maximum iterations"):
        DenseClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y)


def test_random_state_makes_fits_repeatable(blobs):
    X, y = blobs
    a = DenseClassifier(**FAST, dropout=0.2).fit(X, y).predict_proba(X)
    b = DenseClassifier(**FAST, dropout=0.2).fit(X, y).predict_proba(X)
    c = (
        DenseClassifier(**{**FAST, "random_state": 1}, dropout=0.2)
        .fit(X, y)
        .predict_proba(X)
    )
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


@pytest.mark.parametrize("solver", ["sgd", "adam", "rmsprop", "lbfgs"])
@pytest.mark.parametrize(
    "activation", ["identity", "logistic", "sigmoid", "tanh", "relu"]
)
def test_every_solver_and_activation_learns(solver, activation):
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    lr = 0.05 if solver == "sgd" else 0.01
    clf = DenseClassifier(
        hidden_layer_sizes=(16,),
        activation=activation,
        solver=solver,
        learning_rate_init=lr,
        max_iter=200,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.score(X, y) > 0.85


@pytest.mark.parametrize("weight_init", ["glorot", "he", "normal"])
def test_weight_init(weight_init):
    X = np.zeros((4, 784))
    clf = DenseClassifier(
        hidden_layer_sizes=(300,),
        weight_init=weight_init,
        max_iter=1,
        learning_rate_init=1e-12,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, [0, 1, 2, 0])
    std = float(np.std(clf.coefs_[0]))
    expected = {
        "glorot": np.sqrt(6 / 1084) / np.sqrt(3),
        "he": np.sqrt(2 / 784),
        "normal": 1.0,
    }[weight_init]
    assert std == pytest.approx(expected, rel=0.05)


def test_l2_and_l1_shrink_the_weights(blobs):
    X, y = blobs
    norms = {}
    for name, params in {
        "none": dict(alpha=0.0),
        "l2": dict(alpha=5.0),
        "l1": dict(alpha=0.0, l1=1.0),
    }.items():
        clf = DenseClassifier(
            hidden_layer_sizes=(16,),
            solver="sgd",
            max_iter=100,
            batch_size=16,
            learning_rate_init=0.05,
            random_state=0,
            **params,
        ).fit(X, y)
        norms[name] = sum(float(np.abs(w).sum()) for w in clf.coefs_)
    assert norms["l2"] < 0.7 * norms["none"]
    assert norms["l1"] < 0.7 * norms["none"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_sets_the_compute_dtype(blobs, dtype):
    X, y = blobs
    clf = DenseClassifier(**FAST, dtype=dtype).fit(X, y)
    assert all(w.dtype == dtype for w in clf.coefs_)
    assert clf.predict_proba(X).dtype == np.float64


def test_partial_fit_trains_one_epoch_per_call(blobs):
    X, y = blobs
    clf = DenseClassifier(
        hidden_layer_sizes=(16,), learning_rate_init=0.01, random_state=0
    )
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:30], y[:30], classes=[0, 1, 2])
    for _ in range(30):
        clf.partial_fit(X, y)
    assert clf.n_iter_ == 31
    assert len(clf.history_["loss"]) == 31
    assert clf.score(X, y) > 0.9
    with pytest.raises(ValueError, match="not among the classes"):
        clf.partial_fit(X[:5], [0, 1, 2, 3, 0])


def test_partial_fit_is_unavailable_with_lbfgs():
    assert not hasattr(DenseClassifier(solver="lbfgs"), "partial_fit")


def test_warm_start_continues_from_the_previous_weights(blobs):
    X, y = blobs
    clf = DenseClassifier(**{**FAST, "max_iter": 5}, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
        first = clf.history_["loss"][-1]
        clf.fit(X, y)
    assert clf.n_iter_ == 5  # the epochs of the last fit, as MLPClassifier
    assert len(clf.history_["loss"]) == 10
    assert clf.history_["loss"][5] < first * 1.05  # did not restart from scratch
    cold = clone(clf).set_params(warm_start=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cold.fit(X, y)
    assert cold.n_iter_ == 5


def test_warm_start_with_a_new_shape_is_an_error(blobs):
    X, y = blobs
    clf = DenseClassifier(**FAST, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="hidden_layer_sizes changed"):
        clf.set_params(hidden_layer_sizes=(5,)).fit(X, y)
    assert clf.coefs_[0].shape == (2, 16)


def test_class_weight_moves_the_decision(blobs):
    X, y = blobs
    plain = DenseClassifier(**FAST).fit(X, y)
    weighted = DenseClassifier(**FAST, class_weight={0: 20.0, 1: 1.0, 2: 1.0}).fit(X, y)
    assert (weighted.predict(X) == 0).sum() > (plain.predict(X) == 0).sum()
    balanced = DenseClassifier(**FAST, class_weight="balanced").fit(X, y)
    assert balanced.score(X, y) > 0.9


def test_sample_weight_zero_is_like_dropping_the_sample_with_lbfgs(blobs):
    X, y = blobs
    sw = np.ones(len(y))
    sw[::3] = 0
    params = dict(
        solver="lbfgs", hidden_layer_sizes=(8,), dtype=np.float64, random_state=0
    )
    weighted = DenseClassifier(**params).fit(X, y, sample_weight=sw)
    dropped = DenseClassifier(**params).fit(X[sw > 0], y[sw > 0])
    np.testing.assert_allclose(
        weighted.predict_proba(X), dropped.predict_proba(X), atol=1e-6
    )


def test_divergence_warns_naming_the_learning_rate_and_keeps_finite_weights(blobs):
    X, y = blobs
    X = X * 1e4
    clf = DenseClassifier(
        hidden_layer_sizes=(16,),
        activation="identity",
        solver="sgd",
        momentum=0.0,
        learning_rate_init=1e3,
        max_iter=50,
        random_state=0,
    )
    with pytest.warns(RuntimeWarning, match="learning_rate_init"):
        clf.fit(X, y)
    assert clf.n_iter_ < 50
    assert all(np.isfinite(w).all() for w in clf.coefs_)
    assert np.isfinite(clf.predict_proba(X)).all()


def test_learning_rate_schedules(blobs):
    X, y = blobs
    inv = DenseClassifier(
        **{**FAST, "learning_rate_init": 0.1},
        solver="sgd",
        learning_rate="invscaling",
        power_t=0.5,
        n_iter_no_change=np.inf,
    ).fit(X, y)
    seen = 30 * len(X)
    assert inv.network_.learning_rate == pytest.approx(0.1 / (seen + 1) ** 0.5)
    adaptive = DenseClassifier(
        hidden_layer_sizes=(16,),
        solver="sgd",
        learning_rate="adaptive",
        learning_rate_init=0.1,
        tol=10.0,
        n_iter_no_change=2,
        max_iter=7,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        adaptive.fit(X, y)
    # Every 2 epochs without improvement the rate is divided by 5.
    assert adaptive.network_.learning_rate == pytest.approx(0.1 / 5**3)


def test_verbose_shows_each_epochs_figures(blobs, capsys, monkeypatch):
    X, y = blobs
    DenseClassifier(**{**FAST, "max_iter": 3}, verbose=0).fit(X, y)
    assert capsys.readouterr() == ("", "")
    monkeypatch.setitem(__import__("sys").modules, "tqdm.auto", None)  # no tqdm
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        DenseClassifier(**{**FAST, "max_iter": 3}, verbose=1).fit(
            X, y, validation_data=(X, y)
        )
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3
    assert out[0].startswith("Epoch 1/3")
    for key in ("loss:", "accuracy:", "val_loss:", "val_accuracy:"):
        assert key in out[-1]


def test_verbose_uses_a_tqdm_bar_when_installed(blobs, capsys):
    pytest.importorskip("tqdm")
    X, y = blobs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        DenseClassifier(**{**FAST, "max_iter": 3}, verbose=True).fit(X, y)
    err = capsys.readouterr().err
    assert "3/3" in err and "loss:" in err


def test_pickle_round_trip_predicts_the_same(blobs):
    X, y = blobs
    clf = DenseClassifier(**FAST).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    restored.partial_fit(X, y)  # and keeps training
    assert restored.n_iter_ == clf.n_iter_ + 1
    buffer = io.BytesIO()
    pickle.dump(DenseClassifier(), buffer)
    assert (
        pickle.loads(buffer.getvalue()).get_params() == DenseClassifier().get_params()
    )


def test_pipeline_cross_validate_and_grid_search():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(
        StandardScaler(), DenseClassifier(solver="lbfgs", random_state=0)
    )
    scores = cross_validate(pipe, X, y, cv=3)
    assert scores["test_score"].mean() > 0.9
    search = GridSearchCV(
        pipe, {"denseclassifier__hidden_layer_sizes": [(4,), (32,)]}, cv=3
    )
    search.fit(X, y)
    assert search.best_estimator_.score(X, y) > 0.9


def test_label_smoothing_tempers_confidence_but_not_the_labels(backend, blobs):
    """Smoothed targets keep the predicted classes of well-separated data but
    bring the confidence to about 1 - smoothing * (1 - 1 / n_classes)."""
    X, y = blobs
    params = dict(FAST, backend=backend, max_iter=60, learning_rate_init=0.05)
    hard = fit_quietly(DenseClassifier(**params), X, y)
    smooth = fit_quietly(DenseClassifier(**params, label_smoothing=0.3), X, y)
    assert smooth.score(X, y) >= hard.score(X, y) - 0.02
    # The smoothed target of the true class is 0.7 + 0.3 / 3 = 0.8.
    assert hard.predict_proba(X).max(axis=1).mean() > 0.9
    assert smooth.predict_proba(X).max(axis=1).mean() == pytest.approx(0.8, abs=0.05)
