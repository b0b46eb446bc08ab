"""Every example runs, in quick mode, and prints what it promises."""

import re
import runpy
import sys
from pathlib import Path

import pytest
from conftest import HAS_KERAS

# Each example trains as a user would run it: slow tier.
# The examples train few epochs to run quickly: their ConvergenceWarnings
# (SGDClassifier's too) are expected.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _in_a_new_folder(tmp_path, monkeypatch):
    """The examples save their figures in the working folder: a fresh one."""
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)


def _saved_figure(name):
    return Path(name).read_bytes()[:8] == PNG


def _shared_tables(table):
    """``--data-home`` for the shared KEEL tables when ``table`` is there."""
    home = EXAMPLES.parents[1] / "shared" / "data" / "tabular"
    return ["--data-home", str(home)] if (home / table).is_file() else []


def _run(monkeypatch, capsys, name, *args):
    monkeypatch.setattr(sys, "argv", [name, "--quick", *args])
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    return capsys.readouterr().out


def test_every_example_is_covered_here():
    covered = {
        "quickstart.py",
        "grid_search.py",
        "learning_curves.py",
        "breast_cancer.py",
        "tune_fashion_mnist.py",
        "diabetes_regression.py",
        "fast_preset_search.py",
        "tabular_banana.py",
        "tabular_benchmark.py",
    }
    assert {p.name for p in EXAMPLES.glob("*.py")} == covered


def test_quickstart_compares_baseline_and_dense(monkeypatch, capsys):
    monkeypatch.delenv("SKDENSE_DATA", raising=False)
    lines = _run(monkeypatch, capsys, "quickstart.py").splitlines()
    assert [line.split()[0] for line in lines] == [
        "SGDClassifier(log_loss)",
        "DenseClassifier(100,",
    ]
    accuracies = [float(re.search(r"accuracy (\S+)", line).group(1)) for line in lines]
    assert min(accuracies) > 0.85
    assert _saved_figure("quickstart.png")


def test_grid_search_searches_the_backend_too(monkeypatch, capsys):
    out = _run(monkeypatch, capsys, "grid_search.py")
    has_keras = HAS_KERAS
    assert ("'keras'" in out) == has_keras
    assert float(re.search(r"test accuracy of the best: (\S+)", out).group(1)) > 0.85
    assert _saved_figure("grid_search.png")


def test_learning_curves_saves_a_plot(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("SKDENSE_DATA", raising=False)
    out = _run(
        monkeypatch, capsys, "learning_curves.py", "--out", str(tmp_path / "curves.png")
    )
    assert "plot saved" in out
    assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_breast_cancer_uses_the_binary_engine(monkeypatch, capsys):
    out = _run(monkeypatch, capsys, "breast_cancer.py")
    assert "MinibatchNetwork, output units 1" in out
    assert float(re.search(r"validation accuracy (\S+)", out).group(1)) > 0.93
    assert _saved_figure("breast_cancer.png")


def test_tune_fashion_mnist(monkeypatch, capsys, fashion_mnist_home):
    out = _run(
        monkeypatch,
        capsys,
        "tune_fashion_mnist.py",
        "--data-home",
        str(fashion_mnist_home),
    )
    assert "best:" in out
    assert float(re.search(r"test accuracy (\S+)", out).group(1)) > 0.75
    assert _saved_figure("tune_fashion_mnist.png")


def test_diabetes_regression_matches_ridge(monkeypatch, capsys):
    out = _run(monkeypatch, capsys, "diabetes_regression.py")
    ridge, dense = (
        float(re.search(rf"{name}: cross-validated R² (\S+)", out).group(1))
        for name in ("Ridge", "DenseRegressor")
    )
    assert dense >= ridge - 0.05
    assert "early stopping:" in out and "poisson: exp output" in out
    assert float(re.search(r"smallest mean (\S+)", out).group(1)) > 0
    assert _saved_figure("diabetes_regression.png")


def test_fast_preset_search(monkeypatch, capsys, fashion_mnist_home):
    out = _run(
        monkeypatch,
        capsys,
        "fast_preset_search.py",
        "--data-home",
        str(fashion_mnist_home),
    )
    scores = [float(v) for v in re.findall(r"validation (\S+)  ~", out)]
    assert len(scores) == 2 and min(scores) > 0.6
    assert "best:" in out
    assert _saved_figure("fast_preset_search.png")


def test_tabular_banana_draws_three_boundaries(monkeypatch, capsys, tmp_path):
    """On the shared banana table when it is there, on two moons elsewhere;
    the preset is the network that does not lose to MLPClassifier."""
    data = _shared_tables("banana.csv.gz")
    out = _run(
        monkeypatch,
        capsys,
        "tabular_banana.py",
        "--out",
        str(tmp_path / "boundaries.png"),
        *data,
    )
    accuracy = {
        line.split(":")[0]: float(line.rsplit(" ", 1)[1])
        for line in out.splitlines()
        if "test accuracy" in line
    }
    assert len(accuracy) == 3
    preset = accuracy['DenseClassifier.from_preset("tabular")']
    assert preset > 0.85
    assert preset >= accuracy["MLPClassifier"] - 0.02
    assert (tmp_path / "boundaries.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_tabular_benchmark_draws_accuracy_and_time(monkeypatch, capsys, tmp_path):
    """On three KEEL tables when they are there, on scikit-learn's otherwise:
    every model on every table, and the chart saved."""
    data = _shared_tables("german.csv.gz")
    out = _run(
        monkeypatch,
        capsys,
        "tabular_benchmark.py",
        "--out",
        str(tmp_path / "chart.png"),
        *data,
    )
    means = dict(re.findall(r"mean test accuracy (.+): (\S+)", out))
    assert len(means) == 3 and min(float(v) for v in means.values()) > 0.75
    n_tables = 3 if data else 2  # quick: phoneme, banana, german; or two of sklearn's
    # An accuracy may be 1.0000 (wine, on scikit-learn's tables).
    lines = re.findall(r"^.+: .+ test accuracy [01]\.\d+$", out, re.M)
    assert len(lines) == 3 * n_tables
    assert (tmp_path / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
