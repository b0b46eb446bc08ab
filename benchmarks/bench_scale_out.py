"""Beyond one machine: searches on Dask, Ray and Optuna; a Parquet table
larger than a process may hold, streamed through partial_fit.

(a) Search. The same 16 candidates (``DenseClassifier``, NumPy engine) on
Fashion-MNIST (8,000 images, 20 epochs by default), 3-fold:
``GridSearchCV`` through joblib on 2 single-threaded workers: joblib's own
processes (``n_jobs=2``), a Dask ``LocalCluster`` and a local Ray instance
(the clusters' start-up is not in the wall time), against the search in one
process on one thread (what joblib runs on a one-worker cluster too:
``n_jobs=1`` runs in the calling process); and Optuna's ``OptunaSearchCV``
over the same 16 (a ``GridSampler``), two worker processes sharing one
study in an SQLite file, without pruning (each trial a ``fit``) and with
it (``partial_fit`` epoch by epoch, a ``MedianPruner`` stopping trials
below the median). Wall time, best cv accuracy, trials pruned.

(b) Data larger than memory. A synthetic table (20 numeric columns, some
heavy-tailed and some with NaN, and 4 categorical ones of 2 to 1,000
levels; the class a non-linear function of them) is written to Parquet in
blocks. A fresh process streams it once through ``partial_fit`` with the
tabular preset, its statistics from a sample of 50,000 rows
(``input_sample``); after the first batch (which loads the compiled
kernels) its address space is capped at what it maps then plus a budget
(``resource.setrlimit(RLIMIT_AS)``, 256 MB by default). Another process
fits the preset in memory on a 200,000-row subsample. Both are scored on
the same 100,000 held-out rows. Rows/s, peak resident memory, the table's
size as DataFrames.

Usage::

    SKDENSE_DATA=../shared/data/fashion-mnist python benchmarks/bench_scale_out.py
    python benchmarks/bench_scale_out.py --only stream --rows 400000   # quicker
"""

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from quote_results import recorded

GRID = {
    "hidden_layer_sizes": [128, 256],  # one layer; ints, which Optuna can store
    "activation": ["relu", "tanh"],
    "alpha": [1e-4, 1e-2],
    "learning_rate_init": [1e-3, 1e-2],
}
DEFAULTS = {"n_samples": 8_000, "epochs": 20, "rows": 16_000_000, "budget_mb": 256}


# -- (a) search ---------------------------------------------------------------


def _fashion(n_samples):
    from skdense.datasets import load_fashion_mnist

    X, y = load_fashion_mnist(return_X_y=True)
    return X[:n_samples], y[:n_samples]


