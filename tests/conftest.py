import os

# Lets scikit-learn's check_array_api_input run (with NumPy) instead of
# skipping; SciPy reads this once, at import, so set it before anything does.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
# Keeps every local Ray instance of the tests on 127.0.0.1 (on Linux Ray
# binds to the machine's address); Ray reads it once, when first imported.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")

import importlib.util  # noqa: E402
import random  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import joblib  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.datasets import load_digits, load_iris  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

FASHION_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
FASHION_TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
# The one definition the test modules import (``from conftest import HAS_KERAS``).
HAS_KERAS = all(importlib.util.find_spec(module) for module in ("keras", "tensorflow"))
NO_KERAS = "TensorFlow/Keras not installed: pip install 'skdense[keras]'"
NO_FASHION_MNIST = (
    "Fashion-MNIST not found: set SKDENSE_DATA to a folder holding the IDX "
    "gzip files (train-images-idx3-ubyte.gz, ...) to run this test."
)


def _has_fashion_mnist(files=FASHION_FILES):
    home = os.environ.get("SKDENSE_DATA")
    return bool(home) and all((Path(home) / f).is_file() for f in files)


# Doctests that need an optional part: module path -> [(import name, what
# to pip install)].
DOCTEST_EXTRAS = {
    "skdense/keras.py": [("tensorflow", "skdense[keras]")],
    "skdense/backends/_keras.py": [("tensorflow", "skdense[keras]")],
    "skdense/_persistence.py": [("skops", "skdense[persist]")],
    "skdense/plotting.py": [("matplotlib", "skdense[plot]")],
    "skdense/compare_table.py": [("pandas", "skdense[tables]")],
    "skdense/callbacks.py": [
        ("sklearn.callback", "scikit-learn>=1.9"),
        ("skops", "skdense[persist]"),
    ],
}


# Modules that cannot even be imported without their extra: not collected
# for doctests then (their tests skip, saying what to install).
IMPORT_EXTRAS = {"skdense/onnx.py": ("skl2onnx", "onnx")}


def _importable(name):
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # its parent package is missing
        return False


def pytest_configure(config):
    root = Path(__file__).resolve().parents[1]
    for module, (package, _) in IMPORT_EXTRAS.items():
        if importlib.util.find_spec(package) is None:
            config.option.ignore = [*(config.option.ignore or []), str(root / module)]


def pytest_collection_modifyitems(items):
    """Skip doctests whose optional parts are missing, saying how to get them.

    Docstring examples train a few epochs to run in a blink: their
    ConvergenceWarnings are expected.
    """
    for item in items:
        if not item.nodeid.startswith("skdense"):
            continue
        item.add_marker(
            pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
        )
        module = item.nodeid.split("::")[0]
        for package, install in DOCTEST_EXTRAS.get(module, []):
            if not _importable(package):
                reason = f"{package} not installed: pip install '{install}'"
                item.add_marker(pytest.mark.skip(reason=reason))
                break
        if item.nodeid.endswith("load_fashion_mnist") and not _has_fashion_mnist(
            FASHION_TEST_FILES
        ):
            item.add_marker(pytest.mark.skip(reason=NO_FASHION_MNIST))


@pytest.fixture(
    params=[
        "numpy",
        pytest.param(
            "keras",
            marks=pytest.mark.skipif(not HAS_KERAS, reason=NO_KERAS),
        ),
    ]
)
def backend(request):
    """Each training engine in turn (Keras's cases skip where it is missing)."""
    return request.param


@pytest.fixture
def fashion_mnist_home():
    """Folder holding Fashion-MNIST's IDX files, from SKDENSE_DATA."""
    if not _has_fashion_mnist():
        pytest.skip(NO_FASHION_MNIST)
    return Path(os.environ["SKDENSE_DATA"])


def fit_quietly(estimator, *args, **kwargs):
    """``estimator.fit(*args, **kwargs)`` for a deliberately short fit: its
    ConvergenceWarning is expected, and silenced; any other warning shows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(*args, **kwargs)


def fit_search(search, X, y, backend):
    """Fit a scikit-learn search through joblib's ``backend`` ("dask",
    "ray"; a cluster the caller started), or "local": two loky processes of
    one BLAS thread each, as the clusters' workers, so that both do the same
    arithmetic on any number of cores."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if backend != "local":
            with joblib.parallel_backend(backend):
                return search.fit(X, y)
        with joblib.parallel_config(backend="loky", inner_max_num_threads=1):
            return search.set_params(n_jobs=2).fit(X, y)


def loss_targets(rng, loss, n_samples, k=3):
    """Targets a loss row takes: labels for its output layer, or values."""
    from skdense.backends._ops import LOSSES

    activation = LOSSES[loss].out_activation
    if activation == "logistic":
        return (rng.random((n_samples, k)) > 0.5).astype(np.float64)
    if activation == "softmax":
        return np.eye(k)[rng.integers(0, k, n_samples)]
    if activation == "exp":  # counts, zeros among them
        return rng.poisson(2.0, (n_samples, k)).astype(np.float64)
    return rng.normal(size=(n_samples, k))


@pytest.fixture(autouse=True)
def _seed_global_random_state():
    """Every test starts from the same global random state (NumPy's legacy
    generator and Python's), whatever ran before it."""
    np.random.seed(0)  # noqa: NPY002 (the legacy global state is what is reset)
    random.seed(0)


@pytest.fixture(scope="session")
def iris():
    """Iris, standardised: 150 rows, 4 features, 3 classes."""
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="session")
def digits():
    """The first 600 digits, pixels scaled to [0, 1]: 64 features, 10 classes."""
    X, y = load_digits(return_X_y=True)
    return X[:600] / 16.0, y[:600]


@pytest.fixture
def blobs():
    """A small, easy three-class problem."""
    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 3.0], [3.0, 0.0], [-3.0, -3.0]])
    y = np.repeat([0, 1, 2], 40)
    X = centers[y] + rng.normal(size=(120, 2))
    return X, y
