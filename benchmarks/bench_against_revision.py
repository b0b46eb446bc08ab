"""The NumPy engine's epochs against an earlier revision's, paired.

For a change meant to leave training as fast as it was (a reshape, say):
exports ``skdense`` at a git revision (``git archive``) into a temporary
folder as the package ``skdense_at_revision``, then trains the same networks
on Fashion-MNIST's 60,000 training images with both, one epoch each in turn
(round-robin, so that a change of load on a shared machine hits both
alike), and prints the median epoch times and their ratio. It also says
whether both ended on the same weights: a change that keeps fits
bit-identical shows "same".

Usage::

    SKDENSE_DATA=../shared/data/fashion-mnist \\
        python benchmarks/bench_against_revision.py eb327b6 --rounds 7
"""

import argparse
import importlib
import io
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

import skdense
from skdense.datasets import load_fashion_mnist

ROOT = Path(__file__).resolve().parents[1]
NETWORKS = {
    "784-100-10 logistic sgd b32": dict(
        hidden_layer_sizes=(100,),
        activation="logistic",
        solver="sgd",
        learning_rate_init=0.1,
        batch_size=32,
    ),
    "784-100-10 relu adam b200": dict(hidden_layer_sizes=(100,), batch_size=200),
    "784-512-10 relu adam b256": dict(hidden_layer_sizes=(512,), batch_size=256),
    "784-512-256-10 relu adam b256": dict(
        hidden_layer_sizes=(512, 256), batch_size=256
    ),
    "784-256-10 selu adam b256": dict(
        hidden_layer_sizes=(256,), activation="selu", batch_size=256
    ),
}


def package_at(revision, folder):
    """``skdense`` as it was at ``revision``, imported as
    ``skdense_at_revision`` (its modules import each other relatively)."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", revision, "skdense"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    (Path(folder) / "skdense").rename(Path(folder) / "skdense_at_revision")
    sys.path.insert(0, folder)
    return importlib.import_module("skdense_at_revision")


def paired_epochs(estimators, X, y, rounds):
    """Median seconds of one ``partial_fit`` epoch for each estimator, the
    order alternating from round to round."""
    classes = np.unique(y)
    for estimator in estimators.values():
        estimator.partial_fit(X, y, classes=classes)  # compiles, warms up
    times = {name: [] for name in estimators}
    for r in range(rounds):
        names = list(estimators) if r % 2 == 0 else list(estimators)[::-1]
        for name in names:
            start = time.perf_counter()
            estimators[name].partial_fit(X, y)
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t)) for name, t in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", help="the git revision to compare with")
    parser.add_argument("--rounds", type=int, default=7, help="timed epochs each")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    X, y = load_fashion_mnist(return_X_y=True)
    with tempfile.TemporaryDirectory() as folder:
        before = package_at(args.revision, folder)
        print(f"{args.rounds} paired rounds, one epoch of {len(y):,} images each")
        print(f"\n| network | {args.revision} (s) | this tree (s) | ratio | weights |")
        print("| --- | --- | --- | --- | --- |")
        for name, params in NETWORKS.items():
            estimators = {
                label: package.DenseClassifier(alpha=1e-4, random_state=0, **params)
                for label, package in (("before", before), ("now", skdense))
            }
            median = paired_epochs(estimators, X, y, args.rounds)
            coefs = [e.coefs_ for e in estimators.values()]
            same = all(np.array_equal(a, b) for a, b in zip(*coefs, strict=True))
            print(
                f"| {name} | {median['before']:.3f} | {median['now']:.3f} | "
                f"{median['now'] / median['before']:.3f} | "
                f"{'same' if same else 'differ'} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
