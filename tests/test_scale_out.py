"""Searches beyond one process: GridSearchCV on Ray through joblib, and
Optuna's pruned search driving partial_fit, two worker processes sharing
one study in an SQLite database. (Dask's joblib backend: test_dask.py.)"""

import multiprocessing
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from conftest import fit_search
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

from skdense import DenseClassifier

# Each test starts a cluster or worker processes: slow tier.
pytestmark = pytest.mark.slow

GRID = {"hidden_layer_sizes": [(16,), (32,)], "alpha": [1e-4, 1e-2]}


def _digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


def _grid_search(backend):
    X, y = _digits()
    search = GridSearchCV(DenseClassifier(max_iter=15, random_state=0), GRID, cv=3)
    return fit_search(search, X, y, backend)


def test_grid_search_on_ray_matches_a_local_run():
    # On 127.0.0.1: conftest sets RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0.
    ray = pytest.importorskip(
        "ray", reason="ray not installed: pip install 'skdense[ray]'"
    )
    from ray.util.joblib import register_ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        register_ray()
        on_ray = _grid_search("ray")
        nodes = ray.nodes()
    finally:
        ray.shutdown()
    local = _grid_search("local")
    assert [node["NodeManagerAddress"] for node in nodes] == ["127.0.0.1"]
    assert on_ray.best_params_ == local.best_params_
    np.testing.assert_array_equal(
        on_ray.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    X, y = _digits()
    np.testing.assert_array_equal(on_ray.predict_proba(X), local.predict_proba(X))


N_STEPS = 8  # partial_fit epochs per trial


GOOD_RATES, SLOW_RATES = (3e-3, 3e-2), (1e-6, 1e-5)


def _optuna_worker(storage, n_trials, seed, rates):
    """One worker process: a pruned OptunaSearchCV on the shared study,
    learning rates drawn from ``rates``."""
    import optuna
    from optuna.distributions import FloatDistribution
    from optuna_integration import OptunaSearchCV

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore")  # OptunaSearchCV is experimental
    study = optuna.load_study(
        study_name="digits",
        storage=storage,
        pruner=optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=2),
    )
    X, y = _digits()
    search = OptunaSearchCV(
        # The search's max_iter counts its partial_fit steps; the refit of the
        # best parameters is a fit of the estimator's own max_iter.
        DenseClassifier((32,), max_iter=N_STEPS, random_state=0),
        {
            "learning_rate_init": FloatDistribution(*rates, log=True),
            "alpha": FloatDistribution(1e-6, 1e-2, log=True),
        },
        cv=3,
        n_trials=n_trials,
        enable_pruning=True,
        max_iter=N_STEPS,
        study=study,
        random_state=seed,
    )
    search.fit(X, y)
    return search.best_estimator_.n_iter_


def test_optuna_prunes_through_partial_fit_with_two_workers_on_one_study(tmp_path):
    optuna = pytest.importorskip(
        "optuna", reason="optuna not installed: pip install 'skdense[optuna]'"
    )
    pytest.importorskip(
        "optuna_integration",
        reason="optuna-integration not installed: pip install 'skdense[optuna]'",
    )
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    optuna.create_study(study_name="digits", storage=storage, direction="maximize")
    # Two good trials complete first (here, in this process), so that which
    # trials are pruned does not hang on the order the workers finish in.
    # Then one worker draws good rates and the other rates too slow to learn
    # in eight epochs, whose trials must all be pruned.
    _optuna_worker(storage, 2, 2, GOOD_RATES)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=context) as workers:
        runs = list(
            workers.map(
                _optuna_worker, [storage] * 2, [4, 4], [0, 1], [GOOD_RATES, SLOW_RATES]
            )
        )
    # Each worker ran its four trials (OptunaSearchCV runs n_trials) in the
    # one study.
    trials = optuna.load_study(study_name="digits", storage=storage).trials
    slow = [t for t in trials if t.params["learning_rate_init"] <= SLOW_RATES[1]]
    assert len(trials) == 2 + 4 + 4 and len(slow) == 4
    assert [t.state.name for t in slow] == ["PRUNED"] * 4
    assert max(t.value for t in trials if t.value is not None) > 0.8
    # The refit of the best trial's parameters: a fit of max_iter epochs.
    assert runs == [N_STEPS, N_STEPS]
    for trial in trials:
        # A score per epoch: one partial_fit each, until done or pruned (a
        # good trial below the median at its last epoch is pruned there).
        steps = sorted(trial.intermediate_values)
        assert steps == list(range(len(steps)))
        assert (
            len(steps) == N_STEPS
            if trial.state.name == "COMPLETE"
            else len(steps) <= N_STEPS
        )
    # The slow trials stop at the first step the pruner may judge (after its
    # warm-up steps 0 and 1), not after all eight epochs.
    assert [len(t.intermediate_values) for t in slow] == [3] * 4


def test_optuna_prunes_a_regressor_epoch_by_epoch():
    optuna = pytest.importorskip("optuna", reason="pip install 'skdense[optuna]'")
    pytest.importorskip("optuna_integration", reason="pip install 'skdense[optuna]'")
    from optuna.distributions import FloatDistribution
    from optuna_integration import OptunaSearchCV
    from sklearn.datasets import load_diabetes

    from skdense import DenseRegressor

    X, y = load_diabetes(return_X_y=True)
    study = optuna.create_study(
        direction="maximize",
        pruner=optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=2),
        sampler=optuna.samplers.TPESampler(seed=0),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # OptunaSearchCV is experimental
        search = OptunaSearchCV(
            DenseRegressor(
                hidden_layer_sizes=(32,),
                target_scaling="standard",
                max_iter=N_STEPS,
                random_state=0,
            ),
            {"learning_rate_init": FloatDistribution(3e-3, 1e-1, log=True)},
            cv=3,
            n_trials=8,
            enable_pruning=True,
            max_iter=N_STEPS,
            study=study,
            random_state=0,
        ).fit(X, y)
    for trial in study.trials:  # an R² per epoch, until done or pruned
        steps = sorted(trial.intermediate_values)
        assert steps == list(range(len(steps)))
        assert (len(steps) == N_STEPS) == (trial.state.name == "COMPLETE")
    # Learned something: every rate in the range reaches a cv R² of 0.15 or
    # more in 8 epochs (measured: 0.15 at 3e-3, 0.47 at 3e-2; Ridge about
    # 0.45), whichever rates a given Optuna version draws.
    assert search.best_score_ > 0.1
