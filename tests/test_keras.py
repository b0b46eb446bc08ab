"""The Keras backend: same parameters, same objective, same behaviour."""

import copy
import pickle
import warnings

import joblib
import numpy as np
import pytest
from conftest import HAS_KERAS, NO_KERAS, fit_quietly, loss_targets
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_validate

from skdense import DenseClassifier
from skdense.backends import NUMERIC_EMBEDDINGS, NetworkSpec, make_network
from skdense.backends._ops import HIDDEN_ACTIVATIONS, LOSSES
from skdense.backends._optimizers import KERAS_SOLVERS, SOLVERS

pytestmark = pytest.mark.skipif(not HAS_KERAS, reason=NO_KERAS)

KERAS = dict(
    backend="keras",
    hidden_layer_sizes=(16,),
    batch_size=16,
    learning_rate_init=0.01,
    random_state=0,
)


@pytest.mark.parametrize(
    "solver, params",
    [
        ("sgd", dict(momentum=0.0)),
        ("sgd", dict(momentum=0.9, nesterovs_momentum=False)),
        ("sgd", dict(momentum=0.9, nesterovs_momentum=True)),
        ("adam", dict(beta_1=0.8, beta_2=0.99)),
        ("rmsprop", dict(rho=0.8)),
    ],
)
@pytest.mark.parametrize("n_classes", [2, 3, "multilabel", "squared_error", "poisson"])
def test_both_engines_take_the_same_steps(solver, params, n_classes):
    """Same start, same batches: one epoch ends on the same weights."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 5)).astype(np.float32)
    output = "softmax" if n_classes == 3 else "logistic"
    if n_classes == "multilabel":
        Y = (rng.random((64, 3)) > 0.5).astype(np.float32)
    elif n_classes == "squared_error":  # two targets
        Y = rng.normal(size=(64, 2)).astype(np.float32)
        output = "identity"
    elif n_classes == "poisson":  # two count targets
        Y = rng.poisson(2.0, (64, 2)).astype(np.float32)
        output = "exp"
    else:
        Y = (np.eye(n_classes)[rng.integers(0, n_classes, 64)]).astype(np.float32)
    if n_classes == 2:
        Y = Y[:, 1:]
    sw = rng.random(64) + 0.5
    spec = NetworkSpec(
        5,
        Y.shape[1],
        output,
        hidden_layer_sizes=(6, 4),
        activation="tanh",
        weight_init="glorot",
        alpha=0.05,
        l1=0.01,
        solver=solver,
        learning_rate_init=0.05,
        epsilon=1e-7,
        **params,
    )
    numpy_net = make_network("numpy", spec, random_state=0)
    keras_net = make_network("keras", spec, random_state=0)
    keras_net.set_weights(numpy_net.get_weights())

    numpy_loss, _ = numpy_net.train_epoch(X, Y, sw, batch_size=16, shuffle=False)
    keras_loss, _ = keras_net.train_epoch(X, Y, sw, batch_size=16, shuffle=False)

    for a, b in zip(numpy_net.get_weights(), keras_net.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-5)
    # The reported epoch loss agrees less closely: NumPy adds the penalty of the
    # end-of-epoch weights, Keras that of each batch's weights.
    assert keras_loss == pytest.approx(numpy_loss, rel=1e-2)
    keras_figures = keras_net.evaluate(X, Y, sw)
    numpy_figures = numpy_net.evaluate(X, Y, sw)
    for ours, theirs in zip(keras_figures, numpy_figures, strict=True):
        if theirs is None:  # no accuracy (regression), or no outputs needed
            assert ours is None
        else:
            np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)


def test_fit_predict_history_and_labels(iris):
    X, y = iris
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = fit_quietly(
        DenseClassifier(**KERAS, max_iter=20),
        X,
        labels,
        validation_data=(X[::3], labels[::3]),
    )
    assert clf.score(X, labels) > 0.9
    assert set(clf.history_) == {
        "loss",
        "learning_rate",
        "accuracy",
        "val_loss",
        "val_accuracy",
    }
    assert clf.n_iter_ == 20
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))
    assert [w.shape for w in clf.coefs_] == [(4, 16), (16, 3)]


def test_binary_problem_uses_one_sigmoid_unit(iris):
    X, y = iris
    clf = fit_quietly(DenseClassifier(**KERAS, max_iter=10), X[y > 0], y[y > 0] * 2 - 3)
    assert clf.network_.model.output_shape == (None, 1)
    np.testing.assert_array_equal(clf.classes_, [-1, 1])
    assert clf.predict_proba(X).shape == (150, 2)


def test_random_state_repeats_and_leaves_global_state_alone(iris):
    X, y = iris
    np.random.seed(123)  # noqa: NPY002 (the global state is what is checked)
    expected_next = np.random.random()  # noqa: NPY002
    np.random.seed(123)  # noqa: NPY002 (the global state is what is checked)
    a = fit_quietly(DenseClassifier(**KERAS, max_iter=5, dropout=0.2), X, y)
    assert np.random.random() == expected_next  # noqa: NPY002 (untouched)
    b = fit_quietly(DenseClassifier(**KERAS, max_iter=5, dropout=0.2), X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_sample_weight_class_weight_partial_fit_warm_start(iris):
    X, y = iris
    weighted = fit_quietly(
        DenseClassifier(**KERAS, max_iter=15, class_weight={0: 1.0, 1: 30.0, 2: 1.0}),
        X,
        y,
    )
    plain = fit_quietly(DenseClassifier(**KERAS, max_iter=15), X, y)
    assert (weighted.predict(X) == 1).sum() > (plain.predict(X) == 1).sum()

    clf = DenseClassifier(**KERAS)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    clf.partial_fit(X, y, sample_weight=np.ones(150))
    assert clf.n_iter_ == 2

    warm = DenseClassifier(**KERAS, max_iter=3, warm_start=True)
    fit_quietly(warm, X, y)
    fit_quietly(warm, X, y)
    assert warm.n_iter_ == 3 and len(warm.history_["loss"]) == 6  # n_iter_: last fit


def test_early_stopping_restores_the_best_weights(iris):
    X, y = iris
    params = {**KERAS, "learning_rate_init": 0.05, "hidden_layer_sizes": (64,)}
    clf = DenseClassifier(
        **params, max_iter=200, tol=0.0, n_iter_no_change=4, early_stopping=True
    )
    clf.fit(X[::2], y[::2], validation_data=(X[1::2], y[1::2]))
    val_loss = clf.history_["val_loss"]
    assert len(val_loss) == int(np.argmin(val_loss)) + 1 + 4
    Y_val = np.eye(3, dtype=np.float32)[y[1::2]]
    restored, _, _ = clf.network_.evaluate(X[1::2].astype(np.float32), Y_val)
    assert restored == pytest.approx(min(val_loss), rel=1e-4)


def test_lbfgs_is_refused_with_a_clear_error(iris):
    with pytest.raises(
        ValueError, match="solver='lbfgs' is not available with backend='keras'"
    ):
        DenseClassifier(backend="keras", solver="lbfgs").fit(*iris)


def test_pickle_joblib_deepcopy_and_clone(iris, tmp_path):
    X, y = iris
    for unfitted in (DenseClassifier(**KERAS), clone(DenseClassifier(**KERAS))):
        assert (
            pickle.loads(pickle.dumps(unfitted)).get_params() == unfitted.get_params()
        )
    clf = fit_quietly(DenseClassifier(**KERAS, max_iter=5), X, y)
    expected = clf.predict_proba(X)
    joblib.dump(clf, tmp_path / "model.joblib")
    copies = [
        pickle.loads(pickle.dumps(clf)),
        copy.deepcopy(clf),
        joblib.load(tmp_path / "model.joblib"),
    ]
    for restored in copies:
        np.testing.assert_array_equal(restored.predict_proba(X), expected)
    resumed = copies[0].partial_fit(X, y)  # optimizer state travelled too
    assert resumed.n_iter_ == 6
    assert clone(clf).get_params() == clf.get_params()


@pytest.mark.parametrize(
    "factors", [dict(bias_lr_factor=0.1), dict(embedding_lr_factor=5.0)]
)
def test_a_pickled_engine_trains_on_at_its_learning_rate_factors(factors):
    # A loaded model's variable paths lack the model's name: the factors
    # (saved by path) must still find their variables, else the next epoch
    # trains at factor 1.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 4)).astype(np.float32)
    Y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 64)]
    spec = NetworkSpec(
        4, 3, "softmax", hidden_layer_sizes=(8,), numeric_embedding="pbld", **factors
    )
    net = make_network("keras", spec, random_state=0)
    net.train_epoch(X, Y, batch_size=16, shuffle=False)
    resumed = pickle.loads(pickle.dumps(net))
    plain = make_network(
        "keras", spec.replace(bias_lr_factor=1.0, embedding_lr_factor=1.0)
    )
    plain.set_weights(net.get_weights())
    for network in (net, resumed, plain):
        network.train_epoch(X, Y, batch_size=16, shuffle=False)
    for a, b in zip(net.get_weights(), resumed.get_weights(), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-7)
    # The factors matter: at factor 1 (whatever its Adam state) it differs.
    assert not all(
        np.allclose(a, b, rtol=1e-4)
        for a, b in zip(net.get_weights(), plain.get_weights(), strict=True)
    )


def test_cross_validate_and_grid_search_in_parallel(iris):
    X, y = iris
    with warnings.catch_warnings():  # joblib hands the filter to its workers
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_validate(
            DenseClassifier(**KERAS, max_iter=10), X, y, cv=3, n_jobs=2
        )
    assert scores["test_score"].mean() > 0.8
    search = GridSearchCV(
        DenseClassifier(**KERAS, max_iter=10),
        {"backend": ["numpy", "keras"], "hidden_layer_sizes": [(4,), (16,)]},
        cv=2,
        n_jobs=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_score_ > 0.8


_MEMORY_SCRIPT = """
import warnings
warnings.simplefilter("ignore")
from sklearn.datasets import load_iris
from skdense import DenseClassifier
X, y = load_iris(return_X_y=True)
for i in range(20):
    DenseClassifier(backend="keras", hidden_layer_sizes=(16,), batch_size=16,
                    max_iter=3, random_state=i).fit(X, y)
    with open("/proc/self/statm") as f:
        print(int(f.read().split()[1]) * 4096 / 2**20)
