"""
Learning curves from ``history_``
=================================

A fit with a validation set records the loss and the accuracy of every
epoch, on the training and the validation data, in ``history_``;
:func:`skdense.plotting.plot_learning_curves` draws them, as the study
notes plot theirs.
"""

# %%
# The data: digits (or Fashion-MNIST's first ``N_SAMPLES`` images when
# ``SKDENSE_DATA`` names its files), a fifth held out for validation.
import os

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skdense.datasets import load_fashion_mnist

N_SAMPLES = 6000
EPOCHS = 10  # 30 shows the validation loss turning up

if os.environ.get("SKDENSE_DATA"):
    X, y = load_fashion_mnist(os.environ["SKDENSE_DATA"], return_X_y=True)
    X, y = X[:N_SAMPLES], y[:N_SAMPLES]
else:
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
X_train, X_val, y_train, y_val = train_test_split(
    X, y, test_size=0.2, stratify=y, random_state=42
)

# %%
# ``validation_data`` is scored after each epoch, like Keras's.
from skdense import DenseClassifier

clf = DenseClassifier(hidden_layer_sizes=(100,), max_iter=EPOCHS, random_state=42)
clf.fit(X_train, y_train, validation_data=(X_val, y_val))
print(sorted(clf.history_))
print(f"final validation accuracy {clf.history_['val_accuracy'][-1]:.3f}")

# %%
# Training (solid) and validation (dashed) curves, loss on the left.
import matplotlib.pyplot as plt

from skdense.plotting import plot_learning_curves

fig = plot_learning_curves(
    clf,
    title="DenseClassifier(hidden_layer_sizes=(100,))",
    figure=plt.figure(figsize=(10, 4), layout="constrained"),
)
