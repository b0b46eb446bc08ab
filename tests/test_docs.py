"""The README's Python blocks and the examples run as written."""

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _python_blocks():
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


@pytest.mark.parametrize("index", range(len(_python_blocks())))
def test_readme_python_blocks_run(index, capsys):
    block = _python_blocks()[index]
    if "skdense.keras" in block and importlib.util.find_spec("tensorflow") is None:
        pytest.skip("TensorFlow/Keras not installed: pip install 'skdense[keras]'")
    exec(compile(block, f"README.md block {index}", "exec"), {})


def test_readme_quick_start_reports_a_good_model(capsys):
    exec(_python_blocks()[0], {})
    out = capsys.readouterr().out
    accuracy = float(re.search(r"validation accuracy (\S+)", out).group(1))
    assert accuracy > 0.9
