"""The network every engine builds, and the contract every engine keeps.

:class:`NetworkSpec` is the one list of network and optimizer settings: each
field carries its default and the values it accepts, and the estimator's
parameter table takes its network rows from here. An engine is built from a
spec and a random seed, and offers the methods of :class:`Engine`.
"""

from __future__ import annotations

import dataclasses
import numbers
from dataclasses import dataclass
from typing import NamedTuple, Protocol, runtime_checkable

import numpy as np

from .._constraints import (
    Boolean,
    Interval,
    Options,
    RowNames,
    Satisfies,
    check_value,
    setting,
)
from .._constraints import constraints_of as _constraints_of
from ._categorical import categorical_width
from ._embeddings import NUMERIC_EMBEDDINGS, embedded_width
from ._inputs import INPUT_SCALINGS
from ._ops import ACTIVATIONS, CANONICAL_LOSSES, LOSSES
from ._optimizers import SOLVERS

_Real, _Integral = numbers.Real, numbers.Integral

# The output layers: each is trained with its canonical loss unless the spec
# names another of LOSSES. Classifiers use the first two, regressors the others.
OUTPUTS = tuple(CANONICAL_LOSSES)
CLASSIFIER_OUTPUTS = tuple(
    a for a, loss in CANONICAL_LOSSES.items() if LOSSES[loss].score == "accuracy"
)
REGRESSOR_OUTPUTS = tuple(a for a in OUTPUTS if a not in CLASSIFIER_OUTPUTS)
DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _layer_sizes(value):
    sizes = (value,) if isinstance(value, _Integral) else tuple(value)
    return all(
        isinstance(s, _Integral) and not isinstance(s, (bool, np.bool_)) and s >= 1
        for s in sizes
    )


LAYER_SIZES = Satisfies(_layer_sizes, "an int or a tuple of positive ints (>= 1)")
COMPUTE_DTYPE = Satisfies(lambda v: np.dtype(v) in DTYPES, "np.float32 or np.float64")
_RATE = Interval(_Real, 0.0, 1.0, closed="left")
_PENALTY = Interval(_Real, 0.0, None)
_POSITIVE = Interval(_Real, 0.0, None, closed="neither")
LABEL_SMOOTHING = (_RATE,)


