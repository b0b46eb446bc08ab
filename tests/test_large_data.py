"""Out-of-core data: integer and memory-mapped inputs, scaled on the fly."""

import tracemalloc

import numpy as np
import pytest
from conftest import HAS_KERAS, NO_KERAS, fit_quietly

from skdense import DenseClassifier


def _pixels(n_samples, n_features=64, seed=0):
    """uint8 'images' whose class is which quarter of the pixels is brightest."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, n_samples)
    X = rng.integers(0, 120, (n_samples, n_features))
    quarter = n_features // 4
    for k in range(4):
        X[y == k, k * quarter : (k + 1) * quarter] += 100
    return X.astype(np.uint8), y


@pytest.fixture
def pixel_memmap(tmp_path):
    X, y = _pixels(3000)
    path = tmp_path / "pixels.u8"
    X.tofile(path)
    return np.memmap(path, dtype=np.uint8, mode="r", shape=X.shape), y


PARAMS = dict(hidden_layer_sizes=(16,), max_iter=4, batch_size=64, random_state=0)


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_uint8_memmap_with_input_scale_trains_as_on_the_scaled_floats(
    pixel_memmap, solver
):
    X, y = pixel_memmap  # opened read-only: writing into it would raise
    scaled = X.astype(np.float32) * np.float32(1 / 255)
    on_disk = fit_quietly(
        DenseClassifier(**PARAMS, solver=solver, input_scale=1 / 255), X, y
    )
    in_memory = fit_quietly(DenseClassifier(**PARAMS, solver=solver), scaled, y)
    for a, b in zip(on_disk.coefs_, in_memory.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)
    assert on_disk.history_ == in_memory.history_
    assert on_disk.score(X, y) > 0.9
    # Predictions scale in float64, as a float64 X / 255 would be predicted.
    np.testing.assert_array_equal(
        on_disk.predict_proba(X),
        in_memory.predict_proba(X.astype(np.float64) * (1 / 255)),
    )


def test_partial_fit_and_validation_data_take_memmaps(pixel_memmap):
    X, y = pixel_memmap
    clf = DenseClassifier(**PARAMS, input_scale=1 / 255)
    for start in range(0, 3000, 1000):
        clf.partial_fit(
            X[start : start + 1000], y[start : start + 1000], classes=[0, 1, 2, 3]
        )
    assert clf.n_iter_ == 3
    assert clf.score(X, y) > 0.9
    clf = fit_quietly(
        DenseClassifier(**PARAMS, input_scale=1 / 255),
        X[:2000],
        y[:2000],
        validation_data=(X[2000:], y[2000:]),
    )
    assert clf.history_["val_accuracy"][-1] > 0.9


@pytest.mark.parametrize("method", ["fit", "partial_fit", "predict_proba"])
def test_no_float_copy_of_the_whole_data_is_made(tmp_path, method):
    X, y = _pixels(50_000, n_features=256)
    path = tmp_path / "big.u8"
    X.tofile(path)
    X = np.memmap(path, dtype=np.uint8, mode="r", shape=X.shape)
    float_copy = X.shape[0] * X.shape[1] * 4  # 51 MB as float32
    clf = DenseClassifier(**PARAMS, input_scale=1 / 255)
    if method == "predict_proba":
        clf.partial_fit(X[:100], y[:100], classes=[0, 1, 2, 3])
    tracemalloc.start()  # NumPy reports its allocations to tracemalloc
    try:
        if method == "fit":
            fit_quietly(clf, X, y)
        elif method == "partial_fit":
            clf.partial_fit(X, y, classes=[0, 1, 2, 3])
        else:
            clf.predict_proba(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Labels, targets, the shuffled order and a batch (or a prediction chunk of
    # 8192 rows): well under a float copy of the whole data.
    assert peak < float_copy / 2, f"peak {peak / 1e6:.1f} MB"


def test_input_scale_without_integers_scales_and_leaves_x_untouched(pixel_memmap):
    X, y = pixel_memmap
    X = np.asarray(X, dtype=np.float64)
    before = X.copy()
    clf = fit_quietly(DenseClassifier(**PARAMS, input_scale=0.5), X, y)
    reference = fit_quietly(DenseClassifier(**PARAMS), X * 0.5, y)
    np.testing.assert_array_equal(X, before)
    np.testing.assert_allclose(clf.coefs_[0], reference.coefs_[0], rtol=1e-6)


@pytest.mark.parametrize("bad", [0, -1.0, np.nan, np.inf, "1/255", True])
def test_bad_input_scale_is_refused_by_name(bad, pixel_memmap):
    with pytest.raises(ValueError, match="input_scale"):
        DenseClassifier(input_scale=bad).fit(*pixel_memmap)


@pytest.mark.skipif(not HAS_KERAS, reason=NO_KERAS)
def test_keras_backend_scales_integer_input_too(pixel_memmap):
    X, y = pixel_memmap
    params = dict(PARAMS, backend="keras", max_iter=2)
    on_the_fly = fit_quietly(DenseClassifier(**params, input_scale=1 / 255), X, y)
    scaled = fit_quietly(
        DenseClassifier(**params), X.astype(np.float32) * np.float32(1 / 255), y
    )
    np.testing.assert_allclose(
        on_the_fly.coefs_[0], scaled.coefs_[0], rtol=1e-5, atol=1e-7
    )
    assert on_the_fly.score(X, y) > 0.8


@pytest.mark.fashion_mnist
def test_fashion_mnist_pixels_train_without_the_books_float_copy(
    fashion_mnist_home,
):
    from skdense.datasets import load_fashion_mnist

    X, y = load_fashion_mnist(
        data_home=fashion_mnist_home, scale=False, return_X_y=True
    )
    assert X.dtype == np.uint8
    clf = fit_quietly(
        DenseClassifier((64,), max_iter=3, input_scale=1 / 255, random_state=0),
        X[:20_000],
        y[:20_000],
    )
    assert clf.score(X[50_000:], y[50_000:]) > 0.8


@pytest.mark.parametrize("missing_values", ["error", "indicator"])
def test_float_input_is_checked_for_nan_without_a_temporary_of_its_size(
    missing_values,
):
    """The NaN/inf check of an in-memory float32 X allocates no array of
    X's shape (a boolean one would be a quarter of X)."""
    X, y = _pixels(200_000, n_features=256)
    X = X.astype(np.float32)  # 205 MB
    clf = DenseClassifier(**PARAMS, missing_values=missing_values)
    # Warm up first: loading the compiled kernels' cache allocates ~30 MB once.
    DenseClassifier(**PARAMS).partial_fit(X[:100], y[:100], classes=[0, 1, 2, 3])
    tracemalloc.start()
    try:
        clf.partial_fit(X, y, classes=[0, 1, 2, 3])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < X.nbytes / 8, f"peak {peak / 1e6:.1f} MB of {X.nbytes / 1e6:.0f}"
