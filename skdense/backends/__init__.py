"""Training engines behind :class:`skdense.DenseClassifier`.

An engine knows arrays and weights only; the estimator owns everything
scikit-learn sees. Every engine builds a network from the same keyword
parameters and offers the same methods: ``train_epoch``, ``evaluate``,
``predict_proba``, ``get_weights``/``set_weights`` and a ``learning_rate``
attribute the learning-rate schedule sets between epochs.
"""

from ._numpy import DenseNetwork, MinibatchNetwork, MultiClassNetwork

BACKENDS = ("numpy",)


def make_network(backend, n_features, n_classes, **params):
    """Build the engine's network for ``n_classes`` classes (2 is binary)."""
    if backend != "numpy":
        raise ValueError(f"Unknown backend {backend!r}; expected one of {BACKENDS}.")
    if n_classes == 2:
        return MinibatchNetwork(n_features, **params)
    return MultiClassNetwork(n_features, n_classes, **params)


__all__ = ["DenseNetwork", "MinibatchNetwork", "MultiClassNetwork", "make_network"]
