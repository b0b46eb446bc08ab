"""The optional parts stay optional: TensorFlow, and the scale-out
libraries (Ray, Optuna, dask-ml, Dask), are never imported by skdense."""

import subprocess
import sys

import numpy as np
import pytest

from skdense import DenseClassifier


def test_importing_skdense_imports_no_optional_library():
    code = (
        "import sys, skdense, skdense.keras, skdense.datasets, skdense.presets; "
        "from skdense import DenseClassifier; DenseClassifier(backend='keras'); "
        "print(sorted(m for m in ('tensorflow', 'keras', 'ray', 'optuna', "
        "'optuna_integration', 'dask', 'dask_ml', 'distributed') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_keras_backend_without_tensorflow_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "keras", None)  # as if not installed
    X, y = np.eye(4), [0, 1, 0, 1]
    clf = DenseClassifier(backend="keras")
    with pytest.raises(ImportError, match=r"pip install 'skdense\[keras\]'"):
        clf.fit(X, y)
    assert not hasattr(clf, "classes_")
