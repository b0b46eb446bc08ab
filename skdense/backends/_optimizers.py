"""Stochastic optimizers: tiny classes that update one flat parameter array.

The network keeps all its weights in one contiguous array and its gradients
in another of the same layout, so an optimizer step is a handful of whole-array
ufunc calls, in place, allocating nothing. An optimizer may overwrite the
gradients, which the next batch recomputes. ``learning_rate`` is a plain
attribute: the training loop's schedule changes it between epochs.

:data:`SOLVERS` holds one row per solver, with every engine's piece: a new
solver is a class and a row.

``rate_factors``, None or an array of one factor per weight, multiplies
each weight's learning rate (not AdamW's decoupled decay); the network sets
it (see ``NetworkSpec.embedding_lr_factor``). With ``ema_momentum`` (see
``NetworkSpec``), the optimizer also keeps the weights' moving ``average``,
which the network updates after each step.

``update(params, grads)`` is the plain NumPy step. ``fused_update(kernels,
params, grads, n_coef, decay, l1)`` is the same step as one compiled pass
(see :mod:`._kernels`), with the penalty's gradient ``decay * w + l1 *
sign(w)`` on the first ``n_coef`` weights taken inside it. A solver without
one (``update`` is enough) gets the penalty's gradient added, then ``update``.

(SciPy's BLAS ``axpy`` would save a pass here, but SciPy and NumPy ship
separate OpenBLAS builds whose thread pools, used in turn, stall each other.)
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


class _Optimizer:
    rate_factors = None  # all weights at the learning rate (and older pickles)
    ema_momentum = None  # no moving average of the weights (and older pickles)
    average = None

    def update_average(self, params, kernels=None):
        """After a step: the weights' exponential moving average
        (``ema_momentum``), as Keras's optimizers keep it with ``use_ema``:
        the weights themselves after the first step, then ``momentum *
        average + (1 - momentum) * weights``, in ``kernels``' one pass where
        given."""
        if self.average is None:
            self.average = params.copy()
            return
        momentum = params.dtype.type(self.ema_momentum)
        if kernels is not None:
            kernels.moving_average(self.average, params, momentum)
            return
        # momentum * (average - weights) + weights: in place, no temporary.
        self.average -= params
        self.average *= momentum
        self.average += params

    def _factors(self, params):
        """The factors as the kernels take them (empty: none)."""
        return params[:0] if self.rate_factors is None else self.rate_factors


class SGD(_Optimizer):
    """Gradient descent with optional (Nesterov) momentum, as MLPClassifier's.

    ``v = momentum * v - lr * g``, then ``p += v``, or with Nesterov
    ``p += momentum * v - lr * g``.
    """

    def __init__(self, n_params, dtype, learning_rate=0.1, momentum=0.9, nesterov=True):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocity = np.zeros(n_params, dtype) if momentum else None

    def fused_update(self, kernels, params, grads, n_coef, decay, l1):
        typed = params.dtype.type
        velocity = params[:0] if self.velocity is None else self.velocity
        kernels.sgd(
            params,
            grads,
            self._factors(params),
            velocity,
            n_coef,
            typed(decay),
            typed(l1),
            typed(self.learning_rate),
            typed(self.momentum),
            self.nesterov,
        )

    def update(self, params, grads):
        mu, v = self.momentum, self.velocity
        grads *= self.learning_rate
        if self.rate_factors is not None:
            grads *= self.rate_factors
        if v is None:
            params -= grads
            return
        v *= mu
        v -= grads
        if self.nesterov:
            params -= grads
            np.multiply(v, mu, out=grads)
        else:
            grads[...] = v
        params += grads


class Adam(_Optimizer):
    """Adam, as MLPClassifier's: bias correction folded into the step size.

    The moments are kept unnormalised (``M = b1 * M + g``, ``V = b2 * V + g**2``,
    i.e. ``m = (1 - b1) * M`` and ``v = (1 - b2) * V``), which gives the same
    update in fewer passes over the arrays.
    """

    def __init__(
        self,
        n_params,
        dtype,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
    ):
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.m = np.zeros(n_params, dtype)
        self.v = np.zeros(n_params, dtype)
        self.scratch = np.empty(n_params, dtype)

    def _next_step(self):
        """Count a step; its size and epsilon, in terms of M and V."""
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        # lr * m_hat / (sqrt(v_hat) + eps) rewritten in terms of M and V.
        root = np.sqrt(1 - b2)
        step = self.learning_rate * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        return step * ((1 - b1) / root), self.epsilon / root

    def update(self, params, grads):
        step, epsilon = self._next_step()
        m, v, s = self.m, self.v, self.scratch
        m *= self.beta_1
        m += grads
        v *= self.beta_2
        np.multiply(grads, grads, out=s)
        v += s
        np.sqrt(v, out=s)
        s += epsilon
        np.divide(m, s, out=s)
        s *= step
        if self.rate_factors is not None:
            s *= self.rate_factors
        params -= s

    def _shrink(self):
        return 1.0  # AdamW's decoupled decay

    def fused_update(self, kernels, params, grads, n_coef, decay, l1):
        typed = params.dtype.type
        shrink = self._shrink()
        step, epsilon = self._next_step()
        kernels.adam(
            params,
            grads,
            self._factors(params),
            self.m,
            self.v,
            n_coef,
            typed(decay),
            typed(l1),
            typed(shrink),
            typed(step),
            typed(self.beta_1),
            typed(self.beta_2),
            typed(epsilon),
        )


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as Keras's
    AdamW: each step first shrinks every weight by ``learning_rate *
    weight_decay``, then takes Adam's step."""

    def __init__(self, n_params, dtype, learning_rate=0.001, weight_decay=0.01, **adam):
        super().__init__(n_params, dtype, learning_rate, **adam)
        self.weight_decay = weight_decay

    def _shrink(self):
        return 1.0 - self.learning_rate * self.weight_decay

    def update(self, params, grads):
        params *= params.dtype.type(self._shrink())
        super().update(params, grads)


