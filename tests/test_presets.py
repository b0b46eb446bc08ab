"""The named parameter sets of skdense.presets."""

import numpy as np
import pytest
from conftest import fit_quietly
from sklearn.datasets import make_classification, make_regression

from skdense import DenseClassifier, DenseRegressor
from skdense.presets import PRESETS


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_is_a_valid_classifier(name):
    clf = DenseClassifier.from_preset(name)
    assert clf.get_params() == {**DenseClassifier().get_params(), **PRESETS[name]}
    X, y = make_classification(600, 4, random_state=0)
    fit_quietly(clf.set_params(max_iter=2), X, y)  # its parameters pass the checks
    assert clf.n_iter_ == 2


def test_a_regressor_takes_a_preset_without_the_classifier_settings():
    reg = DenseRegressor.from_preset("tabular", max_iter=3)
    params = reg.get_params()
    assert "label_smoothing" not in params
    assert params["numeric_embedding"] == "pbld" and params["max_iter"] == 3
    X, y = make_regression(600, 4, random_state=0)
    fit_quietly(reg, X, y)
    assert reg.coefs_[0].shape == (2, 16, 256)  # two networks, 4 x 4 inputs each


def test_an_unknown_preset_is_refused_by_name():
    with pytest.raises(ValueError, match="Unknown preset 'tabula'.*tabular"):
        DenseClassifier.from_preset("tabula")


def test_the_tabular_preset_takes_raw_columns_of_any_scale():
    """It scales inside the network: columns a million times apart train
    as well as standardised ones."""
    X, y = make_classification(1000, 6, n_informative=4, random_state=0)
    raw = X * np.array([1e-3, 1.0, 1e3, 1e6, 5.0, 0.1]) + 100.0
    params = dict(max_iter=20, random_state=0)
    scaled = fit_quietly(DenseClassifier.from_preset("tabular", **params), X, y)
    unscaled = fit_quietly(DenseClassifier.from_preset("tabular", **params), raw, y)
    assert unscaled.score(raw, y) == pytest.approx(scaled.score(X, y), abs=0.05)
    assert unscaled.score(raw, y) > 0.85


def test_a_fixed_budget_fit_gives_no_convergence_warning_mlp_defaults_keep_theirs():
    """A fit meant to reach max_iter does not warn when it does: best-epoch
    selection with no patience, or a schedule that ends at max_iter (the
    presets' flat_cos, with their patience). MLPClassifier's schedules warn
    as MLPClassifier does, early stopping or not."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    X, y = make_classification(300, 4, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        DenseClassifier.from_preset("tabular", max_iter=2, n_ensemble=1).fit(X, y)
        no_patience = dict(early_stopping=True, n_iter_no_change=np.inf)
        DenseClassifier((4,), max_iter=2, **no_patience).fit(X, y)
        DenseClassifier((4,), max_iter=2, learning_rate="cosine").fit(X, y)
    with pytest.warns(ConvergenceWarning, match="maximum iterations"):
        DenseClassifier((4,), max_iter=2).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="maximum iterations"):
        DenseClassifier((4,), max_iter=2, early_stopping=True).fit(X, y)
