"""The Keras engine's model: a compiled ``keras.Sequential`` built from a
:class:`~skdense.backends.NetworkSpec`, with the same weights' laws, penalty,
input stage, optimizer and loss as the NumPy engine's."""

import numpy as np

from ._categorical import categorical_shapes
from ._embeddings import embedding_shapes
from ._keras_layers import (
    categories_class,
    embedding_class,
    import_keras,
    penalty_class,
    rate_factored,
    registered_loss,
    subset_accuracy_metric,
)
from ._ops import ACTIVATIONS, LOSSES
from ._optimizers import KERAS_SOLVERS, SOLVERS
from ._shared import initial_weight_law, rate_factors

# Steps per compiled call of Keras's training loop: the per-step Python
# overhead of ``fit`` dominates small dense networks otherwise.
STEPS_PER_EXECUTION = 256
JIT_COMPILE = False


def _keras_activation(keras, name):
    """The Keras form of activation ``name``, from its row."""
    form = ACTIVATIONS[name].keras
    return form if isinstance(form, str) else form(keras)


def initializer(keras, spec, fan_in, fan_out, seed):
    law, scale = initial_weight_law(spec, fan_in, fan_out)
    if law == "normal":
        return keras.initializers.RandomNormal(0.0, scale, seed=seed)
    return keras.initializers.RandomUniform(-scale, scale, seed=seed)


def _optimizer(keras, spec, model):
    """The solver's Keras optimizer (with ``ema_momentum``, Keras's
    ``use_ema``); with learning-rate factors (see ``rate_factors``), one
    whose step on each variable is that many times larger."""
    solver = SOLVERS[spec.solver]
    if solver.keras is None:
        raise ValueError(
            f"solver={spec.solver!r} is not available with backend='keras'; use "
            f"one of {KERAS_SOLVERS} (or backend='numpy' for {spec.solver!r})."
        )
    optimizer = solver.keras(keras, spec.learning_rate_init, **solver.arguments(spec))
    config = optimizer.get_config()
    if spec.ema_momentum is not None:
        config.update(use_ema=True, ema_momentum=spec.ema_momentum)
        optimizer = type(optimizer).from_config(config)
    # The variables in get_weights' order: Keras puts the input stage first,
    # then W_1, b_1, W_2, b_2, ...
    n_front = len(embedding_shapes(spec) + categorical_shapes(spec))
    front, dense = model.weights[:n_front], model.weights[n_front:]
    variables = dense[0::2] + dense[1::2] + front
    factors = {
        v.path: factor
        for v, factor in zip(variables, rate_factors(spec), strict=True)
        if factor != 1.0
    }
    if not factors:
        return optimizer
    return rate_factored(type(optimizer)).from_config(
        {**config, "rate_factors": factors}
    )


def build_model(spec, *, random_state=None, penalty_scale=1.0, sparse_targets=False):
    """Build and compile the ``keras.Sequential`` network ``spec`` describes.

    A "logistic" output is one sigmoid unit per output with binary
    cross-entropy on 0/1 targets; "softmax" uses categorical cross-entropy on
    one-hot targets, or on integer targets with ``sparse_targets=True``;
    "identity" has linear units and half the squared error; "exp" linear
    units, the log-means, with half the Poisson deviance. The penalty is
    multiplied by ``penalty_scale``.
    """
    keras = import_keras()
    rng = np.random.default_rng(random_state)
    layers = [keras.Input((spec.n_features,), dtype=spec.dtype.name)]
    layers += _input_stage(spec)
    layers += _dense_layers(keras, spec, penalty_scale, rng)
    model = keras.Sequential(layers)
    multilabel = spec.out_activation == "logistic" and spec.n_outputs > 1
    if spec.score_name != "accuracy":
        metrics = None  # the score is the training loop's, from the outputs
    elif multilabel:
        metrics = [subset_accuracy_metric()]
    else:
        metrics = ["accuracy"]
    model.compile(
        optimizer=_optimizer(keras, spec, model),
        loss=_keras_loss(spec.loss, sparse_targets, spec.label_smoothing),
        # Keras averages binary cross-entropy over the labels; skdense sums it.
        loss_weights=float(spec.n_outputs) if multilabel else None,
        metrics=metrics,
        steps_per_execution=STEPS_PER_EXECUTION,
        jit_compile=JIT_COMPILE,
    )
    return model


def _input_stage(spec):
    """The numeric embedding's and the categorical columns' layers, if any."""
    dtype, layers = spec.dtype.name, []
    if embedding_shapes(spec):
        layers.append(
            embedding_class()(
                spec.embedding_frequencies,
                spec.embedding_size,
                spec.n_numeric,
                dtype=dtype,
            )
        )
    if spec.categorical_levels:
        layers.append(
            categories_class()(
                spec.categorical_levels,
                spec.max_onehot_categories,
                spec.categorical_embedding_size,
                dtype=dtype,
            )
        )
    return layers


def _dense_layers(keras, spec, penalty_scale, rng):
    """The hidden layers (each with its dropout) and the output layer, with
    initialisers and dropout seeded from ``rng`` in the layers' order."""
    penalty = None
    if spec.l1 or spec.alpha:
        penalty = penalty_class()(l1=spec.l1, l2=spec.alpha / 2.0, scale=penalty_scale)
    sizes, layers = spec.layer_sizes, []
    n_layers = len(sizes) - 1
    for i, (fan_in, units) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        hidden = i < n_layers - 1
        activation = spec.activation if hidden else spec.out_activation
        seed = int(rng.integers(2**31))
        layers.append(
            keras.layers.Dense(
                units,
                activation=_keras_activation(keras, activation),
                kernel_initializer=initializer(keras, spec, fan_in, units, seed),
                kernel_regularizer=penalty,
                dtype=spec.dtype.name,
            )
        )
        if hidden and spec.dropout:
            seed = int(rng.integers(2**31))
            layers.append(
                keras.layers.Dropout(spec.dropout, seed=seed, dtype=spec.dtype.name)
            )
    return layers


def _keras_loss(name, sparse_targets=False, label_smoothing=0.0):
    """The Keras form of loss ``name``, from its row."""
    form = LOSSES[name].keras
    if label_smoothing:
        # Keras's sparse cross-entropy cannot smooth: smoothing needs one-hot targets.
        smoothed = getattr(import_keras().losses, LOSSES[name].keras_smoothed)
        return smoothed(label_smoothing=label_smoothing)
    if isinstance(form, str):
        return f"sparse_{form}" if sparse_targets and name == "log_loss" else form
    return registered_loss(name)
