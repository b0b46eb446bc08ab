"""Learning curves from ``history_``: train and validation loss and accuracy
=========================================================================

Trains on Fashion-MNIST when SKDENSE_DATA (or --data-home) gives its files,
on scikit-learn's digits otherwise, and saves the plot as a PNG.
"""

import argparse
import os

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skdense import DenseClassifier
from skdense.datasets import load_fashion_mnist
from skdense.plotting import plot_learning_curves


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None  # gallery: no __doc__
    )
    parser.add_argument("--data-home", default=os.environ.get("SKDENSE_DATA"))
    parser.add_argument("--out", default="learning_curves.png")
    parser.add_argument("--quick", action="store_true", help="less data, fewer epochs")
    args = parser.parse_args(argv)

    if args.data_home:
        X, y = load_fashion_mnist(args.data_home, return_X_y=True)
        if args.quick:
            X, y = X[:6000], y[:6000]
    else:
        X, y = load_digits(return_X_y=True)
        X = X / 16.0
    X_train, X_val, y_train, y_val = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=42
    )
    clf = DenseClassifier(
        hidden_layer_sizes=(100,), max_iter=5 if args.quick else 30, random_state=42
    )
    clf.fit(X_train, y_train, validation_data=(X_val, y_val))
    import matplotlib.pyplot as plt  # the gallery shows pyplot's figures

    fig = plot_learning_curves(
        clf,
        title="DenseClassifier(hidden_layer_sizes=(100,))",
        figure=plt.figure(figsize=(10, 4), layout="constrained"),
    )
    fig.savefig(args.out, dpi=100)
    print(
        f"final validation accuracy {clf.history_['val_accuracy'][-1]:.3f}; "
        f"plot saved to {args.out}"
    )


if __name__ == "__main__":
    main()
