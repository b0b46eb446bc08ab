"""skdense: dense neural networks as scikit-learn estimators."""

from ._classifier import DenseClassifier

__version__ = "0.1.0"

__all__ = ["DenseClassifier", "__version__"]
