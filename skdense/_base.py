"""What every skdense estimator shares: the network's fitted attributes,
how it is built for a fit, and how it is saved and loaded."""

from __future__ import annotations

import copy

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import check_scoring
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ._callbacks import CallbackSupportMixin, epoch_tasks
from ._columns import CategoricalColumns, check_column_types
from ._data import INTEGER_DTYPES, as_rows
from ._epochs import scoring_key
from ._missing import MissingValues, check_finite
from ._params import check_params
from ._persistence import restored_state, state_to_save
from ._training import RunHooks, train
from ._transform import HiddenLayerTransform
from .backends import input_statistics, make_network
from .backends._inputs import heavy_tailed
from .backends._optimizers import MINIBATCH_SOLVERS, SOLVERS
from .backends._shared import data_dependent_weights, split_weights
from .presets import PRESETS


def has_stochastic_solver(estimator):
    """``partial_fit`` exists for the minibatch solvers only."""
    if SOLVERS[estimator.solver].full_batch:
        raise AttributeError(
            f"partial_fit is not available with solver={estimator.solver!r}; use "
            f"one of {MINIBATCH_SOLVERS}."
        )
    return True


class _Predicted:
    """A network as a validation scorer sees it: the outputs the validation
    pass computed (for an ensemble, each row's from the network that held
    it out), for those rows."""

    def __init__(self, spec, outputs):
        if spec.out_activation == "softmax":
            # Computed in the network's dtype: rows sum to 1 in float64 again,
            # as predict_proba's do (scikit-learn's log loss checks it).
            outputs = outputs / outputs.sum(axis=1, keepdims=True)
        self.spec, self.outputs = spec, outputs

    def predict_proba(self, X):
        if X.shape[0] != self.outputs.shape[0]:
            raise ValueError("A validation scorer predicts the validation rows.")
        return self.outputs


def _assignable_weights(part, doc):
    """A property for the fitted network's ``part`` ("coefs_" or
    "intercepts_"), as MLPClassifier's lists; assigning new arrays of the
    same shapes replaces the network's."""

    def get(estimator) -> list[NDArray]:
        check_is_fitted(estimator)
        return getattr(estimator.network_, part)

    def replace(estimator, arrays):
        estimator._replace_weights(**{part: arrays})

    return property(get, replace, doc=doc)


