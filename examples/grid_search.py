"""GridSearchCV over a DenseClassifier inside a Pipeline with a scaler
===================================================================

Searches ``hidden_layer_sizes``, ``learning_rate_init`` and ``backend`` (the
Keras backend joins when TensorFlow is installed) on scikit-learn's digits,
offline. ``--quick`` searches a smaller grid.
"""

import argparse
import importlib.util

from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdense import DenseClassifier


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None  # gallery: no __doc__
    )
    parser.add_argument("--quick", action="store_true", help="a smaller grid")
    parser.add_argument("--out", default="grid_search.png")
    args = parser.parse_args(argv)

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=0
    )
    pipe = make_pipeline(
        StandardScaler(), DenseClassifier(max_iter=30, batch_size=32, random_state=0)
    )
    backends = ["numpy"]
    if all(importlib.util.find_spec(m) for m in ("keras", "tensorflow")):
        backends.append("keras")
    grid = {
        "denseclassifier__hidden_layer_sizes": [(32,), (128,)],
        "denseclassifier__learning_rate_init": [0.001, 0.01],
        "denseclassifier__backend": backends,
    }
    if args.quick:
        grid["denseclassifier__hidden_layer_sizes"] = [(32,)]
        pipe.set_params(denseclassifier__max_iter=10)
    search = GridSearchCV(pipe, grid, cv=3).fit(X_train, y_train)

    for params, score in zip(
        search.cv_results_["params"], search.cv_results_["mean_test_score"], strict=True
    ):
        short = {k.split("__")[1]: v for k, v in params.items()}
        print(f"{score:.3f}  {short}")
    print(f"best: {search.best_params_}")
    print(f"test accuracy of the best: {search.score(X_test, y_test):.3f}")
    import matplotlib.pyplot as plt  # the gallery shows pyplot's figures

    results = search.cv_results_
    labels = [
        ", ".join(f"{k.split('__')[1]}={v}" for k, v in params.items())
        for params in results["params"]
    ]
    fig, ax = plt.subplots(figsize=(9, 0.5 + 0.45 * len(labels)), layout="constrained")
    ax.barh(labels, results["mean_test_score"], xerr=results["std_test_score"])
    ax.set_xlim(0.8, 1.0)
    ax.set_xlabel("mean cross-validated accuracy")
    fig.savefig(args.out, dpi=80)


if __name__ == "__main__":
    main()
