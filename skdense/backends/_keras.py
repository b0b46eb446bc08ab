"""The Keras engine: the same networks as ``keras.Sequential`` models.

Imported only when ``backend="keras"`` is asked for, so ``import skdense``
never imports TensorFlow. The model is built from the same
:class:`~skdense.backends.NetworkSpec` as the NumPy engine's and optimises the
same objective::

    (sum_i s_i * loss_i + l1 * sum|W| + alpha / 2 * sum W**2) / (m * mean(s))

Keras divides a batch's weighted loss by the batch size ``m``, so the engine
passes ``s / mean(s)`` as sample weights and scales the penalty by
``1 / (m * mean(s))`` through a variable the penalty reads (the last, shorter
batch of an epoch gets the full batch's scale: Keras adds the penalty once per
batch, whatever its size).

Training runs through Keras's own compiled ``fit`` with many steps per
execution, which removes most of Keras's per-step Python overhead on CPU;
TensorFlow places the work on a GPU by itself when one is visible.
Predictions are computed in float64 from the weights by the forward pass both
engines share, so that they do not depend on how rows are batched.
"""

import collections
import functools
import os
import tempfile
import weakref

import numpy as np
import scipy.sparse as sp

from ._categorical import categorical_shapes, initial_tables
from ._embeddings import TWO_PI, embedding_shapes, initial_embedding
from ._ops import ACTIVATIONS, LOSSES
from ._optimizers import KERAS_SOLVERS, SOLVERS
from ._shared import (
    PREDICT_CHUNK,
    as_input,
    forward_proba,
    initial_weight_law,
    rate_factors,
    split_weights,
)
from ._spec import NetworkSpec

# Idle compiled models, by everything their traced functions depend on.
# TensorFlow never frees a model's traced functions (about 5 MB a model;
# keras-team/keras#20552), so a new network takes up an idle model of the same
# structure when there is one, instead of building and tracing another. A
# model becomes idle when the network that used it is garbage-collected.
_IDLE_MODELS = collections.defaultdict(list)

# Steps per compiled call of Keras's training loop: the per-step Python
# overhead of ``fit`` dominates small dense networks otherwise.
STEPS_PER_EXECUTION = 256
JIT_COMPILE = False


def import_keras():
    """Import Keras on TensorFlow, or say what to install or set."""
    try:
        import keras
    except ImportError as error:
        raise ImportError(
            "backend='keras' needs Keras 3 with TensorFlow: install them with "
            "pip install 'skdense[keras]'."
        ) from error
    if keras.backend.backend() != "tensorflow":
        raise ImportError(
            "backend='keras' runs on Keras's TensorFlow backend, but Keras is set to "
            f"{keras.backend.backend()!r}: unset KERAS_BACKEND or set it to "
            "'tensorflow'."
        )
    return keras


@functools.cache
def _penalty_class():
    """The penalty as a Keras regularizer, defined (and registered) on first use."""
    keras = import_keras()

    @keras.saving.register_keras_serializable(package="skdense")
    class Penalty(keras.regularizers.Regularizer):
        """``scale * (l1 * sum|W| + l2 * sum W**2)``; ``scale`` is a variable."""

        def __init__(self, l1=0.0, l2=0.0, scale=1.0):
            self.l1 = float(l1)
            self.l2 = float(l2)
            self.scale = keras.Variable(scale, trainable=False, name="penalty_scale")

        def __call__(self, x):
            ops = keras.ops
            total = 0.0
            if self.l1:
                total += self.l1 * ops.sum(ops.abs(x))
            if self.l2:
                total += self.l2 * ops.sum(ops.square(x))
            # Keras adds the penalty to the compiled loss, which it computes
            # in floatx (float32) whatever the model's dtype: a float64 sum
            # beside it cannot be added.
            penalty = ops.cast(self.scale, x.dtype) * total
            return ops.cast(penalty, keras.config.floatx())

        def get_config(self):
            return {"l1": self.l1, "l2": self.l2, "scale": float(self.scale.numpy())}

    return Penalty


