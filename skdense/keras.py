"""Keras interop: the network skdense trains, as a model-building function.

``build_model`` returns the compiled ``keras.Sequential`` that
``DenseClassifier(backend="keras")`` trains, from the same hyperparameters.
It fits scikeras's ``KerasClassifier(model=...)``, which passes the data's
shape through ``meta``, and plain Keras code, which passes it by name.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

from .backends import NetworkSpec
from .backends._keras_model import build_model as _build_model
from .backends._optimizers import SOLVERS
from .backends._spec import SETTINGS

# The input stage is applied to the data before it reaches the model, not in
# it (and its scaling needs the training data's statistics); an ensemble
# (n_ensemble) is several models, which the estimator trains together.
MODEL_SETTINGS = [
    name
    for name in SETTINGS
    if name not in ("input_scale", "input_scaling", "input_clip", "n_ensemble")
]


def build_model(
    meta: dict | None = None,
    *,
    n_features: int | None = None,
    n_classes: int | None = None,
    batch_size: int = 32,
    **settings: Any,
) -> Any:
    """Build the compiled Keras network of a :class:`~skdense.DenseClassifier`.

    Parameters
    ----------
    meta : dict, default=None
        scikeras's metadata; its ``n_features_in_`` and ``n_classes_`` give
        the input width and the number of classes.
    n_features, n_classes : int, default=None
        The same, for calls without ``meta``.
    batch_size : int, default=32
        The batch size the model will be trained with: the penalties are
        divided by it, as DenseClassifier does.
    random_state : int or None, default=None
        Seeds the initial weights and dropout.
    **settings
        The network settings of :class:`~skdense.DenseClassifier`, with its
        names, defaults and checks: hidden_layer_sizes, activation, solver,
        alpha, learning_rate_init, momentum, nesterovs_momentum, beta_1,
        beta_2, epsilon, l1, dropout, weight_init, rho and dtype (the
        signature lists them all).

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
    random_state = settings.pop("random_state", None)
    spec = _spec(n_features, n_classes, settings)
    return _build_model(
        spec,
        random_state=random_state,
        penalty_scale=1.0 / batch_size,
        sparse_targets=True,
    )


def _spec(n_features, n_classes, settings):
    """The classifier network's spec, its settings checked."""
    if n_features is None or n_classes is None:
        raise ValueError("build_model needs meta, or n_features and n_classes.")
    unknown = set(settings) - set(MODEL_SETTINGS)
    if unknown:
        raise TypeError(f"build_model got unknown settings {sorted(unknown)}.")
    n_classes = int(n_classes)
    output = (1, "logistic") if n_classes == 2 else (n_classes, "softmax")
    spec = NetworkSpec(int(n_features), *output, **settings)
    if SOLVERS[spec.solver].keras is None:
        raise ValueError(
            f"build_model: solver={spec.solver!r} is not available in Keras."
        )
    if spec.weight_init == "data":
        raise ValueError(
            "build_model: weight_init='data' starts from the training data, "
            "which a model built before fitting does not see. Use "
            "DenseClassifier(weight_init='data', backend='keras'), or another "
            "weight_init."
        )
    return spec


# The signature lists every setting by name, as the spec declares it: scikeras
# reads it to decide which of its parameters to pass, and users read it too.
build_model.__signature__ = inspect.Signature(
    [
        *list(inspect.signature(build_model).parameters.values())[:-1],
        inspect.Parameter("random_state", inspect.Parameter.KEYWORD_ONLY, default=None),
        *(
            inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default)
            for f in dataclasses.fields(NetworkSpec)
            if f.name in MODEL_SETTINGS
        ),
    ]
)

__all__ = ["build_model"]
