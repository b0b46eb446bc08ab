"""The NumPy engine: dense networks trained by minibatch backpropagation.

``MinibatchNetwork`` (one sigmoid output, logistic loss) and
``MultiClassNetwork`` (softmax output, cross-entropy) generalise the study notes'
networks of the same names to any number of hidden layers, every activation
of ``ACTIVATIONS``, every minibatch solver of ``SOLVERS``, L1/L2 penalties and
dropout; ``RegressionNetwork`` has identity outputs (squared error or Huber)
or exponential ones (Poisson deviance).

The objective of one batch of ``m`` samples with weights ``s_i`` is::

    (sum_i s_i * loss_i + l1 * sum|W| + alpha / 2 * sum W**2) / (m * mean(s))

where ``mean(s)`` is taken over the whole training set (1 without weights).
With unit weights this is the study notes' rule (batch-mean loss, penalty over
``m``), which is also MLPClassifier's ``alpha``; over a full batch it is exactly
the objective of the data with each sample repeated ``s_i`` times.

All weights live in one contiguous array (every weight matrix, then every
bias vector) and all gradients in another of the same layout; ``coefs_`` and
``intercepts_`` are views into it. Optimizer steps and penalties are then a
few whole-array calls per batch instead of a few per layer, or, with Numba
installed, one compiled pass (see :mod:`._kernels`).
"""

import numpy as np
import scipy.sparse as sp

from ._categorical import categorical_shapes, initial_tables
from ._embeddings import embedding_shapes, initial_embedding
from ._migration import numpy_spec_from_0_1_state
from ._numpy_backprop import Backprop
from ._numpy_lbfgs import LbfgsTraining
from ._numpy_minibatch import MinibatchTraining
from ._numpy_step import add_bias as numpy_add_bias
from ._ops import ACTIVATIONS
from ._optimizers import make_optimizer
from ._shared import (
    PREDICT_CHUNK,
    as_input,
    first_layer_input,
    forward_proba,
    initial_weight_law,
    penalty,
    rate_factors,
    split_weights,
)
from ._spec import OUTPUTS, REGRESSOR_OUTPUTS, Evaluation


def _layer_views(flat, shapes):
    """Split ``flat`` into consecutive views of the given shapes."""
    views, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        views.append(flat[start : start + size].reshape(shape))
        start += size
    return views


