"""The Keras engine: the same networks as ``keras.Sequential`` models.

Imported only when ``backend="keras"`` is asked for, so ``import skdense``
never imports TensorFlow. The model is built from the same parameters as the
NumPy engine and optimises the same objective::

    (sum_i s_i * loss_i + l1 * sum|W| + alpha / 2 * sum W**2) / (m * mean(s))

Keras divides a batch's weighted loss by the batch size ``m``, so the engine
passes ``s / mean(s)`` as sample weights and scales the penalty by
``1 / (m * mean(s))`` through a variable the penalty reads (the last, shorter
batch of an epoch gets the full batch's scale: Keras adds the penalty once per
batch, whatever its size).

Training runs through Keras's own compiled ``fit`` with many steps per
execution, which removes most of Keras's per-step Python overhead on CPU;
TensorFlow places the work on a GPU by itself when one is visible.
Predictions are computed in float64 from the weights with the NumPy engine's
forward pass, so that they do not depend on how rows are batched.
"""

import collections
import functools
import os
import tempfile
import weakref

import numpy as np

from ._numpy import as_input, forward_proba

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
_ACTIVATIONS = {
    "identity": "linear",
    "logistic": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
}


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
            return ops.cast(self.scale, x.dtype) * total

        def get_config(self):
            return {"l1": self.l1, "l2": self.l2, "scale": float(self.scale.numpy())}

    return Penalty


def _initializer(keras, weight_init, activation, seed):
    if weight_init == "normal":
        return keras.initializers.RandomNormal(0.0, 1.0, seed=seed)
    if weight_init == "he":
        return keras.initializers.VarianceScaling(
            2.0, "fan_in", "untruncated_normal", seed=seed
        )
    # Glorot uniform, with scikit-learn's smaller bound for the logistic.
    scale = 1.0 / 3.0 if activation == "logistic" else 1.0
    return keras.initializers.VarianceScaling(scale, "fan_avg", "uniform", seed=seed)


def _optimizer(
    keras,
    solver,
    learning_rate_init,
    momentum,
    nesterovs_momentum,
    beta_1,
    beta_2,
    rho,
    epsilon,
):
    if solver == "sgd":
        return keras.optimizers.SGD(learning_rate_init, momentum, nesterovs_momentum)
    if solver == "adam":
        return keras.optimizers.Adam(learning_rate_init, beta_1, beta_2, epsilon)
    if solver == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate_init, rho, 0.0, epsilon)
    raise ValueError(
        f"solver={solver!r} is not available with backend='keras'; use 'sgd', "
        "'adam' or 'rmsprop' (or backend='numpy' for 'lbfgs')."
    )


