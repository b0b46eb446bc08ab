"""One list of settings: the spec, the training settings and the estimator agree."""

import dataclasses

import numpy as np
import pytest
from conftest import HAS_KERAS, NO_KERAS, fit_quietly

from skdense import DenseClassifier, DenseRegressor
from skdense._constraints import constraints_of
from skdense._params import (
    CLASSIFIER_SETTINGS,
    ESTIMATOR_SETTINGS,
    PARAMETERS,
    REGRESSOR_SETTINGS,
    check_params,
    parameters,
)
from skdense._training import TrainingSettings
from skdense.backends import (
    Engine,
    FullBatchEngine,
    MinibatchNetwork,
    NetworkSpec,
    make_network,
)


def test_the_table_has_one_row_per_parameter_and_no_other():
    assert set(PARAMETERS) == set(DenseClassifier().get_params())
    assert set(parameters(REGRESSOR_SETTINGS)) == set(DenseRegressor().get_params())


@pytest.mark.parametrize("estimator", [DenseClassifier, DenseRegressor])
@pytest.mark.parametrize("datacls", [NetworkSpec, TrainingSettings])
def test_declared_defaults_are_the_estimators(datacls, estimator):
    defaults = estimator().get_params()
    settings = constraints_of(datacls)  # the fields that are parameters
    declared = {
        f.name: f.default for f in dataclasses.fields(datacls) if f.name in settings
    }
    assert declared  # the fields carry defaults
    for name, default in declared.items():
        assert defaults[name] == default, name


def test_check_params_sorts_every_parameter_to_its_user():
    settings = check_params(DenseClassifier(alpha=0.5, max_iter=7, backend="numpy"))
    assert settings.network["alpha"] == 0.5
    assert settings.training.max_iter == 7
    assert settings.backend == "numpy"
    assert settings.own == {"class_weight": None, "label_smoothing": 0.0}
    n_sorted = (
        len(settings.network)
        + len(dataclasses.fields(TrainingSettings))
        + len(ESTIMATOR_SETTINGS)
        + len(CLASSIFIER_SETTINGS)
    )
    assert n_sorted == len(PARAMETERS)


def test_spec_resolves_aliases_and_auto():
    spec = NetworkSpec(3, 1, "logistic", activation="sigmoid", hidden_layer_sizes=5)
    assert spec.activation == "logistic"
    assert spec.weight_init == "glorot"
    assert spec.hidden_layer_sizes == (5,)
    assert spec.layer_sizes == (3, 5, 1)
    assert NetworkSpec(3, 1, "logistic").weight_init == "glorot"  # MLP's, for relu
    assert NetworkSpec(3, 1, "logistic", dtype="float64").dtype == np.float64
    assert NetworkSpec(3, 1, "logistic", input_scale=None).input_scale == 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.alpha = 1.0


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(activation="swish"), "activation='swish'"),
        (dict(out_activation="linear"), "out_activation='linear'"),
        (dict(loss="hinge"), "loss='hinge'"),
        (dict(loss="poisson"), "loss='poisson' is for a 'exp' output layer"),
        (dict(n_features=0), r"n_features=0.*\[1, inf\)"),
        (dict(alpha=-1.0), r"alpha=-1.0.*\[0.0, inf\)"),
        (dict(learning_rate_init=0.0), r"\(0.0, inf\)"),
    ],
)
def test_spec_refuses_bad_values(changes, message):
    args = dict(n_features=3, n_outputs=2, out_activation="softmax") | changes
    with pytest.raises(ValueError, match=message):
        NetworkSpec(**args)


def test_interval_errors_say_an_infinite_end_is_open():
    with pytest.raises(ValueError, match=r"alpha=-1.0 is invalid.*\[0.0, inf\)"):
        DenseClassifier(alpha=-1.0).fit([[0.0], [1.0]], [0, 1])
    with pytest.raises(ValueError, match=r"max_iter=0 .*an integer in \[1, inf\)"):
        DenseClassifier(max_iter=0).fit([[0.0], [1.0]], [0, 1])


def test_numpy_engines_keep_the_engine_contract():
    for output, n_outputs in (("logistic", 1), ("softmax", 3)):
        net = make_network("numpy", NetworkSpec(4, n_outputs, output), 0)
        assert isinstance(net, Engine)
        assert isinstance(net, FullBatchEngine)
    with pytest.raises(ValueError, match="softmax"):
        MinibatchNetwork(NetworkSpec(4, 3, "softmax"))


@pytest.mark.skipif(not HAS_KERAS, reason=NO_KERAS)
def test_keras_engine_keeps_the_engine_contract():
    net = make_network("keras", NetworkSpec(4, 3, "softmax", hidden_layer_sizes=(2,)))
    assert isinstance(net, Engine)
    assert not isinstance(net, FullBatchEngine)  # no lbfgs in Keras


def test_a_changed_spec_setting_reaches_the_engine():
    """The estimator builds its network from the spec of its parameters."""
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = np.arange(40) % 3
    clf = fit_quietly(
        DenseClassifier((4,), solver="sgd", momentum=0.5, max_iter=1), X, y
    )
    spec = clf.network_.spec
    assert (spec.n_features, spec.n_outputs, spec.output) == (3, 3, "softmax")
    assert spec.momentum == 0.5
    assert clf.network_.optimizer.momentum == 0.5


def test_a_spec_saved_before_the_loss_split_loads_with_its_canonical_loss():
    spec = NetworkSpec(3, 2, "exp")
    old_state = {
        k: v for k, v in vars(spec).items() if k not in ("out_activation", "loss")
    }
    old_state["output"] = "exp"  # 0.2's field
    loaded = object.__new__(NetworkSpec)
    loaded.__setstate__(old_state)
    assert loaded == spec and loaded.loss == "poisson" and loaded.output == "exp"
