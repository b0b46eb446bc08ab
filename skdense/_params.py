"""The estimator's parameters: one table of constraints, checked at fit time.

Each parameter is declared once, where it is used: network and optimizer
settings as fields of :class:`~skdense.backends.NetworkSpec`, training-loop
settings as fields of :class:`~skdense._training.TrainingSettings`, and the
few the estimator itself reads in :data:`ESTIMATOR_SETTINGS` below.
:data:`PARAMETERS` joins them into one table, a row per parameter.
"""

import numbers
from dataclasses import dataclass

import numpy as np

from ._constraints import Boolean, Options, Satisfies, check_value
from ._constraints import constraints_of as _constraints_of
from ._training import TrainingSettings
from .backends import BACKENDS, NetworkSpec
from .backends._spec import SETTINGS as NETWORK_SETTINGS


def _is_random_state(value):
    return value is None or isinstance(value, (numbers.Integral, np.random.RandomState))


ESTIMATOR_SETTINGS = {
    "random_state": (Satisfies(_is_random_state, "None, an int or a RandomState"),),
    "warm_start": (Boolean(),),
    "class_weight": (
        Options(None, "balanced"),
        Satisfies(lambda v: isinstance(v, dict), "a dict {class: weight}"),
    ),
    "backend": (Options(*BACKENDS),),
}
TRAINING_SETTINGS = _constraints_of(TrainingSettings)
PARAMETERS = {**NETWORK_SETTINGS, **TRAINING_SETTINGS, **ESTIMATOR_SETTINGS}


@dataclass(frozen=True)
class FitSettings:
    """An estimator's parameters, checked and sorted by who uses them."""

    network: dict  # NetworkSpec's settings; the data's shape comes at fit
    training: TrainingSettings
    random_state: object
    warm_start: bool
    class_weight: object
    backend: str

    @property
    def dtype(self):
        return np.dtype(self.network["dtype"])

    def spec(self, n_features, n_outputs, output):
        """The ``NetworkSpec`` for data of this shape, every "auto" resolved."""
        return NetworkSpec(n_features, n_outputs, output, **self.network)


def check_params(estimator):
    """Check every parameter of ``estimator``; return its :class:`FitSettings`.

    Raises a ``ValueError`` naming the first bad parameter and what it
    accepts; nothing is changed.
    """
    owner = type(estimator).__name__
    params = estimator.get_params(deep=False)
    for name, constraints in PARAMETERS.items():
        check_value(owner, name, params[name], constraints)
    if params["backend"] == "keras" and params["solver"] == "lbfgs":
        raise ValueError(
            f"{owner}: solver='lbfgs' is not available with backend='keras'; "
            "use 'adam', 'sgd' or 'rmsprop', or backend='numpy'."
        )
    return FitSettings(
        network={name: params[name] for name in NETWORK_SETTINGS},
        training=TrainingSettings(**{name: params[name] for name in TRAINING_SETTINGS}),
        **{name: params[name] for name in ESTIMATOR_SETTINGS},
    )
