"""Regression epoch time: DenseRegressor against MLPRegressor.

Both models get the same data, architecture, solver, batch size, epochs and
dtype: MLPRegressor computes in the dtype of X, so each dtype is measured with
X in that dtype and ``DenseRegressor(dtype=...)``. Early stopping is off
(``tol=0``) so every fit runs all its epochs; the epoch time is the fit time
divided by the epochs, and each figure is the median over the repeats.

    python benchmarks/bench_regressor.py [--samples 50000] [--repeats 5] [--keras]
"""

import argparse
import statistics
import time
import warnings

import numpy as np
from quote_results import recorded
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

from skdense import DenseRegressor


def epoch_seconds(model, X, y, epochs, repeats):
    """Median seconds per epoch over ``repeats`` fits, and the last fit's R²."""
    times = []
    for seed in range(repeats):
        model.set_params(random_state=seed)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
        times.append((time.perf_counter() - start) / epochs)
    return statistics.median(times), model.score(X, y)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=50000)
    parser.add_argument("--features", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keras", action="store_true", help="add the Keras engine")
    args = parser.parse_args()

    X, y = make_regression(
        args.samples, args.features, n_informative=30, noise=10.0, random_state=0
    )
    y = (y - y.mean()) / y.std()
    settings = dict(
        hidden_layer_sizes=(100,),
        solver="adam",
        batch_size=200,
        max_iter=args.epochs,
        tol=0.0,
        n_iter_no_change=args.epochs,
    )
    shape = (args.samples, args.features, args.epochs, args.repeats)
    documented = shape == (50000, 100, 5, 5) and args.keras
    with recorded("regressor", keep=documented):
        print(
            f"{args.samples} samples, {args.features} features; (100,) relu, adam, "
            f"batch 200, {args.epochs} epochs; median of {args.repeats}\n"
        )
        print("| dtype | model | epoch s (median) | vs MLPRegressor | train R² |")
        print("| --- | --- | --- | --- | --- |")
        for dtype in (np.float32, np.float64):
            Xd = X.astype(dtype)
            models = {
                "MLPRegressor": MLPRegressor(**settings),
                "DenseRegressor": DenseRegressor(**settings, dtype=dtype),
            }
            if args.keras:
                models["DenseRegressor (keras)"] = DenseRegressor(
                    **settings, dtype=dtype, backend="keras"
                )
            results = {
                name: epoch_seconds(model, Xd, y, args.epochs, args.repeats)
                for name, model in models.items()
            }
            reference = results["MLPRegressor"][0]
            for name, (seconds, r2) in results.items():
                print(
                    f"| {np.dtype(dtype).name} | {name} | {seconds:.3f} "
                    f"| {seconds / reference:.2f}x | {r2:.4f} |"
                )


if __name__ == "__main__":
    main()
