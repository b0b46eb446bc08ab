"""Out-of-core training: one epoch on a uint8 memmap against in-memory float32.

Writes an N x 784 uint8 memmap to a temporary folder (1,000,000 rows by
default: 784 MB on disk), then, each in a fresh process, fits one epoch of a
784-100-10 network with ``input_scale=1/255``:

- from the memmap, measuring the process's resident memory (RSS) from just
  before ``fit`` to its peak: the total (``VmHWM``, which counts the file's
  pages the kernel has mapped in, reclaimable at any time) and the anonymous
  part (memory the process allocated itself, sampled every 10 ms);
- from the same samples as an in-memory float32 array already scaled (the
  book's ``X / 255.0``), the baseline for throughput.

Prints median samples/s over repeats and their ratio. Linux only (reads
/proc/self/status).

Usage::

    python benchmarks/bench_out_of_core.py               # 1,000,000 rows, 3 repeats
    python benchmarks/bench_out_of_core.py --n-samples 100000 --repeats 1
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import numpy as np
from quote_results import recorded

N_FEATURES = 784
PARAMS = dict(hidden_layer_sizes=(100,), max_iter=1, batch_size=200, random_state=0)


def _status(field):
    """A /proc/self/status field, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def write_memmap(path, n_samples, seed=0):
    """Random 'pixels' and labels; labels depend on the pixels (learnable)."""
    rng = np.random.default_rng(seed)
    X = np.lib.format.open_memmap(path, "w+", np.uint8, (n_samples, N_FEATURES))
    y = np.empty(n_samples, np.int64)
    for start in range(0, n_samples, 100_000):
        block = rng.integers(0, 256, (min(100_000, n_samples - start), N_FEATURES))
        X[start : start + len(block)] = block
        sums = block[:, : 10 * 78].reshape(len(block), 10, 78).sum(axis=2)
        y[start : start + len(block)] = np.argmax(sums, axis=1)
    X.flush()
    np.save(Path(path).with_suffix(".y.npy"), y)


def run_worker(kind, path):
    """Fit one epoch; print a JSON line with the measurements."""
    from skdense import DenseClassifier

    X = np.load(path, mmap_mode="r")
    y = np.load(Path(path).with_suffix(".y.npy"))
    if kind == "memory":
        X = np.multiply(X, np.float32(1 / 255), dtype=np.float32)  # X / 255.0
        clf = DenseClassifier(**PARAMS)
    else:
        clf = DenseClassifier(**PARAMS, input_scale=1 / 255)
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM)
    rss_before, anon_before = _status("VmRSS"), _status("RssAnon")
    peak_anon, done = [anon_before], threading.Event()

    def sample():
        while not done.wait(0.01):
            peak_anon[0] = max(peak_anon[0], _status("RssAnon"))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    model_bytes = sum(w.nbytes for w in clf.coefs_ + clf.intercepts_)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "samples_per_s": len(y) / seconds,
                "peak_rss_above": _status("VmHWM") - rss_before,
                "peak_anon_above": max(peak_anon[0], _status("RssAnon")) - anon_before,
                "model_bytes": model_bytes,
                "accuracy": float(clf.history_["accuracy"][-1]),
            }
        )
    )


def measure(kind, path):
    out = subprocess.run(
        [sys.executable, __file__, "--worker", kind, "--path", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--worker", choices=["memmap", "memory"], help=argparse.SUPPRESS
    )
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run_worker(args.worker, args.path)
        return
    with recorded("out_of_core", keep=(args.n_samples, args.repeats) == (1_000_000, 3)):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "pixels.npy"
            start = time.perf_counter()
            write_memmap(path, args.n_samples)
            size, took = path.stat().st_size / 1e6, time.perf_counter() - start
            print(
                f"wrote {args.n_samples:,} x {N_FEATURES} uint8 ({size:.0f} MB) "
                f"in {took:.1f} s"
            )
            runs = {"memmap": [], "memory": []}
            for _ in range(args.repeats):  # interleaved, so drifts hit both alike
                for kind in runs:
                    runs[kind].append(measure(kind, path))

        def median(kind, key):
            return statistics.median(r[key] for r in runs[kind])

        mb = 1e6
        print(f"\none epoch, 784-100-10 relu adam b200, median of {args.repeats}")
        print(
            "| data | samples/s | fit s | peak RSS above start (MB) | peak anon (MB) |"
        )
        print("| --- | --- | --- | --- | --- |")
        for kind, label in (
            ("memmap", "uint8 memmap, input_scale=1/255"),
            ("memory", "in-memory float32 (X / 255)"),
        ):
            rate, seconds = median(kind, "samples_per_s"), median(kind, "seconds")
            rss = median(kind, "peak_rss_above") / mb
            anon = median(kind, "peak_anon_above") / mb
            print(f"| {label} | {rate:,.0f} | {seconds:.1f} | {rss:.0f} | {anon:.0f} |")
        ratio = median("memory", "samples_per_s") / median("memmap", "samples_per_s")
        peak = max(r["peak_rss_above"] for r in runs["memmap"]) / mb
        model = runs["memmap"][0]["model_bytes"] / mb
        print(f"\nthroughput: in-memory / memmap = {ratio:.2f}x (target <= 1.5x)")
        print(
            f"memmap peak RSS above start, worst run: {peak:.0f} MB; "
            f"model {model:.2f} MB (target < 1000 MB above the model)"
        )


if __name__ == "__main__":
    main()
