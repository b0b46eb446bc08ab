"""DenseRegressor: MLPRegressor's interface and meaning, and skdense's extras."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import HAS_KERAS, NO_KERAS, fit_quietly
from sklearn.base import clone
from sklearn.datasets import load_diabetes, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skdense
from skdense import DenseRegressor

BACKENDS = [
    "numpy",
    pytest.param("keras", marks=pytest.mark.skipif(not HAS_KERAS, reason=NO_KERAS)),
]
# Full-batch L-BFGS in float64, a few iterations: deterministic, and exact
# enough to compare fits (over many iterations, rounding differences grow).
EXACT = dict(
    hidden_layer_sizes=(8,),
    solver="lbfgs",
    max_iter=15,
    dtype=np.float64,
    random_state=0,
)


@pytest.fixture(scope="module")
def data():
    X, y = make_regression(
        n_samples=160, n_features=6, n_informative=4, noise=5.0, random_state=0
    )
    return StandardScaler().fit_transform(X), y / y.std()


def test_mlpregressors_parameters_names_defaults_and_order():
    ours = DenseRegressor().get_params()
    for name, value in MLPRegressor().get_params().items():
        assert name in ours, name
        assert ours[name] == value, name
    # Positional order as MLPRegressor's: loss, hidden_layer_sizes, activation.
    reg = DenseRegressor("poisson", (7,), "tanh")
    assert (reg.loss, reg.hidden_layer_sizes, reg.activation) == (
        "poisson",
        (7,),
        "tanh",
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_fitted_attributes_as_mlpregressors(backend, data):
    X, y = data
    reg = fit_quietly(
        DenseRegressor(hidden_layer_sizes=(5, 4), max_iter=3, backend=backend), X, y
    )
    assert reg.n_features_in_ == 6
    assert (reg.n_layers_, reg.n_outputs_, reg.out_activation_) == (4, 1, "identity")
    assert [w.shape for w in reg.coefs_] == [(6, 5), (5, 4), (4, 1)]
    assert reg.n_iter_ == 3 and len(reg.loss_curve_) == 3
    assert reg.best_loss_ == min(reg.loss_curve_)
    assert reg.validation_scores_ is None and reg.best_validation_score_ is None
    assert reg.predict(X).shape == (160,)
    assert set(reg.history_) == {"loss", "learning_rate"}


def test_learns_as_well_as_mlpregressor_with_the_same_settings(data):
    X, y = data
    settings = dict(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=300, alpha=1e-3)
    ours = DenseRegressor(**settings, dtype=np.float64, random_state=0)
    theirs = MLPRegressor(**settings, random_state=0)
    scores = [
        cross_validate(_q, X, y, cv=3)["test_score"].mean() for _q in (ours, theirs)
    ]
    assert scores[0] > 0.9
    assert scores[0] >= scores[1] - 0.02


def test_squared_error_fit_of_a_linear_network_is_least_squares(data):
    """An identity network trained to convergence is the least-squares line."""
    X, y = data
    reg = DenseRegressor(
        hidden_layer_sizes=(3,),
        activation="identity",
        solver="lbfgs",
        alpha=0.0,
        tol=1e-12,
        max_iter=2000,
        dtype=np.float64,
        random_state=0,
    ).fit(X, y)
    design = np.c_[X, np.ones(len(X))]
    least_squares = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    np.testing.assert_allclose(reg.predict(X), least_squares, atol=1e-4)


def test_poisson_loss_fits_counts_with_positive_predictions():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    y = rng.poisson(np.exp(0.8 * X[:, 0] - 0.5 * X[:, 1]))
    # Whether L-BFGS converges within max_iter depends on SciPy's version: the
    # claim here is the fit, not its convergence.
    reg = fit_quietly(
        DenseRegressor(
            "poisson",
            hidden_layer_sizes=(8,),
            solver="lbfgs",
            dtype=np.float64,
            random_state=0,
        ),
        X,
        y,
    )
    assert reg.out_activation_ == "exp"
    predictions = reg.predict(X)
    assert np.all(predictions > 0)
    # Better than the best constant (the mean) in Poisson deviance.
    from sklearn.metrics import mean_poisson_deviance

    constant = np.full(len(y), y.mean())
    assert mean_poisson_deviance(y, predictions) < 0.7 * mean_poisson_deviance(
        y, constant
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_multioutput_targets(backend, data):
    X, y = data
    Y = np.c_[y, -2 * y + 1]
    reg = fit_quietly(
        DenseRegressor(
            hidden_layer_sizes=(16,),
            max_iter=150,
            learning_rate_init=0.01,
            random_state=0,
            backend=backend,
        ),
        X,
        Y,
    )
    assert reg.n_outputs_ == 2 and reg.predict(X).shape == (160, 2)
    assert reg.score(X, Y) > 0.8
    with pytest.raises(ValueError, match="y has 1 target"):
        reg.partial_fit(X, y)
    assert reg.predict(X).shape == (160, 2)  # still usable


def test_a_zero_weight_is_a_dropped_sample(data):
    X, y = data
    weights = np.ones(len(y))
    weights[::4] = 0.0
    weighted = fit_quietly(DenseRegressor(**EXACT), X, y, sample_weight=weights)
    dropped = fit_quietly(DenseRegressor(**EXACT), X[weights > 0], y[weights > 0])
    np.testing.assert_allclose(weighted.predict(X), dropped.predict(X), atol=1e-6)


def test_partial_fit_and_warm_start_continue_training(data):
    X, y = data
    reg = DenseRegressor(hidden_layer_sizes=(8,), random_state=0)
    for _ in range(3):
        reg.partial_fit(X, y)
    assert reg.n_iter_ == 3 and len(reg.loss_curve_) == 3
    warm = fit_quietly(
        DenseRegressor(
            hidden_layer_sizes=(8,), max_iter=2, warm_start=True, random_state=0
        ),
        X,
        y,
    )
    first = [w.copy() for w in warm.coefs_]
    fit_quietly(warm, X, y)
    assert len(warm.loss_curve_) == 4 and warm.n_iter_ == 2
    assert not np.array_equal(first[0], warm.coefs_[0])
    with pytest.raises(ValueError, match="partial_fit cannot change the loss"):
        reg.set_params(loss="poisson").partial_fit(X, np.abs(y))


def test_sparse_x_trains_as_dense(data):
    X, y = data
    X = X.copy()
    X[X < 0.3] = 0.0
    dense = fit_quietly(DenseRegressor(**EXACT), X, y)
    for container in (sp.csr_matrix, sp.csc_array):
        sparse = fit_quietly(DenseRegressor(**EXACT), container(X), y)
        np.testing.assert_allclose(
            sparse.predict(container(X)), dense.predict(X), atol=1e-10
        )


def test_memmapped_pixels_with_input_scale_train_as_scaled_floats(tmp_path):
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(300, 12), dtype=np.uint8)
    y = pixels[:, :3].mean(axis=1) / 255.0
    path = tmp_path / "pixels.npy"
    np.save(path, pixels)
    mapped = np.load(path, mmap_mode="r")
    settings = dict(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    from_disk = fit_quietly(DenseRegressor(**settings, input_scale=1 / 255), mapped, y)
    in_memory = fit_quietly(DenseRegressor(**settings), pixels / 255.0, y)
    np.testing.assert_allclose(
        from_disk.predict(mapped),
        in_memory.predict(pixels / 255.0),
        rtol=1e-5,
        atol=1e-6,
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_validation_data_and_early_stopping_watch_r2(backend, data):
    X, y = data
    X_val, y_val = X[:40], y[:40]
    reg = fit_quietly(
        DenseRegressor(
            hidden_layer_sizes=(16,), max_iter=4, random_state=0, backend=backend
        ),
        X[40:],
        y[40:],
        validation_data=(X_val, y_val),
    )
    assert set(reg.history_) == {"loss", "learning_rate", "val_loss", "val_r2"}
    assert reg.history_["val_r2"][-1] == pytest.approx(
        reg.score(X_val, y_val), abs=1e-5
    )

    stopped = fit_quietly(
        DenseRegressor(
            hidden_layer_sizes=(16,),
            max_iter=300,
            learning_rate_init=0.05,
            tol=1e-3,
            early_stopping=True,
            n_iter_no_change=3,
            random_state=0,
            backend=backend,
        ),
        X,
        y,
    )
    assert stopped.validation_scores_ == pytest.approx(stopped.history_["val_r2"])
    assert stopped.best_validation_score_ == max(stopped.validation_scores_)
    assert stopped.n_iter_ < 300
    by_loss = fit_quietly(clone(stopped).set_params(scoring="loss"), X, y)
    assert by_loss.validation_scores_ == pytest.approx(
        [-v for v in by_loss.history_["val_loss"]]
    )


@pytest.mark.parametrize(
    "y, message",
    [
        (np.array(["a", "b"] * 80), "numeric"),
        (np.r_[np.nan, np.ones(159)], "NaN"),
        (np.r_[np.inf, np.ones(159)], "infinity"),
        (np.r_[1e39, np.ones(159)], "too large for float32"),
    ],
    ids=["strings", "nan", "inf", "beyond-float32"],
)
def test_bad_targets_raise_a_clear_error_and_change_nothing(y, message, data):
    X, y_good = data
    reg = DenseRegressor(hidden_layer_sizes=(4,), solver="lbfgs", random_state=0).fit(
        X, y_good
    )
    before = reg.predict(X)
    with pytest.raises(ValueError, match=message):
        reg.fit(X, y)
    np.testing.assert_array_equal(reg.predict(X), before)


def test_poisson_refuses_negative_targets(data):
    X, y = data
    with pytest.raises(ValueError, match="loss='poisson' needs non-negative y"):
        DenseRegressor("poisson").fit(X, y)


@pytest.mark.parametrize("backend", BACKENDS)
def test_save_load_pickle_and_pipeline(backend, data, tmp_path):
    pytest.importorskip("skops")
    X, y = data
    model = make_pipeline(
        StandardScaler(),
        DenseRegressor(
            hidden_layer_sizes=(8,), max_iter=3, random_state=0, backend=backend
        ),
    )
    fit_quietly(model, X, y)
    path = tmp_path / "model.skops"
    skdense.save(model, path)
    for loaded in (skdense.load(path), pickle.loads(pickle.dumps(model))):
        np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
        loaded[-1].partial_fit(loaded[0].transform(X), y)  # keeps training
        assert loaded[-1].n_iter_ == 4


def test_grid_search_over_the_loss_and_layers():
    X, y = load_diabetes(return_X_y=True)
    search = GridSearchCV(
        make_pipeline(
            StandardScaler(),
            DenseRegressor(solver="lbfgs", max_iter=100, random_state=0),
        ),
        {
            "denseregressor__hidden_layer_sizes": [(4,), (8,)],
            "denseregressor__alpha": [1.0, 10.0],
        },
        cv=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y / 100)
    assert search.best_score_ > 0.3
    assert r2_score(y / 100, search.predict(X)) > 0.3
