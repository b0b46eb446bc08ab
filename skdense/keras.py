"""Keras interop: the network skdense trains, as a model-building function.

``build_model`` returns the compiled ``keras.Sequential`` that
``DenseClassifier(backend="keras")`` trains, from the same hyperparameters.
It fits scikeras's ``KerasClassifier(model=...)``, which passes the data's
shape through ``meta``, and plain Keras code, which passes it by name.
"""

from ._classifier import DenseClassifier
from ._params import check_params
from .backends._keras import build_model as _build_model


def build_model(
    meta=None,
    *,
    n_features=None,
    n_classes=None,
    hidden_layer_sizes=(100,),
    activation="relu",
    solver="adam",
    alpha=0.0001,
    batch_size=32,
    learning_rate_init=0.001,
    momentum=0.9,
    nesterovs_momentum=True,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-8,
    l1=0.0,
    dropout=0.0,
    weight_init="auto",
    rho=0.9,
    dtype="float32",
    random_state=None,
):
    """Build the compiled Keras network of a :class:`~skdense.DenseClassifier`.

    Parameters
    ----------
    meta : dict, default=None
        scikeras's metadata; its ``n_features_in_`` and ``n_classes_`` give
        the input width and the number of classes.
    n_features, n_classes : int, default=None
        The same, for calls without ``meta``.
    hidden_layer_sizes, activation, solver, alpha, learning_rate_init, \
momentum, nesterovs_momentum, beta_1, beta_2, epsilon, l1, dropout, \
weight_init, rho, dtype, random_state
        As for :class:`~skdense.DenseClassifier`.
    batch_size : int, default=32
        The batch size the model will be trained with: the penalties are
        divided by it, as DenseClassifier does.

    Returns
    -------
    model : keras.Sequential
        Compiled with the optimizer ``solver`` names. Two classes give one
        sigmoid output unit and binary cross-entropy on 0/1 targets; more
        give a softmax output and sparse categorical cross-entropy on
        integer targets, as scikeras encodes them.

    Examples
    --------
    >>> from skdense.keras import build_model
    >>> model = build_model(n_features=4, n_classes=3, hidden_layer_sizes=(8,))
    >>> model.output_shape
    (None, 3)
    >>> [layer.units for layer in model.layers]
    [8, 3]

    With scikeras (``pip install scikeras``)::

        from scikeras.wrappers import KerasClassifier
        clf = KerasClassifier(model=build_model, hidden_layer_sizes=(32,), epochs=20)
    """
    if meta is not None:
        n_features, n_classes = meta["n_features_in_"], meta["n_classes_"]
    if n_features is None or n_classes is None:
        raise ValueError("build_model needs meta, or n_features and n_classes.")
    # The same checks, messages and name resolution as the estimator's.
    settings = check_params(
        DenseClassifier(
            hidden_layer_sizes,
            activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate_init=learning_rate_init,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            l1=l1,
            dropout=dropout,
            weight_init=weight_init,
            rho=rho,
            dtype=dtype,
            backend="keras",
        )
    )
    return _build_model(
        int(n_features),
        1 if n_classes == 2 else int(n_classes),
        random_state=random_state,
        penalty_scale=1.0 / batch_size,
        sparse_targets=True,
        **settings["network"],
    )


__all__ = ["build_model"]
