"""The Python blocks of the README and of the documentation's pages run as
written and say what the text claims."""

import importlib.util
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _python_blocks():
    """``(page, block)`` for every Python block of every page (a block the
    README shares with a page runs once)."""
    blocks = {}
    for page in PAGES:
        for block in re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S):
            blocks.setdefault(block, page.relative_to(ROOT).as_posix())
    return [(page, block) for block, page in blocks.items()]


def _importable(name):
    # optuna imports optuna_integration lazily: its __spec__ is then None,
    # which find_spec refuses.
    return name in sys.modules or importlib.util.find_spec(name) is not None


def _has_callbacks():
    return importlib.util.find_spec("sklearn.callback") is not None


def _run_block(block, name):
    if "skdense.keras" in block and importlib.util.find_spec("tensorflow") is None:
        pytest.skip("TensorFlow/Keras not installed: pip install 'skdense[keras]'")
    if "skdense.save" in block and importlib.util.find_spec("skops") is None:
        pytest.skip("skops not installed: pip install 'skdense[persist]'")
    if (
        "set_callbacks" in block or "sklearn.callback" in block
    ) and not _has_callbacks():
        pytest.skip("the callback API needs scikit-learn >= 1.9")
    if "Checkpoint" in block and importlib.util.find_spec("skops") is None:
        pytest.skip("skops not installed: pip install 'skdense[persist]'")
    if "skdense.onnx" in block and importlib.util.find_spec("skl2onnx") is None:
        pytest.skip("skl2onnx not installed: pip install 'skdense[onnx]'")
    needs_pandas = "import pandas" in block or "as_frame=True" in block
    if needs_pandas and importlib.util.find_spec("pandas") is None:
        pytest.skip("pandas not installed: pip install pandas")
    if "distributed" in block and importlib.util.find_spec("distributed") is None:
        pytest.skip("dask.distributed not installed: pip install 'skdense[dask]'")
    for module, extra in (
        ("ray", "ray"),
        ("optuna_integration", "optuna"),
        ("pyarrow", "tables"),
    ):
        if f"import {module.split('_')[0]}" in block and not _importable(module):
            pytest.skip(f"{module} not installed: pip install 'skdense[{extra}]'")
    if "load_fashion_mnist" in block and not os.environ.get("SKDENSE_DATA"):
        pytest.skip("Fashion-MNIST not found: set SKDENSE_DATA to its folder")
    exec(compile(block, name, "exec"), {})


def _slow(block):
    """Whether a block trains on all of Fashion-MNIST (a minute or more) or
    starts a cluster or worker processes."""
    return any(word in block for word in ("load_fashion_mnist", "ray.init", "optuna"))


def _block_params():
    """Each block as a test; the slow ones (see ``_slow``) in the slow tier."""
    return [
        pytest.param(
            page,
            block,
            id=f"{page}-{i}",
            marks=[pytest.mark.slow] if _slow(block) else [],
        )
        for i, (page, block) in enumerate(_python_blocks())
    ]


# The pages' blocks train a few epochs to run in seconds; a reader is told so.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("page, block", _block_params())
def test_python_blocks_run(page, block, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the files a block writes go there
    _run_block(block, page)
    out = capsys.readouterr().out
    if "validation accuracy" in block:  # the quick start
        assert float(re.search(r"validation accuracy (\S+)", out).group(1)) > 0.9
    if "DenseRegressor" in block:  # the regression section: Ridge's level
        assert float(re.search(r"cross-validated R² (\S+)", out).group(1)) > 0.43
    if "epochs logged" in block:  # callbacks: a ScoringMonitor row per epoch
        assert re.search(r"^5 epochs logged", out)
    if "best validation ROC AUC" in block:  # scoring
        assert float(re.search(r"ROC AUC (\S+)", out).group(1)) > 0.95
    if "learning rates:" in block:  # the cosine schedule's warm-up
        assert "[0.005, 0.01, 0.01," in out
    if "checkpoint of epoch" in block:  # checkpoint and resume
        epoch, total = map(int, re.search(r"epoch (\d+), resumed: (\d+)", out).groups())
        assert total == epoch + 4
    if "labels agree" in block:  # ONNX: the same labels and probabilities
        assert "labels agree: True" in out
        assert float(re.search(r"difference (\S+)", out).group(1)) < 1e-5
    if "two networks' first layers" in block:  # n_ensemble stacks its networks
        assert "(2, 120, 256)" in out
    if "partial_fit calls" in block:  # streaming Parquet files
        calls, accuracy = re.search(r"(\d+) partial_fit calls.* (\S+)$", out).groups()
        assert int(calls) == 12 and float(accuracy) > 0.85
    if "fashion-mnist-tuned" in block:  # the documented claim: over 0.90
        assert float(re.search(r"test accuracy (\S+)", out).group(1)) >= 0.90


def _readme_headings():
    return re.findall(r"^## (.+)$", (ROOT / "README.md").read_text(), flags=re.M)


def test_the_readme_is_written_for_a_user():
    """What it is, install and a quick start first; the test commands last;
    every detail that has a page lives on it."""
    headings = _readme_headings()
    assert headings[:3] == [
        "Install",
        "Quick start",
        "Your own table: `skdense compare`",
    ]
    assert headings[-1] == "Development"
    text = (ROOT / "README.md").read_text()
    assert text.index("python -m pytest") > text.index("## Development")
    assert len(text.split()) < 1000


def test_the_readmes_main_job_runs_as_written(tmp_path):
    """The README's own-table commands (all but ``pip install``) run as
    written in a fresh folder, and print the table with every model."""
    pytest.importorskip("pandas", reason="pip install 'skdense[tables]'")
    section = (ROOT / "README.md").read_text().split("## Your own table")[1]
    block = re.search(r"```bash\n(.*?)```", section, flags=re.S).group(1)
    commands = [shlex.split(line, comments=True) for line in block.splitlines()]
    commands = [c for c in commands if c and c[:2] != ["pip", "install"]]
    assert [c[0] for c in commands] == ["python", "skdense"]
    programs = {
        "python": [sys.executable],
        "skdense": [sys.executable, "-m", "skdense.cli"],
    }
    out = ""
    for command in commands:
        result = subprocess.run(
            [*programs[command[0]], *command[1:]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        out += result.stdout
    for model in ("tabular", "boosting", "mlp", "linear"):
        assert f"| {model} |" in out
    assert (tmp_path / "skdense-results" / "results.csv").is_file()
