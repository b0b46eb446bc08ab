"""The NumPy network's minibatch loop: one epoch of the stochastic solvers.

:class:`MinibatchTraining` is a part of
:class:`~skdense.backends.DenseNetwork`: it deals the rows out in batches
(gathered and converted batch by batch), draws the dropout masks, and takes
the optimizer's step after each batch's backpropagation, on the plain NumPy
path or through the compiled kernels.
"""

import numpy as np
import scipy.sparse as sp

from . import _kernels


class MinibatchTraining:
    """One epoch of minibatches, for :class:`~skdense.backends.DenseNetwork`."""

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
        self._resume_training_weights()
        step = self._step(_kernels.compiled())
        update = self._optimizer_step(step)
        order = self.rng.permutation(n_samples) if shuffle else None
        weight_mean = 1.0 if sample_weight is None else float(np.mean(sample_weight))
        gather = self._batch_gatherer(X, shuffle, batch_size, step)
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
                gather(idx, m), Y[idx], swb, divisor, masks, False, step
            )
            update(divisor)
            total_loss += loss * m
            total_correct += n_correct
            if stop is not None and stop.is_set():
                break
        # Each batch's loss carries penalty / (m * weight_mean), weighted by m.
        n_batches, n_trained = start // batch_size + 1, end
        total_loss += self._penalty() * n_batches / weight_mean
        self._show_average()
        if self.spec.score_name != "accuracy":  # a loss without an accuracy
            return total_loss / n_trained, None
        return total_loss / n_trained, total_correct / n_trained

    def _optimizer_step(self, step):
        """``update(divisor)``: the optimizer's step (see :meth:`_weight_step`),
        then, with ``ema_momentum``, the weights' moving average."""
        update, optimizer = self._weight_step(step), self.optimizer
        if optimizer.ema_momentum is None:
            return update
        params, kernels = self._flat_params, step.kernels

        def update_then_average(divisor):
            update(divisor)
            optimizer.update_average(params, kernels)

        return update_then_average

    def _weight_step(self, step):
        """``update(divisor)``: the penalty's gradient, then the optimizer's
        update of the weights; with the step's compiled kernels, both in the
        optimizer's fused update where it has one."""
        optimizer, params, grads = self.optimizer, self._flat_params, self._flat_grads
        fused = getattr(optimizer, "fused_update", None) if step.kernels else None
        if fused is None:

            def penalty_then_update(divisor):
                self._add_penalty_gradient(divisor)
                optimizer.update(params, grads)

            return penalty_then_update
        kernels, n_coef, spec = step.kernels, self._n_coef, self.spec
        return lambda divisor: fused(
            kernels, params, grads, n_coef, spec.alpha / divisor, spec.l1 / divisor
        )

    def _batch_gatherer(self, X, shuffle, batch_size, step):
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
        if step.gather and shuffle and X.flags.c_contiguous and compiled_dtype:
            typed_scale, compiled_gather = self.dtype.type(scale), step.gather

            def gather_rows(idx, m):
                compiled_gather(X, idx, out[:m], typed_scale)
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

    # With ema_momentum, the network between epochs is the moving average of
    # its weights (what validation, best-epoch selection and prediction see);
    # the weights training reached wait for the next epoch.
    _training_weights = None

    def _show_average(self):
        average = getattr(self.optimizer, "average", None)  # None: L-BFGS
        if average is not None:
            self._training_weights = self._flat_params.copy()
            self._flat_params[...] = average

    def _resume_training_weights(self):
        if self._training_weights is not None:
            self._flat_params[...] = self._training_weights
            self._training_weights = None

    def end_training(self):
        """Free the per-batch buffers training allocated."""
        self._buffers = {}
