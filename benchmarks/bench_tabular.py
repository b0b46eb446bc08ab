"""Dense networks against gradient boosting on real tables, one run.

Reads the eight KEEL tables of ``../shared/data/tabular/`` (or the folder
``SKDENSE_TABULAR_DATA`` names, or ``--data-home``) and follows their
README's protocol: for each seed, ``train_test_split(X, y, test_size=0.2,
stratify=y, random_state=seed)``, fit on the 80 %, accuracy on the 20 %, the
same splits for every model. Prints one table per data set (mean accuracy
over the seeds, its spread, median fit seconds) and a summary: the mean
accuracy over the six numeric development sets, the mean rank, and each
model's fit time against HistGradientBoosting's; with RealMLP-TD, every
model's fit time against its, table by table.

The models: LogisticRegression, HistGradientBoosting (defaults; on the
categorical tables ``categorical_features="from_dtype"``), MLPClassifier and
DenseClassifier with their defaults, DenseClassifier's "tabular" preset on
both engines and with one of its two networks, and RealMLP-TD when
``pytabkit`` is importable (it is not a dependency of skdense). The
networks and the linear model see standardised numeric columns and one-hot
categorical ones, through scikit-learn's encoders; the preset, like
HistGradientBoosting and RealMLP, takes the DataFrame as it is (raw
numbers, ``category`` columns).

Usage::

    python benchmarks/bench_tabular.py                  # 3 seeds, all tables
    python benchmarks/bench_tabular.py --seeds 1 --only banana phoneme
"""

import argparse
import importlib.util
import os
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from quote_results import recorded
from scipy.stats import rankdata
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelEncoder, OneHotEncoder, StandardScaler

from skdense import DenseClassifier

NUMERIC_SETS = ("magic", "letter", "phoneme", "satimage", "spambase", "banana")
CATEGORICAL_SETS = ("german", "splice")
DEFAULT_HOME = Path(__file__).resolve().parents[2] / "shared" / "data" / "tabular"


def data_home(given):
    home = Path(given or os.environ.get("SKDENSE_TABULAR_DATA") or DEFAULT_HOME)
    if not home.is_dir():
        raise SystemExit(
            f"No tabular data in {home}: pass --data-home or set SKDENSE_TABULAR_DATA "
            "to the folder holding magic.csv.gz and the others."
        )
    return home


def load_table(home, name):
    """``(X, y)``: a DataFrame whose string columns are categorical, and the
    encoded labels."""
    frame = pd.read_csv(home / f"{name}.csv.gz")
    y = LabelEncoder().fit_transform(frame.pop("y").astype(str))
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].astype("category")
    return frame, y


def _encoded(estimator, scale=True):
    """``estimator`` behind standardised (or raw) numeric and one-hot
    categorical columns."""
    encode = make_column_transformer(
        (
            StandardScaler() if scale else "passthrough",
            make_column_selector(dtype_include="number"),
        ),
        (
            OneHotEncoder(handle_unknown="ignore", sparse_output=False),
            make_column_selector(dtype_include="category"),
        ),
    )
    return make_pipeline(encode, estimator)


def _realmlp(seed):
    from pytabkit import RealMLP_TD_Classifier

    return RealMLP_TD_Classifier(random_state=seed, n_threads=os.cpu_count())


MODELS = {
    "LogisticRegression": lambda seed: _encoded(LogisticRegression(max_iter=1000)),
    "HistGradientBoosting": lambda seed: HistGradientBoostingClassifier(
        categorical_features="from_dtype", random_state=seed
    ),
    "MLPClassifier": lambda seed: _encoded(MLPClassifier(random_state=seed)),
    "DenseClassifier": lambda seed: _encoded(DenseClassifier(random_state=seed)),
    # The network's own input stage instead of StandardScaler: raw numbers in.
    "DenseClassifier robust+clip": lambda seed: _encoded(
        DenseClassifier(input_scaling="robust", input_clip=3.0, random_state=seed),
        scale=False,
    ),
    # The tabular preset takes the DataFrame as it is: it scales the numbers
    # and encodes the categories itself.
    "tabular preset": lambda seed: DenseClassifier.from_preset(
        "tabular", random_state=seed
    ),
    "tabular preset (keras)": lambda seed: DenseClassifier.from_preset(
        "tabular", backend="keras", random_state=seed
    ),
    # The preset's two networks trained together are worth this much: one
    # of them alone (half the time).
    "tabular preset, one network": lambda seed: DenseClassifier.from_preset(
        "tabular", n_ensemble=1, random_state=seed
    ),
    # The preset as it was before heavy-tailed columns were logged.
    "tabular preset, no input_log": lambda seed: DenseClassifier.from_preset(
        "tabular", input_log=None, random_state=seed
    ),
    # The preset as it was before its patience: the whole 50-epoch budget.
    "tabular preset, whole budget": lambda seed: DenseClassifier.from_preset(
        "tabular", n_iter_no_change=np.inf, random_state=seed
    ),
}
if importlib.util.find_spec("pytabkit"):
    MODELS["RealMLP-TD"] = _realmlp


