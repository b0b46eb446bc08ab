"""
How the "fashion-mnist-tuned" preset was found
==============================================

A ``GridSearchCV`` over depth, dropout and epochs, scored on one held-out
stratified fifth of Fashion-MNIST's training images (a ``PredefinedSplit``,
never the test images), then the winner refit and scored on the test
images. Needs Fashion-MNIST's files (``SKDENSE_DATA``). Quick by default:
3,000 images and a small grid; ``FULL = True`` runs the search that chose
the preset (a few minutes on 2 cores).
"""

# %%
# The data and the grid.
import os

from sklearn.model_selection import train_test_split

from skdense.datasets import load_fashion_mnist

FULL = False

X, y = load_fashion_mnist(os.environ.get("SKDENSE_DATA"), return_X_y=True)
X_test, y_test = load_fashion_mnist(
    os.environ.get("SKDENSE_DATA"), subset="test", return_X_y=True
)
if FULL:
    grid = [
        {
            "hidden_layer_sizes": [(512,), (512, 256)],
            "dropout": [0.0, 0.2, 0.3],
            "max_iter": [30],
        },
        {"hidden_layer_sizes": [(512, 256)], "dropout": [0.2, 0.3], "max_iter": [45]},
    ]
else:
    X, _, y, _ = train_test_split(X, y, train_size=3000, stratify=y, random_state=0)
    grid = {"hidden_layer_sizes": [(64,)], "dropout": [0.0, 0.2], "max_iter": [6]}

# %%
# One held-out fifth: ``PredefinedSplit`` marks its rows 0, the others -1.
import numpy as np
from sklearn.model_selection import GridSearchCV, PredefinedSplit

from skdense import DenseClassifier

held_out = np.full(len(y), -1)
_, val_index = train_test_split(
    np.arange(len(y)), test_size=0.2, stratify=y, random_state=42
)
held_out[val_index] = 0
base = DenseClassifier(batch_size=128, tol=0.0, n_iter_no_change=100, random_state=0)
search = GridSearchCV(base, grid, cv=PredefinedSplit(held_out), refit=False).fit(X, y)
for params, score in zip(
    search.cv_results_["params"], search.cv_results_["mean_test_score"], strict=True
):
    print(f"{score:.4f}  {params}")
print(f"best: {search.best_params_}")

# %%
# Each candidate's held-out accuracy.
import matplotlib.pyplot as plt

labels = [
    ", ".join(f"{k}={v}" for k, v in params.items())
    for params in search.cv_results_["params"]
]
fig, ax = plt.subplots(figsize=(9, 0.5 + 0.45 * len(labels)), layout="constrained")
ax.barh(labels, search.cv_results_["mean_test_score"])
ax.set_xlim(min(search.cv_results_["mean_test_score"]) - 0.02, None)
ax.set_xlabel("held-out accuracy")

# %%
# The winner (the preset, in the full run) refit on all the training
# images and scored once on the test images.
import time

final = (
    DenseClassifier.from_preset("fashion-mnist-tuned")
    if FULL
    else base.set_params(**search.best_params_)
)
start = time.perf_counter()
final.fit(X, y)
print(f"refit on {len(y)} images in {time.perf_counter() - start:.0f} s")
print(f"test accuracy {final.score(X_test, y_test):.4f}")
