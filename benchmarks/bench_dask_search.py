"""Grid search on a 2-worker Dask LocalCluster against a local n_jobs=2 run.

The same 8-candidate, 3-fold GridSearchCV over ``DenseClassifier`` (NumPy
backend) on Fashion-MNIST (12,000 training images by default), once with
``n_jobs=2`` on this machine (joblib's loky processes) and once through
``joblib.parallel_backend("dask")`` on a ``distributed.LocalCluster`` of two
single-threaded worker processes on 127.0.0.1. Prints both wall times (the
cluster's start-up apart), both best parameter sets and whether every cv score
agrees.

Usage::

    SKDENSE_DATA=../shared/data/fashion-mnist python benchmarks/bench_dask_search.py
    python benchmarks/bench_dask_search.py --n-samples 3000 --epochs 3   # quicker
"""

import argparse
import time
import warnings

import joblib
import numpy as np
from distributed import Client, LocalCluster
from quote_results import recorded
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from skdense import DenseClassifier
from skdense.datasets import load_fashion_mnist

GRID = {
    "hidden_layer_sizes": [(64,), (128,)],
    "alpha": [1e-4, 1e-2],
    "learning_rate_init": [1e-3, 3e-3],
}


def search(X, y, epochs, n_jobs=None):
    grid = GridSearchCV(
        DenseClassifier(max_iter=epochs, random_state=0), GRID, cv=3, n_jobs=n_jobs
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X, y)
    return grid, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=12_000)
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    with recorded("dask_search", keep=(args.n_samples, args.epochs) == (12_000, 10)):
        X, y = load_fashion_mnist(return_X_y=True)
        X, y = X[: args.n_samples], y[: args.n_samples]
        n_fits = 3 * int(np.prod([len(v) for v in GRID.values()]))
        print(
            f"GridSearchCV: {n_fits // 3} candidates x 3 folds (+ refit), "
            f"{len(y):,} samples, {args.epochs} epochs each\n"
        )

        local, local_s = search(X, y, args.epochs, n_jobs=2)
        start = time.perf_counter()
        with (
            LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            ) as cluster,
            Client(cluster),
        ):
            startup_s = time.perf_counter() - start
            with joblib.parallel_backend("dask"):
                dask, dask_s = search(X, y, args.epochs)

        same = np.array_equal(
            local.cv_results_["mean_test_score"], dask.cv_results_["mean_test_score"]
        )
        print("| run | wall time (s) | best cv accuracy | best parameters |")
        print("| --- | --- | --- | --- |")
        for name, grid, seconds in (
            ("local, n_jobs=2", local, local_s),
            ("Dask LocalCluster, 2 workers", dask, dask_s),
        ):
            print(
                f"| {name} | {seconds:.1f} | {grid.best_score_:.4f} "
                f"| {grid.best_params_} |"
            )
        print(f"\ncluster start-up: {startup_s:.1f} s (not in the wall time above)")
        print(f"Dask / local wall time: {dask_s / local_s:.2f}x")
        print(
            f"same best parameters: {dask.best_params_ == local.best_params_}; "
            f"every mean cv score identical: {same}"
        )


if __name__ == "__main__":
    main()
