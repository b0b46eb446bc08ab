"""The estimator's parameters: one table of constraints, checked at fit time.

Each parameter is declared once, where it is used: network and optimizer
settings as fields of :class:`~skdense.backends.NetworkSpec`, training-loop
settings as fields of :class:`~skdense._training.TrainingSettings`, the few
every estimator reads itself in :data:`ESTIMATOR_SETTINGS`, and those of one
estimator only in :data:`CLASSIFIER_SETTINGS` and :data:`REGRESSOR_SETTINGS`.
:func:`parameters` joins them into one table per estimator, a row per
parameter.
"""

import dataclasses
import numbers
from dataclasses import dataclass

import numpy as np

from ._constraints import Boolean, Interval, Options, RowNames, Satisfies, check_value
from ._constraints import constraints_of as _constraints_of
from ._missing import MISSING_VALUES
from ._training import TrainingSettings
from .backends import BACKENDS, NetworkSpec
from .backends._ops import LOSSES
from .backends._optimizers import KERAS_SOLVERS, MINIBATCH_SOLVERS, SOLVERS
from .backends._spec import LABEL_SMOOTHING
from .backends._spec import SETTINGS as NETWORK_SETTINGS

# An estimator's own settings that its network's spec takes.
_SPEC_FIELDS = {field.name for field in dataclasses.fields(NetworkSpec)}


def _is_random_state(value):
    return value is None or isinstance(value, (numbers.Integral, np.random.RandomState))


def _is_column_choice(value):
    """None, "from_dtype", or a 1-D array-like of positions, names or a mask."""
    if value is None or isinstance(value, str):
        return value in (None, "from_dtype")
    try:
        chosen = np.asarray(value)
    except (TypeError, ValueError):
        return False
    return chosen.ndim == 1 and chosen.dtype.kind in "biuOUS"


ESTIMATOR_SETTINGS = {
    "categorical_features": (
        Satisfies(
            _is_column_choice,
            'None, "from_dtype", or a mask, positions or names of columns',
        ),
    ),
    "min_frequency": (
        Options(None),
        Interval(numbers.Integral, 1, None),
        Interval(numbers.Real, 0.0, 1.0, closed="neither"),
    ),
    "max_categories": (Options(None), Interval(numbers.Integral, 2, None)),
    "missing_values": (Options(*MISSING_VALUES),),
    "random_state": (Satisfies(_is_random_state, "None, an int or a RandomState"),),
    "warm_start": (Boolean(),),
    "backend": (Options(*BACKENDS),),
}
CLASSIFIER_SETTINGS = {
    "class_weight": (
        Options(None, "balanced"),
        Satisfies(lambda v: isinstance(v, dict), "a dict {class: weight}"),
    ),
    "label_smoothing": LABEL_SMOOTHING,
}
# MLPRegressor's losses: the regression rows of LOSSES.
REGRESSOR_SETTINGS = {
    "loss": (RowNames(LOSSES, lambda row: row.score == "r2"),),
    "target_scaling": (Options(None, "standard"),),
}
TRAINING_SETTINGS = _constraints_of(TrainingSettings)


def parameters(own_settings):
    """The table of an estimator whose own rows are ``own_settings``."""
    return {
        **NETWORK_SETTINGS,
        **TRAINING_SETTINGS,
        **ESTIMATOR_SETTINGS,
        **own_settings,
    }


PARAMETERS = parameters(CLASSIFIER_SETTINGS)  # DenseClassifier's table


@dataclass(frozen=True)
class FitSettings:
    """An estimator's parameters, checked and sorted by who uses them."""

    network: dict  # NetworkSpec's settings; the data's shape comes at fit
    training: TrainingSettings
    random_state: object
    warm_start: bool
    backend: str
    categorical_features: object
    min_frequency: object
    max_categories: object
    missing_values: str
    own: dict  # the settings of this estimator only (class_weight, loss)

    @property
    def dtype(self):
        return np.dtype(self.network["dtype"])

    def spec(self, n_features, n_outputs, loss, **statistics):
        """The ``NetworkSpec`` for data of this shape trained with ``loss``
        (a row of ``LOSSES``, which names the output layer), every "auto"
        resolved; ``statistics`` are the input stage's (``input_center``,
        ``input_factor``)."""
        out_activation = LOSSES[loss].out_activation
        own = {k: v for k, v in self.own.items() if k in _SPEC_FIELDS and k != "loss"}
        return NetworkSpec(
            n_features,
            n_outputs,
            out_activation,
            loss=loss,
            **self.network,
            **own,
            **statistics,
        )


def check_params(estimator):
    """Check every parameter of ``estimator``; return its :class:`FitSettings`.

    The estimator's class names its own rows in ``_own_settings``.

    Raises a ``ValueError`` naming the first bad parameter and what it
    accepts; nothing is changed.
    """
    owner = type(estimator).__name__
    params = estimator.get_params(deep=False)
    own_settings = type(estimator)._own_settings
    for name, constraints in parameters(own_settings).items():
        check_value(owner, name, params[name], constraints)
    if params["backend"] == "keras" and params["solver"] not in KERAS_SOLVERS:
        raise ValueError(
            f"{owner}: solver={params['solver']!r} is not available with "
            f"backend='keras'; use one of {KERAS_SOLVERS}, or backend='numpy'."
        )
    if params["ema_momentum"] is not None and SOLVERS[params["solver"]].full_batch:
        raise ValueError(
            f"{owner}: ema_momentum={params['ema_momentum']} averages the "
            f"weights over minibatch steps; solver={params['solver']!r} is "
            f"full-batch. Use one of {MINIBATCH_SOLVERS}, or ema_momentum=None."
        )
    if params["n_ensemble"] > 1 and SOLVERS[params["solver"]].full_batch:
        raise ValueError(
            f"{owner}: n_ensemble={params['n_ensemble']} trains its networks "
            f"together, epoch by epoch, which needs a minibatch solver; "
            f"solver={params['solver']!r} is full-batch. Use one of "
            f"{MINIBATCH_SOLVERS}, or n_ensemble=1."
        )
    return FitSettings(
        network={name: params[name] for name in NETWORK_SETTINGS},
        training=TrainingSettings(**{name: params[name] for name in TRAINING_SETTINGS}),
        **{name: params[name] for name in ESTIMATOR_SETTINGS},
        own={name: params[name] for name in own_settings},
    )
