"""Smoke test of an installed wheel, run from outside the repository.

Imports skdense from site-packages (not the source tree), fits and predicts
on digits, saves and loads the model, and runs the ``skdense`` command.
"""

import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

import skdense

package = Path(skdense.__file__).parent
assert "site-packages" in package.parts, f"skdense imported from {package}"
assert (package / "py.typed").is_file(), "py.typed is not installed"

X, y = load_digits(return_X_y=True)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf = skdense.DenseClassifier((32,), max_iter=100, random_state=0)
    clf.fit(X[:1200] / 16, y[:1200])
score = clf.score(X[1200:] / 16, y[1200:])
assert score > 0.85, score  # 0.91 when this was written

with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "digits.skops"
    skdense.save(clf, path)
    loaded = skdense.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))

    command = Path(sys.executable).parent / "skdense"
    version = subprocess.run(
        [command, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert version == f"skdense {skdense.__version__}", version
    table = subprocess.run(
        [command, "compare", "--dataset", "digits", "--models", "sgd,numpy"]
        + ["--cv", "2", "--out", str(Path(folder) / "out")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "| numpy |" in table and "| sgd |" in table, table
    assert (Path(folder) / "out" / "results.json").is_file()

print(f"smoke test passed: skdense {skdense.__version__} from {package}")
print(f"digits test accuracy {score:.4f}; save/load identical; CLI ran")
print(table)
