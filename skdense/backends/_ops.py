"""Activations and output losses: small named functions, and the tables that
own each choice.

Every function works in place where it can, so the training loop allocates
nothing per batch. :data:`ACTIVATIONS` holds one :class:`Activation` row per
activation: its NumPy forward and derivative, its Keras and ONNX forms. A new
activation is one row; the spec's allowed values, both engines, the ONNX
export and the table-driven tests follow from it.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import special


def inplace_identity(z):
    return z


def inplace_logistic(z):
    # 1 / (1 + exp(-z)) as 0.5 * tanh(z / 2) + 0.5: cannot overflow, and NumPy's
    # vectorised tanh makes it faster than scipy.special.expit.
    z *= 0.5
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5
    return z


def inplace_tanh(z):
    return np.tanh(z, out=z)


def inplace_relu(z):
    return np.maximum(z, 0, out=z)


def inplace_softmax(z):
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def inplace_exp(z):
    return np.exp(z, out=z)


# Derivatives: ``delta *= f'(z)`` in place, from the output ``a = f(z)``
# where that is exact (the engine then keeps nothing more), else from ``z``.


def identity_derivative_from_output(a, delta):
    return delta


def logistic_derivative_from_output(a, delta):
    delta *= a
    delta *= 1 - a
    return delta


def tanh_derivative_from_output(a, delta):
    delta *= 1 - a * a
    return delta


def relu_derivative_from_output(a, delta):
    delta *= a > 0
    return delta


# The smallest and largest float64 probabilities whose logits are finite.
_TINY, _BELOW_ONE = np.finfo(np.float64).tiny, np.nextafter(1.0, 0.0)


def _logit(a):
    return special.logit(np.clip(a, _TINY, _BELOW_ONE))


def _log(a):
    return np.log(np.maximum(a, _TINY))


def _unary(op_type, **attributes):
    """The ONNX form of an activation that is one operator."""
    return lambda graph, x: graph.node(op_type, x, **attributes)


@dataclass(frozen=True)
class Compiled:
    """An activation's compiled form: per-element functions that the NumPy
    engine's compiled path (Numba, see ``_numba_kernels``) makes into loops.

    ``c`` is ``constants`` in the network's dtype (a plain float constant
    would make the arithmetic float64). The forward pass, fused with the
    bias add, is ``a = after(z, ufunc(before(z, c)), c)``: the NumPy
    ``ufunc`` runs vectorised between two loops (faster than a scalar
    ``tanh`` or ``expm1`` called in a loop); without a ``ufunc``, ``a =
    after(z, z, c)`` in one loop, and without ``after`` the forward pass is
    the row's NumPy form. ``derivative(a, d, c)`` is ``d * f'(z)`` from the
    output ``a``.
    """

    after: Callable | None = None
    before: Callable | None = None
    ufunc: Callable | None = None
    derivative: Callable | None = None
    constants: tuple = ()


@dataclass(frozen=True)
class Activation:
    """One activation, as every engine and the ONNX export need it.

    ``forward(z)`` applies it in place. ``derivative(kept, delta)``
    multiplies ``delta`` (dLoss/da) in place by f'(z), from what the engine
    kept of the layer: its output ``a = f(z)`` when ``from_output`` (exact
    for these activations, and it spares keeping ``z``), else the
    pre-activation ``z``. ``keras`` is a Keras activation name, or
    ``keras -> callable``. ``onnx`` builds the ONNX nodes: ``onnx(graph, x)``
    returns the output's name, with ``graph.node(op_type, inputs,
    **attributes)`` and ``graph.constant(value)``. ``hidden`` says whether
    hidden layers may use it (else: an output layer's, whose gradient comes
    with the loss). ``inverse(a)``, an output layer's, gives logits whose
    activation is ``a`` (float64, a new array): the loss of an ensemble's
    mean output is the loss of those logits. ``compiled``, a
    :class:`Compiled`, is its compiled form, if it has one.
    """

    forward: Callable
    derivative: Callable | None
    keras: str | Callable
    onnx: Callable
    from_output: bool = False
    hidden: bool = True
    inverse: Callable | None = None
    compiled: Compiled | None = None


def inplace_gelu(z):
    """The exact GELU, ``z * Phi(z)`` (the standard normal's CDF)."""
    z *= special.ndtr(z)
    return z


def gelu_derivative_from_z(z, delta):
    # Phi(z) + z * phi(z)
    delta *= special.ndtr(z) + z * np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)
    return delta


