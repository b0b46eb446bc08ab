"""
A regressor: drop-in for MLPRegressor, then what it adds
========================================================

``DenseRegressor`` on scikit-learn's diabetes data: first as MLPRegressor
is used (scaled features and targets, cross-validated against Ridge), then
with skdense's own pieces: a validation set, early stopping on the R², and
a Poisson network for a count target.
"""

# %%
# As for MLPRegressor: a ``StandardScaler`` in front, the target scaled by
# a ``TransformedTargetRegressor``, the same folds as Ridge.
import warnings

from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdense import DenseRegressor

EPOCHS = 60  # 200 for the documented figures

X, y = load_diabetes(return_X_y=True)
settings = dict(
    hidden_layer_sizes=(16,),
    alpha=1.0,
    learning_rate_init=0.01,
    batch_size=32,
    max_iter=EPOCHS,
    random_state=42,
)
models = {
    "Ridge": make_pipeline(StandardScaler(), Ridge()),
    "DenseRegressor": make_pipeline(
        StandardScaler(),
        TransformedTargetRegressor(
            DenseRegressor(**settings), transformer=StandardScaler()
        ),
    ),
}
folds = KFold(5, shuffle=True, random_state=42)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # few epochs on purpose
    for name, model in models.items():
        scores = cross_val_score(model, X, y, cv=folds)
        print(f"{name}: cross-validated R² {scores.mean():.3f}")

# %%
# skdense's own: ``target_scaling`` instead of the wrapper, a validation
# set, and early stopping on its R² (the best epoch's weights are kept).
from sklearn.model_selection import train_test_split

X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0)
scaler = StandardScaler().fit(X_train)
stopped = DenseRegressor(**settings, early_stopping=True, target_scaling="standard")
stopped.fit(
    scaler.transform(X_train), y_train, validation_data=(scaler.transform(X_val), y_val)
)
print(
    f"early stopping: {stopped.n_iter_} epochs, best validation R² "
    f"{stopped.best_validation_score_:.3f}"
)

# %%
# Its learning curves: the loss (in scaled units) and the validation R².
import matplotlib.pyplot as plt

from skdense.plotting import plot_learning_curves

fig = plot_learning_curves(
    stopped,
    title="early stopping on R²",
    figure=plt.figure(figsize=(10, 4), layout="constrained"),
)

# %%
# A count target: ``loss="poisson"`` gives an exponential output, so every
# prediction is a positive mean.
import numpy as np

counts = np.random.default_rng(0).poisson(y_train / 50.0)
poisson = DenseRegressor(
    "poisson", hidden_layer_sizes=(16,), solver="lbfgs", alpha=1.0, random_state=0
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    poisson.fit(scaler.transform(X_train), counts)
means = poisson.predict(scaler.transform(X_val))
print(f"poisson: {poisson.out_activation_} output, smallest mean {means.min():.3f}")
