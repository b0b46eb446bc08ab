"""Tables as a chart: boosting, MLPClassifier and the tabular preset
=================================================================

A small ``benchmarks/bench_tabular.py`` drawn: HistGradientBoostingClassifier,
MLPClassifier (behind StandardScaler) and ``DenseClassifier.from_preset(
"tabular")`` on each table, one 80/20 stratified split, their test accuracy
and fit seconds side by side. The tables are the KEEL sets of
SKDENSE_TABULAR_DATA (or --data-home) when it holds them, scikit-learn's
breast cancer, wine and digits otherwise. The preset takes each table's
columns raw (a DataFrame's categorical ones included); boosting reads
categories from their dtype.
"""

import argparse
import os
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelEncoder, OneHotEncoder, StandardScaler

from skdense import DenseClassifier

KEEL = ("phoneme", "banana", "spambase", "satimage", "german", "splice")
QUICK_KEEL = ("phoneme", "banana", "german")


def load_tables(data_home, quick):
    """``{name: (X, y)}``: KEEL tables from ``data_home``, else scikit-learn's."""
    home = Path(data_home or "")
    names = QUICK_KEEL if quick else KEEL
    if data_home and all((home / f"{n}.csv.gz").is_file() for n in names):
        tables = {}
        for name in names:
            frame = pd.read_csv(home / f"{name}.csv.gz")
            y = LabelEncoder().fit_transform(frame.pop("y").astype(str))
            for column in frame.columns:
                if not pd.api.types.is_numeric_dtype(frame[column]):
                    frame[column] = frame[column].astype("category")
            tables[name] = (frame, y)
        return tables
    loaders = {"breast cancer": load_breast_cancer, "wine": load_wine}
    if not quick:
        loaders["digits"] = load_digits
    return {
        name: load(return_X_y=True, as_frame=True) for name, load in loaders.items()
    }


def models(epochs):
    scaled = make_column_transformer(
        (StandardScaler(), make_column_selector(dtype_include="number")),
        (
            OneHotEncoder(handle_unknown="ignore", sparse_output=False),
            make_column_selector(dtype_include="category"),
        ),
    )
    return {
        "HistGradientBoosting": HistGradientBoostingClassifier(
            categorical_features="from_dtype", random_state=0
        ),
        "MLPClassifier": make_pipeline(scaled, MLPClassifier(random_state=0)),
        'from_preset("tabular")': DenseClassifier.from_preset(
            "tabular", max_iter=epochs, random_state=0
        ),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None  # gallery: no __doc__
    )
    parser.add_argument("--data-home", default=os.environ.get("SKDENSE_TABULAR_DATA"))
    parser.add_argument("--out", default="tabular_benchmark.png")
    parser.add_argument("--quick", action="store_true", help="fewer tables, epochs")
    args = parser.parse_args(argv)

    tables = load_tables(args.data_home, args.quick)
    names = list(models(1))
    accuracy = {name: [] for name in names}
    seconds = {name: [] for name in names}
    for table, (X, y) in tables.items():
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.2, stratify=y, random_state=0
        )
        for name, model in models(20 if args.quick else 50).items():  # 50: the preset's
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)  # fixed budgets
                # wine (scikit-learn's, without the KEEL tables) has fewer
                # training rows than the preset's batch of 256: one batch.
                warnings.filterwarnings("ignore", "Got batch_size=", UserWarning)
                model.fit(X_train, y_train)
            seconds[name].append(time.perf_counter() - start)
            accuracy[name].append(model.score(X_test, y_test))
            print(f"{table}: {name} test accuracy {accuracy[name][-1]:.4f}")
    import matplotlib.pyplot as plt  # the gallery shows pyplot's figures

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.6), layout="constrained")
    at = np.arange(len(tables))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        left.bar(at + i * width, accuracy[name], width, label=name)
        right.bar(at + i * width, seconds[name], width, label=name)
    low = min(min(values) for values in accuracy.values())
    left.set_ylim(max(0.0, low - 0.05), 1.0)
    left.set_ylabel("test accuracy")
    right.set_yscale("log")
    right.set_ylabel("fit seconds (log scale)")
    for ax in (left, right):
        ax.set_xticks(at + 0.4 - width / 2, list(tables))
    left.legend(loc="lower left", fontsize=9)
    fig.suptitle("One 80/20 split per table; benchmarks/bench_tabular.py runs 3")
    fig.savefig(args.out, dpi=80)
    for name in names:
        print(f"mean test accuracy {name}: {np.mean(accuracy[name]):.4f}")


if __name__ == "__main__":
    main()
