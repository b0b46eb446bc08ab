"""A new activation and a new loss are one row each.

Softplus and the log-cosh loss are added here, at test time, as one row of
``ACTIVATIONS`` and one of ``LOSSES``, and nothing else. The estimators
take them, and the table-driven tests the built-in rows go through pass for
them too: the finite-difference gradient checks, the compiled path (where
softplus, which has no compiled form, runs its NumPy form), the Keras engine
step for step, and the ONNX export.
"""

import importlib

import numpy as np
import pytest
import test_gradients
import test_kernels
from conftest import HAS_KERAS, NO_KERAS, fit_quietly
from sklearn.datasets import load_iris, make_regression

from skdense import DenseClassifier, DenseRegressor
from skdense.backends import NetworkSpec, make_network
from skdense.backends._ops import ACTIVATIONS, LOSSES, Activation, Loss


def inplace_softplus(z):
    return np.logaddexp(0, z, out=z)


def softplus_derivative_from_output(a, delta):
    """sigmoid(z), from a = softplus(z): 1 - exp(-a)."""
    delta *= -np.expm1(-a)
    return delta


SOFTPLUS = Activation(
    inplace_softplus,
    softplus_derivative_from_output,
    "softplus",
    lambda graph, x: graph.node("Softplus", x),
    from_output=True,
)


def log_cosh(y, z):
    """log(cosh(z - y)), summed over the outputs, written so that a large
    residual cannot overflow."""
    r = np.abs(z - y)
    return (r + np.log1p(np.exp(-2.0 * r)) - np.log(2.0)).sum(axis=1), None


def log_cosh_gradient(y, outputs):
    outputs -= y
    return np.tanh(outputs, out=outputs)


def keras_log_cosh(ops, y_true, y_pred):
    r = ops.abs(y_pred - y_true)
    return ops.sum(r + ops.log1p(ops.exp(-2.0 * r)) - np.log(2.0), axis=-1)


LOG_COSH = Loss(log_cosh, "identity", keras_log_cosh, "r2", gradient=log_cosh_gradient)


@pytest.fixture
def new_rows(monkeypatch):
    monkeypatch.setitem(ACTIVATIONS, "softplus", SOFTPLUS)
    monkeypatch.setitem(LOSSES, "log_cosh", LOG_COSH)


def test_the_estimators_train_with_the_new_rows(new_rows, iris):
    X, y = iris
    clf = DenseClassifier(
        (16,), activation="softplus", learning_rate_init=0.01, random_state=0
    )
    assert fit_quietly(clf, X, y).score(X, y) > 0.9
    X, t = make_regression(200, 5, noise=1.0, random_state=0)
    reg = DenseRegressor(
        "log_cosh",
        (16,),
        activation="softplus",
        learning_rate_init=0.01,
        random_state=0,
    )
    t = t / t.std()
    assert fit_quietly(reg, X, t).score(X, t) > 0.9


@pytest.mark.parametrize("n_outputs", [1, 3, "multilabel", "squared_error"])
def test_the_finite_difference_checks_pass(new_rows, n_outputs):
    test_gradients.test_backprop_matches_finite_differences(
        "softplus", n_outputs, 0.3, 0.2, True
    )
    test_gradients.test_backprop_with_dropout_masks_matches_finite_differences(
        "softplus"
    )
    test_gradients.test_each_activations_derivative_matches_finite_differences(
        "softplus"
    )
    test_gradients.test_every_loss_row_backpropagates_its_gradient(
        "log_cosh", 0.0, True
    )


@test_kernels.needs_numba
def test_the_compiled_path_runs_the_numpy_form_where_there_is_no_compiled_one(
    new_rows,
):
    spec = NetworkSpec(5, 3, "identity", activation="softplus", loss="log_cosh")
    step = make_network("numpy", spec)._step(test_kernels._compiled())
    assert step.forward is None and step.loss is None  # the NumPy forms
    assert step.gather is not None  # the rest of the step is compiled
    test_kernels.test_compiled_backprop_matches_finite_differences("softplus", 3)
    test_kernels.test_compiled_training_matches_numpy_for_every_activation_and_loss(
        "softplus", "log_cosh"
    )


@pytest.mark.skipif(not HAS_KERAS, reason=NO_KERAS)
def test_the_keras_engine_takes_the_same_steps(new_rows):
    test_keras = importlib.import_module("test_keras")
    test_keras.test_both_engines_take_the_same_steps_with_every_activation("softplus")
    test_keras.test_both_engines_take_the_same_steps_with_every_loss("log_cosh")


@pytest.mark.parametrize("backend", ["numpy", "keras"])
def test_the_onnx_export_matches(new_rows, backend):
    if backend == "keras" and not HAS_KERAS:
        pytest.skip(NO_KERAS)
    test_onnx = importlib.import_module("test_onnx")  # skips without skl2onnx
    X, y = load_iris(return_X_y=True)
    iris32 = X.astype(np.float32), y
    test_onnx.test_every_hidden_activation_exports(backend, "softplus", iris32)
    test_onnx.test_regressor_predictions_match(backend, "log_cosh", iris32)