# SELU's constants (Klambauer et al. 2017), Keras's and ONNX's defaults.
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def inplace_selu(z):
    """``scale * z`` above 0, ``scale * alpha * (exp(z) - 1)`` below."""
    below = np.minimum(z, 0)  # the one scratch array: the rest is in place
    np.expm1(below, out=below)
    below *= z.dtype.type(SELU_ALPHA)
    np.maximum(z, 0, out=z)
    z += below
    z *= z.dtype.type(SELU_SCALE)
    return z


def selu_derivative_from_output(a, delta):
    """``scale`` above 0, ``a + scale * alpha`` (which is ``scale * alpha *
    exp(z)``) below."""
    typed = a.dtype.type
    delta *= np.where(a > 0, typed(SELU_SCALE), a + typed(SELU_SCALE * SELU_ALPHA))
    return delta


def inplace_silu(z):
    """``z * sigmoid(z)`` (SiLU, also called swish)."""
    z *= special.expit(z)
    return z


def silu_derivative_from_z(z, delta):
    s = special.expit(z)
    delta *= s * (1 + z * (1 - s))
    return delta


def inplace_mish(z):
    """``z * tanh(softplus(z))`` (Mish, Misra 2019)."""
    z *= np.tanh(np.logaddexp(0, z))
    return z


def mish_derivative_from_z(z, delta):
    t = np.tanh(np.logaddexp(0, z))
    delta *= t + z * (1 - t * t) * special.expit(z)
    return delta


def _silu_onnx(graph, x):
    return graph.node("Mul", [x, graph.node("Sigmoid", x)])


def _mish_onnx(graph, x):
    return graph.node("Mul", [x, graph.node("Tanh", graph.node("Softplus", x))])


def _gelu_onnx(graph, x):
    # x * (1 + erf(x / sqrt(2))) / 2, in operators every opset has.
    scaled = graph.node("Mul", [x, graph.constant(1.0 / np.sqrt(2.0))])
    one_plus = graph.node("Add", [graph.node("Erf", scaled), graph.constant(1.0)])
    half = graph.node("Mul", [x, graph.constant(0.5)])
    return graph.node("Mul", [half, one_plus])


ACTIVATIONS = {
    "identity": Activation(
        inplace_identity,
        identity_derivative_from_output,
        "linear",
        _unary("Identity"),
        from_output=True,
        inverse=np.array,
        compiled=Compiled(derivative=lambda a, d, c: d),
    ),
    "logistic": Activation(
        inplace_logistic,
        logistic_derivative_from_output,
        "sigmoid",
        _unary("Sigmoid"),
        from_output=True,
        inverse=_logit,
        # As the NumPy form: 0.5 * tanh(z / 2) + 0.5.
        compiled=Compiled(
            before=lambda z, c: z * c[0],
            ufunc=np.tanh,
            after=lambda z, t, c: t * c[0] + c[0],
            derivative=lambda a, d, c: d * a * (c[1] - a),
            constants=(0.5, 1.0),
        ),
    ),
    "tanh": Activation(
        inplace_tanh,
        tanh_derivative_from_output,
        "tanh",
        _unary("Tanh"),
        from_output=True,
        compiled=Compiled(
            derivative=lambda a, d, c: d * (c[0] - a * a), constants=(1.0,)
        ),
    ),
    "relu": Activation(
        inplace_relu,
        relu_derivative_from_output,
        "relu",
        _unary("Relu"),
        from_output=True,
        compiled=Compiled(
            after=lambda z, _, c: max(z, c[0]),
            derivative=lambda a, d, c: d * (a > c[0]),
            constants=(0.0,),
        ),
    ),
    "gelu": Activation(
        inplace_gelu,
        gelu_derivative_from_z,
        "gelu",  # Keras 3's is the exact one (approximate=False)
        _gelu_onnx,
    ),
    "selu": Activation(
        inplace_selu,
        selu_derivative_from_output,
        "selu",
        _unary("Selu", alpha=SELU_ALPHA, gamma=SELU_SCALE),
        from_output=True,
        # scale * z above 0, scale * alpha * expm1(z) below (see the derivative).
        compiled=Compiled(
            before=lambda z, c: min(z, c[0]),
            ufunc=np.expm1,
            after=lambda z, e, c: c[1] * z if z > c[0] else c[2] * e,
            derivative=lambda a, d, c: d * (c[1] if a > c[0] else a + c[2]),
            constants=(0.0, SELU_SCALE, SELU_SCALE * SELU_ALPHA),
        ),
    ),
    "silu": Activation(inplace_silu, silu_derivative_from_z, "silu", _silu_onnx),
    "mish": Activation(inplace_mish, mish_derivative_from_z, "mish", _mish_onnx),
    "softmax": Activation(
        inplace_softmax,
        None,
        "softmax",
        _unary("Softmax", axis=1),
        hidden=False,
        inverse=_log,
    ),
    # The exponential output's Keras loss takes the log-means: Keras keeps the
    # layer linear, and the shared forward pass applies exp at prediction time.
    "exp": Activation(
        inplace_exp, None, "linear", _unary("Exp"), hidden=False, inverse=_log
    ),
}
HIDDEN_ACTIVATIONS = tuple(name for name, row in ACTIVATIONS.items() if row.hidden)


