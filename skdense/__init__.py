"""skdense: dense neural networks as scikit-learn estimators."""

from ._classifier import DenseClassifier
from ._persistence import TRUSTED_TYPES, InconsistentVersionWarning, load, save
from ._version import __version__

__all__ = [
    "TRUSTED_TYPES",
    "DenseClassifier",
    "InconsistentVersionWarning",
    "__version__",
    "load",
    "save",
]
