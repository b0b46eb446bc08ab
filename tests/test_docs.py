"""The README's Python blocks run as written and say what the README claims."""

import importlib.util
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _python_blocks():
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def _run_block(block, name):
    if "skdense.keras" in block and importlib.util.find_spec("tensorflow") is None:
        pytest.skip("TensorFlow/Keras not installed: pip install 'skdense[keras]'")
    if "skdense.save" in block and importlib.util.find_spec("skops") is None:
        pytest.skip("skops not installed: pip install 'skdense[persist]'")
    if "distributed" in block and importlib.util.find_spec("distributed") is None:
        pytest.skip("dask.distributed not installed: pip install 'skdense[dask]'")
    if "load_fashion_mnist" in block and not os.environ.get("SKDENSE_DATA"):
        pytest.skip("Fashion-MNIST not found: set SKDENSE_DATA to its folder")
    exec(compile(block, name, "exec"), {})


@pytest.mark.parametrize("index", range(len(_python_blocks())))
def test_readme_python_blocks_run(index, capsys):
    block = _python_blocks()[index]
    _run_block(block, f"README.md block {index}")
    out = capsys.readouterr().out
    if "validation accuracy" in block:  # the quick start
        assert float(re.search(r"validation accuracy (\S+)", out).group(1)) > 0.9
    if "DenseRegressor" in block:  # the regression section: Ridge's level
        assert float(re.search(r"cross-validated R² (\S+)", out).group(1)) > 0.43
    if "fashion-mnist-tuned" in block:  # the README's claim: over 0.90
        assert float(re.search(r"test accuracy (\S+)", out).group(1)) >= 0.90
