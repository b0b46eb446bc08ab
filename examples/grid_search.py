"""
A grid search over a network in a pipeline
==========================================

``DenseClassifier`` behind a ``StandardScaler`` in a ``Pipeline``, searched
with ``GridSearchCV`` like any scikit-learn model: the layer sizes, the
learning rate, and the engine (Keras joins the grid when TensorFlow is
installed).
"""

# %%
# The data: digits, a quarter held out for the test.
import importlib.util

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

EPOCHS = 10
HIDDEN_LAYER_SIZES = [(32,)]  # add (128,) for a larger grid

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

# %%
# The pipeline and its grid: parameters are named ``step__parameter``, as
# for any scikit-learn pipeline.
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdense import DenseClassifier

pipe = make_pipeline(
    StandardScaler(), DenseClassifier(max_iter=EPOCHS, batch_size=32, random_state=0)
)
backends = ["numpy"]
if all(importlib.util.find_spec(m) for m in ("keras", "tensorflow")):
    backends.append("keras")
grid = {
    "denseclassifier__hidden_layer_sizes": HIDDEN_LAYER_SIZES,
    "denseclassifier__learning_rate_init": [0.001, 0.01],
    "denseclassifier__backend": backends,
}
search = GridSearchCV(pipe, grid, cv=3).fit(X_train, y_train)
for params, score in zip(
    search.cv_results_["params"], search.cv_results_["mean_test_score"], strict=True
):
    print(f"{score:.3f}  { ({k.split('__')[1]: v for k, v in params.items()}) }")
print(f"best: {search.best_params_}")
print(f"test accuracy of the best: {search.score(X_test, y_test):.3f}")

# %%
# Each candidate's cross-validated accuracy.
import matplotlib.pyplot as plt

results = search.cv_results_
labels = [
    ", ".join(f"{k.split('__')[1]}={v}" for k, v in params.items())
    for params in results["params"]
]
fig, ax = plt.subplots(figsize=(9, 0.5 + 0.45 * len(labels)), layout="constrained")
ax.barh(labels, results["mean_test_score"], xerr=results["std_test_score"])
ax.set_xlim(0.8, 1.0)
ax.set_xlabel("mean cross-validated accuracy")