@functools.cache
def _embedding_class():
    """The numeric embedding as a Keras layer, registered for saved models."""
    keras = import_keras()

    @keras.saving.register_keras_serializable(package="skdense")
    class PBLDEmbedding(keras.layers.Layer):
        """RealMLP's PBLD embedding of each input column (see
        ``skdense.backends._embeddings``); weights as the NumPy engine's."""

        def __init__(self, frequencies, size, columns=None, **kwargs):
            super().__init__(**kwargs)
            self.frequencies, self.size = frequencies, size
            self.columns = columns  # the first ones (the numeric); None: all

        def build(self, input_shape):
            n = input_shape[-1] if self.columns is None else self.columns
            k, e = self.frequencies, self.size - 1
            shapes = {
                "frequencies": (n, k),
                "phases": (n, k),
                "linear": (n, k, e),
                "bias": (n, e),
            }
            self.parts = [
                self.add_weight(shape=shape, name=name, initializer="zeros")
                for name, shape in shapes.items()
            ]

        def call(self, x):
            ops = keras.ops
            freq, phase, linear, bias = self.parts
            n, e = bias.shape
            x, rest = x[:, :n], x[:, n:]
            angle = x[:, :, None] * (TWO_PI * freq) + phase
            embedded = ops.einsum("mnk,nke->mne", ops.cos(angle), linear) + bias
            embedded = ops.reshape(embedded, (-1, n * e))
            return ops.concatenate([embedded, x, rest], axis=-1)

        def get_config(self):
            return {
                **super().get_config(),
                "frequencies": self.frequencies,
                "size": self.size,
                "columns": self.columns,
            }

    return PBLDEmbedding


@functools.cache
def _categories_class():
    """The categorical columns' stage as a Keras layer, registered for saved
    models."""
    keras = import_keras()

    @keras.saving.register_keras_serializable(package="skdense")
    class CategoricalColumns(keras.layers.Layer):
        """The last ``len(levels)`` columns, level indices, as one-hot
        vectors or learned embeddings (see ``skdense.backends._categorical``);
        the columns before them pass as they are. Tables as the NumPy
        engine's."""

        def __init__(self, levels, max_onehot, size, **kwargs):
            super().__init__(**kwargs)
            self.levels, self.max_onehot, self.size = tuple(levels), max_onehot, size

        def build(self, input_shape):
            self.tables = [
                self.add_weight(shape=(k, self.size), name=f"table_{j}")
                for j, k in enumerate(self.levels)
                if k > self.max_onehot
            ]

        def call(self, x):
            ops = keras.ops
            n = len(self.levels)
            parts, tables = [x[:, :-n]], iter(self.tables)
            for j, k in enumerate(self.levels):
                codes = x[:, j - n : j - n + 1 if j < n - 1 else None]
                levels = ops.cast(ops.arange(k), x.dtype)[None, :]
                one_hot = ops.cast(ops.equal(codes, levels), x.dtype)  # -1: zeros
                if k > self.max_onehot:
                    # A product, not a lookup: its gradient is dense, so Adam
                    # moves every row as the NumPy engine's does (a lookup's
                    # sparse gradient would leave absent rows' moments alone).
                    one_hot = ops.matmul(one_hot, next(tables))
                parts.append(one_hot)
            return ops.concatenate(parts, axis=-1)

        def get_config(self):
            return {
                **super().get_config(),
                "levels": self.levels,
                "max_onehot": self.max_onehot,
                "size": self.size,
            }

    return CategoricalColumns


def _keras_activation(keras, name):
    """The Keras form of activation ``name``, from its row."""
    form = ACTIVATIONS[name].keras
    return form if isinstance(form, str) else form(keras)


def _initializer(keras, spec, fan_in, fan_out, seed):
    law, scale = initial_weight_law(spec, fan_in, fan_out)
    if law == "normal":
        return keras.initializers.RandomNormal(0.0, scale, seed=seed)
    return keras.initializers.RandomUniform(-scale, scale, seed=seed)


def _optimizer(keras, spec, model):
    """The solver's Keras optimizer; with learning-rate factors (see
    ``rate_factors``), one whose step on each variable is that many times
    larger."""
    solver = SOLVERS[spec.solver]
    if solver.keras is None:
        raise ValueError(
            f"solver={spec.solver!r} is not available with backend='keras'; use "
            f"one of {KERAS_SOLVERS} (or backend='numpy' for {spec.solver!r})."
        )
    optimizer = solver.keras(keras, spec.learning_rate_init, **solver.arguments(spec))
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
    config = {**optimizer.get_config(), "rate_factors": factors}
    return _rate_factored(type(optimizer)).from_config(config)


