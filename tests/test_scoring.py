"""scoring: any scikit-learn scorer drives early stopping, on both engines."""

import numpy as np
import pytest
from conftest import HAS_KERAS, NO_KERAS, fit_quietly
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.metrics import f1_score, mean_absolute_error, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skdense import DenseClassifier, DenseRegressor

BACKENDS = [
    "numpy",
    pytest.param("keras", marks=pytest.mark.skipif(not HAS_KERAS, reason=NO_KERAS)),
]


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_scorers_figure_is_recorded_each_epoch(backend, cancer):
    X, X_val, y, y_val = cancer
    clf = fit_quietly(
        DenseClassifier((16,), scoring="roc_auc", max_iter=4, backend=backend),
        X,
        y,
        validation_data=(X_val, y_val),
    )
    assert len(clf.history_["val_roc_auc"]) == 4
    by_hand = roc_auc_score(y_val, clf.predict_proba(X_val)[:, 1])
    assert clf.history_["val_roc_auc"][-1] == pytest.approx(by_hand)


@pytest.mark.parametrize("backend", BACKENDS)
def test_early_stopping_keeps_the_best_epoch_by_the_scorer(backend, cancer):
    X, X_val, y, y_val = cancer
    clf = fit_quietly(
        DenseClassifier(
            (16,),
            scoring="f1_macro",
            early_stopping=True,
            n_iter_no_change=3,
            max_iter=60,
            learning_rate_init=0.01,
            backend=backend,
            random_state=0,
        ),
        X,
        y,
        validation_data=(X_val, y_val),
    )
    assert clf.validation_scores_ == pytest.approx(clf.history_["val_f1_macro"])
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    restored = f1_score(y_val, clf.predict(X_val), average="macro")
    assert restored == pytest.approx(clf.best_validation_score_)
    assert clf.n_iter_ < 60


def test_a_callable_scorer_and_the_split(cancer):
    X, _, y, _ = cancer

    def negative_errors(estimator, X, y):  # labels as fit got them
        assert set(np.unique(y)) <= {"benign", "malignant"}
        return -float(np.sum(estimator.predict(X) != y))

    labels = np.array(["malignant", "benign"])[y]
    clf = fit_quietly(
        DenseClassifier(
            (16,), scoring=negative_errors, early_stopping=True, max_iter=10
        ),
        X,
        labels,
    )
    assert all(score <= 0 for score in clf.history_["val_score"])
    assert clf.validation_scores_ == clf.history_["val_score"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_regressor_takes_error_scorers(backend):
    X, y = load_diabetes(return_X_y=True)
    X, X_val, y, y_val = train_test_split(X, y / 100, random_state=0)
    reg = fit_quietly(
        DenseRegressor(
            hidden_layer_sizes=(16,),
            scoring="neg_mean_absolute_error",
            learning_rate_init=0.01,
            max_iter=5,
            backend=backend,
        ),
        X,
        y,
        validation_data=(X_val, y_val),
    )
    mae = mean_absolute_error(y_val, reg.predict(X_val))
    assert reg.history_["val_neg_mean_absolute_error"][-1] == pytest.approx(-mae)


@pytest.mark.parametrize("scoring", ["no_such_scorer", 3, ["roc_auc"]])
def test_an_unknown_scorer_is_refused(scoring, cancer):
    X, _, y, _ = cancer
    with pytest.raises(ValueError, match="scoring=.* is invalid"):
        DenseClassifier(scoring=scoring).fit(X, y)
