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

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize

from . import _kernels
from ._categorical import categorical_shapes, category_gradients, initial_tables
from ._embeddings import (
    embedded_width,
    embedding_gradients,
    embedding_shapes,
    initial_embedding,
)
from ._ops import ACTIVATIONS
from ._optimizers import make_optimizer, optimizer_settings
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
from ._spec import OUTPUTS, REGRESSOR_OUTPUTS, NetworkSpec


@dataclass(frozen=True, slots=True)
class _BatchPlan:
    """What backprop on one batch size reuses: each layer's output, the
    hidden layers' deltas (and pre-activations, for an activation whose
    derivative needs them, else ``pre`` is None), a row of ones for column
    sums, the input stage's arrays for its gradients (``front``), the compiled
    ``(bias_activation, code)`` of the hidden layers and loss kernel (None on
    the NumPy path), and ``backward`` (see :meth:`DenseNetwork._backward`)."""

    outs: list
    deltas: list
    ones: np.ndarray
    pre: list | None
    front: dict
    fused: tuple | None
    loss_kernel: Callable | None
    backward: Callable

    @property
    def kept(self):
        """What the derivative reads: the outputs (exact, and cheaper), or
        the pre-activations where it needs them."""
        return self.outs if self.pre is None else self.pre


def _layer_views(flat, shapes):
    """Split ``flat`` into consecutive views of the given shapes."""
    views, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        views.append(flat[start : start + size].reshape(shape))
        start += size
    return views