@functools.cache
def _rate_factored(base):
    """``base``, a Keras optimizer class, with a learning-rate factor per
    variable (by path), as the NumPy engine's ``rate_factors``; registered
    for saved models."""
    keras = import_keras()
    name = f"RateFactored{base.__name__}"

    @keras.saving.register_keras_serializable(package="skdense", name=name)
    class RateFactored(base):
        def __init__(self, *args, rate_factors=None, **kwargs):
            super().__init__(*args, **kwargs)
            self.rate_factors = dict(rate_factors or {})

        def build(self, variables):
            super().build(variables)
            # update_step gets the backend's variable: found by its index.
            self._factor_at = [self.rate_factors.get(v.path) for v in variables]

        def update_step(self, gradient, variable, learning_rate):
            factor = self._factor_at[self._get_variable_index(variable)]
            if factor is not None:
                learning_rate = learning_rate * factor
            return super().update_step(gradient, variable, learning_rate)

        def get_config(self):
            return {**super().get_config(), "rate_factors": self.rate_factors}

    RateFactored.__name__ = RateFactored.__qualname__ = name
    return RateFactored


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
    dtype = spec.dtype.name
    rng = np.random.default_rng(random_state)

    def seed():
        return int(rng.integers(2**31))

    penalty = None
    if spec.l1 or spec.alpha:
        penalty = _penalty_class()(l1=spec.l1, l2=spec.alpha / 2.0, scale=penalty_scale)
    sizes = spec.layer_sizes
    n_layers = len(sizes) - 1
    layers = [keras.Input((spec.n_features,), dtype=dtype)]
    if embedding_shapes(spec):
        embedding = _embedding_class()
        layers.append(
            embedding(
                spec.embedding_frequencies,
                spec.embedding_size,
                spec.n_numeric,
                dtype=dtype,
            )
        )
    if spec.categorical_levels:
        layers.append(
            _categories_class()(
                spec.categorical_levels,
                spec.max_onehot_categories,
                spec.categorical_embedding_size,
                dtype=dtype,
            )
        )
    for i, (fan_in, units) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        hidden = i < n_layers - 1
        activation = spec.activation if hidden else spec.out_activation
        layers.append(
            keras.layers.Dense(
                units,
                activation=_keras_activation(keras, activation),
                kernel_initializer=_initializer(keras, spec, fan_in, units, seed()),
                kernel_regularizer=penalty,
                dtype=dtype,
            )
        )
        if hidden and spec.dropout:
            layers.append(keras.layers.Dropout(spec.dropout, seed=seed(), dtype=dtype))
    model = keras.Sequential(layers)
    multilabel = spec.out_activation == "logistic" and spec.n_outputs > 1
    if spec.score_name != "accuracy":
        metrics = None  # the score is the training loop's, from the outputs
    elif multilabel:
        metrics = [_subset_accuracy_metric()]
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


def _keras_loss(name, sparse_targets=False, label_smoothing=0.0):
    """The Keras form of loss ``name``, from its row."""
    form = LOSSES[name].keras
    if label_smoothing:
        # Keras's sparse cross-entropy cannot smooth: smoothing needs one-hot targets.
        smoothed = getattr(import_keras().losses, LOSSES[name].keras_smoothed)
        return smoothed(label_smoothing=label_smoothing)
    if isinstance(form, str):
        return f"sparse_{form}" if sparse_targets and name == "log_loss" else form
    return _registered_loss(name)


@functools.cache
def _registered_loss(name):
    """A loss row's Keras function, registered (under the function's own name,
    which saved models refer to) so that saved models load."""
    keras = import_keras()
    form = LOSSES[name].keras

    def loss(y_true, y_pred):
        return form(keras.ops, y_true, y_pred)

    loss.__name__ = loss.__qualname__ = form.__name__.removeprefix("keras_")
    return keras.saving.register_keras_serializable(package="skdense")(loss)


