"""scikit-learn's own MLPClassifier tests, run against DenseClassifier.

The test module ships in scikit-learn's wheel
(``sklearn/neural_network/tests/test_mlp.py``). It is imported afresh from the
installed scikit-learn with ``sklearn.neural_network.MLPClassifier`` bound to
DenseClassifier (once per engine), and its classifier tests are collected
here; its code is not copied. Tests of MLPRegressor alone are left out until
skdense has a regressor.

Each expected failure carries its reason; README's "Differences from
MLPClassifier" lists the same ones.
"""

import functools
import importlib.util
import types

import numpy as np
import pytest
import sklearn.neural_network
from conftest import HAS_KERAS, NO_KERAS

from skdense import DenseClassifier

HARNESS = importlib.util.find_spec("sklearn.neural_network.tests.test_mlp")


def _keras_classifier():
    """DenseClassifier whose default backend is Keras (for get_params too)."""
    init = DenseClassifier.__init__
    keras_init = types.FunctionType(
        init.__code__, init.__globals__, "__init__", init.__defaults__
    )
    keras_init.__kwdefaults__ = {**init.__kwdefaults__, "backend": "keras"}
    keras_init.__annotations__ = init.__annotations__
    functools.update_wrapper(keras_init, init, assigned=("__doc__", "__qualname__"))
    return type("DenseClassifier", (DenseClassifier,), {"__init__": keras_init})


# Expected failures: test name -> reason, or -> (reason, the parameter value
# it applies to). Two kinds only: tests of MLPClassifier's private internals,
# and deliberate differences (README, "Differences from MLPClassifier").
PRIVATE = "reads or writes MLPClassifier's private internals"
EXPECTED_FAILURES = {
    "test_fit": f"{PRIVATE} (_coef_grads, _coef_velocity, _no_improvement_count)",
    "test_gradient": f"{PRIVATE} (_loss_grad_lbfgs); see tests/test_gradients.py",
    "test_learning_rate_warmstart": f"{PRIVATE} (_optimizer.learning_rate)",
    "test_adaptive_learning_rate": f"{PRIVATE} (_optimizer.learning_rate)",
    "test_n_iter_no_change": f"{PRIVATE} (_no_improvement_count)",
    "test_n_iter_no_change_inf": f"{PRIVATE} (_no_improvement_count)",
    "test_verbose_sgd": "deliberate: verbose shows a progress bar or one Keras-style "
    "line per epoch, not 'Iteration N, loss = ...'",
    "test_mlp_param_dtypes": (
        "deliberate: weights are float32 unless dtype=np.float64, whatever X's dtype",
        np.float64,
    ),
    "test_preserve_feature_names": "deliberate: a y of one class raises a "
    "ValueError (nothing to learn); MLPClassifier fits a constant model",
}
NO_LBFGS = "deliberate: uses solver='lbfgs', which the Keras engine does not have"
KERAS_EXPECTED_FAILURES = {
    **EXPECTED_FAILURES,
    "test_lbfgs_classification": NO_LBFGS,
    "test_lbfgs_classification_maxfun": NO_LBFGS,
    "test_multilabel_classification": NO_LBFGS,
    "test_predict_proba_multilabel": NO_LBFGS,
    "test_sparse_matrices": NO_LBFGS,
    "test_warm_start": NO_LBFGS,
    "test_mlp_warm_start_no_convergence": (NO_LBFGS, "lbfgs"),
}


def _load_tests(estimator, expected, backend):
    """The harness's classifier tests with MLPClassifier bound to ``estimator``."""
    spec = importlib.util.spec_from_file_location(
        f"sklearn_test_mlp_{backend}", HARNESS.origin
    )
    module = importlib.util.module_from_spec(spec)
    original = sklearn.neural_network.MLPClassifier
    sklearn.neural_network.MLPClassifier = estimator
    try:
        spec.loader.exec_module(module)
    finally:
        sklearn.neural_network.MLPClassifier = original
    regressor = sklearn.neural_network.MLPRegressor
    tests = {}
    for name, test in vars(module).items():
        if not (name.startswith("test_") and callable(test)):
            continue
        if "MLPClassifier" not in test.__code__.co_names and not any(
            estimator in mark.args[1]
            for mark in getattr(test, "pytestmark", [])
            if mark.name == "parametrize"
        ):
            continue  # a regressor-only test
        reason, only = expected.get(name), None
        if isinstance(reason, tuple):
            reason, only = reason
        marks = []
        for mark in getattr(test, "pytestmark", []):
            if mark.name == "parametrize":
                values = [v for v in mark.args[1] if v is not regressor]
                if only is not None:  # an expected failure for one value only
                    xfail = pytest.mark.xfail(reason=reason, strict=True)
                    values = [
                        pytest.param(v, marks=xfail) if _same(v, only) else v
                        for v in values
                    ]
                mark = pytest.mark.parametrize(mark.args[0], values, **mark.kwargs)
            marks.append(mark)
        test.pytestmark = marks
        if reason is not None and only is None:
            test = pytest.mark.xfail(reason=reason, strict=True)(test)
        if backend == "keras":
            test = pytest.mark.skipif(not HAS_KERAS, reason=NO_KERAS)(test)
        tests[f"{name}__{backend}"] = test
    return tests


def _same(value, other):
    return value is other or (isinstance(value, str) and value == other)


@pytest.fixture
def global_random_seed():
    """scikit-learn's seed fixture, for its tests that take one."""
    return 42


if HARNESS is None:

    def test_harness_is_installed():
        pytest.skip(
            "scikit-learn's wheel lacks sklearn/neural_network/tests/test_mlp.py"
        )

else:
    globals().update(_load_tests(DenseClassifier, EXPECTED_FAILURES, "numpy"))
    globals().update(_load_tests(_keras_classifier(), KERAS_EXPECTED_FAILURES, "keras"))
