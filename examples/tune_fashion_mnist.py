"""How the "fashion-mnist-tuned" preset was found, and what it reaches
===================================================================

A GridSearchCV over depth, dropout and epochs, scored on a held-out
stratified 20% of Fashion-MNIST's training images (one PredefinedSplit, batch
128), then the preset refit on all 60,000 training images and scored on the
10,000 test images. Needs the IDX files (SKDENSE_DATA or --data-home); takes a few
minutes on 2 cores. ``--quick`` runs a tiny version.
"""

import argparse
import os
import time

import numpy as np
from sklearn.model_selection import GridSearchCV, PredefinedSplit, train_test_split

from skdense import DenseClassifier
from skdense.datasets import load_fashion_mnist


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None  # gallery: no __doc__
    )
    parser.add_argument("--data-home", default=os.environ.get("SKDENSE_DATA"))
    parser.add_argument("--quick", action="store_true", help="tiny data and grid")
    parser.add_argument("--out", default="tune_fashion_mnist.png")
    args = parser.parse_args(argv)

    X, y = load_fashion_mnist(args.data_home, return_X_y=True)
    X_test, y_test = load_fashion_mnist(args.data_home, subset="test", return_X_y=True)
    grid = [
        {
            "hidden_layer_sizes": [(512,), (512, 256)],
            "dropout": [0.0, 0.2, 0.3],
            "max_iter": [30],
        },
        {"hidden_layer_sizes": [(512, 256)], "dropout": [0.2, 0.3], "max_iter": [45]},
    ]
    if args.quick:
        X, _, y, _ = train_test_split(X, y, train_size=3000, stratify=y, random_state=0)
        grid = {"hidden_layer_sizes": [(64,)], "dropout": [0.0, 0.2], "max_iter": [6]}
    held_out = np.zeros(len(y), dtype=int) - 1  # -1: always in training
    _, val_index = train_test_split(
        np.arange(len(y)), test_size=0.2, stratify=y, random_state=42
    )
    held_out[val_index] = 0
    base = DenseClassifier(
        batch_size=128,
        tol=0.0,
        n_iter_no_change=100,
        random_state=0,
    )
    search = GridSearchCV(base, grid, cv=PredefinedSplit(held_out), refit=False)
    search.fit(X, y)
    for params, score in zip(
        search.cv_results_["params"], search.cv_results_["mean_test_score"], strict=True
    ):
        print(f"{score:.4f}  {params}")
    print(f"best: {search.best_params_}")
    import matplotlib.pyplot as plt  # the gallery shows pyplot's figures

    labels = [
        ", ".join(f"{k}={v}" for k, v in params.items())
        for params in search.cv_results_["params"]
    ]
    fig, ax = plt.subplots(figsize=(9, 0.5 + 0.45 * len(labels)), layout="constrained")
    ax.barh(labels, search.cv_results_["mean_test_score"])
    ax.set_xlim(min(search.cv_results_["mean_test_score"]) - 0.02, None)
    ax.set_xlabel("held-out accuracy")
    fig.savefig(args.out, dpi=80)

    final = DenseClassifier.from_preset("fashion-mnist-tuned")
    if args.quick:
        final = base.set_params(**search.best_params_)
    start = time.perf_counter()
    final.fit(X, y)
    print(f"refit on {len(y)} images in {time.perf_counter() - start:.0f} s")
    print(f"test accuracy {final.score(X_test, y_test):.4f}")


if __name__ == "__main__":
    main()
