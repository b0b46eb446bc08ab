"""skdense's Keras backend against the study notes' plain Keras code, one run.

On a 48k/12k stratified split of Fashion-MNIST's training images, trains
784-100(sigmoid)-10(softmax) with rmsprop, batch 32, 5 epochs, three ways:
the plain ``keras.Sequential`` + ``compile`` + ``fit`` code of the book,
``DenseClassifier(backend="keras")`` and ``DenseClassifier(backend="numpy")``.
Prints the median fit time over repeats (after one untimed warm-up of each,
so TensorFlow's one-time start-up is not counted), the ratios to plain Keras,
and validation accuracy (mean over the same fits).

Usage::

    SKDENSE_DATA=../shared/data/fashion-mnist python benchmarks/bench_keras.py
"""

import argparse
import time
import warnings

import keras
import numpy as np
from quote_results import recorded
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skdense import DenseClassifier
from skdense.datasets import load_fashion_mnist

EPOCHS, BATCH = 5, 32


class PlainKeras:
    """The study notes' code, behind fit/score for the timing loop."""

    def __init__(self, seed):
        self.seed = seed

    def fit(self, X, y):
        keras.utils.set_random_seed(self.seed)
        self.model = keras.Sequential(
            [
                keras.Input((X.shape[1],)),
                keras.layers.Dense(100, activation="sigmoid"),
                keras.layers.Dense(10, activation="softmax"),
            ]
        )
        self.model.compile(
            optimizer="rmsprop",
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        self.model.fit(X, y, epochs=EPOCHS, batch_size=BATCH, verbose=0)
        return self

    def score(self, X, y):
        return self.model.evaluate(X, y, verbose=0)[1]


def skdense(backend):
    def make(seed):
        # Keras's rmsprop defaults (lr 0.001, rho 0.9, epsilon 1e-7), no penalty.
        return DenseClassifier(
            hidden_layer_sizes=(100,),
            activation="sigmoid",
            solver="rmsprop",
            learning_rate_init=0.001,
            rho=0.9,
            epsilon=1e-7,
            alpha=0.0,
            batch_size=BATCH,
            max_iter=EPOCHS,
            tol=0.0,
            n_iter_no_change=EPOCHS,
            backend=backend,
            random_state=seed,
        )

    return make


def measure(make, data, repeats):
    X, y, X_val, y_val = data
    times, accuracies = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 5 epochs on purpose
        make(0).fit(X[:2000], y[:2000])  # warm-up, untimed
        for seed in range(repeats):
            model = make(seed)
            start = time.perf_counter()
            model.fit(X, y)
            times.append(time.perf_counter() - start)
            accuracies.append(model.score(X_val, y_val))
    return float(np.median(times)), float(np.mean(accuracies))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-home",
        default=None,
        help="Fashion-MNIST folder (default: $SKDENSE_DATA)",
    )
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    X, y = load_fashion_mnist(args.data_home, return_X_y=True)
    data = train_test_split(X, y, test_size=0.2, stratify=y, random_state=42)
    data = (data[0], data[2], data[1], data[3])
    with recorded("keras", keep=args.repeats == 3):
        print(
            "Fashion-MNIST 48k/12k, 784-100-10 sigmoid/softmax, rmsprop, "
            f"batch {BATCH}, {EPOCHS} epochs; fit time = median of {args.repeats}, "
            "accuracy = mean\n"
        )
        print("| system | fit time (s) | vs plain Keras | val accuracy |")
        print("| --- | --- | --- | --- |")
        base = None
        for name, make in [
            ("plain Keras (the study notes' code)", PlainKeras),
            ("skdense backend='keras'", skdense("keras")),
            ("skdense backend='numpy'", skdense("numpy")),
        ]:
            seconds, accuracy = measure(make, data, args.repeats)
            base = base or seconds
            print(
                f"| {name} | {seconds:.2f} | {seconds / base:.2f}x | {accuracy:.4f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
