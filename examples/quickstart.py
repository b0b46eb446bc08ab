"""DenseClassifier next to an SGDClassifier baseline, with cross_validate
======================================================================

Runs offline on scikit-learn's digits; pass --fashion-mnist DIR (or set
SKDENSE_DATA) to use Fashion-MNIST's IDX files instead. Draws both models'
cross-validated accuracy and fit time.
"""

import argparse
import os

from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import cross_validate

from skdense import DenseClassifier
from skdense.datasets import load_fashion_mnist


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None  # gallery: no __doc__
    )
    parser.add_argument(
        "--fashion-mnist",
        default=os.environ.get("SKDENSE_DATA"),
        help="folder of Fashion-MNIST's IDX files",
    )
    parser.add_argument("--n-samples", type=int, default=10000)
    parser.add_argument("--quick", action="store_true", help="2,000 samples")
    parser.add_argument("--out", default="quickstart.png")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_samples = 2000

    if args.fashion_mnist:
        X, y = load_fashion_mnist(args.fashion_mnist, return_X_y=True)
        X, y = X[: args.n_samples], y[: args.n_samples]
    else:
        X, y = load_digits(return_X_y=True)
        X = X / 16.0

    models = {
        "SGDClassifier(log_loss)": SGDClassifier(
            loss="log_loss", max_iter=20, random_state=42
        ),
        "DenseClassifier(100, relu)": DenseClassifier(
            hidden_layer_sizes=(100,), max_iter=20, random_state=42
        ),
    }
    results = {}
    for name, model in models.items():
        scores = results[name] = cross_validate(model, X, y, cv=3)
        print(
            f"{name:28s} accuracy {scores['test_score'].mean():.3f} "
            f"+/- {scores['test_score'].std():.3f}   "
            f"fit {scores['fit_time'].mean():.2f} s"
        )
    import matplotlib.pyplot as plt  # the gallery shows pyplot's figures

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained")
    for ax, key, label in (
        (left, "test_score", "accuracy (3-fold)"),
        (right, "fit_time", "fit seconds"),
    ):
        values = [results[name][key] for name in results]
        ax.barh(
            list(results), [v.mean() for v in values], xerr=[v.std() for v in values]
        )
        ax.set_xlabel(label)
    left.set_xlim(0.5, 1.0)
    fig.savefig(args.out, dpi=80)


if __name__ == "__main__":
    main()
