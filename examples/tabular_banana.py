"""Decision boundaries on a table: MLPClassifier, boosting and the tabular preset
==============================================================================

Fits MLPClassifier (behind StandardScaler), HistGradientBoostingClassifier
and ``DenseClassifier.from_preset("tabular")`` (on the raw columns) to the
two-column ``banana`` table when SKDENSE_TABULAR_DATA (or --data-home) holds
it, to scikit-learn's two moons otherwise, and draws their decision
boundaries side by side with each model's test accuracy.
"""

import argparse
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import make_moons
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelEncoder, StandardScaler

from skdense import DenseClassifier


def load_banana(data_home):
    """``(X, y, name)``: banana from ``data_home``, else two noisy moons."""
    path = Path(data_home or "") / "banana.csv.gz"
    if data_home and path.is_file():
        frame = pd.read_csv(path)
        y = LabelEncoder().fit_transform(frame.pop("y").astype(str))
        return frame.to_numpy(float), y, "banana"
    X, y = make_moons(3000, noise=0.3, random_state=0)
    return X * [4.0, 0.5] + [10.0, -3.0], y, "two moons"  # unscaled columns


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None  # gallery: no __doc__
    )
    parser.add_argument("--data-home", default=os.environ.get("SKDENSE_TABULAR_DATA"))
    parser.add_argument("--out", default="tabular_banana.png")
    parser.add_argument("--quick", action="store_true", help="fewer epochs")
    args = parser.parse_args(argv)

    X, y, name = load_banana(args.data_home)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=0
    )
    epochs = 15 if args.quick else 50  # the preset's 50
    models = {
        "MLPClassifier": make_pipeline(
            StandardScaler(), MLPClassifier(max_iter=epochs * 3, random_state=0)
        ),
        "HistGradientBoosting": HistGradientBoostingClassifier(random_state=0),
        'DenseClassifier.from_preset("tabular")': DenseClassifier.from_preset(
            "tabular", max_iter=epochs, random_state=0
        ),
    }
    import matplotlib.pyplot as plt  # the gallery shows pyplot's figures

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6), layout="constrained")
    for ax, (label, model) in zip(axes, models.items(), strict=True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # fixed budgets
            model.fit(X_train, y_train)
        accuracy = model.score(X_test, y_test)
        DecisionBoundaryDisplay.from_estimator(
            model, X, response_method="predict", alpha=0.35, ax=ax, cmap="coolwarm"
        )
        shown = np.random.default_rng(0).choice(len(X_test), 600, replace=False)
        ax.scatter(*X_test[shown].T, c=y_test[shown], s=6, cmap="coolwarm")
        ax.set_title(f"{label}\ntest accuracy {accuracy:.3f}", fontsize=10)
        print(f"{label}: test accuracy {accuracy:.4f}")
    fig.suptitle(f"{name}: {len(X_train)} training rows")
    fig.savefig(args.out, dpi=80)
    print(f"plot saved to {args.out}")


if __name__ == "__main__":
    main()
