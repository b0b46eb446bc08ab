"""DenseRegressor on diabetes: a drop-in for MLPRegressor, then what it adds
=========================================================================

Standardised features and targets (a Pipeline and TransformedTargetRegressor,
as for MLPRegressor), cross-validated against Ridge; then one fit with a
validation set and early stopping on the R², and a Poisson network for a
count target.
"""

import argparse
import warnings

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdense import DenseRegressor
from skdense.plotting import plot_learning_curves


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None  # gallery: no __doc__
    )
    parser.add_argument("--quick", action="store_true", help="fewer epochs")
    parser.add_argument("--out", default="diabetes_regression.png")
    args = parser.parse_args(argv)
    epochs = 60 if args.quick else 200

    X, y = load_diabetes(return_X_y=True)
    settings = dict(
        hidden_layer_sizes=(16,),
        alpha=1.0,
        learning_rate_init=0.01,
        batch_size=32,
        max_iter=epochs,
        random_state=42,
    )
    network = DenseRegressor(**settings)
    folds = KFold(5, shuffle=True, random_state=42)
    models = {
        "Ridge": make_pipeline(StandardScaler(), Ridge()),
        "DenseRegressor": make_pipeline(
            StandardScaler(),
            TransformedTargetRegressor(network, transformer=StandardScaler()),
        ),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name, model in models.items():
            scores = cross_val_score(model, X, y, cv=folds)
            print(f"{name}: cross-validated R² {scores.mean():.3f}")

    # skdense's extras: a validation set, early stopping on its R², history_.
    X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0)
    scaler = StandardScaler().fit(X_train)
    y_scale = y_train.std()
    stopped = DenseRegressor(**settings, early_stopping=True).fit(
        scaler.transform(X_train),
        (y_train - y_train.mean()) / y_scale,
        validation_data=(scaler.transform(X_val), (y_val - y_train.mean()) / y_scale),
    )
    print(
        f"early stopping: {stopped.n_iter_} epochs, best validation R² "
        f"{stopped.best_validation_score_:.3f}"
    )
    import matplotlib.pyplot as plt  # the gallery shows pyplot's figures

    figure = plt.figure(figsize=(10, 4), layout="constrained")
    plot_learning_curves(stopped, title="early stopping on R²", figure=figure)
    figure.savefig(args.out, dpi=80)

    # A count target: the Poisson loss predicts a positive mean.
    counts = np.random.default_rng(0).poisson(y_train / 50.0)
    poisson = DenseRegressor(
        "poisson",
        hidden_layer_sizes=(16,),
        solver="lbfgs",
        alpha=1.0,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        poisson.fit(scaler.transform(X_train), counts)
    means = poisson.predict(scaler.transform(X_val))
    print(f"poisson: {poisson.out_activation_} output, smallest mean {means.min():.3f}")


if __name__ == "__main__":
    main()