"""


@pytest.mark.slow  # twenty fits in a fresh TensorFlow process
@pytest.mark.skipif(
    not __import__("os").path.exists("/proc/self/statm"),
    reason="needs Linux's /proc to read resident memory",
)
def test_successive_fits_keep_memory_flat():
    """Twenty fits in a fresh process, as GridSearchCV(n_jobs=1) makes them."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rss = [float(line) for line in out.split()]
    assert max(rss[4:]) <= 1.10 * rss[4], rss
    assert rss[-1] - rss[4] < 30, rss  # MB; a new traced model costs ~5 MB each


def test_a_reused_model_trains_exactly_like_a_new_one(iris):
    import gc
    import weakref

    X, y = iris
    params = dict(**KERAS, max_iter=4, dropout=0.2, alpha=0.01)
    first = fit_quietly(DenseClassifier(**params), X, y)
    expected = first.predict_proba(X)
    model = weakref.ref(first.network_.model)
    del first
    gc.collect()
    second = fit_quietly(DenseClassifier(**params), X, y)
    assert second.network_.model is model()  # the idle model was taken up again
    np.testing.assert_array_equal(second.predict_proba(X), expected)
    other = fit_quietly(DenseClassifier(**{**params, "hidden_layer_sizes": (7,)}), X, y)
    assert other.network_.model is not model()  # another structure, another model


