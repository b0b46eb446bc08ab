"""skdense: dense neural networks as scikit-learn estimators.

Examples
--------
>>> import skdense
>>> skdense.__version__ == skdense._version.__version__
True
>>> "skdense._classifier.DenseClassifier" in skdense.TRUSTED_TYPES  # for load
True
"""

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