class RMSprop(_Optimizer):
    """RMSprop as Keras defines it: ``v = rho * v + (1 - rho) * g**2``,
    ``p -= lr * g / sqrt(v + eps)``."""

    def __init__(self, n_params, dtype, learning_rate=0.001, rho=0.9, epsilon=1e-8):
        self.learning_rate = learning_rate
        self.rho = rho
        self.epsilon = epsilon
        self.v = np.zeros(n_params, dtype)
        self.scratch = np.empty(n_params, dtype)

    def update(self, params, grads):
        v, s = self.v, self.scratch
        v *= self.rho
        np.multiply(grads, grads, out=s)
        s *= 1 - self.rho
        v += s
        np.add(v, self.epsilon, out=s)
        np.sqrt(s, out=s)
        np.divide(grads, s, out=s)
        s *= self.learning_rate
        if self.rate_factors is not None:
            s *= self.rate_factors
        params -= s

    def fused_update(self, kernels, params, grads, n_coef, decay, l1):
        typed = params.dtype.type
        kernels.rmsprop(
            params,
            grads,
            self._factors(params),
            self.v,
            n_coef,
            typed(decay),
            typed(l1),
            typed(self.learning_rate),
            typed(self.rho),
            typed(1 - self.rho),
            typed(self.epsilon),
        )


@dataclass(frozen=True)
class Solver:
    """One solver, as every engine needs it.

    ``numpy`` is the NumPy engine's optimizer class, built as
    ``numpy(n_params, dtype, learning_rate, **arguments)`` (None: a full-batch
    solver that keeps no state). ``keras(keras, learning_rate, **arguments)``
    builds the Keras optimizer (None: not available under Keras). ``settings``
    maps each :class:`~skdense.backends.NetworkSpec` field the solver reads
    (its default is the field's) to the argument, and attribute, of the
    optimizer that holds it.
    """

    numpy: type | None
    keras: Callable | None
    settings: dict = field(default_factory=dict)

    @property
    def full_batch(self):
        """Whether the solver trains on the whole data at once (no epochs of
        minibatches, no ``partial_fit``, no early stopping)."""
        return self.numpy is None

    def arguments(self, spec):
        """The optimizer's arguments, from ``spec``."""
        return {arg: getattr(spec, name) for name, arg in self.settings.items()}


SOLVERS = {
    "adam": Solver(
        Adam,
        lambda keras, lr, **kw: keras.optimizers.Adam(lr, **kw),
        {"beta_1": "beta_1", "beta_2": "beta_2", "epsilon": "epsilon"},
    ),
    "sgd": Solver(
        SGD,
        # Keras refuses an int momentum (momentum=0).
        lambda keras, lr, momentum, nesterov: keras.optimizers.SGD(
            lr, float(momentum), nesterov
        ),
        {"momentum": "momentum", "nesterovs_momentum": "nesterov"},
    ),
    "rmsprop": Solver(
        RMSprop,
        lambda keras, lr, rho, epsilon: keras.optimizers.RMSprop(lr, rho, 0.0, epsilon),
        {"rho": "rho", "epsilon": "epsilon"},
    ),
    "adamw": Solver(
        AdamW,
        lambda keras, lr, **kw: keras.optimizers.AdamW(lr, **kw),
        {
            "weight_decay": "weight_decay",
            "beta_1": "beta_1",
            "beta_2": "beta_2",
            "epsilon": "epsilon",
        },
    ),
    "lbfgs": Solver(None, None),  # SciPy's L-BFGS-B, full batch: DenseNetwork.fit_lbfgs
}


def make_optimizer(spec, n_params, rate_factors=None):
    """The optimizer ``spec.solver`` names, for ``n_params`` weights (None:
    lbfgs), with ``rate_factors`` (see the module's docstring)."""
    solver = SOLVERS[spec.solver]
    if solver.numpy is None:
        return None
    optimizer = solver.numpy(
        n_params, spec.dtype, spec.learning_rate_init, **solver.arguments(spec)
    )
    optimizer.rate_factors = rate_factors
    optimizer.ema_momentum = spec.ema_momentum
    return optimizer


def optimizer_settings(optimizer):
    """The spec settings an optimizer was made with: ``make_optimizer``'s inverse."""
    if optimizer is None:
        return {"solver": "lbfgs"}
    name, solver = next(
        (name, row) for name, row in SOLVERS.items() if row.numpy is type(optimizer)
    )
    settings = {key: getattr(optimizer, arg) for key, arg in solver.settings.items()}
    return {"solver": name, "learning_rate_init": optimizer.learning_rate, **settings}


MINIBATCH_SOLVERS = tuple(name for name, row in SOLVERS.items() if not row.full_batch)
KERAS_SOLVERS = tuple(name for name, row in SOLVERS.items() if row.keras is not None)
