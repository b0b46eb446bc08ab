"""Threads: skdense's only threads are BLAS's (the compiled kernels are
serial), so threadpoolctl caps them, and joblib's process workers
(GridSearchCV(n_jobs=k)) share the cores instead of each taking all."""

import os

import numpy as np
import pytest
from joblib import Parallel, delayed
from sklearn.base import clone
from threadpoolctl import threadpool_info, threadpool_limits

from skdense import DenseClassifier

pytestmark = pytest.mark.filterwarnings(
    "ignore:Stochastic optimizer:sklearn.exceptions.ConvergenceWarning"
)


def _blas_threads_during_fit(estimator, X, y):
    """The BLAS thread counts seen inside ``fit``, by the validation scorer
    of each epoch."""
    seen = []

    def spy(model, X_val, y_val):
        seen.extend(
            p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"
        )
        return 0.0

    clone(estimator).set_params(early_stopping=True, scoring=spy).fit(X, y)
    return seen


@pytest.fixture
def small(digits):
    X, y = digits
    return DenseClassifier((16,), max_iter=2, random_state=0), X, y


def test_threadpool_limits_caps_a_fit(small):
    estimator, X, y = small
    with threadpool_limits(limits=1, user_api="blas"):
        seen = _blas_threads_during_fit(estimator, X, y)
    assert seen and set(seen) == {1}


def test_process_workers_share_the_cores(small):
    """Each of two loky workers gets at most half the cores for BLAS."""
    estimator, X, y = small
    per_worker = Parallel(n_jobs=2, backend="loky")(
        delayed(_blas_threads_during_fit)(estimator, X, y) for _ in range(2)
    )
    cap = max(1, (os.cpu_count() or 1) // 2)
    assert all(seen and max(seen) <= cap for seen in per_worker)


def test_a_capped_fit_is_the_same_model(small):
    """Capping threads changes where the work runs, not what is learned
    (within float32 rounding: BLAS may sum in another order)."""
    estimator, X, y = small
    free = clone(estimator).fit(X, y)
    with threadpool_limits(limits=1, user_api="blas"):
        capped = clone(estimator).fit(X, y)
    np.testing.assert_allclose(capped.coefs_[0], free.coefs_[0], atol=1e-4)
