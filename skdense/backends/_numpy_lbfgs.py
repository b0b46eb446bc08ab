"""The NumPy network's full-batch solver: SciPy's L-BFGS-B on the whole
objective, computed in float64."""

import numpy as np
from scipy.optimize import minimize


class LbfgsTraining:
    """``solver="lbfgs"``, for :class:`~skdense.backends.DenseNetwork`."""

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