def test_verbose_reports_each_epoch(iris, capsys, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "tqdm.auto", None)
    fit_quietly(DenseClassifier(**KERAS, max_iter=2, verbose=1), *iris)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" - ")[0] for line in lines] == ["Epoch 1/2", "Epoch 2/2"]


def test_build_model_for_plain_keras_and_scikeras(iris):
    from skdense.keras import build_model

    X, y = iris
    model = build_model(
        n_features=4,
        n_classes=3,
        hidden_layer_sizes=(16,),
        solver="rmsprop",
        learning_rate_init=0.01,
        random_state=0,
    )
    model.fit(X, y, epochs=20, batch_size=32, verbose=0)
    assert model.evaluate(X, y, verbose=0)[1] > 0.85
    with pytest.raises(ValueError, match="activation='swish'"):
        build_model(n_features=4, n_classes=3, activation="swish")
    with pytest.raises(ValueError, match="weight_init='data' starts from the"):
        build_model(n_features=4, n_classes=3, weight_init="data")


def test_scikeras_accepts_build_model(iris):
    scikeras = pytest.importorskip("scikeras.wrappers")
    from skdense.keras import build_model

    X, y = iris
    clf = scikeras.KerasClassifier(
        model=build_model,
        hidden_layer_sizes=(16,),
        learning_rate_init=0.01,
        epochs=30,
        batch_size=16,
        random_state=0,
        verbose=0,
    )
    clf.fit(X, y)
    assert clf.score(X, y) > 0.85
    assert clf.model_.layers[0].units == 16


