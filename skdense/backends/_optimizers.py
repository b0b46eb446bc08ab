"""Stochastic optimizers: tiny classes that update a list of arrays in place.

Each optimizer keeps one state array per parameter and one scratch array per
parameter, allocated once, so a step allocates nothing. ``learning_rate`` is a
plain attribute: the training loop's schedule changes it between epochs.
"""

import numpy as np


class SGD:
    """Gradient descent with optional (Nesterov) momentum, as MLPClassifier's."""

    def __init__(self, params, learning_rate=0.1, momentum=0.9, nesterov=True):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocities = [np.zeros_like(p) for p in params] if momentum else None

    def update(self, params, grads):
        lr = self.learning_rate
        if not self.momentum:
            for p, g in zip(params, grads):
                g *= lr
                p -= g
            return
        mu = self.momentum
        for p, g, v in zip(params, grads, self.velocities):
            # v = mu * v - lr * g; Nesterov steps by mu * v - lr * g instead of v.
            g *= lr
            v *= mu
            v -= g
            if self.nesterov:
                p += mu * v
                p -= g
            else:
                p += v


class Adam:
    """Adam, as MLPClassifier's: bias correction folded into the step size.

    The moments are kept unnormalised (``M = b1 * M + g``, ``V = b2 * V + g**2``,
    i.e. ``m = (1 - b1) * M`` and ``v = (1 - b2) * V``), which gives the same
    update in fewer passes over the arrays.
    """

    def __init__(
        self, params, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8
    ):
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.ms = [np.zeros_like(p) for p in params]
        self.vs = [np.zeros_like(p) for p in params]
        self.scratch = [np.empty_like(p) for p in params]

    def update(self, params, grads):
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        # lr * m_hat / (sqrt(v_hat) + eps) rewritten in terms of M and V.
        root = np.sqrt(1 - b2)
        step = self.learning_rate * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        step *= (1 - b1) / root
        eps = self.epsilon / root
        for p, g, m, v, s in zip(params, grads, self.ms, self.vs, self.scratch):
            m *= b1
            m += g
            v *= b2
            np.multiply(g, g, out=s)
            v += s
            np.sqrt(v, out=s)
            s += eps
            np.divide(m, s, out=s)
            s *= step
            p -= s


class RMSprop:
    """RMSprop as Keras defines it: a running mean of squared gradients."""

    def __init__(self, params, learning_rate=0.001, rho=0.9, epsilon=1e-8):
        self.learning_rate = learning_rate
        self.rho = rho
        self.epsilon = epsilon
        self.vs = [np.zeros_like(p) for p in params]
        self.scratch = [np.empty_like(p) for p in params]

    def update(self, params, grads):
        rho = self.rho
        for p, g, v, s in zip(params, grads, self.vs, self.scratch):
            v *= rho
            np.multiply(g, g, out=s)
            s *= 1 - rho
            v += s
            np.sqrt(v, out=s)
            s += self.epsilon
            np.divide(g, s, out=s)
            s *= self.learning_rate
            p -= s


OPTIMIZERS = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop}
