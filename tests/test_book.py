"""The book's networks, reproduced through parameters (not the defaults)."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skdense import DenseClassifier
from skdense.datasets import load_fashion_mnist
from skdense.presets import BOOK_BINARY, BOOK_MULTICLASS


@pytest.mark.parametrize("weight_init", ["normal", "auto"])
def test_binary_engine_on_breast_cancer_as_the_book(weight_init):
    # The book's protocol: 80/20 train/test, then 80/20 train/validation,
    # both stratified with random_state=42; scaled on the training part.
    X, y = load_breast_cancer(return_X_y=True)
    X_all, _, y_all, _ = train_test_split(
        X, y, stratify=y, test_size=0.2, random_state=42
    )
    X_train, X_val, y_train, y_val = train_test_split(
        X_all, y_all, stratify=y_all, test_size=0.2, random_state=42
    )
    scaler = StandardScaler().fit(X_train)
    clf = DenseClassifier(**{**BOOK_BINARY, "weight_init": weight_init})
    clf.fit(scaler.transform(X_train), y_train)
    assert clf.score(scaler.transform(X_val), y_val) >= 0.96  # book: 0.978


@pytest.mark.slow
# The book trains a fixed 40 epochs and never stops early.
@pytest.mark.filterwarnings(
    "ignore:Stochastic optimizer:sklearn.exceptions.ConvergenceWarning"
)
def test_multiclass_network_on_fashion_mnist_as_the_book(fashion_mnist_home):
    X, y = load_fashion_mnist(fashion_mnist_home, return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=42
    )
    clf = DenseClassifier(**BOOK_MULTICLASS).fit(
        X_train, y_train, validation_data=(X_val, y_val)
    )
    accuracy = clf.score(X_val, y_val)
    assert 0.79 <= accuracy <= 0.83  # book: 0.8151 on the official files
    assert clf.history_["val_accuracy"][-1] == pytest.approx(accuracy)
    assert np.argmin(clf.history_["loss"]) >= 30  # still learning at the end
