"""
A dense network next to a linear baseline
=========================================

``DenseClassifier`` is a scikit-learn estimator: it goes into
``cross_validate`` as ``SGDClassifier`` does. This compares the two on the
same folds, as the study notes compare their networks with an
``SGDClassifier(loss="log_loss")`` baseline.
"""

# %%
# The data: scikit-learn's digits, pixels scaled to [0, 1].
from sklearn.datasets import load_digits

EPOCHS = 20

X, y = load_digits(return_X_y=True)
X = X / 16.0

# %%
# The same three folds for both models: a linear model trained by SGD on
# the log loss, and a network of 100 ReLU units trained by adam.
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import cross_validate

from skdense import DenseClassifier

models = {
    "SGDClassifier(log_loss)": SGDClassifier(
        loss="log_loss", max_iter=EPOCHS, random_state=42
    ),
    "DenseClassifier(100, relu)": DenseClassifier(
        hidden_layer_sizes=(100,), max_iter=EPOCHS, random_state=42
    ),
}
results = {name: cross_validate(model, X, y, cv=3) for name, model in models.items()}
for name, scores in results.items():
    print(
        f"{name:28s} accuracy {scores['test_score'].mean():.3f} "
        f"+/- {scores['test_score'].std():.3f}   fit {scores['fit_time'].mean():.2f} s"
    )

# %%
# Accuracy and fit time side by side: the network is more accurate, for a
# longer fit.
import matplotlib.pyplot as plt

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained")
for ax, key, label in (
    (left, "test_score", "accuracy (3-fold)"),
    (right, "fit_time", "fit seconds"),
):
    values = [results[name][key] for name in results]
    ax.barh(list(results), [v.mean() for v in values], xerr=[v.std() for v in values])
    ax.set_xlabel(label)
left.set_xlim(0.5, 1.0)
