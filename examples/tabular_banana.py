"""
Decision boundaries on a table
==============================

MLPClassifier (behind a ``StandardScaler``), HistGradientBoosting and
``DenseClassifier.from_preset("tabular")`` (on the raw columns) on a
two-column table, their decision boundaries side by side.
"""

# %%
# The table: KEEL's ``banana`` when ``SKDENSE_TABULAR_DATA`` names a folder
# holding it, else two noisy moons stretched to unscaled columns.
import os
from pathlib import Path

import pandas as pd
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder

EPOCHS = 15  # the preset's budget is 50

path = Path(os.environ.get("SKDENSE_TABULAR_DATA", "")) / "banana.csv.gz"
if path.is_file():
    frame = pd.read_csv(path)
    y = LabelEncoder().fit_transform(frame.pop("y").astype(str))
    X, name = frame.to_numpy(float), "banana"
else:
    X, y = make_moons(3000, noise=0.3, random_state=0)
    X, name = X * [4.0, 0.5] + [10.0, -3.0], "two moons"
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.2, stratify=y, random_state=0
)

# %%
# The three models. The preset scales, clips and embeds each column inside
# the network: it takes the raw columns.
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdense import DenseClassifier

models = {
    "MLPClassifier": make_pipeline(
        StandardScaler(), MLPClassifier(max_iter=EPOCHS * 3, random_state=0)
    ),
    "HistGradientBoosting": HistGradientBoostingClassifier(random_state=0),
    'DenseClassifier.from_preset("tabular")': DenseClassifier.from_preset(
        "tabular", max_iter=EPOCHS, random_state=0
    ),
}

# %%
# Each model's boundary, with a sample of the test rows.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay

fig, axes = plt.subplots(1, 3, figsize=(15, 4.6), layout="constrained")
shown = np.random.default_rng(0).choice(len(X_test), 600, replace=False)
for ax, (label, model) in zip(axes, models.items(), strict=True):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # few epochs
        model.fit(X_train, y_train)
    accuracy = model.score(X_test, y_test)
    DecisionBoundaryDisplay.from_estimator(
        model, X, response_method="predict", alpha=0.35, ax=ax, cmap="coolwarm"
    )
    ax.scatter(*X_test[shown].T, c=y_test[shown], s=6, cmap="coolwarm")
    ax.set_title(f"{label}\ntest accuracy {accuracy:.3f}", fontsize=10)
    print(f"{label}: test accuracy {accuracy:.4f}")
fig.suptitle(f"{name}: {len(X_train)} training rows")
