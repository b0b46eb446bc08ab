"""DenseClassifier: a dense neural network as a scikit-learn classifier."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ._data import (
    INTEGER_DTYPES,
    check_classes,
    class_sample_weight,
    class_targets,
    split_validation,
    unchanged_on_error,
)
from ._params import check_params
from ._persistence import check_version
from ._training import train
from ._version import __version__
from .backends import make_network


def _has_stochastic_solver(estimator):
    if estimator.solver == "lbfgs":
        raise AttributeError(
            "partial_fit is not available with solver='lbfgs'; use 'sgd', 'adam' "
            "or 'rmsprop'."
        )
    return True


class DenseClassifier(ClassifierMixin, BaseEstimator):
    """Dense (fully connected) neural network classifier.

    A drop-in for :class:`sklearn.neural_network.MLPClassifier`: parameters
    shared with it have its names, defaults and meanings, so its code and its
    GridSearchCV grids run unchanged. On top it offers an RMSprop solver, L1
    and dropout regularisation, a choice of weight initialisation, class
    weights, float32 computation and a choice of training engine (backend).

    Two classes train a network with one sigmoid output unit and logistic
    loss; more classes, a softmax output with cross-entropy loss.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of units in the ith hidden layer.
    activation : {"identity", "logistic", "sigmoid", "tanh", "relu"}, \
            default="relu"
        Activation of the hidden layers; "sigmoid" is an alias of "logistic".
    solver : {"adam", "sgd", "rmsprop", "lbfgs"}, default="adam"
        Weight optimizer. "lbfgs" trains on the full batch with SciPy's L-BFGS
        and suits small data sets; the others train on minibatches.
    alpha : float, default=0.0001
        Strength of the L2 penalty: ``alpha / 2 * sum(W ** 2)`` is added to the
        summed loss of each batch, whose total is divided by the batch size.
    batch_size : int or "auto", default="auto"
        Minibatch size; "auto" means ``min(200, n_samples)``.
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Learning-rate schedule for ``solver="sgd"``, as in MLPClassifier.
    learning_rate_init : float, default=0.001
        Initial learning rate (step size) of sgd, adam and rmsprop.
    power_t : float, default=0.5
        Exponent of the "invscaling" schedule.
    max_iter : int, default=200
        Maximum number of epochs (iterations for "lbfgs").
    shuffle : bool, default=True
        Whether to shuffle the samples before each epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout and the validation
        split. Pass an int for reproducible results.
    tol : float, default=1e-4
        Minimum decrease of the monitored loss that counts as an improvement.
    verbose : bool or int, default=False
        Whether to show a progress bar with each epoch's figures.
    warm_start : bool, default=False
        Whether ``fit`` starts from the weights of the previous fit.
    momentum : float, default=0.9
        Momentum of the "sgd" solver, in [0, 1].
    nesterovs_momentum : bool, default=True
        Whether "sgd" uses Nesterov's momentum.
    early_stopping : bool, default=False
        Whether to stop when the validation loss stops improving and restore
        the weights of the best epoch. The validation set is
        ``validation_data`` when given to ``fit``, otherwise a stratified
        ``validation_fraction`` of the training data.
    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping.
    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of adam's moment estimates, in [0, 1).
    epsilon : float, default=1e-8
        Numerical-stability constant of adam and rmsprop.
    n_iter_no_change : int, default=10
        Epochs without an improvement of at least ``tol`` before stopping.
    max_fun : int, default=15000
        Maximum number of loss evaluations of "lbfgs".
    l1 : float, default=0.0
        Strength of the L1 penalty ``l1 * sum(|W|)``, scaled as ``alpha``.
    dropout : float, default=0.0
        Fraction of each hidden layer's units dropped at each training step.
    weight_init : {"auto", "glorot", "he", "normal"}, default="auto"
        Weight initialisation: Glorot uniform, He normal, or N(0, 1) as in the
        book's networks; "auto" is "he" for relu and "glorot" otherwise.
    rho : float, default=0.9
        Decay rate of rmsprop's running mean of squared gradients.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.
    dtype : {np.float32, np.float64}, default=np.float32
        Dtype of the weights and of all computation.
    input_scale : float or None, default=None
        Factor every input is multiplied by as it enters the network, in
        training and prediction alike: ``input_scale=1/255`` trains on 8-bit
        pixels as on ``X / 255.0`` without a float copy of ``X``. Integer
        arrays, ``numpy.memmap`` included, are converted batch by batch, so
        data larger than memory trains from disk (NumPy backend). None means 1.
    backend : {"numpy", "keras"}, default="numpy"
        Training engine: the NumPy engine, or Keras on TensorFlow
        (``pip install 'skdense[keras]'``).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.
    history_ : dict of lists
        Per-epoch figures: "loss" and "accuracy" (on the training batches, as
        Keras reports them), plus "val_loss" and "val_accuracy" when there is
        a validation set.
    n_iter_ : int
        Number of epochs (lbfgs iterations) run, over all calls.
    t_ : int
        Number of training samples seen by the stochastic solvers, over the
        calls that continued training (``partial_fit``, ``warm_start``): the
        ``t`` of the "invscaling" schedule. 0 for "lbfgs".
    network_ : object
        The trained network of the backend (e.g. a ``MultiClassNetwork``).
    loss_ : float
        Training loss of the last epoch.
    loss_curve_ : list of float
        ``history_["loss"]``, under MLPClassifier's name.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : scikit-learn's multi-layer perceptron.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import cross_val_score
    >>> from skdense import DenseClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = DenseClassifier(hidden_layer_sizes=(32,), solver="lbfgs", random_state=0)
    >>> float(cross_val_score(clf, X, y, cv=3).mean()) > 0.9
    True
    >>> clf.fit(X, y).predict_proba(X[:2]).shape
    (2, 3)
    """

    def __init__(
        self,
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
        class_weight: Mapping | str | None = None,
        dtype: type | np.dtype | str = np.float32,
        input_scale: float | None = None,
        backend: str = "numpy",
    ) -> None:
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
        self.class_weight = class_weight
        self.dtype = dtype
        self.input_scale = input_scale
        self.backend = backend

    # -- public API ------------------------------------------------------------

    @classmethod
    def from_preset(cls, name: str, **params) -> DenseClassifier:
        """A classifier with a named parameter set of :mod:`skdense.presets`.

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
        clf : DenseClassifier
            An unfitted classifier.

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

    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        validation_data: tuple[ArrayLike, ArrayLike] | None = None,
    ) -> DenseClassifier:
        """Train the network on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels of any type (strings, -1/+1, integers, ...).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each sample in the loss.
        validation_data : tuple (X_val, y_val), default=None
            Data to report ``val_loss`` and ``val_accuracy`` on after every
            epoch; with ``early_stopping=True`` it replaces the split of
            ``validation_fraction`` of the training data.

        Returns
        -------
        self : DenseClassifier
            The fitted estimator.
        """
        with unchanged_on_error(self):
            return self._fit(X, y, sample_weight, validation_data, incremental=False)

    @available_if(_has_stochastic_solver)
    def partial_fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        classes: ArrayLike | None = None,
        sample_weight: ArrayLike | None = None,
    ) -> DenseClassifier:
        """Train for one epoch on ``(X, y)``, continuing from the current weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.
        classes : array-like of shape (n_classes,), default=None
            All the classes that can occur; required on the first call.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each sample in the loss.

        Returns
        -------
        self : DenseClassifier
            The updated estimator.
        """
        with unchanged_on_error(self):
            if classes is None and not hasattr(self, "classes_"):
                raise ValueError(
                    "classes must be passed on the first call to partial_fit."
                )
            return self._fit(
                X, y, sample_weight, None, incremental=True, classes=classes
            )

    def predict_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        """Probability of each class, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities; each row sums to 1.
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, reset=False, dtype=(np.float64, np.float32, *INTEGER_DTYPES)
        )
        with np.errstate(over="ignore", invalid="ignore"):
            proba = self.network_.predict_proba(X)
        if not np.all(np.isfinite(proba)):
            raise ValueError(
                "The network's output overflowed to infinity or NaN for some rows "
                f"of X (its largest magnitude is {np.max(np.abs(X)):.3g}): the "
                "features are too large for the network. Scale them, for example "
                "with StandardScaler or input_scale."
            )
        if len(self.classes_) == 2:
            return np.hstack([1.0 - proba, proba])
        return proba

    def predict_log_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probability of each class.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: ArrayLike) -> NDArray:
        """Most probable class of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels, taken from ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    @property
    def loss_curve_(self) -> list[float]:
        check_is_fitted(self)
        return self.history_["loss"]

    @property
    def coefs_(self) -> list[NDArray]:
        """Weight matrices of the network, input layer first."""
        check_is_fitted(self)
        return self.network_.coefs_

    @property
    def intercepts_(self) -> list[NDArray]:
        """Bias vectors of the network, input layer first."""
        check_is_fitted(self)
        return self.network_.intercepts_

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
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags

    # -- training --------------------------------------------------------------

    def _fit(self, X, y, sample_weight, validation_data, incremental, classes=None):
        settings = check_params(self)
        dtype = settings.dtype
        continuing = hasattr(self, "classes_") and (incremental or settings.warm_start)
        X, y = validate_data(
            self, X, y, reset=not continuing, dtype=(dtype, *INTEGER_DTYPES)
        )
        check_classification_targets(y)
        classes_ = check_classes(y, classes, self.classes_ if continuing else None)
        y_index = np.searchsorted(classes_, y)
        sample_weight = class_sample_weight(
            sample_weight, y_index, classes_, settings.class_weight
        )
        data = (X, class_targets(y_index, len(classes_), dtype), sample_weight)
        validation = None
        if validation_data is not None:
            validation = self._check_validation_data(validation_data, classes_, dtype)
        elif settings.training.early_stopping and not incremental:
            if settings.network["solver"] != "lbfgs":
                seed = check_random_state(settings.random_state).randint(2**31)
                fraction = settings.training.validation_fraction
                data, validation = split_validation(data, fraction, seed, y_index)

        spec = settings.spec(X.shape[1], *self._output(len(classes_)))
        network = self._network(spec, settings, incremental, continuing)
        history = {k: list(v) for k, v in self.history_.items()} if continuing else {}
        t = 0
        if continuing:  # models saved by 0.1.0 did not count samples seen
            t = self.t_ if self.t_ is not None else self.n_iter_ * X.shape[0]
        outcome = train(
            network,
            data,
            validation,
            history,
            settings.training,
            incremental=incremental,
            t=t,
        )
        self.classes_ = classes_
        self.network_ = network
        self.history_ = history
        self.n_iter_ = (self.n_iter_ if continuing else 0) + outcome.n_iter
        self.t_ = outcome.t
        self.loss_ = history["loss"][-1] if history.get("loss") else np.nan
        return self

    @staticmethod
    def _output(n_classes):
        """Output units and kind: one sigmoid unit for 2 classes, else a softmax."""
        return (1, "logistic") if n_classes == 2 else (n_classes, "softmax")

    def _check_validation_data(self, validation_data, classes_, dtype):
        try:
            X_val, y_val = validation_data
        except (TypeError, ValueError):
            raise ValueError(
                "validation_data must be a tuple (X_val, y_val)."
            ) from None
        X_val = validate_data(self, X_val, reset=False, dtype=(dtype, *INTEGER_DTYPES))
        y_val = column_or_1d(y_val)
        if len(y_val) != X_val.shape[0]:
            raise ValueError(
                f"validation_data has {X_val.shape[0]} samples in X_val but "
                f"{len(y_val)} in y_val."
            )
        unseen = np.setdiff1d(y_val, classes_)
        if unseen.size:
            raise ValueError(f"validation_data has labels {unseen.tolist()} not in y.")
        y_index = np.searchsorted(classes_, y_val)
        return X_val, class_targets(y_index, len(classes_), dtype), None

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
