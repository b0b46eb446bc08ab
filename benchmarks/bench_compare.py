"""``skdense compare`` on its built-in data sets, as the pages quote it.

Runs ``skdense.compare.compare(name, cv=3)`` with the command's defaults on
Fashion-MNIST (20 epochs for the networks, the sgd baseline at the study
notes' ``max_iter=5``; keras when TensorFlow is installed; the comparison
page quotes it) and on diabetes (Ridge, both engines and MLPRegressor; the
regression page quotes it), prints each table and the run's wall time, and
writes them to ``benchmarks/results/compare_<name>.md``.

Usage::

    SKDENSE_DATA=../shared/data/fashion-mnist python benchmarks/bench_compare.py
    python benchmarks/bench_compare.py diabetes        # one of them
"""

import os
import sys
import time

from quote_results import save

from skdense.cli import format_table
from skdense.compare import compare

DATASETS = ("fashion-mnist", "diabetes")


def run(name):
    start = time.perf_counter()
    rows, _ = compare(name, cv=3, log=lambda message: None)
    seconds = time.perf_counter() - start
    models = ", ".join(row["model"] for row in rows)
    text = (
        f"`skdense compare --dataset {name}` ({models}; 3 folds; "
        f"{os.cpu_count()} cores): the whole run took {seconds:.0f} s.\n\n"
        + format_table(rows)
    )
    print(text)
    save(f"compare_{name.replace('-', '_')}", text)


def main():
    for name in sys.argv[1:] or DATASETS:
        run(name)


if __name__ == "__main__":
    main()