def run(X, y, seeds, models):
    """``{model: (accuracies, fit seconds)}`` over the seeds' splits."""
    results = {name: ([], []) for name in models}
    for seed in seeds:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.2, stratify=y, random_state=seed
        )
        for name in models:
            model = MODELS[name](seed)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(X_train, y_train)
            seconds = time.perf_counter() - start
            accuracy = float(np.mean(model.predict(X_test) == y_test))
            results[name][0].append(accuracy)
            results[name][1].append(seconds)
    return results


def print_table(name, X, results):
    print(f"\n### {name} ({X.shape[0]} rows, {X.shape[1]} features)\n")
    print("| model | accuracy | spread | fit s (median) |")
    print("| --- | --- | --- | --- |")
    for model, (accuracies, seconds) in results.items():
        print(
            f"| {model} | {np.mean(accuracies):.4f} | ±{np.std(accuracies):.4f} "
            f"| {np.median(seconds):.2f} |",
            flush=True,
        )


def print_summary(all_results, models):
    numeric = [s for s in NUMERIC_SETS if s in all_results]
    print(f"\n### Summary over the numeric development sets ({', '.join(numeric)})\n")
    print("| model | mean accuracy | mean rank | fit time / HistGradientBoosting |")
    print("| --- | --- | --- | --- |")
    means = {m: [np.mean(all_results[s][m][0]) for s in numeric] for m in models}
    ranks = np.mean(
        [rankdata([-means[m][i] for m in models]) for i in range(len(numeric))],
        axis=0,
    )
    reference = "HistGradientBoosting"
    for model, rank in zip(models, ranks, strict=True):
        ratios = [
            np.median(all_results[s][model][1])
            / np.median(all_results[s][reference][1])
            for s in numeric
        ]
        print(
            f"| {model} | {np.mean(means[model]):.4f} | {rank:.2f} "
            f"| {np.median(ratios):.2f}x (median over sets) |"
        )


def print_time_against(all_results, models, reference):
    """Each model's median fit time over ``reference``'s, per table."""
    names = [n for n in all_results if reference in all_results[n]]
    print(f"\n### Fit time / {reference}, per table (medians over the seeds)\n")
    print(f"| model | {' | '.join(names)} | largest |")
    print(f"| --- |{' --- |' * (len(names) + 1)}")
    for model in models:
        if model == reference:
            continue
        ratios = [
            np.median(all_results[n][model][1])
            / np.median(all_results[n][reference][1])
            for n in names
        ]
        cells = " | ".join(f"{r:.3f}" for r in ratios)
        print(f"| {model} | {cells} | {max(ratios):.3f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0, 1, ...")
    parser.add_argument("--only", nargs="*", default=None, help="data set names")
    parser.add_argument("--models", nargs="*", default=list(MODELS), choices=MODELS)
    args = parser.parse_args()
    home = data_home(args.data_home)
    names = args.only or [*NUMERIC_SETS, *CATEGORICAL_SETS]
    # The documented protocol (the pages quote its file): every table, 3
    # seeds, every model.
    full = args.seeds == 3 and not args.only and set(args.models) == set(MODELS)
    with recorded("tabular", keep=full):
        print(
            f"{args.seeds} seed(s) of an 80/20 stratified split; "
            f"{os.cpu_count()} cores."
        )
        all_results = {}
        for name in names:
            X, y = load_table(home, name)
            all_results[name] = run(X, y, range(args.seeds), args.models)
            print_table(name, X, all_results[name])
        if "HistGradientBoosting" in args.models and any(
            n in all_results for n in NUMERIC_SETS
        ):
            print_summary(all_results, args.models)
        if "RealMLP-TD" in args.models:
            print_time_against(all_results, args.models, "RealMLP-TD")


if __name__ == "__main__":
    main()
