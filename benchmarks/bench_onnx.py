"""Serving speed: onnxruntime against predict_proba, for the same fitted model.

A DenseClassifier is fitted briefly on Fashion-MNIST-shaped data (784
features, 10 classes; generated, so no download is needed: the weights'
values do not change the cost), exported with ``skdense.onnx.to_onnx`` and
run with onnxruntime on the CPU. Latency is the median time of one call on
one row; throughput is rows per second of one call on 10,000 rows (median
of the repeats).

    python benchmarks/bench_onnx.py [--repeats 200]
"""

import argparse
import statistics
import time
import warnings

import numpy as np
import onnxruntime
from quote_results import recorded
from sklearn.exceptions import ConvergenceWarning

from skdense import DenseClassifier
from skdense.onnx import to_onnx


def median_seconds(call, rows, repeats):
    call(rows)  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call(rows)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    X = rng.random((10_000, 784), dtype=np.float32)
    y = rng.integers(0, 10, 10_000)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1  # one request, one core: as a server would
    with recorded("onnx", keep=args.repeats == 200):
        print(
            "| network | 1 row: predict_proba | 1 row: onnxruntime | speed-up "
            "| 10,000 rows: predict_proba rows/s | onnxruntime rows/s | speed-up |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for layers in [(100,), (512, 256)]:
            clf = DenseClassifier(layers, max_iter=1, random_state=0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf.fit(X, y)
            session = onnxruntime.InferenceSession(
                to_onnx(clf, X[:1]).SerializeToString(), options
            )
            name = session.get_inputs()[0].name

            def python(rows, clf=clf):
                return clf.predict_proba(rows)

            def onnx(rows, session=session, name=name):
                return session.run(None, {name: rows})

            sk_row = median_seconds(python, X[:1], args.repeats)
            ort_row = median_seconds(onnx, X[:1], args.repeats)
            batch_repeats = max(3, args.repeats // 20)
            sk_batch = median_seconds(python, X, batch_repeats)
            ort_batch = median_seconds(onnx, X, batch_repeats)
            print(
                f"| 784-{'-'.join(map(str, layers))}-10 | {sk_row * 1e6:.0f} µs "
                f"| {ort_row * 1e6:.0f} µs | {sk_row / ort_row:.1f}x "
                f"| {len(X) / sk_batch:,.0f} | {len(X) / ort_batch:,.0f} "
                f"| {sk_batch / ort_batch:.1f}x |"
            )


if __name__ == "__main__":
    main()
