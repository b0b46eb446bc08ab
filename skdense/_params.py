"""Validation of DenseClassifier's hyperparameters, done at fit time.

``check_params`` reads the estimator's parameters, raises a ``ValueError``
naming the first bad one, and returns the settings resolved to what the
engines take (aliases mapped, ``"auto"`` values chosen).
"""

import numbers

import numpy as np

from .backends import BACKENDS

ACTIVATIONS = ("identity", "logistic", "sigmoid", "tanh", "relu")
SOLVERS = ("sgd", "adam", "rmsprop", "lbfgs")
LEARNING_RATES = ("constant", "invscaling", "adaptive")
WEIGHT_INITS = ("auto", "glorot", "he", "normal")
DTYPES = (np.float32, np.float64)


def _fail(name, value, expected):
    raise ValueError(
        f"DenseClassifier: {name}={value!r} is invalid; expected {expected}."
    )


def _check_choice(name, value, choices):
    if not isinstance(value, str) or value not in choices:
        _fail(name, value, "one of " + ", ".join(repr(c) for c in choices))
    return value


def _check_bool(name, value):
    if not isinstance(value, (bool, np.bool_)):
        _fail(name, value, "True or False")
    return bool(value)


def _check_number(name, value, low=None, high=None, *, integer=False, closed="both"):
    """Check ``low <= value <= high`` (``closed`` says which ends are included)."""
    kind = numbers.Integral if integer else numbers.Real
    bad_type = not isinstance(value, kind) or isinstance(value, (bool, np.bool_))
    if bad_type or not np.isfinite(value):
        _fail(name, value, "an integer" if integer else "a finite real number")
    low_ok = low is None or (
        value >= low if closed in ("both", "left") else value > low
    )
    high_ok = high is None or (
        value <= high if closed in ("both", "right") else value < high
    )
    if not (low_ok and high_ok):
        left = "[" if closed in ("both", "left") else "("
        right = "]" if closed in ("both", "right") else ")"
        low_text = "-inf" if low is None else low
        high_text = "inf" if high is None else high
        _fail(name, value, f"a value in {left}{low_text}, {high_text}{right}")
    return value


def _check_hidden_layer_sizes(value):
    sizes = (value,) if isinstance(value, numbers.Integral) else value
    try:
        sizes = tuple(sizes)
    except TypeError:
        _fail("hidden_layer_sizes", value, "an int or a tuple of positive ints")
    for size in sizes:
        if not isinstance(size, numbers.Integral) or isinstance(size, bool) or size < 1:
            _fail("hidden_layer_sizes", value, "positive layer sizes (ints >= 1)")
    return tuple(int(s) for s in sizes)


def _check_class_weight(value):
    if value is None or value == "balanced" or isinstance(value, dict):
        return value
    _fail("class_weight", value, "None, 'balanced' or a dict {class: weight}")


def check_params(est):
    """Validate ``est``'s parameters; return the resolved settings as a dict."""
    activation = _check_choice("activation", est.activation, ACTIVATIONS)
    activation = "logistic" if activation == "sigmoid" else activation
    weight_init = _check_choice("weight_init", est.weight_init, WEIGHT_INITS)
    if weight_init == "auto":
        weight_init = "he" if activation == "relu" else "glorot"
    if not (isinstance(est.batch_size, str) and est.batch_size == "auto"):
        _check_number("batch_size", est.batch_size, 1, integer=True)
    try:
        dtype = np.dtype(est.dtype)
    except TypeError:
        dtype = None
    if dtype not in DTYPES:
        _fail("dtype", est.dtype, "np.float32 or np.float64")
    _check_choice("backend", est.backend, BACKENDS)
    if est.backend == "keras" and est.solver == "lbfgs":
        raise ValueError(
            "DenseClassifier: solver='lbfgs' is not available with backend='keras'; "
            "use 'adam', 'sgd' or 'rmsprop', or backend='numpy'."
        )
    _check_class_weight(est.class_weight)
    for name in ("shuffle", "warm_start", "nesterovs_momentum", "early_stopping"):
        _check_bool(name, getattr(est, name))
    if not isinstance(est.verbose, (bool, np.bool_)):
        _check_number("verbose", est.verbose, 0, integer=True)
    _check_number("max_iter", est.max_iter, 1, integer=True)
    _check_number("n_iter_no_change", est.n_iter_no_change, 1, integer=True)
    _check_number("max_fun", est.max_fun, 1, integer=True)
    return {
        "network": {
            "hidden_layer_sizes": _check_hidden_layer_sizes(est.hidden_layer_sizes),
            "activation": activation,
            "weight_init": weight_init,
            "alpha": _check_number("alpha", est.alpha, 0.0),
            "l1": _check_number("l1", est.l1, 0.0),
            "dropout": _check_number("dropout", est.dropout, 0.0, 1.0, closed="left"),
            "solver": _check_choice("solver", est.solver, SOLVERS),
            "learning_rate_init": _check_number(
                "learning_rate_init", est.learning_rate_init, 0.0, closed="right"
            ),
            "momentum": _check_number("momentum", est.momentum, 0.0, 1.0),
            "nesterovs_momentum": est.nesterovs_momentum,
            "beta_1": _check_number("beta_1", est.beta_1, 0.0, 1.0, closed="left"),
            "beta_2": _check_number("beta_2", est.beta_2, 0.0, 1.0, closed="left"),
            "rho": _check_number("rho", est.rho, 0.0, 1.0, closed="left"),
            "epsilon": _check_number("epsilon", est.epsilon, 0.0, closed="right"),
            "dtype": dtype,
        },
        "input_scale": 1.0
        if est.input_scale is None
        else _check_number("input_scale", est.input_scale, 0.0, closed="right"),
        "learning_rate": _check_choice(
            "learning_rate", est.learning_rate, LEARNING_RATES
        ),
        "power_t": _check_number("power_t", est.power_t, 0.0),
        "tol": _check_number("tol", est.tol, 0.0),
        "validation_fraction": _check_number(
            "validation_fraction", est.validation_fraction, 0.0, 1.0, closed="neither"
        ),
    }