class DenseNetwork(Backprop, MinibatchTraining, LbfgsTraining):
    """Fully connected network with hidden layers and an output layer.

    :func:`skdense.backends.make_network` builds the class for a spec's
    output: :class:`MinibatchNetwork` or :class:`MultiClassNetwork`.

    Parameters
    ----------
    spec : NetworkSpec
        The network's shape, activations, penalties, optimizer and dtype.
        ``solver="lbfgs"`` trains through :meth:`fit_lbfgs`; the other
        solvers through :meth:`train_epoch`.
    random_state : int or None
        Seeds weight initialisation, shuffling and dropout.

    Examples
    --------
    >>> from skdense.backends import DenseNetwork, NetworkSpec, make_network
    >>> spec = NetworkSpec(4, 2, "identity", hidden_layer_sizes=(8,))
    >>> net = make_network("numpy", spec)
    >>> isinstance(net, DenseNetwork), [w.shape for w in net.coefs_]
    (True, [(4, 8), (8, 2)])
    """

    outputs = OUTPUTS  # the output layers a subclass is for

    def __init__(self, spec, random_state=None):
        if spec.out_activation not in self.outputs:
            raise ValueError(
                f"{type(self).__name__} has a {' or '.join(self.outputs)} output; "
                f"the spec asks for {spec.out_activation!r}. Use "
                "skdense.backends.make_network."
            )
        self.spec = spec
        self.rng = np.random.default_rng(random_state)
        sizes = spec.layer_sizes
        coef_shapes = list(zip(sizes[:-1], sizes[1:], strict=False))
        self._shapes = coef_shapes + [(n,) for n in sizes[1:]]
        self._shapes += embedding_shapes(spec) + categorical_shapes(spec)
        self._n_coef = sum(a * b for a, b in coef_shapes)
        self._flat_params = np.zeros(
            sum(int(np.prod(s)) for s in self._shapes), spec.dtype
        )
        self._flat_grads = np.zeros_like(self._flat_params)
        self._make_views()
        for w in self.coefs_:
            law, scale = initial_weight_law(spec, *w.shape)
            if law == "normal":
                w[...] = self.rng.normal(0.0, scale, w.shape)
            else:
                w[...] = self.rng.uniform(-scale, scale, w.shape)
        fronts = initial_embedding(spec, self.rng) + initial_tables(spec, self.rng)
        for w, initial in zip(self.front_, fronts, strict=True):
            w[...] = initial
        self._penalty_scratch = np.empty(self._n_coef, spec.dtype)
        self._buffers = {}
        self.optimizer = make_optimizer(
            spec, self._flat_params.size, self._rate_factors()
        )

    @property
    def dtype(self):
        return self.spec.dtype

    def _rate_factors(self):
        """One learning-rate factor per weight, or None when all are 1."""
        factors = rate_factors(self.spec)
        if all(f == 1.0 for f in factors):
            return None
        sizes = [int(np.prod(shape)) for shape in self._shapes]
        return np.repeat(np.asarray(factors, self.dtype), sizes)

    def _make_views(self):
        params = _layer_views(self._flat_params, self._shapes)
        grads = _layer_views(self._flat_grads, self._shapes)
        self.coefs_, self.intercepts_, self.front_ = split_weights(params, self.spec)
        self._coef_grads, self._intercept_grads, self._front_grads = split_weights(
            grads, self.spec
        )

    def __getstate__(self):
        # Views and scratch buffers are rebuilt after loading; they need not travel.
        state = self.__dict__.copy()
        views = ("coefs_", "intercepts_", "front_")
        for name in (*views, "_coef_grads", "_intercept_grads", "_front_grads"):
            del state[name]
        state.pop("_front_kept", None)
        state["_buffers"] = {}
        return state

    def __setstate__(self, state):
        if "spec" not in state:  # saved by skdense 0.1.0
            state = numpy_spec_from_0_1_state(state, self.outputs[0])
        self.__dict__.update(state)
        self._make_views()

    @property
    def n_layers(self):
        return len(self.coefs_)

    @property
    def params(self):
        """Weights as ``[W_1, ..., W_L, b_1, ..., b_L]``, then the input
        stage's, ``front_`` (the numeric embedding's and the categorical
        columns' tables, if any), all views, not copies."""
        return self.coefs_ + self.intercepts_ + self.front_

    @property
    def learning_rate(self):
        return self.optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self.optimizer.learning_rate = value

    def get_weights(self):
        """Copies of the weights, in the order of :attr:`params`."""
        return [p.copy() for p in self.params]

    def set_weights(self, weights):
        """Overwrite the weights in place with arrays as :meth:`get_weights`
        gives; training, if it goes on, goes on from them."""
        for p, w in zip(self.params, weights, strict=False):
            p[...] = w
        self._training_weights = None

    # -- forward ---------------------------------------------------------------

    def _forward(self, X, outs, masks=None, plan=None):
        """Fill ``outs`` with each layer's output; the last one holds logits.

        ``masks`` are ``(mask, dropped)`` pairs: the output times the mask
        goes to ``dropped``. With a batch ``plan`` (training, see
        :mod:`._numpy_backprop`), the hidden layers' pre-activations go to
        ``plan.pre`` if it keeps them, the step's compiled forward pass
        (``plan.fused``) and bias add run where it has them, and what the
        input stage's gradients need goes to ``plan.front``. Returns the
        list of layer inputs (X, or its numeric embedding, then each hidden
        layer's output after dropout), which backprop needs.
        """
        pre, fused, kept, add_bias = None, None, None, numpy_add_bias
        if plan is not None:
            pre, fused, kept, add_bias = (
                plan.pre,
                plan.fused,
                plan.front,
                plan.step.add_bias,
            )
        if self.front_ or self.spec.categorical_levels:
            X = first_layer_input(X, self.front_, self.spec, kept)
        activate = ACTIVATIONS[self.spec.activation].forward
        inputs, last = [X], len(outs) - 1
        sparse = sp.issparse(X)
        layers = zip(self.coefs_, self.intercepts_, outs, strict=True)
        for i, (w, b, out) in enumerate(layers):
            if i == 0 and sparse:  # sparse @ dense: never densifies X
                out[...] = X @ w
            else:
                np.matmul(inputs[-1], w, out=out)
            if i == last:
                add_bias(out, b)
                break
            if fused is not None:
                fused(out, b, i)
            else:
                add_bias(out, b)
                if pre is not None:
                    pre[i][...] = out
                activate(out)
            if masks is not None:
                mask, dropped = masks[i]
                out = np.multiply(out, mask, out=dropped)
            inputs.append(out)
        return inputs

    def _as_input(self, X):
        return as_input(X, self.spec.dtype, self.spec)

    def _chunked_logits(self, X):
        """Yield ``(rows, logits)`` over ``X`` in chunks, without dropout."""
        for start in range(0, X.shape[0], PREDICT_CHUNK):
            chunk = self._as_input(X[start : start + PREDICT_CHUNK])
            outs = [
                np.empty((chunk.shape[0], w.shape[1]), self.dtype) for w in self.coefs_
            ]
            self._forward(chunk, outs)
            yield slice(start, start + chunk.shape[0]), outs[-1]

    def predict_proba(self, X):
        """Output-layer probabilities, shape ``(n_samples, n_outputs)``, float64."""
        return forward_proba(X, self.params, self.spec)

    def _penalty(self):
        """The penalty of all weight matrices, from their flat buffer."""
        return penalty([self._flat_params[: self._n_coef]], self.spec)

    def evaluate(self, X, Y, sample_weight=None):
        """Objective over all of ``X`` taken as one batch (no dropout): an
        :class:`~skdense.backends._spec.Evaluation`, its outputs computed in
        the network's dtype (and given as float64)."""
        sw = np.ones(X.shape[0]) if sample_weight is None else sample_weight
        Y = self.spec.training_targets(Y)
        data_loss, n_correct = 0.0, 0
        has_accuracy = self.spec.score_name == "accuracy"
        outputs = np.empty(Y.shape, np.float64)
        for rows, logits in self._chunked_logits(X):
            per_sample, correct = self.spec.loss_row.per_sample(Y[rows], logits)
            data_loss += float(np.dot(sw[rows], per_sample))
            if has_accuracy:
                n_correct += int(np.count_nonzero(correct))
            outputs[rows] = logits  # the loss left the outputs there
        loss = (data_loss + self._penalty()) / float(np.sum(sw))
        accuracy = n_correct / X.shape[0] if has_accuracy else None
        return Evaluation(loss, accuracy, outputs)


