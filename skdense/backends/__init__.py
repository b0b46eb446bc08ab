"""Training engines behind :class:`skdense.DenseClassifier`.

An engine knows arrays and weights only; the estimator owns everything
scikit-learn sees. Every engine builds a network from the same keyword
parameters and offers the same methods: ``train_epoch``, ``end_training``
(frees what training held), ``evaluate``, ``predict_proba``,
``get_weights``/``set_weights``, ``coefs_``/``intercepts_`` and a
``learning_rate`` attribute the learning-rate schedule sets between epochs.
"""

from ._numpy import DenseNetwork, MinibatchNetwork, MultiClassNetwork

BACKENDS = ("numpy", "keras")


def make_network(backend, n_features, n_classes, **params):
    """Build the engine's network for ``n_classes`` classes (2 is binary)."""
    if backend == "keras":
        from ._keras import KerasNetwork  # imports TensorFlow: only when asked

        return KerasNetwork(n_features, 1 if n_classes == 2 else n_classes, **params)
    if backend != "numpy":
        raise ValueError(f"Unknown backend {backend!r}; expected one of {BACKENDS}.")
    if n_classes == 2:
        return MinibatchNetwork(n_features, **params)
    return MultiClassNetwork(n_features, n_classes, **params)


__all__ = ["DenseNetwork", "MinibatchNetwork", "MultiClassNetwork", "make_network"]