def inplace_binary_log_loss(y, z):
    """Logistic loss of logits ``z`` (n, k) against 0/1 targets ``y`` (n, k).

    One sigmoid unit per output: a binary problem (k = 1) or k labels, whose
    losses are summed, as MLPClassifier sums them. Turns ``z`` into
    probabilities in place. Returns the per-sample losses and a boolean mask
    of the samples whose every output is right (subset accuracy).
    """
    correct = ((z >= 0) == (y > 0.5)).all(axis=1)
    # log(1 + exp(z)) - y * z, written so that a large |z| cannot overflow.
    loss = np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z)))
    inplace_logistic(z)
    return loss.sum(axis=1), correct


def inplace_softmax_log_loss(y, z):
    """Cross-entropy of logits ``z`` (n, k) against targets ``y``: one-hot,
    or label-smoothed (each row's largest value is its class).

    Turns ``z`` into probabilities in place. Returns the per-sample losses and
    a boolean mask of the samples classified right.
    """
    z -= z.max(axis=1, keepdims=True)
    z_target = np.einsum("ij,ij->i", z, y)
    true_class = np.argmax(y, axis=1)[:, None]
    z_true = np.take_along_axis(z, true_class, axis=1)[:, 0]  # 0: the true class wins
    np.exp(z, out=z)
    norm = z.sum(axis=1, keepdims=True)
    z /= norm
    return np.log(norm[:, 0]) - z_target, z_true >= 0


def smooth_one_hot(y, smoothing):
    """``y`` (one-hot, k columns) label-smoothed: ``(1 - smoothing) * y +
    smoothing / k``, as Keras's ``CategoricalCrossentropy`` smooths."""
    return y * (1.0 - smoothing) + smoothing / y.shape[1]


def smooth_binary(y, smoothing):
    """0/1 targets label-smoothed: ``(1 - smoothing) * y + smoothing / 2``
    (each sigmoid output a two-class problem), as Keras's
    ``BinaryCrossentropy`` smooths."""
    return y * (1.0 - smoothing) + smoothing / 2.0


def inplace_half_squared_error(y, z):
    """Half the squared error of identity outputs ``z`` (n, k), summed over k.

    ``z`` is already the output. Returns the per-sample losses and None (a
    regressor has no accuracy).
    """
    residual = z - y
    return 0.5 * np.einsum("ij,ij->i", residual, residual), None


def inplace_half_poisson_deviance(y, z):
    """Half the Poisson deviance of log-means ``z`` (n, k), summed over k.

    ``y * log(y / mu) - y + mu`` with ``mu = exp(z)``, MLPRegressor's
    "poisson" loss; turns ``z`` into the means in place. Returns the
    per-sample losses and None.
    """
    loss = special.xlogy(y, y) - y * z - y
    inplace_exp(z)
    loss += z
    return loss.sum(axis=1), None


def keras_half_squared_error(ops, y_true, y_pred):
    """Half the squared error, summed over the outputs, in Keras ops."""
    return 0.5 * ops.sum(ops.square(y_pred - y_true), axis=-1)