@functools.cache
def _subset_accuracy():
    """Multilabel accuracy: every label right. Registered for saved models."""
    keras = import_keras()

    @keras.saving.register_keras_serializable(package="skdense")
    def subset_accuracy(y_true, y_pred):
        ops = keras.ops
        right = ops.equal(ops.greater(y_true, 0.5), ops.greater_equal(y_pred, 0.5))
        return ops.cast(ops.all(right, axis=-1), y_pred.dtype)

    return subset_accuracy


def _subset_accuracy_metric():
    keras = import_keras()
    return keras.metrics.MeanMetricWrapper(_subset_accuracy(), name="accuracy")


@functools.cache
def _stop_callback_class():
    """A Keras callback that ends ``fit`` once its event is set."""
    keras = import_keras()

    class StopWhenSet(keras.callbacks.Callback):
        def __init__(self, stop):
            super().__init__()
            self.stop = stop

        def on_train_batch_end(self, batch, logs=None):
            if self.stop.is_set():
                self.model.stop_training = True

    return StopWhenSet


class KerasNetwork:
    """A Keras model behind the :class:`~skdense.backends.Engine` contract.

    Parameters
    ----------
    spec : NetworkSpec
        The network to build (any solver but "lbfgs").
    random_state : int or None
        Seeds weight initialisation, shuffling and dropout.
    """

    def __init__(self, spec, random_state=None):
        self.spec = spec
        self.rng = np.random.default_rng(random_state)
        idle = _IDLE_MODELS[self._signature]
        try:
            self.model = idle.pop()
        except IndexError:  # none idle (pop, not a test first: threads may race)
            self.model = build_model(spec)
        self._initialize()
        weakref.finalize(self, idle.append, self.model)
        self._data = None

    @property
    def _signature(self):
        """What the compiled model depends on: all but what ``_initialize`` sets."""
        return self.spec.replace(
            weight_init="glorot",
            learning_rate_init=1.0,
            input_scale=1.0,
            embedding_sigma=1.0,
        )

    @property
    def dtype(self):
        return self.spec.dtype

    def _initialize(self):
        """Fresh weights, optimizer state and dropout seeds, from ``self.rng``.

        The same for a new model and for an idle one taken up again, so a fit
        does not depend on which it got.
        """
        keras = import_keras()
        for layer in self.model.layers:
            seed = int(self.rng.integers(2**31))
            if isinstance(layer, keras.layers.Dense):
                fan_in, fan_out = layer.kernel.shape
                init = _initializer(keras, self.spec, fan_in, fan_out, seed)
                layer.kernel.assign(init(layer.kernel.shape, dtype=self.dtype.name))
                layer.bias.assign(np.zeros(layer.bias.shape, self.dtype))
            elif isinstance(layer, keras.layers.Dropout):
                layer.seed_generator.state.assign(np.array([seed, 0], dtype="int64"))
            elif isinstance(layer, _embedding_class()):
                initial = initial_embedding(self.spec, np.random.default_rng(seed))
                for part, value in zip(layer.parts, initial, strict=True):
                    part.assign(value.astype(self.dtype))
            elif isinstance(layer, _categories_class()):
                initial = initial_tables(self.spec, np.random.default_rng(seed))
                for table, value in zip(layer.tables, initial, strict=True):
                    table.assign(value.astype(self.dtype))
        for variable in self.model.optimizer.variables:
            variable.assign(np.zeros(variable.shape, variable.dtype))
        self.model.optimizer.learning_rate.assign(self.spec.learning_rate_init)

    def _set_penalty_scale(self, value):
        # After loading, each layer holds its own copy of the penalty.
        for layer in self.model.layers:
            regularizer = getattr(layer, "kernel_regularizer", None)
            if regularizer is not None:
                regularizer.scale.assign(value)

    def _penalty_scale(self):
        dense = [layer for layer in self.model.layers if hasattr(layer, "kernel")]
        regularizer = dense[0].kernel_regularizer
        return 1.0 if regularizer is None else float(regularizer.scale.numpy())

    # -- persistence: the model travels in Keras's own format ------------------

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_data"] = None
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.keras")
            self.model.save(path)
            with open(path, "rb") as f:
                state["model"] = f.read()
        return state

    def __setstate__(self, state):
        keras = import_keras()
        _penalty_class()  # registers the penalty for deserialisation
        _subset_accuracy()  # and the multilabel metric
        _embedding_class()  # and the numeric embedding
        _categories_class()  # and the categorical columns
        for name, row in SOLVERS.items():  # and the optimizers with rate factors
            if row.keras is not None:
                spec = NetworkSpec(1, 1, "logistic", solver=name)
                _rate_factored(type(row.keras(keras, 1.0, **row.arguments(spec))))
        for name in LOSSES:  # and the losses defined in Keras ops
            if not isinstance(LOSSES[name].keras, str):
                _registered_loss(name)
        if "spec" not in state:  # saved by skdense 0.1.0
            state = _spec_from_0_1_state(state)
        self.__dict__.update(state)
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.keras")
            with open(path, "wb") as f:
                f.write(state["model"])
            self.model = keras.saving.load_model(path, safe_mode=True)
        weakref.finalize(self, _IDLE_MODELS[self._signature].append, self.model)

    # -- weights ---------------------------------------------------------------

    def get_weights(self):
        """Copies of the weights, as ``[W_1, ..., W_L, b_1, ..., b_L]``, then
        the input stage's if any (the NumPy engine's order)."""
        # Keras's order: the input stage's, then W_1, b_1, W_2, b_2, ...
        weights = self.model.get_weights()
        n_front = len(embedding_shapes(self.spec) + categorical_shapes(self.spec))
        embedding, dense = weights[:n_front], weights[n_front:]
        return dense[0::2] + dense[1::2] + embedding

    def set_weights(self, weights):
        """Set the weights from arrays ordered as :meth:`get_weights` gives."""
        coefs, intercepts, embedding = split_weights(weights, self.spec)
        pairs = zip(coefs, intercepts, strict=True)
        self.model.set_weights([*embedding, *(w for pair in pairs for w in pair)])

    @property
    def coefs_(self):
        return split_weights(self.get_weights(), self.spec)[0]

    @property
    def intercepts_(self):
        return split_weights(self.get_weights(), self.spec)[1]

    @property
    def learning_rate(self):
        return float(self.model.optimizer.learning_rate.numpy())

    @learning_rate.setter
    def learning_rate(self, value):
        self.model.optimizer.learning_rate.assign(value)

    # -- training and inference ------------------------------------------------

    def _as_input(self, X):
        return as_input(X, self.spec.dtype, self.spec)

    def _normalised_weights(self, sample_weight):
        if sample_weight is None:
            return None, 1.0
        mean = float(np.mean(sample_weight))
        return (sample_weight / mean).astype(self.dtype), mean

    def _batches(self, X, Y, sample_weight, batch_size):
        """The training data as a dataset of batches, built once per fit.

        The data is converted to tensors once, and the dataset reads the
        batch order from a variable, so each epoch only assigns a new order:
        building a dataset per epoch would trace a new function each time,
        and TensorFlow keeps every traced function for the process's life.
        """
        # Compared by identity: X is the same array throughout one fit.
        if self._data is None or self._data[0] is not X or self._data[1] != batch_size:
            import tensorflow as tf

            sample_weight, mean = self._normalised_weights(sample_weight)
            inputs = self._as_input(X)
            gather_inputs = (
                _sparse_row_gatherer(tf, inputs)
                if sp.issparse(inputs)
                else functools.partial(
                    tf.gather, tf.convert_to_tensor(inputs, self.dtype.name)
                )
            )
            arrays = (Y,) if sample_weight is None else (Y, sample_weight)
            tensors = tuple(tf.convert_to_tensor(a, self.dtype.name) for a in arrays)
            n_samples = X.shape[0]
            order = tf.Variable(tf.range(n_samples, dtype=tf.int64), trainable=False)

            def gather(i):
                idx = order[i * batch_size : (i + 1) * batch_size]
                return (gather_inputs(idx), *(tf.gather(t, idx) for t in tensors))

            n_batches = -(-n_samples // batch_size)
            batches = tf.data.Dataset.range(n_batches).map(gather)
            self._data = (X, batch_size, batches, order, mean)
        return self._data[2:]

    def train_epoch(
        self, X, Y, sample_weight=None, batch_size=200, shuffle=True, stop=None
    ):
        """One pass of Keras's ``fit`` over ``(X, Y)``; returns (loss, accuracy).

        Batches are gathered from tensors converted once per fit, in an order
        drawn from the engine's own generator: no global random state is used.
        Once ``stop`` (a ``threading.Event``) is set, Keras stops after the
        compiled call it is in (at most ``STEPS_PER_EXECUTION`` batches).
        """
        batches, order, mean = self._batches(X, Y, sample_weight, batch_size)
        order.assign(
            self.rng.permutation(X.shape[0]) if shuffle else np.arange(X.shape[0])
        )
        self._set_penalty_scale(1.0 / (batch_size * mean))
        callbacks = [] if stop is None else [_stop_callback_class()(stop)]
        history = self.model.fit(
            batches, epochs=1, shuffle=False, verbose=0, callbacks=callbacks
        ).history
        accuracy = history.get("accuracy")  # regressors have none
        return history["loss"][-1], None if accuracy is None else accuracy[-1]

    def end_training(self):
        """Drop the training data's tensors."""
        self._data = None

    def evaluate(self, X, Y, sample_weight=None):
        """Objective over all of ``X`` taken as one batch.

        Returns ``(loss, accuracy, outputs)`` as the NumPy engine's
        :meth:`~skdense.backends.DenseNetwork.evaluate` does (the outputs from
        :meth:`predict_proba`, for a loss without an accuracy). Sparse ``X``
        is densified a chunk of rows at a time; the chunks' figures, weighted
        by their sizes, make the same whole-batch figures.
        """
        sample_weight, mean = self._normalised_weights(sample_weight)
        n = X.shape[0]
        step = PREDICT_CHUNK if sp.issparse(X) else max(n, 1)
        scale = self._penalty_scale()
        self._set_penalty_scale(1.0 / (n * mean))
        loss = accuracy = 0.0
        try:
            for start in range(0, n, step):
                rows = slice(start, start + step)
                inputs = self._as_input(X[rows])
                result = self.model.evaluate(
                    inputs.toarray() if sp.issparse(inputs) else inputs,
                    Y[rows],
                    sample_weight=None
                    if sample_weight is None
                    else sample_weight[rows],
                    batch_size=step,
                    verbose=0,
                    return_dict=True,
                )
                m = min(step, n - start)
                loss += result["loss"] * m / n
                accuracy += result.get("accuracy", 0.0) * m / n
        finally:
            self._set_penalty_scale(scale)
        if self.spec.score_name != "accuracy":
            return loss, None, self.predict_proba(X)
        return loss, accuracy, None

    def predict_proba(self, X):
        """Output-layer probabilities, ``(n_samples, n_outputs)``, in float64."""
        return forward_proba(X, self.get_weights(), self.spec)


def _sparse_row_gatherer(tf, X):
    """A graph function: CSR ``X``'s rows at given indices, as a dense batch.

    The rows are kept as ragged (column, value) lists, so a batch is gathered
    and scattered into a dense block without ever densifying all of ``X``.
    Duplicate entries add up, as in SciPy.
    """
    X = X.tocsr()
    indptr = X.indptr.astype(np.int64)
    columns = tf.RaggedTensor.from_row_splits(X.indices.astype(np.int64), indptr)
    values = tf.RaggedTensor.from_row_splits(tf.constant(X.data), indptr)
    n_features = X.shape[1]

    def gather(idx):
        rows_columns = tf.gather(columns, idx)
        rows_values = tf.gather(values, idx)
        positions = tf.stack(
            [rows_columns.value_rowids(), rows_columns.flat_values], axis=1
        )
        shape = tf.stack([tf.size(idx, out_type=tf.int64), n_features])
        return tf.scatter_nd(positions, rows_values.flat_values, shape)

    return gather


def _spec_from_0_1_state(state):
    """A 0.1.0 network's state, its settings gathered into a ``NetworkSpec``.

    0.1.0 kept a signature of the settings the compiled model depends on;
    the rest were separate attributes.
    """
    state = dict(state)
    n_features, n_outputs, items = state.pop("_signature")
    for name in ("activation", "output_activation", "dtype"):
        del state[name]
    state["spec"] = NetworkSpec(
        n_features,
        n_outputs,
        "logistic" if n_outputs == 1 else "softmax",
        weight_init=state.pop("weight_init"),
        input_scale=state.pop("input_scale"),
        **dict(items),
    )
    return state
