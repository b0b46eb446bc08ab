"""scikit-learn's full estimator check battery, on both backends."""

import numpy as np
import pytest
from conftest import HAS_KERAS, NO_KERAS
from sklearn.utils.estimator_checks import parametrize_with_checks

from skdense import DenseClassifier, DenseRegressor

# The checks fit their small data sets with each estimator's settings and
# never ask for convergence; some fit on fewer rows than KERAS_SETTINGS'
# batch_size. Those warnings are expected here, and only here.
pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings("ignore:Got batch_size=:UserWarning"),
]


def _expected_failures(estimator):
    if estimator.solver == "lbfgs":
        # Unregularised full-batch L-BFGS fits the check's separable multilabel
        # data until some logits pass 130; the sigmoid of anything above 36.8
        # is 1.0 in float64 (scipy.special.expit too, MLPClassifier's), while
        # the check wants every probability strictly below 1.
        return {
            "check_classifiers_multilabel_output_format_predict_proba": (
                "a separable fit's sigmoid rounds to exactly 1.0 in float64"
            )
        }
    # Minibatch training cannot treat a weight of k like k copies of a sample:
    # the copies land in different batches and add optimizer steps, so the
    # two fits follow different paths. scikit-learn checks MLPClassifier's
    # sample-weight equivalence with solver="lbfgs" only, for this reason; the
    # full-batch estimator below passes the same check.
    reason = "minibatch SGD is not invariant to repeating samples"
    return {
        "check_sample_weight_equivalence_on_dense_data": reason,
        "check_sample_weight_equivalence_on_sparse_data": reason,
    }


# Each estimator with MLP's defaults, full-batch lbfgs, and an ensemble of
# networks, on the NumPy engine.
@parametrize_with_checks(
    [
        DenseClassifier(),
        DenseClassifier(solver="lbfgs", dtype=np.float64),
        DenseClassifier(n_ensemble=2),
        DenseRegressor(),
        DenseRegressor(solver="lbfgs", dtype=np.float64),
        DenseRegressor(n_ensemble=2),
    ],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# A small network and few epochs keep the battery fast; a higher learning
# rate and small batches let it still learn the checks' easy problems.
KERAS_SETTINGS = dict(
    backend="keras",
    hidden_layer_sizes=(16,),
    max_iter=10,
    batch_size=16,
    learning_rate_init=0.01,
    random_state=0,
)


# The Keras engine's battery takes a minute and a half (a TensorFlow fit per
# check): slow tier. The NumPy engine's, above, runs in every run.
@pytest.mark.slow
@pytest.mark.skipif(not HAS_KERAS, reason=NO_KERAS)
@parametrize_with_checks(
    [DenseClassifier(**KERAS_SETTINGS), DenseRegressor(**KERAS_SETTINGS)],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible_keras(estimator, check):
    check(estimator)
