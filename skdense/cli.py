"""The ``skdense`` command: ``skdense compare`` on a built-in data set (the
study notes' experiment) or on your own table (``--data``)."""

import argparse
import csv
import json
import sys
from pathlib import Path

from ._version import __version__
from .compare import DATASETS, MODELS, compare, default_models
from .compare_table import TABLE_MODELS, TASKS, compare_table

# (key in a result row, column header, how the cell is written); a table
# shows the columns its rows have.
COLUMNS = (
    ("model", "model", lambda r: r["model"]),
    ("cv_accuracy_mean", "cv accuracy", lambda r: _spread(r, "accuracy", 4)),
    ("cv_r2_mean", "cv R²", lambda r: _spread(r, "r2", 4)),
    ("cv_rmse_mean", "cv RMSE", lambda r: _spread(r, "rmse", 2)),
    ("fit_time_mean", "fit time (s)", lambda r: f"{r['fit_time_mean']:.2f}"),
    ("test_accuracy", "test accuracy", lambda r: f"{r['test_accuracy']:.4f}"),
    ("test_r2", "test R²", lambda r: f"{r['test_r2']:.4f}"),
    ("test_rmse", "test RMSE", lambda r: f"{r['test_rmse']:.2f}"),
    (
        "study_notes_figure",
        "study notes' figure (their network, not this row's)",
        lambda r: r["study_notes_figure"],
    ),
)


def _spread(row, figure, digits):
    mean, std = row[f"cv_{figure}_mean"], row[f"cv_{figure}_std"]
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def format_table(rows):
    """The comparison as a Markdown table (accuracy, or R² and RMSE)."""
    columns = [c for c in COLUMNS if c[0] in rows[0]]
    lines = [
        "| " + " | ".join(header for _, header, _ in columns) + " |",
        "|" + " --- |" * len(columns),
    ]
    for row in rows:
        lines.append("| " + " | ".join(cell(row) for _, _, cell in columns) + " |")
    return "\n".join(lines)


def _models(text):
    models = [m.strip() for m in text.split(",") if m.strip()]
    known = (*MODELS, *TABLE_MODELS)
    unknown = sorted(set(models) - set(known))
    if unknown or not models:
        raise argparse.ArgumentTypeError(
            f"unknown model(s) {unknown}; choose among {', '.join(MODELS)} "
            f"(built-in data sets) or {', '.join(TABLE_MODELS)} (--data)"
        )
    return models


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def _add_source_options(run):
    """What to compare on: your table (--data, --target, --task) or a
    built-in data set (--dataset, --data-home)."""
    source = run.add_mutually_exclusive_group()
    source.add_argument(
        "--data",
        type=Path,
        help="your table, a CSV or Parquet (.parquet) file; needs --target",
    )
    source.add_argument(
        "--dataset",
        choices=DATASETS,
        default=None,
        help="a built-in data set (default: fashion-mnist); digits, "
        "breast-cancer and diabetes ship with scikit-learn",
    )
    run.add_argument("--target", help="with --data: the column to predict")
    run.add_argument(
        "--task",
        choices=TASKS,
        default="auto",
        help="with --data (default: auto: text, yes/no and integer targets with "
        "at most 20 values are classes, other numbers a regression target)",
    )
    run.add_argument(
        "--data-home",
        help="folder of Fashion-MNIST's IDX files "
        "(default: $SKDENSE_DATA, then the cache; downloaded if missing)",
    )


def _add_run_options(run):
    """How to compare: folds, sample size, epochs, seed, jobs, output folder."""
    run.add_argument(
        "--cv", type=_positive, default=3, help="cross-validation folds (default: 3)"
    )
    run.add_argument(
        "--n-samples",
        type=_positive,
        default=None,
        help="use this many rows of the training part (stratified for classes)",
    )
    run.add_argument(
        "--epochs",
        type=_positive,
        default=None,
        help="built-in data sets: max_iter of the networks (default: 20 for "
        "Fashion-MNIST, 100 for digits and breast cancer, 200 for diabetes; the "
        "sgd baseline keeps the study notes' max_iter=5); the --data presets "
        "keep their own",
    )
    run.add_argument(
        "--random-state",
        type=int,
        default=42,
        help="seeds the split, the folds and the models (default: 42)",
    )
    run.add_argument(
        "--n-jobs", type=int, default=None, help="parallel jobs of cross_validate"
    )
    run.add_argument(
        "--out",
        type=Path,
        default=Path("skdense-results"),
        help="folder for results.csv, results.json and "
        "learning_curves.png (default: ./skdense-results)",
    )


