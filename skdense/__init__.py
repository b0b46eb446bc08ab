"""skdense: dense neural networks as scikit-learn estimators."""

from ._classifier import DenseClassifier
from ._persistence import TRUSTED_TYPES, InconsistentVersionWarning, load, save
from ._regressor import DenseRegressor
from ._version import __version__

__all__ = [
    "TRUSTED_TYPES",
    "DenseClassifier",
    "DenseRegressor",
    "InconsistentVersionWarning",
    "__version__",
    "load",
    "save",
]
