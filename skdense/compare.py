"""The study notes' experiment as one call: baseline against dense networks.

``compare`` cross-validates each model on the same folds, refits it on the
whole training set, scores it on the test set, and keeps the dense models'
learning curves. ``skdense compare`` (see :mod:`skdense.cli`) prints and saves
what it returns. Classification data sets compare SGDClassifier, DenseClassifier
and MLPClassifier by accuracy; the regression data set (diabetes) compares
Ridge, DenseRegressor and MLPRegressor by R² and RMSE.
"""

from __future__ import annotations

import importlib.util
import os
import time
import warnings
from collections.abc import Callable, Sequence

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge, SGDClassifier
from sklearn.metrics import r2_score, root_mean_squared_error
from sklearn.model_selection import (
    KFold,
    StratifiedKFold,
    cross_validate,
    train_test_split,
)
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ._classifier import DenseClassifier
from ._regressor import DenseRegressor
from .datasets import load_fashion_mnist

DATASETS = ("fashion-mnist", "digits", "breast-cancer", "diabetes")
REGRESSION_DATASETS = ("diabetes",)
MODELS = ("sgd", "ridge", "numpy", "keras", "mlp")
BASELINES = {"sgd": "classification", "ridge": "regression"}
# Epochs when none are given: the small data sets need more passes for as
# many optimizer steps.
DEFAULT_EPOCHS = {
    "fashion-mnist": 20,
    "digits": 100,
    "breast-cancer": 100,
    "diabetes": 200,
}
# The regression networks, MLPRegressor's and DenseRegressor's alike: small,
# L2-regularised minibatch adam on standardised targets (see README).
REGRESSION_NETWORK = dict(
    hidden_layer_sizes=(16,), alpha=1.0, learning_rate_init=0.01, batch_size=32
)
# What each task reports: cross-validation scorers and the figures' names.
SCORERS = {
    "classification": {"accuracy": "accuracy"},
    "regression": {"r2": "r2", "rmse": "neg_root_mean_squared_error"},
}

# What the study notes' networks report on Fashion-MNIST (official files, older
# library versions); see the compare page of the user guide.
REFERENCE_FIGURES = {
    "sgd": "0.8195 (SGDClassifier log loss, max_iter=5, 5-fold cv)",
    "numpy": "0.8151 (the notes' MultiClassNetwork, 100 sigmoid units, 40 epochs, val)",
    "keras": "0.8630 (Keras Dense(100, sigmoid), sgd, 40 epochs, val); ~0.87 rmsprop",
    "mlp": "-",
}


def task_of(dataset):
    """ "classification" or "regression"."""
    return "regression" if dataset in REGRESSION_DATASETS else "classification"


def default_models(dataset="fashion-mnist"):
    """The models compared when none are named: the task's baseline, the
    networks (keras only if it is installed) and scikit-learn's MLP."""
    has_keras = all(importlib.util.find_spec(m) for m in ("keras", "tensorflow"))
    task = task_of(dataset)
    return [
        m
        for m in MODELS
        if BASELINES.get(m, task) == task and (m != "keras" or has_keras)
    ]


def load_dataset(name, data_home=None, n_samples=None, random_state=42):
    """``(X_train, X_test, y_train, y_test, scaled)`` for a dataset name.

    Fashion-MNIST keeps its own train/test split; the others are split 75/25,
    stratified. ``scaled`` says whether the features are already on a common
    scale (pixels in [0, 1]); if not, models get a StandardScaler in front.
    ``n_samples`` subsamples the training set (stratified for classes).
    """
    if name == "fashion-mnist":
        X, y = load_fashion_mnist(data_home, subset="train", return_X_y=True)
        X_test, y_test = load_fashion_mnist(data_home, subset="test", return_X_y=True)
        scaled = True
    elif name == "diabetes":
        X, y = load_diabetes(return_X_y=True)
        X, X_test, y, y_test = train_test_split(
            X, y, test_size=0.25, random_state=random_state
        )
        if n_samples is not None:
            X, y = X[:n_samples], y[:n_samples]  # the split shuffled the rows
        return X, X_test, y, y_test, False
    elif name in ("digits", "breast-cancer"):
        loader = load_digits if name == "digits" else load_breast_cancer
        X, y = loader(return_X_y=True)
        if name == "digits":
            X = X / 16.0
        X, X_test, y, y_test = train_test_split(
            X, y, test_size=0.25, stratify=y, random_state=random_state
        )
        scaled = name == "digits"
    else:
        raise ValueError(f"dataset={name!r} is invalid; expected one of {DATASETS}.")
    if n_samples is not None and n_samples < len(y):
        X, _, y, _ = train_test_split(
            X, y, train_size=n_samples, stratify=y, random_state=random_state
        )
    return X, X_test, y, y_test, scaled


