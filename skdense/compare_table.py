"""Your own table: the tabular presets against boosting, on the same folds.

``compare_table`` reads a CSV or Parquet file (or takes a DataFrame), holds
out a test part, cross-validates each model on the rest, refits it and
tests it. ``skdense compare --data FILE --target COLUMN`` (see
:mod:`skdense.cli`) prints and saves what it returns. The models see the
table as it is: text columns as categories, missing values left in place.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Sequence

import numpy as np
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from ._classifier import DenseClassifier
from ._regressor import DenseRegressor

TASKS = ("auto", "classification", "regression")
TABLE_MODELS = ("tabular", "boosting", "mlp", "linear")
# An integer target with at most this many distinct values is a class label.
MAX_CLASSES_FOR_AUTO = 20


def careful_pipeline(estimator):
    """``estimator`` behind the encoders a careful user writes for it: mean
    imputation and scaling of the numbers, the most frequent level and
    one-hot encoding of the categories (unknown levels ignored)."""
    encode = make_column_transformer(
        (
            make_pipeline(SimpleImputer(), StandardScaler()),
            make_column_selector(dtype_include="number"),
        ),
        (
            make_pipeline(
                SimpleImputer(strategy="most_frequent"),
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
            ),
            make_column_selector(dtype_exclude="number"),
        ),
    )
    return make_pipeline(encode, estimator)


def table_model(name, task, random_state=None):
    """A fresh estimator for a model name of :data:`TABLE_MODELS`."""
    classify = task == "classification"
    if name == "tabular":
        network = DenseClassifier if classify else DenseRegressor
        return network.from_preset("tabular", random_state=random_state)
    if name == "boosting":
        boosting = (
            HistGradientBoostingClassifier
            if classify
            else HistGradientBoostingRegressor
        )
        return boosting(categorical_features="from_dtype", random_state=random_state)
    if name == "mlp":
        mlp = MLPClassifier if classify else MLPRegressor
        return careful_pipeline(mlp(random_state=random_state))
    if name == "linear":
        return careful_pipeline(
            LogisticRegression(max_iter=1000) if classify else Ridge()
        )
    raise ValueError(f"model {name!r} is unknown; expected one of {TABLE_MODELS}.")


def read_table(data, target):
    """``(X, y)`` from a CSV or Parquet path or a DataFrame: text columns
    become ``category``, rows without a target are dropped."""
    try:
        import pandas as pd
    except ImportError as error:
        raise ImportError(
            'reading a table needs pandas: pip install "skdense[tables]"'
        ) from error

    if isinstance(data, str | os.PathLike):
        path = os.fspath(data)
        if path.endswith((".parquet", ".pq")):
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path)
    else:
        frame = pd.DataFrame(data)
    if target not in frame.columns:
        raise ValueError(
            f"target={target!r} is not a column of the table; its columns are "
            f"{list(frame.columns)}."
        )
    frame = frame[frame[target].notna()].reset_index(drop=True)
    if len(frame) < 10:
        raise ValueError(f"the table has {len(frame)} rows with a target; need 10.")
    y = frame.pop(target)
    for column in frame.columns:
        dtype = frame[column].dtype
        if not pd.api.types.is_numeric_dtype(dtype) and not isinstance(
            dtype, pd.CategoricalDtype
        ):
            frame[column] = frame[column].astype("category")
    return frame, y.to_numpy()


def task_for(y, task="auto"):
    """ "classification" or "regression": text, yes/no, or integers with at
    most :data:`MAX_CLASSES_FOR_AUTO` values are classes; other numbers are
    a regression target."""
    if task not in TASKS:
        raise ValueError(f"task={task!r} is invalid; expected one of {TASKS}.")
    if task != "auto":
        return task
    if y.dtype.kind not in "iuf":
        return "classification"
    whole = y.dtype.kind in "iu" or bool(np.all(np.mod(y, 1) == 0))
    few = len(np.unique(y)) <= MAX_CLASSES_FOR_AUTO
    return "classification" if whole and few else "regression"


def compare_table(
    data,
    target: str,
    models: Sequence[str] | None = None,
    *,
    task: str = "auto",
    cv: int = 3,
    n_samples: int | None = None,
    test_size: float = 0.2,
    n_jobs: int | None = None,
    random_state: int = 42,
    log: Callable[[str], object] = print,
) -> tuple[list[dict], dict]:
    """Cross-validate, refit and test each model on your own table.

    Parameters
    ----------
    data : str, path or DataFrame
        A CSV or Parquet file (``.parquet``), or a pandas DataFrame.
    target : str
        The column to predict; rows where it is missing are dropped.
    models : list of {"tabular", "boosting", "mlp", "linear"}, default=None
        The tabular preset (DenseClassifier or DenseRegressor), HistGradient-
        Boosting with ``categorical_features="from_dtype"``, MLPClassifier or
        MLPRegressor behind the encoders a careful user writes
        (:func:`careful_pipeline`), and LogisticRegression or Ridge behind
        the same; default all four.
    task : {"auto", "classification", "regression"}, default="auto"
        "auto": text, yes/no and integer targets with at most 20 values are
        classes, other numbers a regression target.
    cv : int, default=3
        Folds of the cross-validation (stratified for classification), the
        same for every model.
    n_samples : int, default=None
        Use this many rows of the training part (a random subsample).
    test_size : float, default=0.2
        The part held out for the test column.
    n_jobs : int, default=None
        Parallel jobs of ``cross_validate``.
    random_state : int, default=42
        Seeds the split, the folds and the models.
    log : callable, default=print
        Receives progress messages.

    Returns
    -------
    results : list of dict
        One row per model, as :func:`skdense.compare.compare` gives them
        (accuracy, or R² and RMSE), without the reference figure.
    histories : dict
        The tabular preset's ``history_`` from its refit.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skdense.compare_table import compare_table
    >>> rng = np.random.default_rng(0)
    >>> table = pd.DataFrame({"size": rng.normal(size=300),
    ...                       "colour": rng.choice(["red", "blue"], 300)})
    >>> table.loc[::7, "size"] = np.nan
    >>> table["label"] = np.where(table["colour"] == "red", "yes", "no")
    >>> rows, _ = compare_table(table, "label", ["boosting", "linear"],
    ...                         log=lambda message: None)
    >>> [(row["model"], row["test_accuracy"]) for row in rows]
    [('boosting', 1.0), ('linear', 1.0)]
    """
    from .compare import cross_validated, result_row

    X, y = read_table(data, target)
    task = task_for(y, task)
    models = list(TABLE_MODELS if models is None else models)
    for name in models:
        table_model(name, task)  # refuses an unknown name before any work
    classify = task == "classification"
    stratify = y if classify else None
    X, X_test, y, y_test = train_test_split(
        X, y, test_size=test_size, stratify=stratify, random_state=random_state
    )
    if n_samples is not None and n_samples < len(y):
        X, y = X.iloc[:n_samples], y[:n_samples]  # the split shuffled the rows
    splitter = StratifiedKFold if classify else KFold
    folds = splitter(cv, shuffle=True, random_state=random_state)
    log(
        f"{task} of {target!r}: {len(y)} training and {len(y_test)} test rows, "
        f"{X.shape[1]} columns; {cv}-fold cross-validation of {', '.join(models)}"
    )
    rows, histories = [], {}
    for step, name in enumerate(models, start=1):
        model = table_model(name, task, random_state)
        prefix = f"[{step}/{len(models)}] {name}:"
        start = time.perf_counter()
        scores = cross_validated(model, X, y, folds, n_jobs, task, prefix, log)
        log(f"{prefix} refitting on the training part...")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
        if name == "tabular":
            histories[name] = model.history_
        rows.append(result_row(name, scores, model, X_test, y_test, task))
        log(f"{prefix} done in {time.perf_counter() - start:.1f} s")
    return rows, histories


__all__ = ["careful_pipeline", "compare_table", "read_table", "task_for"]
