"""DenseRegressor: a dense neural network as a scikit-learn regressor."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.metaestimators import available_if

from ._base import DenseNetworkMixin, has_stochastic_solver
from ._callbacks import with_callbacks
from ._data import (
    check_validation_data,
    nonzero_sample_weight,
    regression_targets,
    target_scale,
    unchanged_on_error,
)
from ._docstrings import ENGINE_PARAMETERS, NETWORK_PARAMETERS, fill_doc
from ._params import REGRESSOR_SETTINGS
from .presets import REGRESSOR_PRESETS


class DenseRegressor(RegressorMixin, DenseNetworkMixin, BaseEstimator):
    __doc__ = (
        """Dense (fully connected) neural network regressor.

    A drop-in for :class:`sklearn.neural_network.MLPRegressor`: parameters
    shared with it have its names, defaults and meanings. On top it offers
    what :class:`DenseClassifier` offers: an RMSprop solver, L1 and dropout
    regularisation, a choice of weight initialisation, float32 computation,
    ``input_scale``, ``validation_data``, a per-epoch ``history_`` and a
    choice of training engine (backend).

    Parameters
    ----------
    loss : {"squared_error", "huber", "poisson"}, default="squared_error"
        "squared_error" trains identity outputs on half the squared error;
        "huber" on the Huber loss (half the squared error within 1 of the
        target, linear beyond: robust to outliers); "poisson" trains the log
        of the mean (an exponential output) on half the Poisson deviance, for
        counts and other non-negative targets. As
        in MLPRegressor, the loss is summed over the targets of a sample.
    target_scaling : {None, "standard"}, default=None
        "standard" trains the network on each target centred on its mean
        and divided by its standard deviation in the first fit (weighted by
        ``sample_weight``), and predicts in the target's own units: targets
        in dollars or grams then train as well as targets near 1. With
        ``loss="poisson"`` the targets are divided by their mean only (they
        stay non-negative). ``partial_fit`` and ``warm_start`` keep the first
        fit's statistics; ``history_``'s losses are in the scaled units (the
        R² is the same in both). None (MLPRegressor's rule) trains on ``y``
        as it is.
"""
        + NETWORK_PARAMETERS
        + ENGINE_PARAMETERS
        + """    scoring : None, "loss", str or callable, default=None
        What early stopping, ``learning_rate="adaptive"`` and the restoring of
        the best weights watch on the validation set, under
        HistGradientBoosting's name: None is MLPRegressor's rule, the R² (the
        estimator's ``score``); "loss" is the validation loss; any
        scikit-learn scorer name ("neg_mean_absolute_error", ...) or callable
        ``scorer(estimator, X, y)`` is that score, recorded per epoch in
        ``history_`` as ``val_<name>`` (a callable's as ``val_score``).
        Without early stopping the training loss is watched.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during fit, when X has string column names.
    is_categorical_ : ndarray of shape (``n_features_in_``,) or None
        Which features are categorical (see ``categorical_features``); None
        when none is.
    history_ : dict of lists
        Per-epoch figures: "loss" (on the training batches), plus "val_loss"
        and "val_r2" when there is a validation set.
    n_iter_ : int
        Number of epochs (lbfgs iterations) of the last ``fit``, as
        MLPRegressor counts them; ``partial_fit`` adds one per call.
    t_ : int
        Number of training samples seen by the stochastic solvers, over the
        calls that continued training: the ``t`` of the "invscaling" schedule.
    network_ : object
        The trained network of the backend (e.g. a ``RegressionNetwork``).
    loss_ : float
        Training loss of the last epoch.
    loss_curve_ : list of float
        ``history_["loss"]``, under MLPRegressor's name.
    best_loss_ : float or None
        Lowest training loss reached; None with early stopping.
    validation_scores_ : list of float or None
        Each epoch's validation score (see ``scoring``; with "loss", the
        negated validation loss) with early stopping, else None.
    best_validation_score_ : float or None
        Best of ``validation_scores_``; None without early stopping.
    n_layers_ : int
        Number of layers, input and output included.
    n_outputs_ : int
        Number of targets.
    out_activation_ : str
        Output activation: "identity" (squared error) or "exp" (poisson).

    See Also
    --------
    sklearn.neural_network.MLPRegressor : scikit-learn's multi-layer perceptron.
    DenseClassifier : the classifier on the same engines.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.model_selection import cross_val_score
    >>> from skdense import DenseRegressor
    >>> X, y = make_regression(n_samples=200, n_features=5, noise=1.0, random_state=0)
    >>> reg = DenseRegressor(hidden_layer_sizes=(32,), solver="lbfgs", random_state=0)
    >>> float(cross_val_score(reg, X, y / 100, cv=3).mean()) > 0.95
    True
    >>> reg.fit(X, y / 100).predict(X[:2]).shape
    (2,)
    """
    )

    _own_settings = REGRESSOR_SETTINGS
    _own_presets = REGRESSOR_PRESETS

    def __init__(
        self,
        loss: str = "squared_error",
        hidden_layer_sizes: int | tuple[int, ...] = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: int | np.random.RandomState | None = None,
        tol: float = 1e-4,
        verbose: bool | int = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
        l1: float = 0.0,
        dropout: float = 0.0,
        weight_init: str = "auto",
        rho: float = 0.9,
        dtype: type | np.dtype | str = np.float32,
        input_scale: float | None = None,
        input_scaling: str | None = None,
        input_clip: float | None = None,
        input_log: float | None = None,
        numeric_embedding: str | None = None,
        embedding_size: int = 4,
        embedding_frequencies: int = 16,
        embedding_sigma: float = 0.1,
        embedding_lr_factor: float = 1.0,
        bias_lr_factor: float = 1.0,
        categorical_features: str | ArrayLike | None = None,
        max_onehot_categories: int = 8,
        categorical_embedding_size: int = 8,
        min_frequency: int | float | None = None,
        max_categories: int | None = None,
        missing_values: str = "error",
        n_ensemble: int = 1,
        backend: str = "numpy",
        scoring: str | Callable | None = None,
        warmup_epochs: int = 0,
        weight_decay: float = 0.01,
        target_scaling: str | None = None,
        ema_momentum: float | None = None,
    ) -> None:
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.l1 = l1
        self.dropout = dropout
        self.weight_init = weight_init
        self.rho = rho
        self.dtype = dtype
        self.input_scale = input_scale
        self.input_scaling = input_scaling
        self.input_clip = input_clip
        self.input_log = input_log
        self.numeric_embedding = numeric_embedding
        self.embedding_size = embedding_size
        self.embedding_frequencies = embedding_frequencies
        self.embedding_sigma = embedding_sigma
        self.embedding_lr_factor = embedding_lr_factor
        self.bias_lr_factor = bias_lr_factor
        self.categorical_features = categorical_features
        self.max_onehot_categories = max_onehot_categories
        self.categorical_embedding_size = categorical_embedding_size
        self.min_frequency = min_frequency
        self.max_categories = max_categories
        self.missing_values = missing_values
        self.n_ensemble = n_ensemble
        self.backend = backend
        self.scoring = scoring
        self.warmup_epochs = warmup_epochs
        self.weight_decay = weight_decay
        self.ema_momentum = ema_momentum
        self.target_scaling = target_scaling

    @fill_doc
    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        validation_data: tuple[ArrayLike, ArrayLike] | None = None,
    ) -> DenseRegressor:
        """Train the network on ``(X, y)``.

        Parameters
        ----------
        %(X_fit)s
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Finite numeric targets; non-negative for ``loss="poisson"``.
        %(sample_weight)s
        validation_data : tuple (X_val, y_val), default=None
            Data to report ``val_loss`` and ``val_r2`` on after every epoch;
            with ``early_stopping=True`` it replaces the split of
            ``validation_fraction`` of the training data.

        Returns
        -------
        self : DenseRegressor
            The fitted estimator.
        """
        with unchanged_on_error(self):
            return self._fit(X, y, sample_weight, validation_data, incremental=False)

    @available_if(has_stochastic_solver)
    @fill_doc
    def partial_fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        input_sample: ArrayLike | None = None,
    ) -> DenseRegressor:
        """Train for one epoch on ``(X, y)``, continuing from the current weights.

        Parameters
        ----------
        %(X_fit)s
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets, as many as in the first call.
        %(sample_weight)s
        input_sample : array-like of shape (n_rows, n_features), default=None
            A sample of the whole stream, which the first call learns the
            input statistics from in place of its batch, as
            :meth:`DenseClassifier.partial_fit`'s; the target's scale
            (``target_scaling``) comes from the first batch's ``y``.

        Returns
        -------
        self : DenseRegressor
            The updated estimator.
        """
        with unchanged_on_error(self):
            return self._fit(
                X, y, sample_weight, None, incremental=True, input_sample=input_sample
            )

    @fill_doc
    def predict(self, X: ArrayLike) -> NDArray[np.float64]:
        """Predicted targets.

        %(X_only)s

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predictions in float64; 1-D when the model has one target.
        """
        outputs = self._unscaled(self._network_outputs(X))
        return outputs[:, 0] if outputs.shape[1] == 1 else outputs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = self.missing_values == "indicator"
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        return tags

    def _decode_targets(self, Y, output):
        """The targets as ``fit`` took them: in their units, 1-D for one
        target."""
        Y = self._unscaled(Y)
        return Y[:, 0] if Y.shape[1] == 1 else Y

    # (center, scale) of target_scaling, or None; models saved before it
    # have none.
    _target_scale = None

    def _scaled(self, Y):
        """The targets ``Y`` as the network is trained on them."""
        if self._target_scale is None:
            return Y
        center, scale = (np.asarray(v, Y.dtype) for v in self._target_scale)
        return (Y - center) / scale

    def _unscaled(self, outputs):
        """The network's ``outputs`` in the targets' units."""
        if self._target_scale is None:
            return outputs
        center, scale = (np.asarray(v) for v in self._target_scale)
        return outputs * scale + center

    @with_callbacks
    def _fit(
        self, X, y, sample_weight, validation_data, incremental, input_sample=None
    ):
        settings, continuing = self._check_fit_settings(incremental)
        dtype, loss = settings.dtype, settings.own["loss"]
        X, y, sample = self._validate_training_data(
            X,
            y,
            settings,
            continuing,
            y_numeric=True,
            incremental=incremental,
            input_sample=input_sample,
        )
        Y = regression_targets(y, loss, dtype)
        if continuing and Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} target(s); the model was trained on "
                f"{self.n_outputs_}."
            )
        if incremental and continuing and loss != self.network_.spec.loss:
            raise ValueError(
                f"partial_fit cannot change the loss: the model was trained with "
                f"loss={self.network_.spec.loss!r} (the {self.out_activation_!r} "
                f"output), not loss={loss!r}. Refit with fit."
            )
        sample_weight = nonzero_sample_weight(sample_weight, len(Y))
        if not continuing:
            self._target_scale = None
            if settings.own["target_scaling"] == "standard":
                self._target_scale = target_scale(Y, sample_weight, loss)
        Y = self._scaled(Y)
        validation = None
        if validation_data is not None:
            targets = partial(
                regression_targets, loss=loss, dtype=dtype, n_targets=Y.shape[1]
            )
            validation = check_validation_data(
                self, validation_data, dtype, lambda y: self._scaled(targets(y))
            )
        self._fit_network(
            settings,
            (X, Y, sample_weight),
            validation,
            loss,
            incremental=incremental,
            continuing=continuing,
            stratify=False,
            sample=sample,
        )
        return self
