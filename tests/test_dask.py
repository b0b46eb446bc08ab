"""Hyperparameter search on a Dask cluster through joblib's "dask" backend."""

import numpy as np
import pytest
from conftest import HAS_KERAS, NO_KERAS, fit_search
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

from skdense import DenseClassifier

# Each test starts a two-worker cluster: slow tier.
pytestmark = pytest.mark.slow

distributed = pytest.importorskip(
    "distributed", reason="dask.distributed not installed: pip install 'skdense[dask]'"
)


@pytest.fixture(scope="module")
def client():
    """A real cluster on this machine: a scheduler and two worker processes."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


GRID = {"hidden_layer_sizes": [(16,), (32,)], "alpha": [1e-4, 1e-2]}


def test_grid_search_on_the_cluster_matches_a_local_run(client, digits):
    X, y = digits
    base = DenseClassifier(max_iter=15, random_state=0)
    with distributed.get_task_stream(client) as tasks:
        on_cluster = fit_search(GridSearchCV(base, GRID, cv=3), X, y, "dask")
    local = fit_search(GridSearchCV(base, GRID, cv=3), X, y, "local")
    # The fits ran on both workers, not in this process.
    workers = {task["worker"] for task in tasks.data}
    assert workers == set(client.scheduler_info()["workers"])
    assert on_cluster.best_params_ == local.best_params_
    for key in ("mean_test_score", "std_test_score", "rank_test_score"):
        np.testing.assert_array_equal(
            on_cluster.cv_results_[key], local.cv_results_[key]
        )
    # The refit model came back from the search and predicts like the local one.
    np.testing.assert_array_equal(on_cluster.predict_proba(X), local.predict_proba(X))


def test_randomized_search_on_the_cluster(client, digits):
    X, y = digits
    params = {"learning_rate_init": [1e-3, 3e-3, 1e-2], "batch_size": [32, 64]}
    search = RandomizedSearchCV(
        DenseClassifier((16,), max_iter=10, random_state=0),
        params,
        n_iter=4,
        cv=2,
        random_state=0,
    )
    on_cluster = fit_search(search, X, y, "dask")
    local = fit_search(
        RandomizedSearchCV(**{**search.get_params(deep=False), "n_jobs": None}),
        X,
        y,
        "local",
    )
    assert on_cluster.best_params_ == local.best_params_
    np.testing.assert_array_equal(
        on_cluster.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )


@pytest.mark.skipif(not HAS_KERAS, reason=NO_KERAS)
# The local run's loky workers, each holding TensorFlow, are torn down when
# the search ends; loky reports that as a worker stopping mid-queue.
@pytest.mark.filterwarnings("ignore:A worker stopped:UserWarning")
def test_keras_backend_searches_on_the_cluster(client, digits):
    X, y = digits
    base = DenseClassifier(
        (16,), backend="keras", max_iter=5, batch_size=32, random_state=0
    )
    grid = {"learning_rate_init": [1e-3, 1e-2]}
    on_cluster = fit_search(GridSearchCV(base, grid, cv=2), X, y, "dask")
    local = fit_search(GridSearchCV(base, grid, cv=2), X, y, "local")
    assert on_cluster.best_params_ == local.best_params_
    np.testing.assert_allclose(
        on_cluster.cv_results_["mean_test_score"],
        local.cv_results_["mean_test_score"],
        atol=0.01,
    )
    assert on_cluster.best_score_ > 0.7  # 5 epochs on 300 digits
