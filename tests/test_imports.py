"""TensorFlow stays optional: never imported by skdense, clearly asked for."""

import subprocess
import sys

import numpy as np
import pytest

from skdense import DenseClassifier


def test_importing_skdense_does_not_import_tensorflow():
    code = (
        "import sys, skdense, skdense.keras, skdense.datasets, skdense.presets; "
        "from skdense import DenseClassifier; DenseClassifier(backend='keras'); "
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))"
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