@pytest.mark.parametrize("activation", ["logistic", "relu"])
@pytest.mark.parametrize("weight_init", ["glorot", "he", "normal"])
def test_both_engines_draw_weights_from_the_same_distribution(activation, weight_init):
    spec = NetworkSpec(
        300,
        10,
        "softmax",
        hidden_layer_sizes=(400,),
        activation=activation,
        weight_init=weight_init,
    )
    numpy_net = make_network("numpy", spec, random_state=0)
    keras_net = make_network("keras", spec, random_state=0)
    for a, b in zip(numpy_net.coefs_, keras_net.coefs_, strict=True):
        assert np.std(b) == pytest.approx(np.std(a), rel=0.05)
        assert np.ptp(b) == pytest.approx(np.ptp(a), rel=0.25)


def test_learning_rate_schedule_drives_the_keras_optimizer(iris):
    X, y = iris
    clf = fit_quietly(
        DenseClassifier(
            **{**KERAS, "learning_rate_init": 0.1},
            solver="sgd",
            learning_rate="invscaling",
            power_t=0.5,
            max_iter=4,
        ),
        X,
        y,
    )
    assert clf.network_.learning_rate == pytest.approx(
        0.1 / (4 * 150 + 1) ** 0.5, rel=1e-5
    )


def test_new_training_data_gets_a_new_pipeline():
    """A different X (same shape) on the same network trains on that X."""
    rng = np.random.default_rng(0)
    spec = NetworkSpec(3, 3, "softmax", hidden_layer_sizes=(4,))
    net = make_network("keras", spec, random_state=0)
    Y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 32)]
    X = rng.normal(size=(32, 3)).astype(np.float32)
    net.train_epoch(X, Y, batch_size=8, shuffle=False)
    loss_other, _, _ = net.evaluate(X * 0 + 5, Y)
    net.train_epoch(X * 0 + 5, Y, batch_size=8, shuffle=False)  # a new array
    assert net.evaluate(X * 0 + 5, Y)[0] < loss_other


@pytest.mark.parametrize("estimator", ["classifier", "regressor"])
def test_float64_with_a_penalty_trains(iris, estimator):
    """Keras computes the compiled loss in float32 even for a float64 model;
    the penalty beside it must be addable (it was a TypeError)."""
    from skdense import DenseRegressor

    X, y = iris
    params = dict(KERAS, dtype=np.float64, alpha=0.01, l1=0.001, max_iter=2)
    if estimator == "classifier":
        model = fit_quietly(DenseClassifier(**params), X, y)
    else:
        model = fit_quietly(DenseRegressor(**params), X, X[:, 0])
    assert all(w.dtype == np.float64 for w in model.coefs_)
    assert np.all(np.isfinite(model.loss_curve_))


def test_an_integer_momentum_is_accepted(iris):
    """Keras's SGD refuses an int momentum; MLPClassifier's tests pass 0."""
    X, y = iris
    params = dict(KERAS, solver="sgd", momentum=0, max_iter=2)
    clf = fit_quietly(DenseClassifier(**params), X, y)
    assert clf.network_.model.optimizer.momentum == 0.0


def _steps_agree(spec, Y, epochs=1, X=None):
    """From the same weights, ``epochs`` epochs of both engines on ``X``
    (normal draws by default) end on the same weights; returns both
    engines' last epoch losses."""
    if X is None:
        X = np.random.default_rng(1).normal(size=(len(Y), spec.n_features))
        X = X.astype(np.float32)
    numpy_net = make_network("numpy", spec, random_state=0)
    keras_net = make_network("keras", spec, random_state=0)
    keras_net.set_weights(numpy_net.get_weights())
    for _ in range(epochs):
        numpy_loss, _ = numpy_net.train_epoch(X, Y, batch_size=16, shuffle=False)
        keras_loss, _ = keras_net.train_epoch(X, Y, batch_size=16, shuffle=False)
    for a, b in zip(numpy_net.get_weights(), keras_net.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-5)
    return numpy_loss, keras_loss


def _one_hot(n=64, k=3):
    return np.eye(k, dtype=np.float32)[np.random.default_rng(0).integers(0, k, n)]


# The tables' rows, each against Keras: a new row is tested without a new test.
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_both_engines_take_the_same_steps_with_every_activation(activation):
    spec = NetworkSpec(
        5,
        3,
        "softmax",
        hidden_layer_sizes=(6, 4),
        activation=activation,
        solver="sgd",
        learning_rate_init=0.05,
    )
    _steps_agree(spec, _one_hot())


