"""scikit-learn's full estimator check battery."""

import numpy as np
from sklearn.utils.estimator_checks import parametrize_with_checks

from skdense import DenseClassifier


def _expected_failures(estimator):
    if estimator.solver == "lbfgs":
        return {}
    # Minibatch training cannot treat a weight of k like k copies of a sample:
    # the copies land in different batches and add optimizer steps, so the
    # two fits follow different paths. scikit-learn checks MLPClassifier's
    # sample-weight equivalence with solver="lbfgs" only, for this reason; the
    # full-batch estimator below passes the same check.
    return {
        "check_sample_weight_equivalence_on_dense_data": (
            "minibatch SGD is not invariant to repeating samples"
        )
    }


@parametrize_with_checks(
    [DenseClassifier(), DenseClassifier(solver="lbfgs", dtype=np.float64)],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
