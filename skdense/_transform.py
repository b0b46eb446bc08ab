"""A fitted network's hidden layers as features: ``transform``.

A fitted estimator is then a supervised feature extractor, in a Pipeline too,
with scikit-learn's ``set_output`` and ``get_feature_names_out``.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn import get_config
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import TransformerTags
from sklearn.utils.validation import check_is_fitted

from ._docstrings import fill_doc
from .backends._shared import forward_hidden


def _output_container(estimator):
    """What ``set_output`` makes of ``transform``: "default", "pandas", ..."""
    # scikit-learn keeps an estimator's own choice in _sklearn_output_config.
    chosen = getattr(estimator, "_sklearn_output_config", {}).get("transform")
    return chosen or get_config()["transform_output"]


class HiddenLayerTransform(ClassNamePrefixFeaturesOutMixin, TransformerMixin):
    """``transform`` and ``fit_transform`` for an estimator whose
    ``network_`` is an engine (it validates inputs with ``_validate_inputs``
    and checks outputs with ``_checked_finite``)."""

    @fill_doc
    def transform(self, X: ArrayLike, layer: int = -1) -> NDArray[np.float64]:
        """The activations of a hidden layer: the features the network learned.

        A fitted estimator is then a supervised feature extractor, in a
        Pipeline too (``StandardScaler() -> DenseClassifier() -> SVC()``).

        Parameters
        ----------
        %(X_predict)s
        layer : int, default=-1
            Which hidden layer, indexed as ``hidden_layer_sizes``: -1 is the
            last, 0 the first.

        Returns
        -------
        X_new : ndarray of shape (n_samples, hidden_layer_sizes[layer] * n_ensemble)
            The layer's activations, in float64; an ensemble's networks'
            side by side.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from skdense import DenseClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = DenseClassifier((16, 4), solver="lbfgs", random_state=0).fit(X, y)
        >>> clf.transform(X).shape, clf.transform(X, layer=0).shape
        ((150, 4), (150, 16))
        >>> clf.get_feature_names_out()[:2]
        array(['denseclassifier0', 'denseclassifier1'], dtype=object)
        """
        check_is_fitted(self)
        sizes = self.network_.spec.hidden_layer_sizes
        if (
            not isinstance(layer, numbers.Integral)
            or isinstance(layer, bool)
            or not -len(sizes) <= layer < len(sizes)
        ):
            raise ValueError(
                f"layer={layer!r} is invalid; the network has {len(sizes)} hidden "
                f"layer(s): an int from {-len(sizes)} to {len(sizes) - 1}."
            )
        if sizes[layer] != sizes[-1] and _output_container(self) != "default":
            raise ValueError(
                f"set_output names the last hidden layer's {sizes[-1]} units; "
                f"layer {layer} has {sizes[layer]}. Call "
                "set_output(transform='default') to get this layer as an array."
            )
        X = self._validate_inputs(X)
        with np.errstate(over="ignore", invalid="ignore"):
            activations = forward_hidden(
                X,
                self.network_.get_weights(),
                self.network_.spec,
                layer % len(sizes),
            )
        return self._checked_finite(activations, X)

    @fill_doc
    def fit_transform(self, X: ArrayLike, y: ArrayLike, **fit_params) -> NDArray:
        """Fit, then :meth:`transform` ``X`` (the last hidden layer).

        Parameters
        ----------
        %(X_fit)s
        y : array-like
            Targets, as ``fit`` takes them.
        **fit_params
            Passed to ``fit`` (``sample_weight``, ``validation_data``).

        Returns
        -------
        X_new : ndarray of shape (n_samples, hidden_layer_sizes[-1] * n_ensemble)
            The last hidden layer's activations.
        """
        return self.fit(X, y, **fit_params).transform(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # transform() gives the hidden activations: a (supervised) transformer.
        tags.transformer_tags = TransformerTags(preserves_dtype=["float64"])
        return tags

    @property
    def _n_features_out(self):
        """Units of the last hidden layer (``get_feature_names_out``'s
        count), of every network of an ensemble."""
        spec = self.network_.spec
        return spec.hidden_layer_sizes[-1] * spec.n_ensemble