def make_model(name, epochs, random_state=42, task="classification"):
    """A fresh estimator for a model name.

    ``sgd`` is the study notes' baseline as it stands, whatever ``epochs``:
    ``SGDClassifier(loss="log_loss", max_iter=5)``, so that its row compares
    with the reference figure; the networks train for ``epochs``. For
    regression, ``ridge`` is ``Ridge()`` and the networks (DenseRegressor or
    MLPRegressor, with :data:`REGRESSION_NETWORK`'s settings) learn
    standardised targets.
    """
    if BASELINES.get(name, task) != task:
        baseline = next(m for m, t in BASELINES.items() if t == task)
        raise ValueError(
            f"model {name!r} is a {BASELINES[name]} baseline; a {task} data set "
            f"takes {baseline!r} as its baseline."
        )
    if task == "regression":
        return _regression_model(name, epochs, random_state)
    if name == "sgd":
        return SGDClassifier(loss="log_loss", max_iter=5, random_state=random_state)
    if name in ("numpy", "keras"):
        return DenseClassifier(
            hidden_layer_sizes=(100,),
            max_iter=epochs,
            backend=name,
            random_state=random_state,
        )
    if name == "mlp":
        return MLPClassifier(
            hidden_layer_sizes=(100,), max_iter=epochs, random_state=random_state
        )
    raise ValueError(f"model {name!r} is unknown; expected one of {MODELS}.")


def _regression_model(name, epochs, random_state):
    if name == "ridge":
        return Ridge()
    if name in ("numpy", "keras"):
        network = DenseRegressor(
            **REGRESSION_NETWORK,
            max_iter=epochs,
            backend=name,
            random_state=random_state,
        )
    elif name == "mlp":
        network = MLPRegressor(
            **REGRESSION_NETWORK, max_iter=epochs, random_state=random_state
        )
    else:
        raise ValueError(f"model {name!r} is unknown; expected one of {MODELS}.")
    return TransformedTargetRegressor(network, transformer=StandardScaler())


def _refit_with_curves(model, X, y, X_test, y_test):
    """Fit a dense model (alone or after a scaler), validating on the test set."""
    if hasattr(model, "steps"):  # scaler + DenseClassifier or DenseRegressor
        scaler = model[0].fit(X)
        X, X_test, model = scaler.transform(X), scaler.transform(X_test), model[-1]
    if isinstance(model, TransformedTargetRegressor):
        # The network learns standardised targets: validate on them too (the
        # same scaling as the one the wrapper fits).
        y_scaler = StandardScaler().fit(y[:, None])
        y_val = y_scaler.transform(y_test[:, None])[:, 0]
        model.fit(X, y, validation_data=(X_test, y_val))
        return model.regressor_.history_
    return model.fit(X, y, validation_data=(X_test, y_test)).history_


