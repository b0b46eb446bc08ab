"""The NumPy network's backpropagation: one batch's objective and gradients.

:class:`Backprop` is a part of :class:`~skdense.backends.DenseNetwork`: it
runs the forward pass, the loss and its gradient, and takes the gradient back
through each layer into the network's flat gradient buffer. What a batch size
reuses from batch to batch (outputs, deltas, scratch) is worked out once, in
a :class:`_BatchPlan`; the step it runs, once per fit (see
:mod:`._numpy_step`).
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._categorical import category_gradients
from ._embeddings import embedded_width, embedding_gradients, embedding_shapes
from ._numpy_step import Step, resolve_step
from ._ops import ACTIVATIONS


@dataclass(frozen=True, slots=True)
class _BatchPlan:
    """What backprop on one batch size reuses: each layer's output, the
    hidden layers' deltas (and pre-activations, for an activation whose
    derivative needs them, else ``pre`` is None), a row of ones for column
    sums, the input stage's arrays for its gradients (``front``), the step
    it runs (see :class:`~._numpy_step.Step`) and, for a compiled forward
    pass, ``fused(out, b, i)`` with its scratch arrays bound."""

    outs: list
    deltas: list
    ones: np.ndarray
    pre: list | None
    front: dict
    step: Step
    fused: Callable | None

    @property
    def kept(self):
        """What the derivative reads: the outputs (exact, and cheaper), or
        the pre-activations where it needs them."""
        return self.outs if self.pre is None else self.pre


class Backprop:
    """The gradients of one batch, for :class:`~skdense.backends.DenseNetwork`
    (which owns the weights, buffers and forward pass this reads)."""

    def _step(self, kernels=None):
        """The training step with ``kernels`` (None: the NumPy path),
        resolved once from the rows and kept until training ends."""
        key = ("step", kernels)
        if key not in self._buffers:
            self._buffers[key] = resolve_step(self.spec, kernels)
        return self._buffers[key]

    def _batch_plan(self, n_rows, step):
        """What backprop on batches of ``n_rows`` reuses from batch to batch,
        worked out once per batch size and step (see :class:`_BatchPlan`)."""
        key = ("plan", n_rows, step.kernels)
        plan = self._buffers.get(key)
        if plan is None:
            plan = self._buffers[key] = self._make_batch_plan(n_rows, step)
        return plan

    def _make_batch_plan(self, n_rows, step):
        outs = [np.empty((n_rows, w.shape[1]), self.dtype) for w in self.coefs_]
        keeps_z = not ACTIVATIONS[self.spec.activation].from_output
        fused = None
        if step.forward is not None:
            aux = [np.empty_like(o) for o in outs[:-1]]

            def fused(out, b, i):
                step.forward(out, b, aux[i])

        return _BatchPlan(
            outs=outs,
            deltas=[np.empty_like(o) for o in outs[:-1]],
            ones=np.ones(n_rows, self.dtype),  # sums over rows as a fast GEMV
            pre=[np.empty_like(o) for o in outs[:-1]] if keeps_z else None,
            front={},
            step=step,
            fused=fused,
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
        return loss, self._coef_grads + self._intercept_grads + self._front_grads

    def _backprop(
        self,
        X,
        Y,
        sample_weight=None,
        divisor=None,
        masks=None,
        penalty_loss=True,
        step=None,
    ):
        """Objective of one batch; leaves its gradients in ``self._flat_grads``.

        ``divisor`` defaults to the sum of the batch's weights. ``masks`` are
        the hidden layers' dropout masks (already scaled) with a buffer each
        for the dropped-out output, as :meth:`_dropout_masks` gives, or None.
        ``penalty_loss=False`` leaves the penalty out of the returned loss.
        ``step`` is the resolved training step (see :meth:`_step`); with the
        training loop's, the penalty's gradient is left to the optimizer's
        update (see :meth:`_optimizer_step`); without one (the NumPy step),
        it is added here. Returns ``(loss, n_correct)``.
        """
        n_rows = X.shape[0]
        Y = self.spec.training_targets(Y)
        if divisor is None:
            divisor = n_rows if sample_weight is None else float(np.sum(sample_weight))
        plan = self._batch_plan(n_rows, step or self._step())
        self._front_kept = plan.front
        inputs = self._forward(X, plan.outs, masks, plan)
        data_loss, n_correct = self._output_gradient(plan, Y, sample_weight, divisor)
        loss = (data_loss + (self._penalty() if penalty_loss else 0.0)) / divisor
        self._hidden_gradients(X, inputs, plan, masks)
        if step is None:
            self._add_penalty_gradient(divisor)
        return loss, n_correct

    def _output_gradient(self, plan, Y, sample_weight, divisor):
        """The batch's data loss and number right; leaves d(loss)/d(logits),
        divided by ``divisor``, in the logits' buffer and its column sums in
        the output bias's gradient."""
        logits, bias_grad = plan.outs[-1], self._intercept_grads[-1]
        scale = self.dtype.type(1.0 / divisor)
        if plan.step.loss is not None and sample_weight is None:
            # The loss, its gradient (scaled) and the output bias's in one pass.
            return plan.step.loss(logits, Y, scale, bias_grad)
        loss_row = self.spec.loss_row
        per_sample, correct = loss_row.per_sample(Y, logits)
        n_correct = 0 if correct is None else int(np.count_nonzero(correct))
        if sample_weight is None:
            data_loss = float(per_sample.sum())
        else:
            data_loss = float(np.dot(sample_weight, per_sample))
        # The loss left the outputs in ``logits``; for a canonical link,
        # d(loss)/d(logits) is (output - y).
        if loss_row.gradient is None:
            logits -= Y
        else:
            loss_row.gradient(Y, logits)
        if sample_weight is not None:
            logits *= sample_weight[:, None].astype(self.dtype, copy=False)
        logits *= scale
        np.matmul(plan.ones, logits, out=bias_grad)
        return data_loss, n_correct

    def _hidden_gradients(self, X, inputs, plan, masks):
        """From the output layer's delta back to the first layer's: each
        layer's weight and bias gradients, and the input stage's."""
        delta, deltas, kept = plan.outs[-1], plan.deltas, plan.kept
        backward, ones = plan.step.backward, plan.ones
        sparse = sp.issparse(X)
        for i in range(self.n_layers - 1, -1, -1):
            if i == 0 and sparse:
                self._coef_grads[0][...] = X.T @ delta
            else:
                np.matmul(inputs[i].T, delta, out=self._coef_grads[i])
            if i == 0 and self.front_:
                self._front_gradients(delta @ self.coefs_[0].T)
            if i > 0:
                # One output (a binary or single-target network): the product
                # is an outer product, which a broadcast multiply computes
                # exactly as BLAS does (one product per entry), several times
                # faster.
                product = np.multiply if delta.shape[1] == 1 else np.matmul
                product(delta, self.coefs_[i].T, out=deltas[i - 1])
                delta = deltas[i - 1]
                if masks is not None:
                    delta *= masks[i - 1][0]
                backward(kept[i - 1], delta, self._intercept_grads[i - 1], ones)

    def _front_gradients(self, delta):
        """The input stage's gradients (numeric embedding, categorical
        tables), from ``delta``, the gradient at the first layer's input."""
        n_embedding = len(embedding_shapes(self.spec))
        embedding = self.front_[:n_embedding]
        if embedding:
            embedding_gradients(
                embedding,
                self._front_kept,
                delta,
                self._front_grads[:n_embedding],
            )
        if len(self.front_) > n_embedding:
            category_gradients(
                self._front_kept,
                delta[:, embedded_width(self.spec) :],
                self.spec,
                self._front_grads[n_embedding:],
            )
