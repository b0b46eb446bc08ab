"""What every skdense estimator shares: the network's fitted attributes,
how it is built for a fit, and how it is saved and loaded."""

from __future__ import annotations

import inspect

import numpy as np
from numpy.typing import NDArray
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._persistence import check_version
from ._training import validation_score
from ._version import __version__
from .backends import make_network


class DenseNetworkMixin:
    """MLPClassifier's fitted attributes and skdense's persistence, for any
    estimator whose ``network_`` is an engine and ``history_`` its figures."""

    @classmethod
    def from_preset(cls, name: str, **params) -> DenseNetworkMixin:
        """An estimator with a named parameter set of :mod:`skdense.presets`.

        Parameters
        ----------
        name : str
            One of ``skdense.presets.PRESETS``: "book-multiclass",
            "book-binary", "keras-sgd", "keras-rmsprop", "keras-relu-512",
            "fashion-mnist-tuned".
        **params
            Parameters that override or complete the preset's.

        Returns
        -------
        estimator : same class as the caller
            An unfitted estimator.

        Examples
        --------
        >>> from skdense import DenseClassifier
        >>> clf = DenseClassifier.from_preset("book-multiclass", max_iter=10)
        >>> clf.weight_init, clf.learning_rate_init, clf.max_iter
        ('normal', 0.1, 10)
        """
        from .presets import PRESETS

        if name not in PRESETS:
            raise ValueError(
                f"Unknown preset {name!r}; available: {', '.join(sorted(PRESETS))}."
            )
        return cls(**{**PRESETS[name], **params})

    @property
    def loss_curve_(self) -> list[float]:
        check_is_fitted(self)
        return self.history_["loss"]

    @property
    def coefs_(self) -> list[NDArray]:
        """Weight matrices of the network, input layer first (assignable)."""
        check_is_fitted(self)
        return self.network_.coefs_

    @coefs_.setter
    def coefs_(self, coefs):
        self._replace_weights(coefs, self.intercepts_)

    @property
    def intercepts_(self) -> list[NDArray]:
        """Bias vectors of the network, input layer first (assignable)."""
        check_is_fitted(self)
        return self.network_.intercepts_

    @intercepts_.setter
    def intercepts_(self, intercepts):
        self._replace_weights(self.coefs_, intercepts)

    def _replace_weights(self, coefs, intercepts):
        old = self.network_.get_weights()
        new = [np.asarray(w, dtype=old[0].dtype) for w in [*coefs, *intercepts]]
        if [w.shape for w in new] != [w.shape for w in old]:
            raise ValueError(
                "coefs_ and intercepts_ must keep the network's shapes "
                f"{[w.shape for w in old]}; got {[w.shape for w in new]}."
            )
        self.network_.set_weights(new)

    @property
    def n_layers_(self) -> int:
        """Number of layers, input and output included."""
        check_is_fitted(self)
        return len(self.network_.spec.hidden_layer_sizes) + 2

    @property
    def n_outputs_(self) -> int:
        """Number of output units: 1 for two classes, else one per class."""
        check_is_fitted(self)
        return self.network_.spec.n_outputs

    @property
    def out_activation_(self) -> str:
        """The output layer's activation: "logistic" or "softmax"."""
        check_is_fitted(self)
        return self.network_.spec.output

    def __getstate__(self):
        state = super().__getstate__()
        state["_skdense_version"] = __version__
        return state

    def __setstate__(self, state):
        state = dict(state)
        saved_version = state.pop("_skdense_version", None)
        if "network_" in state:  # an unfitted model has nothing to get wrong
            check_version(saved_version, __version__, type(self).__name__)
            state.setdefault("t_", None)  # 0.1.0 did not count samples seen
        # A model saved before a parameter existed gets its default.
        for name, parameter in inspect.signature(
            type(self).__init__
        ).parameters.items():
            if parameter.default is not inspect.Parameter.empty:
                state.setdefault(name, parameter.default)
        super().__setstate__(state)

    def _set_best_figures(self, history, early_stopping, scoring):
        """MLPClassifier's best_loss_, validation_scores_, best_validation_score_."""
        if early_stopping:
            self.best_loss_ = None
            self.validation_scores_ = [
                validation_score({"val_loss": loss, "val_accuracy": accuracy}, scoring)
                for loss, accuracy in zip(
                    history["val_loss"], history["val_accuracy"], strict=True
                )
            ]
            self.best_validation_score_ = max(self.validation_scores_)
        else:
            self.best_loss_ = min(history["loss"]) if history.get("loss") else None
            self.validation_scores_ = None
            self.best_validation_score_ = None

    def _network(self, spec, settings, incremental, continuing):
        if incremental and continuing:
            return self.network_
        seed = check_random_state(settings.random_state).randint(2**31)
        network = make_network(settings.backend, spec, seed)
        if continuing:  # warm_start: new optimizer settings, previous weights
            old = self.network_.get_weights()
            if [w.shape for w in old] != [w.shape for w in network.get_weights()]:
                raise ValueError(
                    "warm_start needs the same network shape as the previous fit; "
                    "hidden_layer_sizes changed. Set warm_start=False to refit."
                )
            network.set_weights(old)
        return network
