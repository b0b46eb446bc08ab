"""Sparse text classification: DenseClassifier against MLPClassifier on CSR input.

No text corpus ships offline with scikit-learn (20 newsgroups downloads), so
the documents are generated: words drawn from a Zipf distribution over a
large vocabulary, each class favouring its own few hundred words. A
TfidfVectorizer turns them into a CSR matrix with more than 50,000 features.
Both models get the same float32 CSR matrices, architecture, solver, batch
size and epochs; each measurement is repeated and the median reported.

    python benchmarks/bench_sparse_text.py [--docs 20000] [--repeats 3]
"""

import argparse
import statistics
import time
import tracemalloc
import warnings

import numpy as np
from quote_results import recorded
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from skdense import DenseClassifier


def make_documents(n_docs, n_classes=4, vocabulary=150_000, length=120, seed=0):
    """Zipf-distributed documents; each class over-uses its own 300 words."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n_docs)
    own_words = rng.choice(vocabulary, (n_classes, 300), replace=False)
    documents = []
    for label in y:
        words = rng.zipf(1.3, length) % vocabulary
        topical = rng.random(length) < 0.08
        words[topical] = rng.choice(own_words[label], topical.sum())
        documents.append(" ".join(f"w{w}" for w in words))
    return documents, y


def measure(make_model, X_train, y_train, X_test, y_test, repeats):
    seconds, peaks, scores = [], [], []
    for seed in range(repeats):
        model = make_model(seed)
        tracemalloc.start()
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train, y_train)
        seconds.append(time.perf_counter() - start)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        scores.append(model.score(X_test, y_test))
    return statistics.median(seconds), statistics.median(peaks), np.mean(scores)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with recorded(
        "sparse_text", keep=(args.docs, args.epochs, args.repeats) == (20000, 5, 3)
    ):
        documents, y = make_documents(args.docs)
        train_docs, test_docs, y_train, y_test = train_test_split(
            documents, y, test_size=0.25, random_state=0, stratify=y
        )
        vectorizer = TfidfVectorizer()
        X_train = vectorizer.fit_transform(train_docs).astype(np.float32)
        X_test = vectorizer.transform(test_docs).astype(np.float32)
        n, f = X_train.shape
        dense_bytes = n * f * 4
        print(
            f"{n} training documents, {X_test.shape[0]} test; {f} tf-idf features; "
            f"{X_train.nnz} non-zeros ({X_train.nnz / (n * f):.2e} density); "
            f"a dense float32 copy would be {dense_bytes / 1e6:.0f} MB\n"
        )
        settings = dict(
            hidden_layer_sizes=(64,),
            solver="adam",
            batch_size=200,
            max_iter=args.epochs,
            tol=0.0,
            n_iter_no_change=args.epochs,
        )
        models = {
            "MLPClassifier": lambda seed: MLPClassifier(**settings, random_state=seed),
            "DenseClassifier": lambda seed: DenseClassifier(
                **settings, random_state=seed
            ),
        }
        results = {
            name: measure(make, X_train, y_train, X_test, y_test, args.repeats)
            for name, make in models.items()
        }
        mlp_seconds, mlp_peak, mlp_score = results["MLPClassifier"]
        print(
            "| model | fit s (median) | vs MLP | peak traced MB | vs MLP "
            "| vs dense copy | test accuracy |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for name, (seconds, peak, score) in results.items():
            print(
                f"| {name} | {seconds:.2f} | {seconds / mlp_seconds:.2f}x "
                f"| {peak / 1e6:.1f} | {peak / mlp_peak:.2f}x "
                f"| {peak / dense_bytes:.1%} | {score:.4f} |"
            )


if __name__ == "__main__":
    main()