def compare(
    dataset: str = "fashion-mnist",
    models: Sequence[str] | None = None,
    *,
    data_home: str | os.PathLike | None = None,
    cv: int = 3,
    n_samples: int | None = None,
    epochs: int | None = None,
    n_jobs: int | None = None,
    random_state: int = 42,
    log: Callable[[str], object] = print,
) -> dict:
    """Cross-validate, refit and test each model on one dataset.

    Parameters
    ----------
    dataset : {"fashion-mnist", "digits", "breast-cancer", "diabetes"}, \
            default="fashion-mnist"
        Data to compare on; digits, breast cancer and diabetes (regression)
        ship with scikit-learn.
    models : list of {"sgd", "ridge", "numpy", "keras", "mlp"}, default=None
        Models to compare (default: the task's baseline, "sgd" or "ridge",
        and the others, keras only if TensorFlow is installed).
    data_home : str, default=None
        Fashion-MNIST's folder (see :func:`skdense.datasets.load_fashion_mnist`).
    cv : int, default=3
        Number of folds (stratified for classification), the same folds for
        every model.
    n_samples : int, default=None
        Use a subsample of this many training samples (stratified for
        classification).
    epochs : int, default=None
        ``max_iter`` of the networks; default 20 for Fashion-MNIST, 100 for the
        small data sets. The sgd baseline keeps the study notes' ``max_iter=5``.
    n_jobs : int, default=None
        Parallel jobs of ``cross_validate``.
    random_state : int, default=42
        Seeds the folds, subsampling and models.
    log : callable, default=print
        Receives progress messages.

    Returns
    -------
    results : list of dict
        One row per model: ``model``, ``cv_accuracy_mean``, ``cv_accuracy_std``,
        ``fit_time_mean``, ``test_accuracy`` (and on Fashion-MNIST
        ``study_notes_figure``: what the study notes' own network reached,
        for reference; not a figure of this row's model); for
        regression ``cv_r2_mean``, ``cv_r2_std``, ``cv_rmse_mean``,
        ``cv_rmse_std``, ``fit_time_mean``, ``test_r2`` and ``test_rmse``.
    histories : dict
        Each dense model's ``history_`` from its refit (validated on the test set).

    Examples
    --------
    >>> from skdense.compare import compare
    >>> rows, histories = compare("digits", ["sgd", "numpy"], cv=3,
    ...                           log=lambda message: None)
    >>> [row["model"] for row in rows], sorted(histories)
    (['sgd', 'numpy'], ['numpy'])
    >>> all(0.8 < row["test_accuracy"] <= 1 for row in rows)
    True
    """
    models = _checked_models(dataset, models)
    task = task_of(dataset)
    X, X_test, y, y_test, scaled = load_dataset(
        dataset, data_home, n_samples, random_state
    )
    splitter = StratifiedKFold if task == "classification" else KFold
    folds = splitter(cv, shuffle=True, random_state=random_state)
    log(
        f"{dataset}: {len(y)} training and {len(y_test)} test samples, "
        f"{X.shape[1]} features; {cv}-fold cross-validation of {', '.join(models)}"
    )
    epochs = DEFAULT_EPOCHS[dataset] if epochs is None else epochs
    rows, histories = [], {}
    for step, name in enumerate(models, start=1):
        model = make_model(name, epochs, random_state, task)
        if not scaled:
            model = make_pipeline(StandardScaler(), model)
        prefix = f"[{step}/{len(models)}] {name}:"
        start = time.perf_counter()
        scores = cross_validated(model, X, y, folds, n_jobs, task, prefix, log)
        history = _refit(name, model, X, y, X_test, y_test, log, prefix)
        if history is not None:
            histories[name] = history
        row = result_row(name, scores, model, X_test, y_test, task)
        if task == "classification" and dataset == "fashion-mnist":
            row["study_notes_figure"] = REFERENCE_FIGURES[name]
        rows.append(row)
        log(f"{prefix} done in {time.perf_counter() - start:.1f} s")
    return rows, histories


def _checked_models(dataset, models):
    """The models to compare on ``dataset`` (its defaults for None), checked."""
    if dataset not in DATASETS:
        raise ValueError(f"dataset={dataset!r} is invalid; expected one of {DATASETS}.")
    models = list(default_models(dataset) if models is None else models)
    for name in models:
        if name not in MODELS:
            raise ValueError(f"model {name!r} is unknown; expected one of {MODELS}.")
        make_model(name, 1, task=task_of(dataset))  # refuses another task's baseline
    return models


def cross_validated(model, X, y, folds, n_jobs, task, prefix, log):
    """``cross_validate``'s scores of ``model`` with the task's scorers."""
    log(f"{prefix} cross-validating...")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # few epochs on purpose
        return cross_validate(
            model, X, y, cv=folds, n_jobs=n_jobs, scoring=SCORERS[task]
        )


def _refit(name, model, X, y, X_test, y_test, log, prefix):
    """Refit ``model`` on all the training data; a dense model's history
    (validated on the test set), else None."""
    log(f"{prefix} refitting on all training data...")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if name in ("numpy", "keras"):
            return _refit_with_curves(model, X, y, X_test, y_test)
        model.fit(X, y)
    return None


def result_row(name, scores, model, X_test, y_test, task):
    """One model's figures: each scorer's cross-validated mean and standard
    deviation (RMSE as itself, not negated), fit time, and the test score."""
    row = {"model": name}
    for figure in SCORERS[task]:
        sign = -1.0 if figure == "rmse" else 1.0  # scikit-learn negates errors
        values = sign * scores[f"test_{figure}"]
        row[f"cv_{figure}_mean"] = float(np.mean(values))
        row[f"cv_{figure}_std"] = float(np.std(values))
    row["fit_time_mean"] = float(np.mean(scores["fit_time"]))
    if task == "regression":
        predictions = model.predict(X_test)
        row["test_r2"] = float(r2_score(y_test, predictions))
        row["test_rmse"] = float(root_mean_squared_error(y_test, predictions))
    else:
        row["test_accuracy"] = float(model.score(X_test, y_test))
    return row


__all__ = ["compare"]
