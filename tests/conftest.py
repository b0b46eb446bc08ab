import os

# Lets scikit-learn's check_array_api_input run (with NumPy) instead of
# skipping; SciPy reads this once, at import, so set it before anything does.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import importlib.util  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

FASHION_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
HAS_KERAS = all(importlib.util.find_spec(module) for module in ("keras", "tensorflow"))


def pytest_collection_modifyitems(items):
    """Skip the Keras modules' doctests where Keras is not installed."""
    skip = pytest.mark.skip(
        reason="TensorFlow/Keras not installed: pip install 'skdense[keras]'"
    )
    for item in items:
        if (
            not HAS_KERAS
            and "keras" in item.nodeid
            and item.nodeid.startswith("skdense")
        ):
            item.add_marker(skip)


@pytest.fixture(
    params=[
        "numpy",
        pytest.param(
            "keras",
            marks=pytest.mark.skipif(
                not HAS_KERAS,
                reason="TensorFlow/Keras not installed: pip install 'skdense[keras]'",
            ),
        ),
    ]
)
def backend(request):
    """Each training engine in turn (Keras's cases skip where it is missing)."""
    return request.param


@pytest.fixture
def fashion_mnist_home():
    """Folder holding Fashion-MNIST's IDX files, from SKDENSE_DATA."""
    home = os.environ.get("SKDENSE_DATA")
    if not home or not all((Path(home) / f).is_file() for f in FASHION_FILES):
        pytest.skip(
            "Fashion-MNIST not found: set SKDENSE_DATA to a folder holding the IDX "
            "gzip files (train-images-idx3-ubyte.gz, ...) to run this test."
        )
    return Path(home)


@pytest.fixture
def blobs():
    """A small, easy three-class problem."""
    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 3.0], [3.0, 0.0], [-3.0, -3.0]])
    y = np.repeat([0, 1, 2], 40)
    X = centers[y] + rng.normal(size=(120, 2))
    return X, y