class DenseNetwork:
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
        for w, initial in zip(self.embedding_, fronts, strict=True):
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
        self.coefs_, self.intercepts_, self.embedding_ = split_weights(
            params, self.spec
        )
        self._coef_grads, self._intercept_grads, self._embedding_grads = split_weights(
            grads, self.spec
        )

    def __getstate__(self):
        # Views and scratch buffers are rebuilt after loading; they need not travel.
        state = self.__dict__.copy()
        views = ("coefs_", "intercepts_", "embedding_")
        for name in (*views, "_coef_grads", "_intercept_grads", "_embedding_grads"):
            del state[name]
        state.pop("_embedding_kept", None)
        state["_buffers"] = {}
        return state

    def __setstate__(self, state):
        if "spec" not in state:  # saved by skdense 0.1.0
            state = _spec_from_0_1_state(state, self.outputs[0])
        self.__dict__.update(state)
        self._make_views()

    @property
    def n_layers(self):
        return len(self.coefs_)

    @property
    def params(self):
        """Weights as ``[W_1, ..., W_L, b_1, ..., b_L]``, then the numeric
        embedding's if any (views, not copies)."""
        return self.coefs_ + self.intercepts_ + self.embedding_

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
        """Overwrite the weights in place with arrays as :meth:`get_weights` gives."""
        for p, w in zip(self.params, weights, strict=False):
            p[...] = w

    # -- forward ---------------------------------------------------------------

    def _batch_plan(self, n_rows, kernels):
        """What backprop on batches of ``n_rows`` reuses from batch to batch,
        worked out once per batch size and path (see :class:`_BatchPlan`)."""
        key = ("plan", n_rows, kernels is None)
        plan = self._buffers.get(key)
        if plan is None:
            plan = self._buffers[key] = self._make_batch_plan(n_rows, kernels)
        return plan

    def _make_batch_plan(self, n_rows, kernels):
        outs = [np.empty((n_rows, w.shape[1]), self.dtype) for w in self.coefs_]
        ones = np.ones(n_rows, self.dtype)  # sums over rows as a fast GEMV
        activation = ACTIVATIONS[self.spec.activation]
        keeps_z = not activation.from_output
        pre = [np.empty_like(o) for o in outs[:-1]] if keeps_z else None
        fused = None
        if kernels is not None:
            code = kernels.ACTIVATION_CODES.get(self.spec.activation, 0)
            fused = kernels.bias_activation, (0 if keeps_z else code)
        loss_kernel = (
            None if kernels is None else kernels.LOSS_KERNELS.get(self.spec.loss)
        )
        backward = self._backward(pre is not None, kernels, ones)
        return _BatchPlan(
            outs=outs,
            deltas=[np.empty_like(o) for o in outs[:-1]],
            ones=ones,
            pre=pre,
            front={},
            fused=fused,
            loss_kernel=loss_kernel,
            backward=backward,
        )

    def _dropout_buffers(self, n_rows):
        """Per hidden layer: the mask, the dropped-out output and a scratch for
        the uniform draws, for batches of ``n_rows``."""
        key = ("dropout", n_rows)
        if key not in self._buffers:
            shapes = [(n_rows, w.shape[1]) for w in self.coefs_[:-1]]
            self._buffers[key] = [
                tuple(np.empty(shape, self.dtype) for _ in range(3)) for shape in shapes
            ]
        return self._buffers[key]

    def _forward(self, X, outs, masks=None, pre=None, fused=None, kept=None):
        """Fill ``outs`` with each layer's output; the last one holds logits.

        ``pre``, if given, receives each hidden layer's pre-activation.
        ``masks`` are ``(mask, dropped)`` pairs: the output times the mask
        goes to ``dropped``. ``fused``, a compiled ``bias_activation(out, b,
        code)`` and the hidden layers' ``code`` (0: just the bias), or None,
        fuses the bias add with the activation. Returns the list of layer
        inputs (X, or its numeric embedding, then each hidden layer's output
        after dropout), which backprop needs; what the input stage's
        gradients need goes to the dict ``kept``, if given.
        """
        if self.embedding_ or self.spec.categorical_levels:
            X = first_layer_input(X, self.embedding_, self.spec, kept)
        activate = ACTIVATIONS[self.spec.activation].forward
        bias_activation, code = (None, None) if fused is None else fused
        inputs, last = [X], len(outs) - 1
        sparse = sp.issparse(X)
        layers = zip(self.coefs_, self.intercepts_, outs, strict=True)
        for i, (w, b, out) in enumerate(layers):
            if i == 0 and sparse:  # sparse @ dense: never densifies X
                out[...] = X @ w
            else:
                np.matmul(inputs[-1], w, out=out)
            layer_code = code if i < last else 0
            if code is None:
                out += b
            else:
                bias_activation(out, b, layer_code)
            if i < last:
                if pre is not None:
                    pre[i][...] = out
                if not layer_code:
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

    # -- loss and gradients ----------------------------------------------------

    def _penalty(self):
        """The penalty of all weight matrices, from their flat buffer."""
        return penalty([self._flat_params[: self._n_coef]], self.spec)

    def _add_penalty_gradient(self, divisor):
        weights = self._flat_params[: self._n_coef]
        grads = self._flat_grads[: self._n_coef]
        scratch = self._penalty_scratch
        alpha, l1, dtype = self.spec.alpha, self.spec.l1, self.spec.dtype
        if alpha:
            np.multiply(weights, dtype.type(alpha / divisor), out=scratch)
            grads += scratch
        if l1:
            np.sign(weights, out=scratch)
            scratch *= dtype.type(l1 / divisor)
            grads += scratch

    def evaluate(self, X, Y, sample_weight=None):
        """Objective over all of ``X`` taken as one batch (no dropout).

        Returns ``(loss, accuracy, outputs)``: the loss weighted by
        ``sample_weight``; the fraction of samples predicted right, or None
        for a loss without an accuracy; and then the output layer's values
        (float64, as computed in the network's dtype), from which the training
        loop takes the loss's score, else None.
        """
        sw = np.ones(X.shape[0]) if sample_weight is None else sample_weight
        Y = self.spec.training_targets(Y)
        data_loss, n_correct = 0.0, 0
        has_accuracy = self.spec.score_name == "accuracy"
        outputs = None if has_accuracy else np.empty(Y.shape, np.float64)
        for rows, logits in self._chunked_logits(X):
            per_sample, correct = self.spec.loss_row.per_sample(Y[rows], logits)
            data_loss += float(np.dot(sw[rows], per_sample))
            if has_accuracy:
                n_correct += int(np.count_nonzero(correct))
            else:
                outputs[rows] = logits  # the loss left the outputs there
        loss = (data_loss + self._penalty()) / float(np.sum(sw))
        return loss, (n_correct / X.shape[0] if has_accuracy else None), outputs

    def loss_and_gradients(self, X, Y, sample_weight=None):
        """Full-batch objective of ``(X, Y)`` and its gradients.

        Returns ``(loss, grads)`` with ``grads`` in the order of ``params``.
        The gradient arrays are the network's own buffers: copy them to keep.
        """
        loss, _ = self._backprop(self._as_input(X), Y, sample_weight)
        return loss, self._coef_grads + self._intercept_grads + self._embedding_grads

    def _backprop(
        self,
        X,
        Y,
        sample_weight=None,
        divisor=None,
        masks=None,
        penalty_loss=True,
        kernels=None,
    ):
        """Objective of one batch; leaves its gradients in ``self._flat_grads``.

        ``divisor`` defaults to the sum of the batch's weights. ``masks`` are
        the hidden layers' dropout masks (already scaled) with a buffer each
        for the dropped-out output, as :meth:`_dropout_masks` gives, or None.
        ``penalty_loss=False`` leaves the penalty out of the returned loss.
        With compiled ``kernels`` the penalty is left out of the gradients
        too: the optimizer's fused step takes it. Returns ``(loss,
        n_correct)``.
        """
        n_rows = X.shape[0]
        Y = self.spec.training_targets(Y)
        if divisor is None:
            divisor = n_rows if sample_weight is None else float(np.sum(sample_weight))
        plan = self._batch_plan(n_rows, kernels)
        outs, pre = plan.outs, plan.pre
        self._embedding_kept = plan.front
        inputs = self._forward(X, outs, masks, pre, plan.fused, plan.front)
        logits = outs[-1]
        loss_row = self.spec.loss_row
        scale = self.dtype.type(1.0 / divisor)
        compiled_loss = plan.loss_kernel if sample_weight is None else None
        if compiled_loss is not None:
            # The loss, its gradient (scaled) and the output bias's in one pass.
            data_loss, n_correct = compiled_loss(
                logits, Y, scale, self._intercept_grads[-1]
            )
        else:
            per_sample, correct = loss_row.per_sample(Y, logits)
            n_correct = 0 if correct is None else int(np.count_nonzero(correct))
            if sample_weight is None:
                data_loss = float(per_sample.sum())
            else:
                data_loss = float(np.dot(sample_weight, per_sample))
        loss = (data_loss + (self._penalty() if penalty_loss else 0.0)) / divisor

        # The loss left the outputs in ``logits``; for a canonical link,
        # d(loss)/d(logits) is (output - y).
        delta = logits
        if compiled_loss is None:
            if loss_row.gradient is None:
                delta -= Y
            else:
                loss_row.gradient(Y, delta)
            if sample_weight is not None:
                delta *= sample_weight[:, None].astype(self.dtype, copy=False)
            delta *= scale
            np.matmul(plan.ones, delta, out=self._intercept_grads[-1])
        deltas, backward, kept = plan.deltas, plan.backward, plan.kept
        sparse = sp.issparse(X)
        for i in range(self.n_layers - 1, -1, -1):
            if i == 0 and sparse:
                self._coef_grads[0][...] = X.T @ delta
            else:
                np.matmul(inputs[i].T, delta, out=self._coef_grads[i])
            if i == 0 and self.embedding_:
                self._front_gradients(delta @ self.coefs_[0].T)
            if i > 0:
                np.matmul(delta, self.coefs_[i].T, out=deltas[i - 1])
                delta = deltas[i - 1]
                if masks is not None:
                    delta *= masks[i - 1][0]
                backward(kept[i - 1], delta, self._intercept_grads[i - 1])
        if kernels is None:
            self._add_penalty_gradient(divisor)
        return loss, n_correct

    def _front_gradients(self, delta):
        """The input stage's gradients (numeric embedding, categorical
        tables), from ``delta``, the gradient at the first layer's input."""
        n_embedding = len(embedding_shapes(self.spec))
        embedding = self.embedding_[:n_embedding]
        if embedding:
            embedding_gradients(
                embedding,
                self._embedding_kept,
                delta,
                self._embedding_grads[:n_embedding],
            )
        if len(self.embedding_) > n_embedding:
            category_gradients(
                self._embedding_kept,
                delta[:, embedded_width(self.spec) :],
                self.spec,
                self._embedding_grads[n_embedding:],
            )

    def _backward(self, keeps_z, kernels, ones):
        """``backward(kept, delta, bias_grad)``: takes ``delta`` through the
        activation's derivative and puts its column sums in ``bias_grad``.
        ``kept`` is the layer's output (exact, and cheaper), or its kept
        pre-activation when ``keeps_z``."""
        name = self.spec.activation
        activation = ACTIVATIONS[name]
        code = None if kernels is None else kernels.DERIVATIVE_CODES.get(name)
        if not keeps_z and code is not None:  # one compiled pass
            derivative = kernels.derivative_from_output
            return lambda a, delta, bias_grad: derivative(a, delta, code, bias_grad)
        derivative = activation.derivative

        def backward(kept, delta, bias_grad):
            derivative(kept, delta)
            np.matmul(ones, delta, out=bias_grad)

        return backward

    # -- training --------------------------------------------------------------

    def _dropout_masks(self, n_rows):
        """Fresh dropout masks for a batch of ``n_rows``, scaled by 1 / keep,
        each with the buffer its layer's dropped-out output goes to."""
        keep = 1.0 - self.spec.dropout
        scale = self.dtype.type(1.0 / keep)
        masks = []
        for mask, dropped, draws in self._dropout_buffers(n_rows):
            self.rng.random(dtype=self.dtype, out=draws)
            np.less(draws, keep, out=mask)
            mask *= scale
            masks.append((mask, dropped))
        return masks

    def train_epoch(
        self, X, Y, sample_weight=None, batch_size=200, shuffle=True, stop=None
    ):
        """One pass over ``(X, Y)`` in minibatches.

        ``X`` may have any numeric dtype (uint8 pixels included) and be a
        ``numpy.memmap``: each batch is converted to the compute dtype (and
        multiplied by ``input_scale``) as it is gathered, so no converted copy
        of the whole of ``X`` is ever made. Returns
        ``(loss, accuracy)``: the mean batch loss and the fraction of samples
        classified right at the moment their batch was trained on (None for
        a regressor's output). The penalty
        part of the loss is taken once, at the end of the epoch, rather than
        for every batch: it changes little within an epoch, and summing the
        weights each batch costs as much as a small network's forward pass.

        Each step is the plain NumPy one, or fused by compiled kernels (see
        :func:`skdense.backends.use_kernels`): the same weights within float32
        rounding.

        Once ``stop`` (a ``threading.Event``) is set, the epoch ends after the
        current batch, and the figures are those of the batches trained.
        """
        n_samples = X.shape[0]
        kernels = _kernels.compiled()
        step = self._optimizer_step(kernels)
        order = self.rng.permutation(n_samples) if shuffle else None
        weight_mean = 1.0 if sample_weight is None else float(np.mean(sample_weight))
        gather = self._batch_gatherer(X, shuffle, batch_size, kernels)
        dropout = self.spec.dropout
        total_loss, total_correct = 0.0, 0
        for start in range(0, n_samples, batch_size):
            end = min(start + batch_size, n_samples)
            m = end - start
            idx = order[start:end] if shuffle else slice(start, end)
            swb = None if sample_weight is None else sample_weight[idx]
            masks = self._dropout_masks(m) if dropout else None
            divisor = m * weight_mean
            loss, n_correct = self._backprop(
                gather(idx, m), Y[idx], swb, divisor, masks, False, kernels
            )
            step(divisor)
            total_loss += loss * m
            total_correct += n_correct
            if stop is not None and stop.is_set():
                break
        # Each batch's loss carries penalty / (m * weight_mean), weighted by m.
        n_batches, n_trained = start // batch_size + 1, end
        total_loss += self._penalty() * n_batches / weight_mean
        if self.spec.score_name != "accuracy":  # a loss without an accuracy
            return total_loss / n_trained, None
        return total_loss / n_trained, total_correct / n_trained

    def _optimizer_step(self, kernels):
        """``step(divisor)``: the optimizer's update of the weights from the
        gradients. On the NumPy path the penalty's gradient is already in
        them; on the compiled one the optimizer's fused update takes it (an
        optimizer without one gets it added here, then updates)."""
        optimizer, params, grads = self.optimizer, self._flat_params, self._flat_grads
        fused = None if kernels is None else getattr(optimizer, "fused_update", None)
        if kernels is None:
            return lambda divisor: optimizer.update(params, grads)
        if fused is None:

            def penalty_then_update(divisor):
                self._add_penalty_gradient(divisor)
                optimizer.update(params, grads)

            return penalty_then_update
        n_coef, alpha, l1 = self._n_coef, self.spec.alpha, self.spec.l1
        return lambda divisor: fused(
            kernels, params, grads, n_coef, alpha / divisor, l1 / divisor
        )

    def _batch_gatherer(self, X, shuffle, batch_size, kernels):
        """``gather(idx, m)``: the batch of rows ``idx`` (``m`` of them) of
        ``X``, in the compute dtype and scaled by ``input_scale``."""
        spec = self.spec
        stage = spec.input_center is not None or spec.input_clip or spec.input_logged
        if sp.issparse(X) or stage:
            return lambda idx, m: self._as_input(X[idx])  # the whole input stage
        scale = spec.input_scale
        if X.dtype == self.dtype and scale == 1.0 and not shuffle:
            return lambda idx, m: X[idx]
        out = np.empty((min(batch_size, X.shape[0]), X.shape[1]), self.dtype)
        compiled_dtype = X.dtype.kind in "iub" or X.dtype in (np.float32, np.float64)
        if kernels is not None and shuffle and X.flags.c_contiguous and compiled_dtype:
            typed_scale = self.dtype.type(scale)

            def gather_rows(idx, m):
                kernels.gather_rows(X, idx, out[:m], typed_scale)
                return out[:m]

            return gather_rows
        if X.dtype != self.dtype or scale != 1.0:

            def convert(idx, m):
                xb = out[:m]
                xb[...] = X[idx]
                if scale != 1.0:
                    xb *= self.dtype.type(scale)
                return xb

            return convert
        return lambda idx, m: np.take(X, idx, axis=0, out=out[:m])

    def end_training(self):
        """Free the per-batch buffers training allocated."""
        self._buffers = {}

    def fit_lbfgs(
        self,
        X,
        Y,
        sample_weight=None,
        max_iter=200,
        max_fun=15000,
        tol=1e-4,
        stop=None,
        on_iteration=None,
    ):
        """Full-batch L-BFGS on the whole objective.

        The objective and its gradients are computed in float64 whatever the
        network's dtype (the weights are stored back in it): SciPy's L-BFGS-B
        is a float64 algorithm, and its stopping tests (a relative reduction
        of the loss of ~2e-9) read float32 rounding as convergence, so a
        float32 objective would stop where the CPU's rounding says.

        Once ``stop`` (a ``threading.Event``) is set, it ends after the
        current iteration; so it does when ``on_iteration()``, called after
        each iteration, returns True. Returns ``(losses, n_iter, failure)``: the
        objective after each iteration, the number of iterations, and SciPy's
        reason when it stopped without converging (max_iter or max_fun
        reached, a failed line search), else None.
        """
        net = self._float64_twin()
        # The data as this network takes them (its dtype, scaled), then float64.
        X = self._as_input(X).astype(np.float64)
        Y = np.asarray(Y, np.float64)
        losses, last = [], [np.nan]

        def objective(flat):
            net._flat_params[...] = flat
            last[0], _ = net._backprop(X, Y, sample_weight)
            return last[0], net._flat_grads

        last_finite = [net._flat_params.copy()]

        def record(xk):
            losses.append(last[0])
            if np.isfinite(xk).all():
                last_finite[0] = xk.copy()
            asked = on_iteration is not None and on_iteration()
            if asked or (stop is not None and stop.is_set()):
                raise StopIteration  # SciPy ends the run, keeping this iterate

        result = minimize(
            objective,
            net._flat_params.copy(),
            jac=True,
            method="L-BFGS-B",
            callback=record,
            options={"maxiter": max_iter, "maxfun": max_fun, "gtol": tol},
        )
        # A diverging search can end on non-finite weights: keep the last
        # finite iterate instead.
        finite = np.isfinite(result.x).all()
        self._flat_params[...] = result.x if finite else last_finite[0]
        return losses, result.nit, None if result.status == 0 else result.message

    def _float64_twin(self):
        """This network computing in float64, starting from its weights."""
        if self.dtype == np.float64:
            return self
        twin = object.__new__(type(self))
        twin.__setstate__(
            {
                **self.__getstate__(),
                "spec": self.spec.replace(dtype=np.float64),
                "_flat_params": self._flat_params.astype(np.float64),
                "_flat_grads": np.zeros(self._flat_params.size, np.float64),
                "_penalty_scratch": np.empty(self._n_coef, np.float64),
            }
        )
        return twin


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
    >>> loss, _, outputs = net.evaluate(X, Y)
    >>> bool(r2_score(Y, outputs) > 0.95), net.predict_proba(X).shape
    (True, (300, 1))
    """

    outputs = REGRESSOR_OUTPUTS


def _spec_from_0_1_state(state, output):
    """A 0.1.0 network's state, its settings gathered into a ``NetworkSpec``.

    0.1.0 kept the settings as separate attributes and the optimizer's in the
    optimizer; what only initialisation used (weight_init) is not needed.
    """
    state = dict(state)
    shapes = state["_shapes"]
    n_layers = len(shapes) // 2
    sizes = [shapes[0][0], *(shape[0] for shape in shapes[n_layers:])]
    state["spec"] = NetworkSpec(
        n_features=sizes[0],
        n_outputs=sizes[-1],
        out_activation=output,
        hidden_layer_sizes=tuple(sizes[1:-1]),
        **{k: state.pop(k) for k in ("activation", "alpha", "l1", "dropout")},
        dtype=state.pop("dtype"),
        input_scale=state.pop("input_scale"),
        **optimizer_settings(state["optimizer"]),
    )
    return state