def _grid_search(X, y, epochs, n_jobs=-1):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import GridSearchCV

    from skdense import DenseClassifier

    search = GridSearchCV(
        DenseClassifier(max_iter=epochs, random_state=0), GRID, cv=3, n_jobs=n_jobs
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    return time.perf_counter() - start, search.best_score_


def in_one_process(X, y, epochs):
    """The search sequentially here, one thread: what joblib does with a
    one-worker Dask or Ray cluster too (it runs ``n_jobs=1`` in the calling
    process)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return (*_grid_search(X, y, epochs, n_jobs=1), None, "")


def on_loky(X, y, epochs, n_workers):
    """The search on this machine's processes, joblib's default."""
    import joblib

    with joblib.parallel_config(backend="loky", inner_max_num_threads=1):
        return (*_grid_search(X, y, epochs, n_jobs=n_workers), None, "")


def on_dask(X, y, epochs, n_workers):
    import joblib
    from distributed import Client, LocalCluster

    start = time.perf_counter()
    with (
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster),
    ):
        startup = time.perf_counter() - start
        with joblib.parallel_backend("dask"):
            return (*_grid_search(X, y, epochs), startup, "")


def on_ray(X, y, epochs, n_workers):
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # stay on 127.0.0.1
    import joblib
    import ray
    from ray.util.joblib import register_ray

    start = time.perf_counter()
    ray.init(num_cpus=n_workers, include_dashboard=False, log_to_driver=False)
    startup = time.perf_counter() - start
    try:
        register_ray()
        with joblib.parallel_backend("ray"):
            return (*_grid_search(X, y, epochs), startup, "")
    finally:
        ray.shutdown()


def _optuna_worker(storage, n_trials, epochs, n_samples, pruning):
    import optuna
    from optuna_integration import OptunaSearchCV
    from threadpoolctl import threadpool_limits

    from skdense import DenseClassifier

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore")
    X, y = _fashion(n_samples)
    study = optuna.load_study(
        study_name="scale-out",
        storage=storage,
        sampler=optuna.samplers.GridSampler(GRID, seed=0),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=4, n_warmup_steps=2),
    )
    distributions = {
        name: optuna.distributions.CategoricalDistribution(values)
        for name, values in GRID.items()
    }
    search = OptunaSearchCV(
        DenseClassifier(max_iter=epochs, random_state=0),
        distributions,
        cv=3,
        n_trials=n_trials,
        enable_pruning=pruning,
        max_iter=epochs,
        study=study,
        refit=False,
    )
    with threadpool_limits(1):  # one thread per worker, as on the clusters
        search.fit(X, y)


def on_optuna(X, y, epochs, pruning, n_samples):
    import optuna

    with tempfile.TemporaryDirectory() as folder:
        storage = f"sqlite:///{Path(folder) / 'study.db'}"
        optuna.create_study(
            study_name="scale-out", storage=storage, direction="maximize"
        )
        start = time.perf_counter()
        with ProcessPoolExecutor(
            2, mp_context=multiprocessing.get_context("spawn")
        ) as workers:
            runs = [
                workers.submit(_optuna_worker, storage, 8, epochs, n_samples, pruning)
                for _ in range(2)
            ]
            for run in runs:
                run.result()
        seconds = time.perf_counter() - start
        study = optuna.load_study(study_name="scale-out", storage=storage)
        trials = study.trials
        pruned = sum(t.state.name == "PRUNED" for t in trials)
        # The workers' time in fitting and scoring (3 folds a trial), and
        # with pruning the epochs each fold trained, of 16 x epochs.
        busy = sum(
            3 * (t.user_attrs["mean_fit_time"] + t.user_attrs["mean_score_time"])
            for t in trials
        )
        steps = sum(len(t.intermediate_values) for t in trials)
        note = f"{pruned} of {len(trials)}; {busy:.0f} s in fits"
        if pruning:
            note += f"; {steps} of {len(trials) * epochs} epochs"
        return seconds, study.best_value, None, note


def search_table(n_samples, epochs):
    # Every worker single-threaded, whatever starts it (set before any does).
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    X, y = _fashion(n_samples)
    n = int(np.prod([len(v) for v in GRID.values()]))
    print(
        f"(a) {n} candidates x 3 folds, {n_samples:,} Fashion-MNIST images, "
        f"{epochs} epochs each; single-threaded workers\n"
    )
    print(
        "| run | workers | wall time (s) | best cv accuracy | start-up (s) "
        "| trials pruned |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    rows = []
    for name, run, workers in (
        ("GridSearchCV in one process", lambda: in_one_process(X, y, epochs), 1),
        ("GridSearchCV, n_jobs=2 (loky)", lambda: on_loky(X, y, epochs, 2), 2),
        ("GridSearchCV on Dask", lambda: on_dask(X, y, epochs, 2), 2),
        ("GridSearchCV on Ray", lambda: on_ray(X, y, epochs, 2), 2),
        ("OptunaSearchCV", lambda: on_optuna(X, y, epochs, False, n_samples), 2),
        (
            "OptunaSearchCV, pruning",
            lambda: on_optuna(X, y, epochs, True, n_samples),
            2,
        ),
    ):
        seconds, best, startup, pruned = run()
        rows.append((name, seconds))
        up = "" if startup is None else f"{startup:.1f}"
        print(f"| {name} | {workers} | {seconds:.1f} | {best:.4f} | {up} | {pruned} |")
    wall = dict(rows)
    alone = wall["GridSearchCV in one process"]
    for name in (
        "GridSearchCV, n_jobs=2 (loky)",
        "GridSearchCV on Dask",
        "GridSearchCV on Ray",
    ):
        print(f"\n{name}, 2 workers / one process: {wall[name] / alone:.2f}x", end="")
    ratio = wall["OptunaSearchCV, pruning"] / wall["OptunaSearchCV"]
    print(f"\nOptuna: pruning / no pruning wall time {ratio:.2f}x\n")


# -- (b) data larger than memory ------------------------------------------------

N_NUMERIC, LEVELS = 20, (2, 10, 50, 1000)
TARGET = "y"


def _block(rng, n, effects):
    """``n`` rows of the synthetic table (a pandas DataFrame)."""
    import pandas as pd

    X = rng.normal(size=(n, N_NUMERIC))
    X[:, 16:20] = np.exp(1.5 * X[:, 16:20])  # amounts: heavy-tailed
    codes = [rng.integers(0, k, n) for k in LEVELS]
    logit = (
        np.sin(2 * X[:, 0])
        + X[:, 1] * X[:, 2]
        + np.abs(X[:, 3])
        - 0.8
        + 0.5 * np.log(X[:, 16])
        + sum(effect[code] for effect, code in zip(effects, codes, strict=True))
    )
    missing = rng.random((n, 2)) < 0.15  # the missing x4, x5 say something
    logit += 0.8 * missing[:, 0] - 0.5 * X[:, 4] * ~missing[:, 0]
    X[:, 4:6][missing] = np.nan
    y = (logit + rng.logistic(size=n) * 0.5 > 0).astype(np.int8)
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(N_NUMERIC)])
    for j, (k, code) in enumerate(zip(LEVELS, codes, strict=True)):
        levels = [f"level{i}" for i in range(k)]
        frame[f"c{j}"] = pd.Categorical.from_codes(code, levels)
    frame[TARGET] = y
    return frame


def write_table(folder, rows, test_rows=100_000, block=250_000):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    effects = [rng.normal(0, 1.0, k) for k in LEVELS]
    writer = None
    for start in range(0, rows, block):
        table = pa.Table.from_pandas(
            _block(rng, min(block, rows - start), effects), preserve_index=False
        )
        if writer is None:
            writer = pq.ParquetWriter(folder / "train.parquet", table.schema)
        writer.write_table(table)
    writer.close()
    _block(rng, test_rows, effects).to_parquet(folder / "test.parquet")


def _cap_memory(budget_mb):
    """Cap the address space at what the process maps now plus the budget
    (its threads started first: each maps its stack and malloc arena)."""
    a = np.ones((512, 512))
    a @ a  # OpenBLAS starts its threads
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * resource.getpagesize()
    limit = mapped + budget_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return mapped


def _peak_rss_mb():
    """This process's peak resident memory since it started (VmHWM; unlike
    ru_maxrss, not inherited from the process that forked it)."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM"))
    return int(line.split()[1]) / 1024


