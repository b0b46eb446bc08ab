"""skdense's NumPy engine against scikit-learn's MLPClassifier, one run.

Trains the same architecture, batch size and dtype (float32) with both on a
48k/12k stratified split of Fashion-MNIST's training images, and prints the
median epoch time over repeats, the ratio, validation accuracy, and the
matrix-multiply floor: the time the forward and backward GEMMs of one epoch
take alone, measured here in the same run. Then checks the book figures:
book-like settings on Fashion-MNIST and the binary engine on breast cancer.

Usage::

    SKDENSE_DATA=../shared/data/fashion-mnist python benchmarks/bench_numpy_engine.py
    python benchmarks/bench_numpy_engine.py --quick    # fewer repeats
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from skdense import DenseClassifier
from skdense.datasets import load_fashion_mnist
from skdense.presets import BOOK_BINARY, BOOK_MULTICLASS

SETTINGS = [
    # name, shared parameters, epochs
    (
        "784-100-10 logistic sgd b32",
        dict(
            hidden_layer_sizes=(100,),
            activation="logistic",
            solver="sgd",
            learning_rate_init=0.1,
            batch_size=32,
        ),
        5,
    ),
    (
        "784-512-10 relu adam b128",
        dict(
            hidden_layer_sizes=(512,),
            activation="relu",
            solver="adam",
            learning_rate_init=0.001,
            batch_size=128,
        ),
        5,
    ),
    (
        "784-100-10 logistic sgd b256",
        dict(
            hidden_layer_sizes=(100,),
            activation="logistic",
            solver="sgd",
            learning_rate_init=0.1,
            batch_size=256,
        ),
        5,
    ),
]


def gemm_floor(n_samples, n_features, hidden, n_classes, batch_size, repeats):
    """Median time of one epoch of the forward + backward GEMMs alone."""
    rng = np.random.default_rng(0)
    x = rng.random((batch_size, n_features), dtype=np.float32)
    w1 = rng.random((n_features, hidden), dtype=np.float32)
    w2 = rng.random((hidden, n_classes), dtype=np.float32)
    h, d1 = (
        np.empty((batch_size, hidden), np.float32),
        np.empty((batch_size, hidden), np.float32),
    )
    z2 = np.empty((batch_size, n_classes), np.float32)
    g1, g2 = np.empty_like(w1), np.empty_like(w2)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(n_samples // batch_size):
            np.matmul(x, w1, out=h)
            np.matmul(h, w2, out=z2)
            np.matmul(h.T, z2, out=g2)
            np.matmul(z2, w2.T, out=d1)
            np.matmul(x.T, d1, out=g1)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def epoch_time(estimator, params, data, epochs, repeats):
    """Median over fits (seeds 0, 1, ...) of fit time / epochs; mean accuracy."""
    X, y, X_val, y_val = data
    times, accuracies = [], []
    for seed in range(repeats):
        clf = estimator(max_iter=epochs, random_state=seed, **params)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        times.append((time.perf_counter() - start) / epochs)
        accuracies.append(clf.score(X_val, y_val))
    return float(np.median(times)), float(np.mean(accuracies))


def speed_table(data, repeats):
    print(
        "| setting | MLPClassifier s/epoch | skdense s/epoch | ratio "
        "| GEMM floor s/epoch | skdense / floor | MLP val acc | skdense val acc |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    n_samples, n_features = data[0].shape
    for name, params, epochs in SETTINGS:
        params = dict(tol=0.0, n_iter_no_change=10**6, **params)
        mlp_t, mlp_acc = epoch_time(MLPClassifier, params, data, epochs, repeats)
        sk_t, sk_acc = epoch_time(DenseClassifier, params, data, epochs, repeats)
        floor = gemm_floor(
            n_samples,
            n_features,
            params["hidden_layer_sizes"][0],
            10,
            params["batch_size"],
            repeats,
        )
        print(
            f"| {name} | {mlp_t:.3f} | {sk_t:.3f} | {sk_t / mlp_t:.2f}x | {floor:.3f} "
            f"| {sk_t / floor:.2f}x | {mlp_acc:.4f} | {sk_acc:.4f} |",
            flush=True,
        )


def book_figures(X, y, X_val, y_val):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 40 epochs, as the book
        book = DenseClassifier(**BOOK_MULTICLASS).fit(X, y)
    print(
        f"\nBook MultiClassNetwork settings (100 logistic units, N(0,1), sgd lr 0.1, "
        f"batch 256, 40 epochs): val accuracy {book.score(X_val, y_val):.4f} "
        "(book: 0.8151; target 0.79-0.83)"
    )

    # The book's protocol: 80/20 train/test, then 80/20 train/validation.
    Xb, yb = load_breast_cancer(return_X_y=True)
    Xb, _, yb, _ = train_test_split(Xb, yb, stratify=yb, test_size=0.2, random_state=42)
    Xb_train, Xb_val, yb_train, yb_val = train_test_split(
        Xb, yb, stratify=yb, test_size=0.2, random_state=42
    )
    scaler = StandardScaler().fit(Xb_train)
    for weight_init in ("normal", "auto"):
        binary = DenseClassifier(**{**BOOK_BINARY, "weight_init": weight_init})
        binary.fit(scaler.transform(Xb_train), yb_train)
        print(
            f"Binary engine on breast cancer (standardised, alpha=0.01, batch 32, "
            f"weight_init={weight_init!r}): validation accuracy "
            f"{binary.score(scaler.transform(Xb_val), yb_val):.4f} "
            "(book: 0.978; target >= 0.96)"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-home",
        default=None,
        help="Fashion-MNIST folder (default: $SKDENSE_DATA)",
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one repeat")
    args = parser.parse_args()
    X, y = load_fashion_mnist(args.data_home, return_X_y=True)
    X, X_val, y, y_val = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=42
    )
    repeats = 1 if args.quick else args.repeats
    print(
        f"Fashion-MNIST: {len(X)} training / {len(X_val)} validation images, float32; "
        f"epoch time = median over {repeats} fit(s) of fit time / epochs, "
        "accuracy = mean over the same fits (seeds 0, 1, ...)\n"
    )
    speed_table((X, y, X_val, y_val), repeats)
    book_figures(X, y, X_val, y_val)


if __name__ == "__main__":
    main()
