"""DenseClassifier: a dense neural network as a scikit-learn classifier."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets

from ._base import DenseNetworkMixin, has_stochastic_solver
from ._callbacks import with_callbacks
from ._data import (
    check_validation_data,
    class_validation_targets,
    encode_targets,
    unchanged_on_error,
)
from ._docstrings import ENGINE_PARAMETERS, NETWORK_PARAMETERS, fill_doc
from ._params import CLASSIFIER_SETTINGS


class DenseClassifier(ClassifierMixin, DenseNetworkMixin, BaseEstimator):
    __doc__ = (
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
"""
        + NETWORK_PARAMETERS
        + """    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.
    label_smoothing : float in [0, 1), default=0.0
        Train on smoothed targets, as Keras's ``label_smoothing``: each
        one-hot row becomes ``(1 - label_smoothing) * y + label_smoothing /
        n_classes`` (a sigmoid output's 0/1 target ``(1 - label_smoothing) *
        y + label_smoothing / 2``). The loss in ``loss_curve_`` and
        ``history_`` is the smoothed one; accuracies and predictions are not
        affected. It discourages overconfident outputs; RealMLP trains its
        classifiers with 0.1.
"""
        + ENGINE_PARAMETERS
        + """    scoring : None, "loss", str or callable, default=None
        What early stopping, ``learning_rate="adaptive"`` and the restoring of
        the best weights watch on the validation set, under
        HistGradientBoosting's name: None is MLPClassifier's rule, the accuracy
        (the estimator's ``score``); "loss" is the validation loss; any
        scikit-learn scorer name ("roc_auc", "f1_macro", ...) or callable
        ``scorer(estimator, X, y)`` is that score, recorded per epoch in
        ``history_`` as ``val_<name>`` (a callable's as ``val_score``).
        Without early stopping the training loss is watched.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during fit, when X has string column names.
    is_categorical_ : ndarray of shape (``n_features_in_``,) or None
        Which features are categorical (see ``categorical_features``); None
        when none is.
    history_ : dict of lists
        Per-epoch figures: "loss" and "accuracy" (on the training batches, as
        Keras reports them), plus "val_loss" and "val_accuracy" when there is
        a validation set.
    n_iter_ : int
        Number of epochs (lbfgs iterations) of the last ``fit``, as
        MLPClassifier counts them; ``partial_fit`` adds one per call.
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
        Number of output units.
    out_activation_ : str
        Output activation, "logistic" (two classes) or "softmax".

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
    )

    _own_settings = CLASSIFIER_SETTINGS

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
        label_smoothing: float = 0.0,
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
        ema_momentum: float | None = None,
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
        self.label_smoothing = label_smoothing
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

    # -- public API ------------------------------------------------------------

    @fill_doc
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
        %(X_fit)s
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels of any type (strings, -1/+1, integers, ...), or a 0/1
            indicator matrix for multilabel classification (one sigmoid output
            per label, their binary cross-entropies summed).
        %(sample_weight)s
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

    @available_if(has_stochastic_solver)
    @fill_doc
    def partial_fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        classes: ArrayLike | None = None,
        sample_weight: ArrayLike | None = None,
        input_sample: ArrayLike | None = None,
    ) -> DenseClassifier:
        """Train for one epoch on ``(X, y)``, continuing from the current weights.

        Parameters
        ----------
        %(X_fit)s
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a 0/1 indicator matrix (multilabel).
        classes : array-like of shape (n_classes,), default=None
            All the classes that can occur; required on the first call,
            unless y is a multilabel indicator (its columns are the labels).
        %(sample_weight)s
        input_sample : array-like of shape (n_rows, n_features), default=None
            Rows to learn the input statistics from on the first call
            (categorical levels, missing-value fills, ``input_scaling``, the
            data-dependent initial weights) in place of this first batch: a
            sample of the whole stream. Later calls ignore it.
            Either way, a column's declared levels (pandas
            ``CategoricalDtype``, polars ``Enum``) are all known from the
            first call.

        Returns
        -------
        self : DenseClassifier
            The updated estimator.
        """
        with unchanged_on_error(self):
            return self._fit(
                X,
                y,
                sample_weight,
                None,
                incremental=True,
                classes=classes,
                input_sample=input_sample,
            )

    @fill_doc
    def predict_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        """Probability of each class, columns in the order of ``classes_``.

        %(X_only)s

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities; each row sums to 1. For a multilabel model,
            the probability of each label, shape (n_samples, n_labels), as
            MLPClassifier gives it.
        """
        proba = self._network_outputs(X)
        if self.network_.spec.n_outputs == 1:
            return np.hstack([1.0 - proba, proba])
        return proba

    @fill_doc
    def predict_log_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        """Logarithm of :meth:`predict_proba`.

        %(X_only)s

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probability of each class.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    @fill_doc
    def predict(self, X: ArrayLike) -> NDArray:
        """Most probable class of each sample.

        %(X_only)s

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted labels, taken from ``classes_``; for a multilabel model,
            the 0/1 indicator matrix (a label is on above probability 0.5).
        """
        proba = self.predict_proba(X)
        if self._multilabel:
            return (proba > 0.5).astype(int)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = self.missing_values == "indicator"
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        return tags

    # -- training --------------------------------------------------------------

    @with_callbacks
    def _fit(
        self,
        X,
        y,
        sample_weight,
        validation_data,
        incremental,
        classes=None,
        input_sample=None,
    ):
        settings, continuing = self._check_fit_settings(incremental)
        dtype = settings.dtype
        X, y, sample = self._validate_training_data(
            X,
            y,
            settings,
            continuing,
            incremental=incremental,
            input_sample=input_sample,
        )
        check_classification_targets(y)
        multilabel = y.ndim == 2
        if continuing and multilabel != self._multilabel:
            raise ValueError(
                f"y is {'multilabel' if multilabel else 'one label per sample'}, but "
                "the model was trained on "
                f"{'one label per sample' if multilabel else 'multilabel'} y."
            )
        known = self.classes_ if continuing else None
        if incremental and known is None and classes is None and not multilabel:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if continuing and not incremental and not multilabel:
            self._check_same_classes(y)
        classes_, Y, sample_weight = encode_targets(
            y, classes, known, sample_weight, settings.own["class_weight"], dtype
        )
        validation = self._class_validation(
            validation_data, classes_, dtype, multilabel
        )
        # One sigmoid unit per label (or for two classes), else a softmax.
        loss = "binary_log_loss" if Y.shape[1] == 1 or multilabel else "log_loss"
        self.classes_ = classes_  # a scoring scorer reads them during training
        # As MLPClassifier: the early-stopping split is stratified, but not
        # for multilabel y.
        self._fit_network(
            settings,
            (X, Y, sample_weight),
            validation,
            loss,
            incremental=incremental,
            continuing=continuing,
            stratify=not multilabel,
            sample=sample,
        )
        return self

    def _class_validation(self, validation_data, classes_, dtype, multilabel):
        """``validation_data`` checked, as the network's targets, or None."""
        if validation_data is None:
            return None
        return check_validation_data(
            self,
            validation_data,
            dtype,
            partial(
                class_validation_targets,
                classes_=classes_,
                dtype=dtype,
                multilabel=multilabel,
            ),
        )

    def _decode_targets(self, Y, output):
        """The labels the network's targets ``Y`` (for ``output``) stand for."""
        if output == "logistic" and Y.shape[1] > 1:  # multilabel
            return (Y > 0.5).astype(int)
        if Y.shape[1] == 1:
            return self.classes_[(Y[:, 0] > 0.5).astype(int)]
        return self.classes_[np.argmax(Y, axis=1)]

    def _check_same_classes(self, y):
        if not np.array_equal(np.unique(y), self.classes_):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in "
                f"the previous call to fit. Previously got {self.classes_}, `y` has "
                f"{np.unique(y)}"
            )

    @property
    def _multilabel(self):
        """Whether the fitted network has one sigmoid output per label."""
        spec = self.network_.spec
        return spec.out_activation == "logistic" and spec.n_outputs > 1