class MinibatchNetwork(DenseNetwork):
    """Binary network: hidden layers, one sigmoid output unit, logistic loss.

    The study notes' network of the same name, for a spec with ``output="logistic"``.
    ``Y`` passed to training methods has shape ``(n_samples, 1)`` with 0/1
    values; :meth:`predict_proba` returns the probability of class 1.

    Examples
    --------
    >>> import numpy as np
    >>> from skdense.backends import MinibatchNetwork, NetworkSpec
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3)).astype(np.float32)
    >>> Y = (X[:, :1] > 0).astype(np.float32)
    >>> spec = NetworkSpec(3, 1, "logistic", hidden_layer_sizes=(8,))
    >>> net = MinibatchNetwork(spec, random_state=0)
    >>> first_loss, _ = net.train_epoch(X, Y, batch_size=32)
    >>> for _ in range(50):
    ...     loss, accuracy = net.train_epoch(X, Y, batch_size=32)
    >>> bool(loss < first_loss), net.predict_proba(X).shape
    (True, (200, 1))
    """

    outputs = ("logistic",)


class MultiClassNetwork(DenseNetwork):
    """Multi-class network: hidden layers, softmax output, cross-entropy loss.

    The study notes' network of the same name, for a spec with ``output="softmax"``.
    ``Y`` passed to training methods is one-hot, shape ``(n_samples, n_classes)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdense.backends import MultiClassNetwork, NetworkSpec
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 4)).astype(np.float32)
    >>> Y = np.eye(3, dtype=np.float32)[np.argmax(X[:, :3], axis=1)]
    >>> spec = NetworkSpec(4, 3, "softmax", hidden_layer_sizes=(16,))
    >>> net = MultiClassNetwork(spec, random_state=0)
    >>> for _ in range(60):
    ...     loss, accuracy = net.train_epoch(X, Y, batch_size=32)
    >>> bool(accuracy > 0.9), net.predict_proba(X).shape
    (True, (300, 3))
    """

    outputs = ("softmax",)


class RegressionNetwork(DenseNetwork):
    """Regression network: hidden layers and one output unit per target.

    For a spec with ``output="identity"`` (half the squared error, as
    MLPRegressor's default loss) or ``output="exp"`` (half the Poisson
    deviance of the mean ``exp(z)``, MLPRegressor's ``loss="poisson"``).
    ``Y`` has shape ``(n_samples, n_targets)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdense.backends import NetworkSpec, RegressionNetwork
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 3)).astype(np.float32)
    >>> Y = X[:, :1] - 2 * X[:, 1:2]
    >>> spec = NetworkSpec(3, 1, "identity", hidden_layer_sizes=(16,))
    >>> net = RegressionNetwork(spec, random_state=0)
    >>> for _ in range(100):
    ...     loss, _ = net.train_epoch(X, Y, batch_size=32)
    >>> from sklearn.metrics import r2_score
    >>> bool(r2_score(Y, net.evaluate(X, Y).outputs) > 0.95), net.predict_proba(X).shape
    (True, (300, 1))
    """

    outputs = REGRESSOR_OUTPUTS