def build_model(
    n_features,
    n_outputs,
    *,
    hidden_layer_sizes=(100,),
    activation="relu",
    weight_init="glorot",
    alpha=0.0001,
    l1=0.0,
    dropout=0.0,
    solver="adam",
    learning_rate_init=0.001,
    momentum=0.9,
    nesterovs_momentum=True,
    beta_1=0.9,
    beta_2=0.999,
    rho=0.9,
    epsilon=1e-8,
    dtype="float32",
    random_state=None,
    penalty_scale=1.0,
    sparse_targets=False,
):
    """Build and compile the ``keras.Sequential`` network skdense trains.

    ``n_outputs`` is 1 for a binary problem (sigmoid output, binary
    cross-entropy on 0/1 targets) and the number of classes otherwise (softmax
    output, categorical cross-entropy on one-hot targets, or on integer
    targets with ``sparse_targets=True``). The other parameters mean what
    they mean for :class:`skdense.DenseClassifier`; ``activation`` and
    ``weight_init`` take the resolved names ("logistic", not "sigmoid";
    "glorot", "he" or "normal", not "auto"). The penalty is multiplied by
    ``penalty_scale``.
    """
    keras = import_keras()
    dtype = np.dtype(dtype).name
    rng = np.random.default_rng(random_state)

    def seed():
        return int(rng.integers(2**31))

    penalty = None
    if l1 or alpha:
        penalty = _penalty_class()(l1=l1, l2=alpha / 2.0, scale=penalty_scale)
    layers = [keras.Input((n_features,), dtype=dtype)]
    for units in hidden_layer_sizes:
        layers.append(
            keras.layers.Dense(
                units,
                activation=_ACTIVATIONS[activation],
                kernel_initializer=_initializer(keras, weight_init, activation, seed()),
                kernel_regularizer=penalty,
                dtype=dtype,
            )
        )
        if dropout:
            layers.append(keras.layers.Dropout(dropout, seed=seed(), dtype=dtype))
    binary = n_outputs == 1
    layers.append(
        keras.layers.Dense(
            n_outputs,
            activation="sigmoid" if binary else "softmax",
            # As scikit-learn: the hidden activation picks every layer's bound.
            kernel_initializer=_initializer(keras, weight_init, activation, seed()),
            kernel_regularizer=penalty,
            dtype=dtype,
        )
    )
    model = keras.Sequential(layers)
    model.compile(
        optimizer=_optimizer(
            keras,
            solver,
            learning_rate_init,
            momentum,
            nesterovs_momentum,
            beta_1,
            beta_2,
            rho,
            epsilon,
        ),
        loss=(
            "binary_crossentropy"
            if binary
            else "sparse_categorical_crossentropy"
            if sparse_targets
            else "categorical_crossentropy"
        ),
        metrics=["accuracy"],
        steps_per_execution=STEPS_PER_EXECUTION,
        jit_compile=JIT_COMPILE,
    )
    return model


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
    """A Keras model behind the engine interface the estimator drives.

    Parameters are those of :class:`skdense.backends.DenseNetwork`; the
    output layer is a sigmoid unit when ``n_outputs == 1``, a softmax otherwise.
    """

    def __init__(
        self,
        n_features,
        n_outputs,
        *,
        activation="relu",
        weight_init="glorot",
        learning_rate_init=0.001,
        dtype=np.float32,
        input_scale=1.0,
        random_state=None,
        **params,
    ):
        self.activation = activation
        self.input_scale = float(input_scale)
        self.output_activation = "logistic" if n_outputs == 1 else "softmax"
        self.dtype = np.dtype(dtype)
        self.weight_init = weight_init
        self.rng = np.random.default_rng(random_state)
        params = dict(activation=activation, dtype=self.dtype.name, **params)
        self._signature = (n_features, n_outputs, tuple(sorted(params.items())))
        idle = _IDLE_MODELS[self._signature]
        try:
            self.model = idle.pop()
        except IndexError:  # none idle (pop, not a test first: threads may race)
            self.model = build_model(n_features, n_outputs, **params)
        self._initialize(learning_rate_init)
        weakref.finalize(self, idle.append, self.model)
        self._data = None

    def _initialize(self, learning_rate):
        """Fresh weights, optimizer state and dropout seeds, from ``self.rng``.

        The same for a new model and for an idle one taken up again, so a fit
        does not depend on which it got.
        """
        keras = import_keras()
        for layer in self.model.layers:
            seed = int(self.rng.integers(2**31))
            if isinstance(layer, keras.layers.Dense):
                init = _initializer(keras, self.weight_init, self.activation, seed)
                layer.kernel.assign(init(layer.kernel.shape, dtype=self.dtype.name))
                layer.bias.assign(np.zeros(layer.bias.shape, self.dtype))
            elif isinstance(layer, keras.layers.Dropout):
                layer.seed_generator.state.assign(np.array([seed, 0], dtype="int64"))
        for variable in self.model.optimizer.variables:
            variable.assign(np.zeros(variable.shape, variable.dtype))
        self.model.optimizer.learning_rate.assign(learning_rate)

    def _set_penalty_scale(self, value):
        # After loading, each layer holds its own copy of the penalty.
        for layer in self.model.layers:
            regularizer = getattr(layer, "kernel_regularizer", None)
            if regularizer is not None:
                regularizer.scale.assign(value)

    def _penalty_scale(self):
        regularizer = self.model.layers[0].kernel_regularizer
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
        self.__dict__.update(state)
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.keras")
            with open(path, "wb") as f:
                f.write(state["model"])
            self.model = keras.saving.load_model(path, safe_mode=True)
        weakref.finalize(self, _IDLE_MODELS[self._signature].append, self.model)

    # -- weights ---------------------------------------------------------------

    def get_weights(self):
        """Copies of the weights, as ``[W_1, ..., W_L, b_1, ..., b_L]``."""
        weights = self.model.get_weights()  # Keras order: W_1, b_1, W_2, b_2, ...
        return weights[0::2] + weights[1::2]

    def set_weights(self, weights):
        """Set the weights from arrays ordered as :meth:`get_weights` gives."""
        n = len(weights) // 2
        self.model.set_weights(
            [w for pair in zip(weights[:n], weights[n:], strict=True) for w in pair]
        )

    @property
    def coefs_(self):
        return self.model.get_weights()[0::2]

    @property
    def intercepts_(self):
        return self.model.get_weights()[1::2]

    @property
    def learning_rate(self):
        return float(self.model.optimizer.learning_rate.numpy())

    @learning_rate.setter
    def learning_rate(self, value):
        self.model.optimizer.learning_rate.assign(value)

    # -- training and inference ------------------------------------------------

    def _as_input(self, X):
        return as_input(X, self.dtype, self.input_scale)

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
            arrays = (
                (inputs, Y) if sample_weight is None else (inputs, Y, sample_weight)
            )
            tensors = tuple(tf.convert_to_tensor(a, self.dtype.name) for a in arrays)
            n_samples = X.shape[0]
            order = tf.Variable(tf.range(n_samples, dtype=tf.int64), trainable=False)

            def gather(i):
                idx = order[i * batch_size : (i + 1) * batch_size]
                return tuple(tf.gather(t, idx) for t in tensors)

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
        return history["loss"][-1], history["accuracy"][-1]

    def end_training(self):
        """Drop the training data's tensors."""
        self._data = None

    def evaluate(self, X, Y, sample_weight=None):
        """Objective and accuracy over all of ``X`` taken as one batch."""
        sample_weight, mean = self._normalised_weights(sample_weight)
        scale = self._penalty_scale()
        self._set_penalty_scale(1.0 / (X.shape[0] * mean))
        try:
            result = self.model.evaluate(
                self._as_input(X),
                Y,
                sample_weight=sample_weight,
                batch_size=max(X.shape[0], 1),
                verbose=0,
                return_dict=True,
            )
        finally:
            self._set_penalty_scale(scale)
        return result["loss"], result["accuracy"]

    def predict_proba(self, X):
        """Output-layer probabilities, ``(n_samples, n_outputs)``, in float64."""
        return forward_proba(
            X,
            self.coefs_,
            self.intercepts_,
            self.activation,
            self.output_activation,
            self.input_scale,
        )