def build_parser():
    parser = argparse.ArgumentParser(
        prog="skdense", description="Dense neural networks as scikit-learn estimators."
    )
    parser.add_argument("--version", action="version", version=f"skdense {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser(
        "compare",
        help="cross-validate dense networks against baselines on one data set",
        description="On your own table (--data FILE --target COLUMN): the tabular "
        "presets, HistGradientBoosting, the MLPClassifier/MLPRegressor pipeline a "
        "careful user writes and a linear model. On a built-in data set "
        "(--dataset): the study notes' experiment, SGDClassifier(log_loss) "
        "against DenseClassifier (NumPy and Keras engines) and MLPClassifier "
        "(Ridge, DenseRegressor and MLPRegressor on diabetes). Each model is "
        "cross-validated on the same folds, refit on the training part and "
        "tested on the held-out part; the table and a plot are saved.",
    )
    _add_source_options(run)
    run.add_argument(
        "--models",
        type=_models,
        default=None,
        help="comma-separated; with --data from "
        f"{','.join(TABLE_MODELS)} (default: all); on a built-in data set from "
        f"{','.join(MODELS)} (default: {','.join(default_models())}; "
        "ridge instead of sgd on diabetes)",
    )
    _add_run_options(run)
    return parser


def _check_arguments(parser, args):
    """Usage errors the parser cannot see: options of the other mode."""
    if args.data is None:
        if args.target is not None:
            parser.error("--target goes with --data FILE")
        wrong = [m for m in args.models or [] if m not in MODELS]
        if wrong:
            parser.error(f"model(s) {wrong} are for --data; choose among {MODELS}")
        return
    if args.target is None:
        parser.error("--data needs --target COLUMN: the column to predict")
    if args.epochs is not None or args.data_home is not None:
        parser.error("--epochs and --data-home are for the built-in data sets")
    wrong = [m for m in args.models or [] if m not in TABLE_MODELS]
    if wrong:
        parser.error(f"model(s) {wrong} are for --dataset; choose among {TABLE_MODELS}")


def _rows_and_histories(args):
    shared = dict(
        cv=args.cv,
        n_samples=args.n_samples,
        n_jobs=args.n_jobs,
        random_state=args.random_state,
        log=lambda message: print(message, file=sys.stderr, flush=True),
    )
    if args.data is not None:
        rows, histories = compare_table(
            args.data, args.target, args.models, task=args.task, **shared
        )
        title = f"{args.data.name}: the tabular preset's refit, on its own hold-out"
        return args.data.name, title, rows, histories
    dataset = args.dataset or "fashion-mnist"
    rows, histories = compare(
        dataset, args.models, data_home=args.data_home, epochs=args.epochs, **shared
    )
    return dataset, f"{dataset}: refit, validated on the test set", rows, histories


def run_compare(args):
    name, title, rows, histories = _rows_and_histories(args)
    print(format_table(rows))
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "results.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (args.out / "results.json").write_text(
        json.dumps({"dataset": name, "results": rows, "histories": histories}, indent=2)
    )
    written = ["results.csv", "results.json"]
    if histories:
        from .plotting import plot_learning_curves

        try:
            fig = plot_learning_curves(histories, title=title)
        except ImportError as error:
            print(f"(no learning-curve plot: {error})", file=sys.stderr)
        else:
            fig.savefig(args.out / "learning_curves.png", dpi=100)
            written.append("learning_curves.png")
    print(f"\nWrote {', '.join(written)} to {args.out}/", file=sys.stderr)
    return 0


def main(argv=None):
    """Entry point of the ``skdense`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # bare `skdense`: what it can do
        parser.print_help()
        return 0
    _check_arguments(parser, args)
    try:
        return run_compare(args)
    except (ValueError, OSError, ImportError) as error:
        print(f"skdense {args.command}: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