@pytest.mark.parametrize("loss", LOSSES)
def test_both_engines_take_the_same_steps_with_every_loss(loss):
    Y = loss_targets(np.random.default_rng(0), loss, 64).astype(np.float32)
    spec = NetworkSpec(
        5,
        3,
        LOSSES[loss].out_activation,
        loss=loss,
        hidden_layer_sizes=(6,),
        solver="sgd",
        learning_rate_init=0.05,
    )
    numpy_loss, keras_loss = _steps_agree(spec, Y)
    assert keras_loss == pytest.approx(numpy_loss, rel=1e-3)


@pytest.mark.parametrize("solver", KERAS_SOLVERS)
@pytest.mark.parametrize("lr_factor, bias_lr_factor", [(1.0, 1.0), (5.0, 0.1)])
@pytest.mark.parametrize("embedding", NUMERIC_EMBEDDINGS)
def test_both_engines_take_the_same_steps_with_a_numeric_embedding(
    embedding, lr_factor, bias_lr_factor, solver
):
    spec = NetworkSpec(
        5,
        3,
        "softmax",
        hidden_layer_sizes=(6,),
        solver=solver,
        learning_rate_init=0.01,
        numeric_embedding=embedding,
        embedding_sigma=0.5,
        embedding_lr_factor=lr_factor,
        bias_lr_factor=bias_lr_factor,
    )
    _steps_agree(spec, _one_hot(), epochs=2)


@pytest.mark.parametrize("embedding", [None, *NUMERIC_EMBEDDINGS])
def test_both_engines_take_the_same_steps_with_categorical_columns(embedding):
    """One-hot columns, an embedded column (12 levels), unknown levels (-1
    and 12) beside numeric columns, embedded or not."""
    rng = np.random.default_rng(1)
    codes = np.c_[rng.integers(-1, 3, 64), rng.integers(-1, 13, 64)]
    X = np.c_[rng.normal(size=(64, 3)), codes].astype(np.float32)
    spec = NetworkSpec(
        5,
        3,
        "softmax",
        hidden_layer_sizes=(6,),
        solver="adam",
        learning_rate_init=0.01,
        numeric_embedding=embedding,
        categorical_levels=(3, 12),
    )
    _steps_agree(spec, _one_hot(), epochs=2, X=X)


@pytest.mark.parametrize("loss", [n for n, row in LOSSES.items() if row.smooth])
def test_both_engines_take_the_same_steps_with_label_smoothing(loss):
    Y = loss_targets(np.random.default_rng(0), loss, 64).astype(np.float32)
    spec = NetworkSpec(
        5,
        3,
        LOSSES[loss].out_activation,
        loss=loss,
        hidden_layer_sizes=(6,),
        solver="sgd",
        learning_rate_init=0.05,
        label_smoothing=0.2,
    )
    numpy_loss, keras_loss = _steps_agree(spec, Y)
    assert keras_loss == pytest.approx(numpy_loss, rel=1e-3)
    # Confident right outputs, where smoothing changes the loss a lot: both
    # engines take the same smoothed loss, far from the unsmoothed one.
    X = np.random.default_rng(1).normal(size=(64, 5)).astype(np.float32)
    numpy_net = make_network("numpy", spec, random_state=0)
    weights = [5 * w for w in numpy_net.get_weights()]
    numpy_net.set_weights(weights)
    p = numpy_net.predict_proba(X)
    if spec.out_activation == "softmax":
        Y = np.eye(3, dtype=np.float32)[p.argmax(axis=1)]
    else:
        Y = (p > 0.5).astype(np.float32)
    keras_net = make_network("keras", spec, random_state=0)
    keras_net.set_weights(weights)
    smoothed = numpy_net.evaluate(X, Y)[0]
    assert keras_net.evaluate(X, Y)[0] == pytest.approx(smoothed, rel=1e-4)
    numpy_net.spec = spec.replace(label_smoothing=0.0)
    assert numpy_net.evaluate(X, Y)[0] != pytest.approx(smoothed, rel=0.05)


@pytest.mark.parametrize("solver", [name for name, row in SOLVERS.items() if row.keras])
def test_both_engines_take_the_same_steps_with_every_solver(solver):
    """Each solver row's NumPy class and Keras factory, from the same spec."""
    spec = NetworkSpec(
        5,
        3,
        "softmax",
        hidden_layer_sizes=(6,),
        solver=solver,
        learning_rate_init=0.05,
        epsilon=1e-7,
    )
    _steps_agree(spec, _one_hot(), epochs=2)