class DenseNetworkMixin(CallbackSupportMixin, HiddenLayerTransform):
    """MLPClassifier's fitted attributes and skdense's persistence, for any
    estimator whose ``network_`` is an engine and ``history_`` its figures.

    ``transform`` gives the hidden activations (see
    :class:`~skdense._transform.HiddenLayerTransform`)."""

    @classmethod
    def from_preset(cls, name: str, **params) -> DenseNetworkMixin:
        """An estimator with a named parameter set of :mod:`skdense.presets`.

        Parameters
        ----------
        name : str
            One of ``skdense.presets.PRESETS``: "book-multiclass",
            "book-binary", "keras-sgd", "keras-rmsprop", "keras-relu-512",
            "fashion-mnist-tuned", "fashion-mnist-fast", "tabular".
        **params
            Parameters that override or complete the preset's. A preset's
            setting the class does not have (a classifier's
            ``label_smoothing``, for a regressor) is left out. DenseRegressor
            has its own "tabular" preset (``presets.TABULAR_REGRESSOR``).

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
        if name not in PRESETS:
            raise ValueError(
                f"Unknown preset {name!r}; available: {', '.join(sorted(PRESETS))}."
            )
        accepted = cls._get_param_names()
        chosen = cls._own_presets.get(name, PRESETS[name])
        preset = {k: v for k, v in chosen.items() if k in accepted}
        return cls(**{**preset, **params})

    # The presets this class has a version of its own of (by name).
    _own_presets: dict = {}

    @property
    def loss_curve_(self) -> list[float]:
        check_is_fitted(self)
        return self.history_["loss"]

    coefs_ = _assignable_weights(
        "coefs_", "Weight matrices of the network, input layer first (assignable)."
    )
    intercepts_ = _assignable_weights(
        "intercepts_", "Bias vectors of the network, input layer first (assignable)."
    )

    def _replace_weights(self, coefs_=None, intercepts_=None):
        """The network's weights with ``coefs_`` or ``intercepts_`` (the
        other kept), refused unless the shapes stay."""
        coefs = self.coefs_ if coefs_ is None else coefs_
        intercepts = self.intercepts_ if intercepts_ is None else intercepts_
        old = self.network_.get_weights()
        _, _, embedding = split_weights(old, self.network_.spec)  # kept as it is
        new = [
            np.asarray(w, dtype=old[0].dtype) for w in [*coefs, *intercepts, *embedding]
        ]
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
        """Number of output units: 1 for two classes, else one per class or
        label (classifiers); one per target (regressors)."""
        check_is_fitted(self)
        return self.network_.spec.n_outputs

    @property
    def out_activation_(self) -> str:
        """The output layer's activation: "logistic", "softmax", "identity"
        or "exp"."""
        check_is_fitted(self)
        return self.network_.spec.out_activation

    def __getstate__(self):
        # A copy: BaseEstimator hands over the instance's own __dict__.
        return state_to_save(dict(super().__getstate__()))

    def __setstate__(self, state):
        super().__setstate__(restored_state(state, type(self)))

    def _validation_scorer(self, scoring):
        """``score(network, X_val, Y_val, outputs)`` of a ``scoring`` scorer,
        or None.

        The scorer sees the estimator as it would be with that network,
        predicting the validation rows' ``outputs`` (the validation pass's,
        not a second forward pass): a shallow copy given ``y_val`` decoded
        from the targets.
        """
        if scoring_key(scoring) is None:
            return None
        scorer = check_scoring(self, scoring=scoring)
        probe = copy.copy(self)  # made once, before the loop
        probe._inputs_ready = True  # X_val is already as the network reads it

        def score(network, X_val, Y_val, outputs):
            probe.network_ = _Predicted(network.spec, outputs)
            y_val = probe._decode_targets(Y_val, network.spec.out_activation)
            return scorer(probe, X_val, y_val)

        return score

    def _check_fit_settings(self, incremental):
        """The checked parameters, and whether training goes on from the fit."""
        settings = check_params(self)
        if incremental and settings.training.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        continuing = hasattr(self, "network_") and (incremental or settings.warm_start)
        return settings, continuing

    def _validate_training_data(
        self,
        X,
        y,
        settings,
        continuing,
        y_numeric=False,
        *,
        incremental=False,
        input_sample=None,
    ):
        """``(X, y, sample)`` checked for training, ``X`` as the network reads
        it (see ``_columns``); a one-column 2-D ``y`` becomes 1-D. A new fit
        learns the input statistics (categorical levels, missing-value fills)
        from ``input_sample`` if given, else from ``X``; training that goes on
        keeps those of the fit it goes on from. ``partial_fit``'s X
        (``incremental``) is one batch of a stream: the levels its columns'
        dtypes declare count too. ``sample`` is ``input_sample`` as the
        network reads it, or None."""
        if not continuing:
            source = X if input_sample is None else input_sample
            self._categorical = CategoricalColumns.fit(
                source,
                settings.categorical_features,
                settings.min_frequency,
                settings.max_categories,
                # One batch of a stream: the levels its dtype declares count.
                declared_by=(X, source) if incremental else (),
            )
        columns = self._categorical
        check_column_types(X, () if columns is None else columns.positions)
        X, y = validate_data(
            self,
            X if columns is None else columns.encode(X),
            y,
            reset=not continuing,
            dtype=(settings.dtype, *INTEGER_DTYPES),
            accept_sparse=("csr", "csc"),
            ensure_all_finite=False,  # check_finite names the columns
            multi_output=True,
            y_numeric=y_numeric,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        X = self._network_order(X)
        sample = None
        if not continuing:
            if input_sample is not None:
                sample = self._network_order(
                    self._validated(input_sample, (settings.dtype,))
                )
            self._missing = None
            if settings.missing_values == "indicator":
                self._missing = MissingValues.fit(
                    X if sample is None else sample, len(self._numeric_positions)
                )
            if sample is not None:
                sample = self._with_missing(sample)
        return self._with_missing(X), y, sample

    # True on the copies that score and call back during a fit, which are
    # given X as the network reads it (validated, categories encoded).
    _inputs_ready = False

    def _validate_inputs(self, X):
        check_is_fitted(self)
        if self._inputs_ready:
            return X
        return self._checked_inputs(X, (np.float64, np.float32))

    def _checked_inputs(self, X, dtype):
        """``X`` checked against the fit's features, as the network reads it,
        in one of the ``dtype`` (or an integer dtype)."""
        return self._with_missing(self._network_order(self._validated(X, dtype)))

    def _validated(self, X, dtype):
        """``X`` checked against the fit's features, categories encoded."""
        columns = self._categorical
        check_column_types(X, () if columns is None else columns.positions)
        return validate_data(
            self,
            X if columns is None else columns.encode(X),
            reset=False,
            dtype=(*dtype, *INTEGER_DTYPES),
            accept_sparse=("csr", "csc"),
            ensure_all_finite=False,  # check_finite names the columns
        )

    # Models saved before missing values were taken have none.
    _missing = None

    @property
    def _numeric_positions(self):
        """The positions of the numeric columns in the user's X."""
        if self._categorical is not None:
            return self._categorical.numeric
        return tuple(range(self.n_features_in_))

    def _with_missing(self, X):
        """``X`` in the network's order, checked for NaN and infinity, with
        the missing inputs of ``missing_values`` (see ``_missing``)."""
        allow_nan = self._missing is not None
        check_finite(self, X, self._numeric_positions, allow_nan=allow_nan)
        return self._missing.apply(X) if allow_nan else X

    @property
    def _n_network_numeric(self):
        """How many of the network's inputs are numeric (missing-value
        indicators included): the first ones."""
        n_indicators = 0 if self._missing is None else self._missing.n_indicators
        return len(self._numeric_positions) + n_indicators

    def _network_order(self, X):
        """Validated ``X`` in the network's column order (numeric columns,
        then categorical ones), CSR if sparse."""
        if self._categorical is not None:
            return self._categorical.network_order(X)
        return as_rows(X)

    @property
    def is_categorical_(self) -> NDArray[np.bool_] | None:
        """Which features are categorical (see ``categorical_features``), or
        None if none is."""
        check_is_fitted(self)
        if self._categorical is None:
            return None
        mask = np.zeros(self.n_features_in_, bool)
        mask[list(self._categorical.positions)] = True
        return mask

    def _network_outputs(self, X):
        """The output layer's values for ``X``, float64; overflow is an error."""
        X = self._validate_inputs(X)
        with np.errstate(over="ignore", invalid="ignore"):
            outputs = self.network_.predict_proba(X)
        return self._checked_finite(outputs, X)

    def _checked_finite(self, outputs, X):
        if not np.all(np.isfinite(outputs)):
            largest = abs(X).max() if X.size else 0.0
            raise ValueError(
                "The network's output overflowed to infinity or NaN for some rows "
                f"of X (its largest magnitude is {largest:.3g}): the features are "
                "too large for the network. Scale them, for example with "
                "StandardScaler or input_scale."
            )
        return outputs

    def _fit_network(
        self,
        settings,
        data,
        validation,
        loss,
        *,
        incremental,
        continuing,
        stratify,
        sample=None,
    ):
        """Train on ``data`` and set the network's fitted attributes.

        ``data`` and ``validation`` are ``(X, Y, sample_weight)`` tuples of
        the network's targets (``validation`` may be None); ``loss`` names
        the row of ``LOSSES`` it is trained with. With early stopping and no
        ``validation``, a ``validation_fraction`` of ``data`` is held out (by
        class when ``stratify``). A new fit's input statistics and
        data-dependent weights come from ``sample`` (network inputs) if given,
        else from the training rows.
        """
        n_outputs = data[1].shape[1]
        history = {k: list(v) for k, v in self.history_.items()} if continuing else {}

        def build_network(X):
            seen = X if sample is None else sample  # what the statistics come from
            spec = self._spec(settings, seen, n_outputs, loss, continuing)
            return self._network(spec, settings, seen, incremental, continuing)

        def tasks(network, data, history, max_epochs):
            X, Y, sample_weight = data
            return epoch_tasks(
                self,
                max_epochs=max_epochs,
                history=history,
                X=X,
                y=lambda: self._decode_targets(Y, network.spec.out_activation),
                sample_weight=sample_weight,
            )

        def keep(network, figures):
            self.network_ = network
            for name, value in figures.items():
                setattr(self, name, value)

        hooks = RunHooks(
            build_network,
            samples_seen=lambda X: self._samples_seen(X) if continuing else 0,
            epoch_tasks=tasks,
            keep=keep,
            score_validation=self._validation_scorer(settings.training.scoring),
            label=type(self).__name__,
        )
        train(
            hooks,
            data,
            validation,
            settings.training,
            solver=settings.network["solver"],
            random_state=settings.random_state,
            stratify=stratify,
            incremental=incremental,
            history=history,
            # As MLPClassifier: n_iter_ counts one fit's epochs; partial_fit
            # adds up.
            n_iter_before=self.n_iter_ if incremental and continuing else 0,
        )

    def _spec(self, settings, X, n_outputs, loss, continuing):
        """The network's spec, its input statistics those of ``X``."""
        statistics = self._input_statistics(X, settings, continuing)
        levels = () if self._categorical is None else self._categorical.n_levels
        return settings.spec(
            X.shape[1], n_outputs, loss, categorical_levels=levels, **statistics
        )

    def _samples_seen(self, X):
        """Samples seen by the fits before (models saved by 0.1.0 did not
        count them: epochs times the rows of ``X``)."""
        return self.t_ if self.t_ is not None else self.n_iter_ * X.shape[0]

    def _input_statistics(self, X, settings, continuing):
        """The input stage's statistics: the previous fit's when training goes
        on with the same ``input_scaling`` (its weights were trained on
        them), else those of ``X``."""
        scaling = settings.network["input_scaling"]
        if continuing and self.network_.spec.input_scaling == scaling:
            old = self.network_.spec
            return {
                "input_center": old.input_center,
                "input_factor": old.input_factor,
                "input_logged": old.input_logged,
            }
        input_scale = settings.network["input_scale"] or 1.0
        if self._categorical is not None:  # the numeric columns, X's first
            X = X[:, : self._n_network_numeric]
        # The missing-value indicators (0 or 1) follow the numeric columns.
        n_numeric = len(self._numeric_positions)
        logged = heavy_tailed(
            X[:, :n_numeric], settings.network["input_log"], input_scale
        )
        center, factor = input_statistics(X, scaling, input_scale, logged)
        return {"input_center": center, "input_factor": factor, "input_logged": logged}

    def _network(self, spec, settings, X, incremental, continuing):
        # A checkpoint holds frozen weights: training goes on in a new engine.
        if incremental and continuing and hasattr(self.network_, "train_epoch"):
            return self.network_
        seed = check_random_state(settings.random_state).randint(2**31)
        network = make_network(settings.backend, spec, seed)
        if spec.weight_init == "data" and not continuing:
            weights = network.get_weights()
            network.set_weights(data_dependent_weights(weights, X, spec, seed))
        if continuing:  # warm_start: new optimizer settings, previous weights
            old = self.network_.get_weights()
            if [w.shape for w in old] != [w.shape for w in network.get_weights()]:
                raise ValueError(
                    "warm_start needs the same network shape as the previous fit; "
                    "hidden_layer_sizes changed. Set warm_start=False to refit."
                )
            network.set_weights(old)
        return network