@dataclass(frozen=True)
class NetworkSpec:
    """Everything that defines a network and its optimizer, resolved.

    ``n_features``, ``n_outputs``, the output layer's activation
    ``out_activation`` and the ``loss`` (None: the output's canonical loss,
    see :data:`~skdense.backends._ops.LOSSES`) come from the data; every
    other field has :class:`skdense.DenseClassifier`'s parameter of the same
    name, default and meaning. Construction checks each value and resolves
    aliases and "auto": ``activation="sigmoid"`` becomes "logistic",
    ``weight_init="auto"`` "glorot" (MLPClassifier's rule), ``dtype`` a
    ``numpy.dtype``, ``input_scale=None`` 1.0.

    Examples
    --------
    >>> from skdense.backends import NetworkSpec
    >>> spec = NetworkSpec(n_features=4, n_outputs=3, out_activation="softmax")
    >>> spec.weight_init, spec.dtype, spec.input_scale, spec.loss
    ('glorot', dtype('float32'), 1.0, 'log_loss')
    """

    n_features: int
    n_outputs: int
    out_activation: str
    loss: str | None = None
    hidden_layer_sizes: tuple[int, ...] = setting((100,), LAYER_SIZES)
    activation: str = setting(
        "relu", RowNames(ACTIVATIONS, lambda row: row.hidden, extra=("sigmoid",))
    )
    weight_init: str = setting(
        "auto", Options("auto", "glorot", "he", "normal", "data")
    )
    alpha: float = setting(0.0001, _PENALTY)
    l1: float = setting(0.0, _PENALTY)
    dropout: float = setting(0.0, _RATE)
    solver: str = setting("adam", Options(*SOLVERS))
    learning_rate_init: float = setting(0.001, _POSITIVE)
    momentum: float = setting(0.9, Interval(_Real, 0.0, 1.0))
    nesterovs_momentum: bool = setting(True, Boolean())
    beta_1: float = setting(0.9, _RATE)
    beta_2: float = setting(0.999, _RATE)
    rho: float = setting(0.9, _RATE)
    epsilon: float = setting(1e-8, _POSITIVE)
    weight_decay: float = setting(0.01, _PENALTY)
    ema_momentum: float | None = setting(None, Options(None), _RATE)
    dtype: np.dtype = setting(np.float32, COMPUTE_DTYPE)
    input_scale: float = setting(None, Options(None), _POSITIVE)
    input_scaling: str | None = setting(None, Options(None, *INPUT_SCALINGS))
    input_clip: float | None = setting(None, Options(None), _POSITIVE)
    input_log: float | None = setting(None, Options(None), _POSITIVE)
    numeric_embedding: str | None = setting(None, Options(None, *NUMERIC_EMBEDDINGS))
    embedding_size: int = setting(4, Interval(_Integral, 2, None))
    embedding_frequencies: int = setting(16, Interval(_Integral, 1, None))
    embedding_sigma: float = setting(0.1, _POSITIVE)
    embedding_lr_factor: float = setting(1.0, _POSITIVE)
    bias_lr_factor: float = setting(1.0, _POSITIVE)
    max_onehot_categories: int = setting(8, Interval(_Integral, 1, None))
    categorical_embedding_size: int = setting(8, Interval(_Integral, 1, None))
    n_ensemble: int = setting(1, Interval(_Integral, 1, None))
    # The input stage's per-column statistics, from the training data (see
    # skdense.backends.input_statistics); None without ``input_scaling``.
    input_center: tuple | None = None
    input_factor: tuple | None = None
    # The numeric columns the input stage reads as signed logs (``input_log``'s
    # heavy-tailed columns, see skdense.backends._inputs.heavy_tailed).
    input_logged: tuple = ()
    # The number of levels of each categorical column, which are X's last
    # columns (see skdense.backends._categorical); () without any.
    categorical_levels: tuple = ()
    # A classifier's (DenseClassifier's own parameter): see LABEL_SMOOTHING.
    label_smoothing: float = 0.0

    def __post_init__(self):
        for name, constraints in SETTINGS.items():
            check_value("NetworkSpec", name, getattr(self, name), constraints)
        resolved = self._resolved(self._checked_loss())
        self._check_input_stage(resolved)
        if self.input_scaling is not None:
            for name in ("input_center", "input_factor"):
                resolved[name] = tuple(float(v) for v in getattr(self, name))
        for name, value in resolved.items():
            object.__setattr__(self, name, value)  # frozen: set once, here

    def _checked_loss(self):
        """The loss (the output's canonical one if None), checked against the
        output layer, the sizes and the label smoothing."""
        check_value(
            "NetworkSpec", "out_activation", self.out_activation, [Options(*OUTPUTS)]
        )
        loss = CANONICAL_LOSSES[self.out_activation] if self.loss is None else self.loss
        check_value("NetworkSpec", "loss", loss, [Options(*LOSSES)])
        if LOSSES[loss].out_activation != self.out_activation:
            raise ValueError(
                f"NetworkSpec: loss={loss!r} is for a {LOSSES[loss].out_activation!r} "
                f"output layer, not {self.out_activation!r}."
            )
        for name in ("n_features", "n_outputs"):
            check_value("NetworkSpec", name, getattr(self, name), [_AT_LEAST_ONE])
        check_value(
            "NetworkSpec", "label_smoothing", self.label_smoothing, LABEL_SMOOTHING
        )
        if self.label_smoothing and LOSSES[loss].smooth is None:
            raise ValueError(
                f"NetworkSpec: label_smoothing smooths a classifier's targets; "
                f"loss={loss!r} cannot take it."
            )
        return loss

    def _resolved(self, loss):
        """The settings in their one canonical form (aliases and "auto"
        resolved, plain Python numbers, tuples)."""
        # "auto" is MLPClassifier's rule: Glorot for every activation.
        weight_init = "glorot" if self.weight_init == "auto" else self.weight_init
        sizes = self.hidden_layer_sizes
        sizes = (sizes,) if isinstance(sizes, _Integral) else sizes
        resolved = {
            "n_features": int(self.n_features),
            "n_outputs": int(self.n_outputs),
            "n_ensemble": int(self.n_ensemble),
            "loss": loss,
            "hidden_layer_sizes": tuple(int(s) for s in sizes),
            "activation": "logistic"
            if self.activation == "sigmoid"
            else self.activation,
            "weight_init": weight_init,
            "nesterovs_momentum": bool(self.nesterovs_momentum),
            "dtype": np.dtype(self.dtype),
            "input_scale": 1.0 if self.input_scale is None else float(self.input_scale),
            "input_clip": None if self.input_clip is None else float(self.input_clip),
            "ema_momentum": None
            if self.ema_momentum is None
            else float(self.ema_momentum),
            "label_smoothing": float(self.label_smoothing),
            "categorical_levels": tuple(int(k) for k in self.categorical_levels),
            "input_logged": tuple(int(j) for j in self.input_logged),
        }
        return resolved

    def _check_input_stage(self, resolved):
        """The categorical columns and the input scaling's statistics agree
        with the number of features."""
        if len(resolved["categorical_levels"]) > resolved["n_features"] or any(
            k < 1 for k in resolved["categorical_levels"]
        ):
            raise ValueError(
                "NetworkSpec: categorical_levels gives the positive number of "
                "levels of each categorical column, at most one per feature; got "
                f"{self.categorical_levels!r} for {self.n_features} features."
            )
        stats = (self.input_center, self.input_factor)
        if (self.input_scaling is None) != (stats == (None, None)):
            raise ValueError(
                "NetworkSpec: input_center and input_factor are the statistics of "
                "input_scaling, given together with it (skdense.backends."
                "input_statistics computes them)."
            )
        if self.input_scaling is not None:
            for name, values in zip(
                ("input_center", "input_factor"), stats, strict=True
            ):
                if len(values) != self.n_numeric:
                    raise ValueError(
                        f"NetworkSpec: {name} has {len(values)} values for "
                        f"{self.n_numeric} numeric features."
                    )

    def __setstate__(self, state):
        # Specs saved before 0.3 named the output layer ``output`` and had no
        # loss: its canonical one.
        state = dict(state)
        if "output" in state:
            state["out_activation"] = state.pop("output")
        state.setdefault("loss", CANONICAL_LOSSES[state["out_activation"]])
        # Fields added since: their defaults (no input stage, no embedding...).
        for field in dataclasses.fields(NetworkSpec):
            if field.name not in state and field.default is not dataclasses.MISSING:
                state[field.name] = field.default
        for name, value in state.items():
            object.__setattr__(self, name, value)

    @property
    def output(self):
        """The output layer's activation (``out_activation``, its former name)."""
        return self.out_activation

    @property
    def loss_row(self):
        """The :class:`~skdense.backends._ops.Loss` the network is trained with."""
        return LOSSES[self.loss]

    def training_targets(self, Y):
        """The targets the loss is trained on: ``Y``, label-smoothed if asked."""
        if not self.label_smoothing:
            return Y
        return self.loss_row.smooth(Y, self.label_smoothing).astype(Y.dtype, copy=False)

    @property
    def n_numeric(self):
        """How many of the features are numeric: the first ones."""
        return self.n_features - len(self.categorical_levels)

    @property
    def score_name(self):
        """The figure reported beside the loss: "accuracy", or "r2" (regression)."""
        return self.loss_row.score

    @property
    def layer_sizes(self):
        """Units of every dense layer, inputs first: ``(n_features, ...,
        n_outputs)``; the first is the width of the input stage's output (see
        numeric embeddings and categorical columns)."""
        width = embedded_width(self) + categorical_width(self)
        return (width, *self.hidden_layer_sizes, self.n_outputs)

    @property
    def member(self):
        """The spec of one network of an ensemble (``n_ensemble`` of them)."""
        return self if self.n_ensemble == 1 else self.replace(n_ensemble=1)

    def replace(self, **changes):
        """A copy with some fields changed (and checked again)."""
        return dataclasses.replace(self, **changes)


