"""The binary engine on breast cancer, with the study notes' settings
==================================================================

One sigmoid output unit and logistic loss, 10 sigmoid hidden units, N(0, 1)
weights, plain gradient descent with an L2 penalty of 0.01, batch 32, on the
study notes' split (80/20 train/test, then 80/20 train/validation).
"""

import argparse

from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skdense import DenseClassifier
from skdense.plotting import plot_learning_curves


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None  # gallery: no __doc__
    )
    parser.add_argument("--quick", action="store_true", help="fewer epochs")
    parser.add_argument("--out", default="breast_cancer.png")
    args = parser.parse_args(argv)

    X, y = load_breast_cancer(return_X_y=True)
    X_all, X_test, y_all, y_test = train_test_split(
        X, y, stratify=y, test_size=0.2, random_state=42
    )
    X_train, X_val, y_train, y_val = train_test_split(
        X_all, y_all, stratify=y_all, test_size=0.2, random_state=42
    )
    scaler = StandardScaler().fit(X_train)
    clf = DenseClassifier.from_preset(
        "book-binary", max_iter=100 if args.quick else 500
    )
    clf.fit(
        scaler.transform(X_train),
        y_train,
        validation_data=(scaler.transform(X_val), y_val),
    )
    print(
        f"network: {type(clf.network_).__name__}, output units "
        f"{clf.coefs_[-1].shape[1]}, {clf.n_iter_} epochs"
    )
    print(
        f"validation accuracy {clf.score(scaler.transform(X_val), y_val):.3f} "
        "(study notes: 0.978)"
    )
    print(f"test accuracy {clf.score(scaler.transform(X_test), y_test):.3f}")
    import matplotlib.pyplot as plt  # the gallery shows pyplot's figures

    figure = plt.figure(figsize=(10, 4), layout="constrained")
    plot_learning_curves(clf, title="the study notes' binary network", figure=figure)
    figure.savefig(args.out, dpi=80)


if __name__ == "__main__":
    main()
