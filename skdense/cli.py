"""The ``skdense`` command: ``skdense compare`` runs the book's experiment."""

import argparse
import csv
import json
import sys
from pathlib import Path

from ._version import __version__
from .compare import DATASETS, MODELS, compare, default_models

CLASSIFICATION_COLUMNS = (
    "model",
    "cv accuracy",
    "fit time (s)",
    "test accuracy",
    "reference figure",
)
REGRESSION_COLUMNS = (
    "model",
    "cv R²",
    "cv RMSE",
    "fit time (s)",
    "test R²",
    "test RMSE",
)


def _cells(row):
    if "cv_r2_mean" in row:
        return (
            row["model"],
            f"{row['cv_r2_mean']:.4f} ± {row['cv_r2_std']:.4f}",
            f"{row['cv_rmse_mean']:.2f} ± {row['cv_rmse_std']:.2f}",
            f"{row['fit_time_mean']:.2f}",
            f"{row['test_r2']:.4f}",
            f"{row['test_rmse']:.2f}",
        )
    return (
        row["model"],
        f"{row['cv_accuracy_mean']:.4f} ± {row['cv_accuracy_std']:.4f}",
        f"{row['fit_time_mean']:.2f}",
        f"{row['test_accuracy']:.4f}",
        row["reference_figure"],
    )


def format_table(rows):
    """The comparison as a Markdown table (accuracy, or R² and RMSE)."""
    columns = REGRESSION_COLUMNS if "cv_r2_mean" in rows[0] else CLASSIFICATION_COLUMNS
    lines = ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(_cells(row)) + " |")
    return "\n".join(lines)


def _models(text):
    models = [m.strip() for m in text.split(",") if m.strip()]
    unknown = sorted(set(models) - set(MODELS))
    if unknown or not models:
        raise argparse.ArgumentTypeError(
            f"unknown model(s) {unknown}; choose among {', '.join(MODELS)}"
        )
    return models


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def build_parser():
    parser = argparse.ArgumentParser(
        prog="skdense", description="Dense neural networks as scikit-learn estimators."
    )
    parser.add_argument("--version", action="version", version=f"skdense {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "compare",
        help="cross-validate a baseline and dense networks on one data set",
        description="Cross-validate SGDClassifier(log_loss), DenseClassifier (NumPy "
        "and Keras backends) and MLPClassifier on the same folds (Ridge, "
        "DenseRegressor and MLPRegressor on diabetes), refit each on the whole "
        "training set, test it, and save the table and learning curves.",
    )
    run.add_argument("--dataset", choices=DATASETS, default="fashion-mnist")
    run.add_argument(
        "--data-home",
        help="folder of Fashion-MNIST's IDX files "
        "(default: $SKDENSE_DATA, then the cache; downloaded if missing)",
    )
    run.add_argument(
        "--models",
        type=_models,
        default=None,
        help=f"comma-separated, from {','.join(MODELS)} (default: "
        f"{','.join(default_models())}; ridge instead of sgd on diabetes)",
    )
    run.add_argument("--cv", type=_positive, default=5, help="folds (default: 5)")
    run.add_argument(
        "--n-samples",
        type=_positive,
        default=None,
        help="use a stratified subsample of the training set",
    )
    run.add_argument(
        "--epochs",
        type=_positive,
        default=None,
        help="max_iter of the networks (default: 20 for Fashion-MNIST, "
        "100 for digits and breast cancer, 200 for diabetes; the sgd baseline "
        "keeps the book's max_iter=5)",
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
    return parser


def run_compare(args):
    rows, histories = compare(
        args.dataset,
        args.models,
        data_home=args.data_home,
        cv=args.cv,
        n_samples=args.n_samples,
        epochs=args.epochs,
        n_jobs=args.n_jobs,
        log=lambda message: print(message, file=sys.stderr, flush=True),
    )
    print(format_table(rows))
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "results.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (args.out / "results.json").write_text(
        json.dumps(
            {"dataset": args.dataset, "results": rows, "histories": histories}, indent=2
        )
    )
    written = ["results.csv", "results.json"]
    if histories:
        from .plotting import plot_learning_curves

        try:
            fig = plot_learning_curves(
                histories, title=f"{args.dataset}: refit, validated on the test set"
            )
        except ImportError as error:
            print(f"(no learning-curve plot: {error})", file=sys.stderr)
        else:
            fig.savefig(args.out / "learning_curves.png", dpi=100)
            written.append("learning_curves.png")
    print(f"\nWrote {', '.join(written)} to {args.out}/", file=sys.stderr)
    return 0


def main(argv=None):
    """Entry point of the ``skdense`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return run_compare(args)
    except (ValueError, OSError, ImportError) as error:
        print(f"skdense {args.command}: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
