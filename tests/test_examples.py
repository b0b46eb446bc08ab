"""Every example runs, in quick mode, and prints what it promises."""

import re
import runpy
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


@pytest.fixture(autouse=True)
def _in_a_new_folder(tmp_path, monkeypatch):
    """Each example runs in a fresh folder, with pyplot's figures closed."""
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _shared_tables(monkeypatch, table):
    """Point SKDENSE_TABULAR_DATA at the shared KEEL tables when ``table``
    is there; True if it is."""
    home = EXAMPLES.parents[1] / "shared" / "data" / "tabular"
    if (home / table).is_file():
        monkeypatch.setenv("SKDENSE_TABULAR_DATA", str(home))
        return True
    monkeypatch.delenv("SKDENSE_TABULAR_DATA", raising=False)
    return False


def _run(capsys, name):
    """Run an example as the gallery does (its quick defaults); its output,
    after checking that it drew."""
    import matplotlib.pyplot as plt

    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    assert plt.get_fignums(), f"{name} drew no figure"
    return capsys.readouterr().out


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.py")), ids=lambda p: p.name)
def test_every_example_teaches_in_text_cells(path):
    """A title, then text cells (``# %%``) between the steps."""
    text = path.read_text()
    title, underline = text.split("\n")[1:3]
    assert text.startswith('"""\n') and set(underline) == {"="}
    assert len(underline) == len(title)
    cells = text.split("# %%\n")[1:]
    assert len(cells) >= 3 and all(cell.startswith("# ") for cell in cells)
    assert "argparse" not in text


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
    lines = _run(capsys, "quickstart.py").splitlines()
    assert [line.split()[0] for line in lines] == [
        "SGDClassifier(log_loss)",
        "DenseClassifier(100,",
    ]
    accuracies = [float(re.search(r"accuracy (\S+)", line).group(1)) for line in lines]
    assert min(accuracies) > 0.85


def test_grid_search_searches_the_backend_too(monkeypatch, capsys):
    out = _run(capsys, "grid_search.py")
    has_keras = HAS_KERAS
    assert ("'keras'" in out) == has_keras
    assert float(re.search(r"test accuracy of the best: (\S+)", out).group(1)) > 0.85


def test_learning_curves_draws_the_history(monkeypatch, capsys):
    monkeypatch.delenv("SKDENSE_DATA", raising=False)
    out = _run(capsys, "learning_curves.py")
    assert "'val_accuracy'" in out
    assert float(re.search(r"validation accuracy (\S+)", out).group(1)) > 0.85


def test_breast_cancer_uses_the_binary_engine(monkeypatch, capsys):
    out = _run(capsys, "breast_cancer.py")
    assert "MinibatchNetwork, output units 1" in out
    assert float(re.search(r"validation accuracy (\S+)", out).group(1)) > 0.93


def test_tune_fashion_mnist(monkeypatch, capsys, fashion_mnist_home):
    monkeypatch.setenv("SKDENSE_DATA", str(fashion_mnist_home))
    out = _run(capsys, "tune_fashion_mnist.py")
    assert "best:" in out
    assert float(re.search(r"test accuracy (\S+)", out).group(1)) > 0.75


def test_diabetes_regression_matches_ridge(monkeypatch, capsys):
    out = _run(capsys, "diabetes_regression.py")
    ridge, dense = (
        float(re.search(rf"{name}: cross-validated R² (\S+)", out).group(1))
        for name in ("Ridge", "DenseRegressor")
    )
    assert dense >= ridge - 0.05
    assert "early stopping:" in out and "poisson: exp output" in out
    assert float(re.search(r"smallest mean (\S+)", out).group(1)) > 0


def test_fast_preset_search(monkeypatch, capsys, fashion_mnist_home):
    monkeypatch.setenv("SKDENSE_DATA", str(fashion_mnist_home))
    out = _run(capsys, "fast_preset_search.py")
    scores = [float(v) for v in re.findall(r"validation (\S+)  ~", out)]
    assert len(scores) == 2 and min(scores) > 0.6
    assert "best:" in out


def test_tabular_banana_draws_three_boundaries(monkeypatch, capsys):
    """On the shared banana table when it is there, on two moons elsewhere;
    the preset is the network that does not lose to MLPClassifier."""
    _shared_tables(monkeypatch, "banana.csv.gz")
    out = _run(capsys, "tabular_banana.py")
    accuracy = {
        line.split(":")[0]: float(line.rsplit(" ", 1)[1])
        for line in out.splitlines()
        if "test accuracy" in line
    }
    assert len(accuracy) == 3
    preset = accuracy['DenseClassifier.from_preset("tabular")']
    assert preset > 0.85
    assert preset >= accuracy["MLPClassifier"] - 0.02


def test_tabular_benchmark_draws_accuracy_and_time(monkeypatch, capsys):
    """On three KEEL tables when they are there, on scikit-learn's otherwise:
    every model on every table, and the chart drawn."""
    data = _shared_tables(monkeypatch, "german.csv.gz")
    out = _run(capsys, "tabular_benchmark.py")
    means = dict(re.findall(r"mean test accuracy (.+): (\S+)", out))
    assert len(means) == 3 and min(float(v) for v in means.values()) > 0.75
    n_tables = 3 if data else 2  # phoneme, banana, german; or two of sklearn's
    # An accuracy may be 1.0000 (wine, on scikit-learn's tables).
    lines = re.findall(r"^.+: .+ test accuracy [01]\.\d+$", out, re.M)
    assert len(lines) == 3 * n_tables
