"""The Fashion-MNIST presets, refit on all 60,000 training images and
tested once on the 10,000 test images, in one run.

"fashion-mnist-fast" with the compiled kernels and on the plain NumPy path,
"fashion-mnist-tuned" with the compiled kernels; prints fit seconds and
test accuracy and writes them to
``benchmarks/results/fashion_mnist_presets.md`` (the comparison page quotes
it).

Usage::

    SKDENSE_DATA=../shared/data/fashion-mnist python benchmarks/bench_fashion_presets.py
"""

import os
import time

from quote_results import recorded

from skdense import DenseClassifier
from skdense.backends import numba_installed, use_kernels
from skdense.datasets import load_fashion_mnist

RUNS = [
    ("fashion-mnist-fast", "numba"),
    ("fashion-mnist-fast", "numpy"),
    ("fashion-mnist-tuned", "numba"),
]


def main():
    X, y = load_fashion_mnist(subset="train", return_X_y=True)
    X_test, y_test = load_fashion_mnist(subset="test", return_X_y=True)
    runs = [run for run in RUNS if run[1] == "numpy" or numba_installed()]
    with recorded("fashion_mnist_presets", keep=runs == RUNS):
        print(f"All 60,000 training images, tested once; {os.cpu_count()} cores.\n")
        print("| preset | kernels | fit s | test accuracy |")
        print("| --- | --- | --- | --- |")
        for preset, kernels in runs:
            clf = DenseClassifier.from_preset(preset, random_state=0)
            with use_kernels(kernels):
                start = time.perf_counter()
                clf.fit(X, y)
                seconds = time.perf_counter() - start
            accuracy = clf.score(X_test, y_test)
            print(f"| {preset} | {kernels} | {seconds:.1f} | {accuracy:.4f} |")


if __name__ == "__main__":
    main()