def _preset(**overrides):
    from skdense import DenseClassifier

    return DenseClassifier.from_preset("tabular", random_state=0, **overrides)


def _test_score(model, folder):
    import pandas as pd

    test = pd.read_parquet(folder / "test.parquet")
    return model.score(test.drop(columns=TARGET), test[TARGET])


def stream_part(folder, budget_mb, passes, batch_rows):
    """In this process: stream the table through partial_fit, memory capped."""
    import pyarrow.parquet as pq

    # pre_buffer=False: by default the reader keeps what it buffered of the
    # file until it closes, a little more with every batch.
    table = pq.ParquetFile(folder / "train.parquet", pre_buffer=False)
    sample = table.read_row_group(0).to_pandas()[:50_000].drop(columns=TARGET)
    n_batches = -(-table.metadata.num_rows // batch_rows)
    model = _preset(early_stopping=False, max_iter=passes * n_batches)
    mapped = None
    start, rows, frame_bytes = time.perf_counter(), 0, 0
    for _ in range(passes):
        for batch in table.iter_batches(batch_size=batch_rows):
            frame = batch.to_pandas()
            frame_bytes += frame.memory_usage(deep=True).sum() / passes
            model.partial_fit(
                frame.drop(columns=TARGET),
                frame[TARGET],
                classes=[0, 1],
                input_sample=sample,
            )
            rows += len(frame)
            if mapped is None:  # after the first call, which loads the kernels
                del frame, batch
                mapped = _cap_memory(budget_mb)
    seconds = time.perf_counter() - start
    return {
        "rows_per_s": rows / seconds,
        "seconds": seconds,
        "peak_rss_mb": _peak_rss_mb(),
        "mapped_mb": mapped / 2**20,
        "table_mb": frame_bytes / 2**20,
        "accuracy": _test_score(model, folder),
    }


def memory_part(folder, rows):
    """In this process: fit the preset in memory on the table's first rows."""
    import pyarrow.parquet as pq

    frame = pq.ParquetFile(folder / "train.parquet").iter_batches(rows)
    frame = next(frame).to_pandas()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = _preset().fit(frame.drop(columns=TARGET), frame[TARGET])
    return {
        "seconds": time.perf_counter() - start,
        "rows_per_s": len(frame) * model.n_iter_ / (time.perf_counter() - start),
        "peak_rss_mb": _peak_rss_mb(),
        "table_mb": frame.memory_usage(deep=True).sum() / 2**20,
        "accuracy": _test_score(model, folder),
        "epochs": model.n_iter_,
    }


def _in_fresh_process(part, **kwargs):
    # Two malloc arenas, and Arrow's buffers from malloc: an address-space
    # cap then counts memory in use, not reservations.
    env = {**os.environ, "MALLOC_ARENA_MAX": "2", "ARROW_DEFAULT_MEMORY_POOL": "system"}
    output = subprocess.run(
        [sys.executable, __file__, "--part", part, "--part-args", json.dumps(kwargs)],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def stream_table(rows, budget_mb, passes=1, batch_rows=65_536, subsample=200_000):
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        write_table(Path(folder), rows)
        written = time.perf_counter() - start
        on_disk = (Path(folder) / "train.parquet").stat().st_size / 2**20
        streamed = _in_fresh_process(
            "stream",
            folder=folder,
            budget_mb=budget_mb,
            passes=passes,
            batch_rows=batch_rows,
        )
        in_memory = _in_fresh_process("memory", folder=folder, rows=subsample)
    print(
        f"(b) {rows:,} rows x {N_NUMERIC} numeric + {len(LEVELS)} categorical "
        f"columns: {on_disk:,.0f} MB of Parquet (written in {written:.0f} s), "
        f"{streamed['table_mb']:,.0f} MB as pandas DataFrames\n"
    )
    print("| model | rows trained on | rows/s | peak RSS (MB) | test accuracy |")
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| tabular preset streamed ({passes} pass of {batch_rows:,}-row "
        f"batches) | {rows:,} | {streamed['rows_per_s']:,.0f} "
        f"| {streamed['peak_rss_mb']:,.0f} | {streamed['accuracy']:.4f} |"
    )
    print(
        f"| tabular preset in memory ({in_memory['epochs']} epochs) | "
        f"{subsample:,} | {in_memory['rows_per_s']:,.0f} "
        f"| {in_memory['peak_rss_mb']:,.0f} | {in_memory['accuracy']:.4f} |"
    )
    limit = streamed["mapped_mb"] + budget_mb
    table = streamed["table_mb"]
    print(
        f"\nstreaming process: address space capped at {limit:,.0f} MB (what it "
        f"mapped after the first batch, {streamed['mapped_mb']:,.0f} MB, + "
        f"{budget_mb} MB); peak RSS {streamed['peak_rss_mb']:,.0f} MB"
    )
    print(
        f"the table as DataFrames: {table / budget_mb:.1f}x the budget, "
        f"{table / limit:.1f}x the whole capped address space"
    )
    gain = streamed["accuracy"] - in_memory["accuracy"]
    print(f"streamed - in-memory subsample test accuracy: {gain:+.4f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("search", "stream"), default=None)
    parser.add_argument("--n-samples", type=int, default=DEFAULTS["n_samples"])
    parser.add_argument("--epochs", type=int, default=DEFAULTS["epochs"])
    parser.add_argument("--rows", type=int, default=DEFAULTS["rows"])
    parser.add_argument("--budget-mb", type=int, default=DEFAULTS["budget_mb"])
    parser.add_argument("--part", help=argparse.SUPPRESS)
    parser.add_argument("--part-args", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:  # a fresh process of stream_table's
        kwargs = json.loads(args.part_args)
        kwargs["folder"] = Path(kwargs["folder"])
        part = {"stream": stream_part, "memory": memory_part}[args.part]
        print(json.dumps(part(**kwargs)))
        return
    keep = args.only is None and all(
        getattr(args, name) == value for name, value in DEFAULTS.items()
    )
    with recorded("scale_out", keep=keep):
        if args.only in (None, "search"):
            search_table(args.n_samples, args.epochs)
        if args.only in (None, "stream"):
            stream_table(args.rows, args.budget_mb)


if __name__ == "__main__":
    main()
