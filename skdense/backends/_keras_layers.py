"""skdense's own Keras objects: the penalty, the input stage's layers, the
optimizers with learning-rate factors, the losses written in Keras ops and
the multilabel metric.

Each is defined (and registered, so that saved models load) on first use,
which keeps TensorFlow out of ``import skdense``.
"""

import functools

from ._embeddings import TWO_PI
from ._ops import LOSSES
from ._optimizers import SOLVERS
from ._spec import NetworkSpec


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
def penalty_class():
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
def _configured_layer():
    """The input stage's Keras layer base: its configuration, which a saved
    model keeps, is its ``config_names`` attributes (its ``__init__``
    arguments)."""
    keras = import_keras()

    class ConfiguredLayer(keras.layers.Layer):
        config_names = ()

        def get_config(self):
            own = {name: getattr(self, name) for name in self.config_names}
            return {**super().get_config(), **own}

    return ConfiguredLayer


@functools.cache
def embedding_class():
    """The numeric embedding as a Keras layer, registered for saved models."""
    keras = import_keras()

    @keras.saving.register_keras_serializable(package="skdense")
    class PBLDEmbedding(_configured_layer()):
        """RealMLP's PBLD embedding of each input column (see
        ``skdense.backends._embeddings``); weights as the NumPy engine's."""

        config_names = ("frequencies", "size", "columns")

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

    return PBLDEmbedding


@functools.cache
def categories_class():
    """The categorical columns' stage as a Keras layer, registered for saved
    models."""
    keras = import_keras()

    @keras.saving.register_keras_serializable(package="skdense")
    class CategoricalColumns(_configured_layer()):
        """The last ``len(levels)`` columns, level indices, as one-hot
        vectors or learned embeddings (see ``skdense.backends._categorical``);
        the columns before them pass as they are. Tables as the NumPy
        engine's."""

        config_names = ("levels", "max_onehot", "size")

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

    return CategoricalColumns


def _in_layer(path):
    """A variable's path from its layer on: ``"dense_1/bias"``."""
    return "/".join(path.split("/")[-2:])


@functools.cache
def rate_factored(base):
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
            # A variable's path starts with the model's name, which a loaded
            # model's variables lack: its layer and own name identify it.
            factors = {_in_layer(p): f for p, f in self.rate_factors.items()}
            # update_step gets the backend's variable: found by its index.
            self._factor_at = [factors.get(_in_layer(v.path)) for v in variables]

        def update_step(self, gradient, variable, learning_rate):
            factor = self._factor_at[self._get_variable_index(variable)]
            if factor is not None:
                learning_rate = learning_rate * factor
            return super().update_step(gradient, variable, learning_rate)

        def get_config(self):
            return {**super().get_config(), "rate_factors": self.rate_factors}

    RateFactored.__name__ = RateFactored.__qualname__ = name
    return RateFactored


@functools.cache
def registered_loss(name):
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


def subset_accuracy_metric():
    keras = import_keras()
    return keras.metrics.MeanMetricWrapper(_subset_accuracy(), name="accuracy")


@functools.cache
def stop_callback_class():
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


@functools.cache
def training_weights_callback_class():
    """A Keras callback that copies the trainable weights at the end of each
    epoch, before ``fit`` puts their moving average (``use_ema``) in their
    place: the weights training goes on from."""
    keras = import_keras()

    class KeepTrainingWeights(keras.callbacks.Callback):
        weights = None

        def on_epoch_end(self, epoch, logs=None):
            self.weights = [v.numpy() for v in self.model.trainable_variables]

    return KeepTrainingWeights


def register_saved_objects():
    """Register every object a saved model may refer to, before loading one."""
    keras = import_keras()
    penalty_class()
    _subset_accuracy()
    embedding_class()
    categories_class()
    for name, row in SOLVERS.items():  # the optimizers with rate factors
        if row.keras is not None:
            spec = NetworkSpec(1, 1, "logistic", solver=name)
            rate_factored(type(row.keras(keras, 1.0, **row.arguments(spec))))
    for name in LOSSES:  # the losses defined in Keras ops
        if not isinstance(LOSSES[name].keras, str):
            registered_loss(name)
