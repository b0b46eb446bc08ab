"""
Tables as a chart: boosting, MLPClassifier and the tabular preset
=================================================================

A small ``benchmarks/bench_tabular.py``, drawn: HistGradientBoosting,
MLPClassifier behind the encoders a careful user writes, and
``DenseClassifier.from_preset("tabular")`` on the raw table, one 80/20
split per table, test accuracy and fit seconds side by side.
"""

# %%
# The tables: the KEEL sets of the folder ``SKDENSE_TABULAR_DATA`` names
# when it holds them (text columns become categories), scikit-learn's
# breast cancer and wine otherwise.
import os
from pathlib import Path

import pandas as pd
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.preprocessing import LabelEncoder

KEEL_TABLES = ("phoneme", "banana", "german")  # add spambase, satimage, splice
EPOCHS = 20  # the preset's budget is 50


def load_tables():
    """``{name: (X, y)}``: KEEL tables when there, else scikit-learn's."""
    home = Path(os.environ.get("SKDENSE_TABULAR_DATA", ""))
    if all((home / f"{name}.csv.gz").is_file() for name in KEEL_TABLES):
        tables = {}
        for name in KEEL_TABLES:
            frame = pd.read_csv(home / f"{name}.csv.gz")
            y = LabelEncoder().fit_transform(frame.pop("y").astype(str))
            for column in frame.select_dtypes(exclude="number"):
                frame[column] = frame[column].astype("category")
            tables[name] = (frame, y)
        return tables
    return {
        "breast cancer": load_breast_cancer(return_X_y=True, as_frame=True),
        "wine": load_wine(return_X_y=True, as_frame=True),
    }


tables = load_tables()

# %%
# The three models, each as its users give it the table.
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.neural_network import MLPClassifier

from skdense import DenseClassifier
from skdense.compare_table import careful_pipeline


def models():
    return {
        "HistGradientBoosting": HistGradientBoostingClassifier(
            categorical_features="from_dtype", random_state=0
        ),
        "MLPClassifier": careful_pipeline(MLPClassifier(random_state=0)),
        'from_preset("tabular")': DenseClassifier.from_preset(
            "tabular", max_iter=EPOCHS, random_state=0
        ),
    }


# %%
# One split per table, every model on it.
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

names = list(models())
accuracy = {name: [] for name in names}
seconds = {name: [] for name in names}
for table, (X, y) in tables.items():
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=0
    )
    for name, model in models().items():
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # few epochs
            # wine has fewer training rows than the preset's batch of 256.
            warnings.filterwarnings("ignore", "Got batch_size=", UserWarning)
            model.fit(X_train, y_train)
        seconds[name].append(time.perf_counter() - start)
        accuracy[name].append(model.score(X_test, y_test))
        print(f"{table}: {name} test accuracy {accuracy[name][-1]:.4f}")
for name in names:
    print(f"mean test accuracy {name}: {np.mean(accuracy[name]):.4f}")

# %%
# The chart: the networks cost more time than boosting (log scale).
import matplotlib.pyplot as plt

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
