"""Properties of skdense's own source: no dead tables, docstrings that fit."""

import ast
import re
from pathlib import Path

import pytest

from skdense import DenseClassifier, DenseRegressor

PACKAGE = Path(__file__).resolve().parents[1] / "skdense"
SOURCES = {path: path.read_text() for path in sorted(PACKAGE.rglob("*.py"))}
TESTS = [path.read_text() for path in sorted(Path(__file__).parent.glob("*.py"))]


def _module_constants(source):
    """The UPPER_CASE names a module assigns at its top level."""
    names = []
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        names += [t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper()]
    return names


@pytest.mark.parametrize(
    "path", list(SOURCES), ids=[str(p.relative_to(PACKAGE)) for p in SOURCES]
)
def test_every_module_table_is_used(path):
    """A constant that neither skdense nor its tests read is dead code."""
    everything = "\n".join([*SOURCES.values(), *TESTS])
    for name in _module_constants(SOURCES[path]):
        uses = len(re.findall(rf"\b{name}\b", everything))
        assert uses >= 2, f"{name} in {path.name} is defined and never used"


def _parameter_doc(estimator, name):
    doc = estimator.__doc__
    return doc.split(f"\n    {name} :", 1)[1].split("\n    \n", 1)[0].split("\n\n")[0]


def test_the_scoring_docstrings_name_each_estimators_own_score():
    classifier = _parameter_doc(DenseClassifier, "scoring")
    assert "accuracy" in classifier and "R²" not in classifier
    assert "neg_mean_absolute_error" not in classifier
    regressor = _parameter_doc(DenseRegressor, "scoring")
    assert "R²" in regressor and "accuracy" not in regressor


@pytest.mark.parametrize("estimator", [DenseClassifier, DenseRegressor])
def test_every_shared_docstring_section_is_filled_in(estimator):
    """A method whose docstring names a shared section (``%(X_fit)s``) but
    lacks ``@fill_doc`` would show the placeholder in help() and the docs."""
    public = [getattr(estimator, name) for name in dir(estimator) if name[0] != "_"]
    docs = [member.__doc__ for member in public if callable(member)]
    assert sum("X : {array-like, sparse matrix}" in (doc or "") for doc in docs) >= 3
    for doc in docs:
        assert "%(" not in (doc or "")
