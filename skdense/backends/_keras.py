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
from ._embeddings import embedding_shapes, initial_embedding
from ._keras_layers import (
    categories_class,
    embedding_class,
    import_keras,
    register_saved_objects,
    stop_callback_class,
    training_weights_callback_class,
)
from ._keras_model import build_model, initializer
from ._migration import keras_spec_from_0_1_state
from ._shared import PREDICT_CHUNK, as_input, forward_proba, split_weights
from ._spec import Evaluation

# Idle compiled models, by everything their traced functions depend on.
# TensorFlow never frees a model's traced functions (about 5 MB a model;
# keras-team/keras#20552), so a new network takes up an idle model of the same
# structure when there is one, instead of building and tracing another. A
# model becomes idle when the network that used it is garbage-collected.
_IDLE_MODELS = collections.defaultdict(list)


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
                init = initializer(keras, self.spec, fan_in, fan_out, seed)
                layer.kernel.assign(init(layer.kernel.shape, dtype=self.dtype.name))
                layer.bias.assign(np.zeros(layer.bias.shape, self.dtype))
            elif isinstance(layer, keras.layers.Dropout):
                layer.seed_generator.state.assign(np.array([seed, 0], dtype="int64"))
            elif isinstance(layer, embedding_class()):
                initial = initial_embedding(self.spec, np.random.default_rng(seed))
                for part, value in zip(layer.parts, initial, strict=True):
                    part.assign(value.astype(self.dtype))
            elif isinstance(layer, categories_class()):
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
        register_saved_objects()
        if "spec" not in state:  # saved by skdense 0.1.0
            state = keras_spec_from_0_1_state(state)
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
        self._training_weights = None  # training goes on from these

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
        self._resume_training_weights()
        batches, order, mean = self._batches(X, Y, sample_weight, batch_size)
        order.assign(
            self.rng.permutation(X.shape[0]) if shuffle else np.arange(X.shape[0])
        )
        self._set_penalty_scale(1.0 / (batch_size * mean))
        callbacks = [] if stop is None else [stop_callback_class()(stop)]
        keep = None
        if self.spec.ema_momentum is not None:
            keep = training_weights_callback_class()()
            callbacks.append(keep)
        history = self.model.fit(
            batches, epochs=1, shuffle=False, verbose=0, callbacks=callbacks
        ).history
        if keep is not None:  # fit ended with the moving average in place
            self._training_weights = keep.weights
        accuracy = history.get("accuracy")  # regressors have none
        return history["loss"][-1], None if accuracy is None else accuracy[-1]

    # With ema_momentum, the weights training reached, while the model holds
    # their moving average between epochs (as the NumPy engine).
    _training_weights = None

    def _resume_training_weights(self):
        if self._training_weights is not None:
            variables = self.model.trainable_variables
            for variable, value in zip(variables, self._training_weights, strict=True):
                variable.assign(value)
            self._training_weights = None

    def end_training(self):
        """Drop the training data's tensors."""
        self._data = None

    def evaluate(self, X, Y, sample_weight=None):
        """Objective over all of ``X`` taken as one batch.

        Returns an :class:`~skdense.backends._spec.Evaluation` as the NumPy
        engine's :meth:`~skdense.backends.DenseNetwork.evaluate` does (the
        loss and accuracy Keras's, the outputs :meth:`predict_proba`'s). Sparse ``X``
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
        has_accuracy = self.spec.score_name == "accuracy"
        return Evaluation(
            loss, accuracy if has_accuracy else None, self.predict_proba(X)
        )

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
