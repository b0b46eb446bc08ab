"""
The study notes' binary network on breast cancer
================================================

The study notes' ``MinibatchNetwork``: 10 sigmoid hidden units, one sigmoid
output and the logistic loss, N(0, 1) weights, plain gradient descent with
an L2 penalty of 0.01, batches of 32, 500 epochs. It is the
``"book-binary"`` preset; two classes give the network one output unit.
"""

# %%
# The notes' split: 80/20 train/test, then 80/20 train/validation, the
# features standardised on the training part.
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

EPOCHS = 100  # the notes train 500

X, y = load_breast_cancer(return_X_y=True)
X_all, X_test, y_all, y_test = train_test_split(
    X, y, stratify=y, test_size=0.2, random_state=42
)
X_train, X_val, y_train, y_val = train_test_split(
    X_all, y_all, stratify=y_all, test_size=0.2, random_state=42
)
scaler = StandardScaler().fit(X_train)
X_train, X_val, X_test = (scaler.transform(part) for part in (X_train, X_val, X_test))

# %%
# The preset, validated after each epoch.
from skdense import DenseClassifier

clf = DenseClassifier.from_preset("book-binary", max_iter=EPOCHS)
clf.fit(X_train, y_train, validation_data=(X_val, y_val))
print(
    f"network: {type(clf.network_).__name__}, output units "
    f"{clf.coefs_[-1].shape[1]}, {clf.n_iter_} epochs"
)
print(f"validation accuracy {clf.score(X_val, y_val):.3f} (study notes: 0.978)")
print(f"test accuracy {clf.score(X_test, y_test):.3f}")

# %%
# The curves the notes draw: loss and accuracy per epoch.
import matplotlib.pyplot as plt

from skdense.plotting import plot_learning_curves

fig = plot_learning_curves(
    clf,
    title="the study notes' binary network",
    figure=plt.figure(figsize=(10, 4), layout="constrained"),
)
