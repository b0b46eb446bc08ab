"""``skdense compare`` on Fashion-MNIST, as the comparison page quotes it.

Runs ``skdense.compare.compare("fashion-mnist", cv=3)`` (the command's
defaults: 20 epochs for the networks, the sgd baseline at the study notes'
``max_iter=5``; keras when TensorFlow is installed), prints the command's
table and the run's wall time, and writes both to
``benchmarks/results/compare_fashion_mnist.md``.

Usage::

    SKDENSE_DATA=../shared/data/fashion-mnist python benchmarks/bench_compare.py
"""

import os
import time

from quote_results import save

from skdense.cli import format_table
from skdense.compare import compare


def main():
    start = time.perf_counter()
    rows, _ = compare("fashion-mnist", cv=3, log=lambda message: None)
    seconds = time.perf_counter() - start
    models = ", ".join(row["model"] for row in rows)
    text = (
        f"`skdense compare --dataset fashion-mnist` ({models}; 3 folds; "
        f"{os.cpu_count()} cores): the whole run took {seconds:.0f} s.\n\n"
        + format_table(rows)
    )
    print(text)
    save("compare_fashion_mnist", text)


if __name__ == "__main__":
    main()
