"""The input stage: column scaling by training statistics and the smooth
clip, inside the network, the same on both engines."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import HAS_KERAS, NO_KERAS, fit_quietly

from skdense import DenseClassifier, DenseRegressor
from skdense.backends import INPUT_SCALINGS, NetworkSpec, input_statistics
from skdense.backends._inputs import as_input, smooth_clip

BACKENDS = [
    "numpy",
    pytest.param("keras", marks=pytest.mark.skipif(not HAS_KERAS, reason=NO_KERAS)),
]


def _data(n=120):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 4)) * [1.0, 50.0, 0.01, 3.0] + [0.0, 400.0, -2.0, 1.0]
    X[:5, 3] = 1e4  # outliers
    y = (X[:, 0] + X[:, 1] / 50 > 8).astype(int)
    return X, y


def test_robust_statistics_follow_realmlp():
    X = np.array(
        [
            [0.0, 1.0, 0.0],
            [2.0, 1.0, 0.0],
            [4.0, 1.0, 0.0],
            [9.0, 1.0, 0.0],
            [10.0, 1.0, 8.0],
        ]
    )
    center, factor = input_statistics(X, "robust")
    assert center == (4.0, 1.0, 0.0)
    # Column 0: 1 / the interquartile range (9 - 2). Column 2: its quartiles
    # coincide, so 1 / half its range. A constant column: factor 0.
    np.testing.assert_allclose(factor, [1 / 7, 0.0, 1 / 4])


def test_standard_statistics_are_mean_and_deviation():
    X, _ = _data()
    center, factor = input_statistics(X, "standard", input_scale=0.5)
    np.testing.assert_allclose(center, (X * 0.5).mean(axis=0))
    np.testing.assert_allclose(factor, 1 / (X * 0.5).std(axis=0))


def test_smooth_clip_keeps_small_values_and_bounds_large_ones():
    x = np.array([-1e6, -3.0, -0.01, 0.0, 0.01, 3.0, 1e6])
    clipped = smooth_clip(x, 3.0)
    assert np.all(np.abs(clipped) < 3.0)
    np.testing.assert_allclose(clipped[2:5], x[2:5], rtol=1e-5)
    np.testing.assert_allclose(clipped[[1, 5]], [-3 / np.sqrt(2), 3 / np.sqrt(2)])
    assert np.all(np.diff(clipped) > 0)  # monotone: no two inputs merge


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("scaling", INPUT_SCALINGS)
def test_the_stage_trains_as_on_transformed_data(backend, scaling):
    """A fit on raw X with the stage is the fit on the transformed X without
    it: the same weights (float64), and predictions from raw X."""
    X, y = _data()
    params = dict(hidden_layer_sizes=(8,), max_iter=5, random_state=0, backend=backend)
    staged = fit_quietly(
        DenseClassifier(
            input_scaling=scaling, input_clip=3.0, **params, dtype=np.float64
        ),
        X,
        y,
    )
    transformed = as_input(X, np.dtype(np.float64), staged.network_.spec)
    plain = fit_quietly(DenseClassifier(**params, dtype=np.float64), transformed, y)
    for a, b in zip(staged.coefs_, plain.coefs_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(
        staged.predict_proba(X), plain.predict_proba(transformed), rtol=1e-6, atol=1e-9
    )


def test_the_regressor_takes_the_stage():
    X, _ = _data()
    y = X[:, 1] / 50 + X[:, 0]
    params = dict(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    staged = fit_quietly(
        DenseRegressor(input_scaling="robust", input_clip=3.0, **params), X, y
    )
    transformed = as_input(X, np.dtype(np.float32), staged.network_.spec)
    plain = fit_quietly(DenseRegressor(**params), transformed, y)
    np.testing.assert_allclose(
        staged.predict(X), plain.predict(transformed), rtol=1e-4, atol=1e-5
    )


def test_partial_fit_keeps_the_first_statistics_and_warm_start_renews_a_change():
    X, y = _data()
    clf = DenseClassifier((8,), input_scaling="robust", random_state=0)
    clf.partial_fit(X, y, classes=[0, 1])
    first = clf.network_.spec.input_center
    clf.partial_fit(X * 3, y)
    assert clf.network_.spec.input_center == first
    clf.set_params(warm_start=True, input_scaling="standard", max_iter=2)
    fit_quietly(clf, X, y)
    # From X as the fit took it, in float32.
    np.testing.assert_allclose(
        clf.network_.spec.input_center, input_statistics(X, "standard")[0], rtol=1e-6
    )


def test_sparse_input_with_a_scaling_is_refused_and_changes_nothing():
    X, y = _data()
    clf = fit_quietly(DenseClassifier((8,), max_iter=2, random_state=0), X, y)
    before = clf.predict_proba(X)
    clf.set_params(input_scaling="standard")
    with pytest.raises(ValueError, match="sparse X dense"):
        clf.fit(sp.csr_matrix(X), y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_a_spec_checks_its_statistics():
    with pytest.raises(ValueError, match="given together with it"):
        NetworkSpec(2, 1, "logistic", input_scaling="robust")
    with pytest.raises(ValueError, match="2 values for 3 numeric features"):
        NetworkSpec(
            3,
            1,
            "logistic",
            input_scaling="robust",
            input_center=(0.0, 0.0),
            input_factor=(1.0, 1.0),
        )
    with pytest.raises(ValueError, match="input_scaling='minmax' is invalid"):
        DenseClassifier(input_scaling="minmax").fit(*_data())


def test_a_spec_saved_before_the_stage_loads_without_one():
    spec = NetworkSpec(3, 1, "logistic")
    state = dict(vars(spec))
    for name in ("input_scaling", "input_clip", "input_center", "input_factor"):
        del state[name]
    old = object.__new__(NetworkSpec)
    old.__setstate__(state)
    assert old.input_scaling is None and old.input_center is None
    assert pickle.loads(pickle.dumps(old)) == spec


def _heavy(n=200, seed=0):
    """A normal column, a log-normal amount and a count that is mostly 0."""
    rng = np.random.default_rng(seed)
    X = np.c_[rng.normal(size=n), rng.lognormal(3, 2, n), rng.poisson(0.2, n) * 1000.0]
    return X, (np.log(X[:, 1]) > 3).astype(int)


def test_heavy_tailed_columns_are_the_ones_far_from_their_median():
    from skdense.backends._inputs import heavy_tailed

    X, _ = _heavy()
    assert heavy_tailed(X, 10.0) == (1, 2)
    assert heavy_tailed(X, None) == ()
    assert heavy_tailed(X[:, :2], 1e9) == ()
    # Quartiles that coincide (a count mostly 0): any other value is far.
    assert heavy_tailed(X[:, 2:], 1e9) == (0,)
    # The statistics are those of the logged columns.
    center, _ = input_statistics(X, "robust", logged=(1, 2))
    logged = np.sign(X[:, 1]) * np.log1p(np.abs(X[:, 1]))
    assert center[1] == pytest.approx(np.median(logged))


@pytest.mark.parametrize("backend", BACKENDS)
def test_input_log_reads_heavy_tails_as_signed_logs_on_both_engines(backend):
    X, y = _heavy()
    params = dict(input_scaling="robust", max_iter=3, random_state=0)
    clf = fit_quietly(
        DenseClassifier((8,), input_log=10.0, backend=backend, **params), X, y
    )
    spec = clf.network_.spec
    assert spec.input_logged == (1, 2)
    staged = as_input(X, np.dtype(np.float64), spec)
    expected = np.array(X)
    expected[:, 1:] = np.sign(X[:, 1:]) * np.log1p(np.abs(X[:, 1:]))
    expected = (expected - spec.input_center) * spec.input_factor
    np.testing.assert_allclose(staged, expected, rtol=1e-12)
    assert X[0, 1] == _heavy()[0][0, 1]  # the user's X is not changed
    # partial_fit keeps the logged columns of the first fit.
    clf.partial_fit(np.abs(X[:, [0, 0, 0]]), y)
    assert clf.network_.spec.input_logged == (1, 2)
