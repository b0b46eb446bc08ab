"""The NumPy network's backpropagation: one batch's objective and gradients.

:class:`Backprop` is a part of :class:`~skdense.backends.DenseNetwork`: it
runs the forward pass, the loss and its gradient, and takes the gradient back
through each layer into the network's flat gradient buffer. What a batch size
reuses from batch to batch (outputs, deltas, the compiled kernels) is worked
out once, in a :class:`_BatchPlan`.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._categorical import category_gradients
from ._embeddings import embedded_width, embedding_gradients, embedding_shapes
from ._ops import ACTIVATIONS


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


class Backprop:
    """The gradients of one batch, for :class:`~skdense.backends.DenseNetwork`
    (which owns the weights, buffers and forward pass this reads)."""

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