_AT_LEAST_ONE = Interval(_Integral, 1, None)
# The settings (every field but the data's shape), with their constraints.
SETTINGS = _constraints_of(NetworkSpec)


class Evaluation(NamedTuple):
    """What :meth:`Engine.evaluate` gives: the objective of all of ``X`` as
    one batch, no dropout (weighted by ``sample_weight``); the fraction of
    rows predicted right, or None for a loss without an accuracy; and the
    output layer's values (float64, ``(n_samples, n_outputs)``), from which
    the training loop takes the loss's score (the R²) and a scorer's figure,
    with no second forward pass."""

    loss: float
    accuracy: float | None
    outputs: np.ndarray


@runtime_checkable
class Engine(Protocol):
    """What the training loop and the estimator ask of a network.

    Weights travel as ``[W_1, ..., W_L, b_1, ..., b_L]`` lists of arrays.

    Examples
    --------
    >>> from skdense.backends import Engine, NetworkSpec, make_network
    >>> net = make_network("numpy", NetworkSpec(4, 3, "softmax"), random_state=0)
    >>> isinstance(net, Engine)
    True
    """

    spec: NetworkSpec
    learning_rate: float  # set by the learning-rate schedule between epochs

    @property
    def coefs_(self) -> list[np.ndarray]: ...

    @property
    def intercepts_(self) -> list[np.ndarray]: ...

    def train_epoch(
        self, X, Y, sample_weight=None, batch_size=200, shuffle=True, stop=None
    ) -> tuple[float, float | None]:
        """One pass over the data in minibatches: ``(loss, accuracy)``.

        A regression output's engine may return None for the second figure.
        """

    def end_training(self) -> None:
        """Free what training held (buffers, tensors)."""

    def evaluate(self, X, Y, sample_weight=None) -> Evaluation:
        """The objective, accuracy and outputs of all of ``X`` as one batch
        (see :class:`Evaluation`)."""

    def predict_proba(self, X) -> np.ndarray:
        """Output-layer values in float64, ``(n_samples, n_outputs)``."""

    def get_weights(self) -> list[np.ndarray]: ...

    def set_weights(self, weights: list[np.ndarray]) -> None: ...


@runtime_checkable
class FullBatchEngine(Engine, Protocol):
    """An engine that also trains with full-batch L-BFGS.

    Examples
    --------
    >>> from skdense.backends import FullBatchEngine, NetworkSpec, make_network
    >>> net = make_network("numpy", NetworkSpec(4, 1, "logistic"))
    >>> isinstance(net, FullBatchEngine)
    True
    """

    def fit_lbfgs(
        self, X, Y, sample_weight, *, max_iter, max_fun, tol, stop, on_iteration
    ) -> tuple[list[float], int, str | None]:
        """Run L-BFGS: the loss after each iteration, the count, why it failed.

        The training loop passes every argument: MLPClassifier's limits
        (``max_iter``, ``max_fun``, ``tol``), a ``threading.Event`` that ends
        the run once set, and a callable run after each iteration (or None),
        whose true return ends the run."""