def keras_half_poisson_deviance(ops, y_true, log_mean):
    """Half the Poisson deviance of log-means, summed over the outputs."""
    safe = ops.where(y_true > 0, y_true, ops.ones_like(y_true))
    y_log_y = ops.where(y_true > 0, y_true * ops.log(safe), ops.zeros_like(y_true))
    deviance = y_log_y - y_true * log_mean - y_true + ops.exp(log_mean)
    return ops.sum(deviance, axis=-1)


def inplace_huber(y, z):
    """Huber loss (delta 1) of identity outputs ``z`` (n, k), summed over k:
    half the squared error within 1 of the target, linear beyond it."""
    r = np.abs(z - y)
    return np.where(r <= 1.0, 0.5 * r * r, r - 0.5).sum(axis=1), None


def _huber_gradient(y, outputs):
    outputs -= y
    np.clip(outputs, -1.0, 1.0, out=outputs)
    return outputs


def keras_huber(ops, y_true, y_pred):
    """The Huber loss (delta 1), summed over the outputs, in Keras ops."""
    r = ops.abs(y_pred - y_true)
    return ops.sum(ops.where(r <= 1.0, 0.5 * ops.square(r), r - 0.5), axis=-1)


def _non_negative(Y):
    if np.any(Y < 0):
        raise ValueError(
            "loss='poisson' needs non-negative y (counts, rates); y has negative "
            f"values (the smallest is {Y.min():g})."
        )


@dataclass(frozen=True)
class Loss:
    """One training loss, as every engine needs it.

    ``per_sample(y, z)`` takes the logits ``z`` (n, k), turns them into the
    output activation's values in place, and returns the per-sample losses
    and a boolean mask of the samples predicted right (None without an
    accuracy). ``gradient(y, outputs)`` turns the outputs into
    d(loss)/d(logits) in place; None is the canonical link's ``outputs - y``
    (every loss below), the engines' fast path. ``keras`` is a Keras loss
    name, or a function ``(ops, y_true, y_pred)`` of Keras ops that the Keras
    engine registers under its own name. ``score`` names the figure reported
    beside the loss ("accuracy", or "r2" for a regression loss), and
    ``check_targets(Y)``, if given, refuses targets the loss cannot take.
    A classifier's loss can be label-smoothed: ``smooth(Y, smoothing)``
    gives the targets it is then trained on, and ``keras_smoothed`` names
    the Keras loss class whose ``label_smoothing`` does the same.
    ``compiled`` names the loss's compiled form, a kernel of
    ``_numba_kernels`` that computes the loss, its gradient and the output
    bias's gradient in one pass (a whole pass rather than per-element
    functions, kept with the other loops that Numba caches on disk).
    """

    per_sample: Callable
    out_activation: str
    keras: str | Callable
    score: str
    gradient: Callable | None = None
    check_targets: Callable | None = None
    smooth: Callable | None = None
    keras_smoothed: str | None = None
    compiled: str | None = None


LOSSES = {
    # One sigmoid unit per output: a binary problem or k labels (summed).
    "binary_log_loss": Loss(
        inplace_binary_log_loss,
        "logistic",
        "binary_crossentropy",
        "accuracy",
        smooth=smooth_binary,
        keras_smoothed="BinaryCrossentropy",
        compiled="binary_log_loss",
    ),
    "log_loss": Loss(
        inplace_softmax_log_loss,
        "softmax",
        "categorical_crossentropy",
        "accuracy",
        smooth=smooth_one_hot,
        keras_smoothed="CategoricalCrossentropy",
        compiled="softmax_log_loss",
    ),
    "squared_error": Loss(
        inplace_half_squared_error, "identity", keras_half_squared_error, "r2"
    ),
    "huber": Loss(
        inplace_huber, "identity", keras_huber, "r2", gradient=_huber_gradient
    ),
    "poisson": Loss(
        inplace_half_poisson_deviance,
        "exp",
        keras_half_poisson_deviance,
        "r2",
        check_targets=_non_negative,
    ),
}
# Output activation -> the loss it is trained with when none is named: the
# first row for it (its canonical link).
CANONICAL_LOSSES = {}
for _name, _row in LOSSES.items():
    CANONICAL_LOSSES.setdefault(_row.out_activation, _name)
