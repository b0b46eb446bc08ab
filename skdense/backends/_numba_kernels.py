"""The Numba kernels :mod:`._kernels` hands out (imported only when used).

Each kernel is one serial loop computing, per element and in the arrays'
dtype, what the NumPy path computes in several ufunc passes, in the same
order. ``error_model="numpy"`` (no Python division checks) lets LLVM
vectorise the loop; ``fastmath`` is off, so every operation is IEEE-rounded
as in NumPy. The optimizers take the
penalty's gradient (``decay * w + l1 * sign(w)`` on the first ``n_coef``
weights, the weight matrices) inside their loop rather than as two more
passes.
"""

import numba
import numpy as np

from ._ops import SELU_ALPHA, SELU_SCALE

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")

# Activations whose bias add and activation are fused, by name; the others
# add the bias here and activate with NumPy, whose vectorised tanh is ten
# times faster than the scalar one a loop calls (the logistic is a tanh).
# SELU (2) takes three passes: its exponential is NumPy's vectorised expm1
# between two loops, a third of the time of NumPy's six passes and 18 times
# faster than one loop calling the scalar expm1. The logistic (3), as on the
# NumPy path ``0.5 * tanh(z / 2) + 0.5``, is NumPy's tanh between two loops.
ACTIVATION_CODES = {"identity": 0, "relu": 1, "selu": 2, "logistic": 3}
# Activations whose derivative from the output is compiled.
DERIVATIVE_CODES = {"identity": 0, "relu": 1, "logistic": 2, "tanh": 3, "selu": 4}


@numba.njit(inline="always", cache=True)
def _penalised(gi, w, i, n_coef, decay, l1):
    """The gradient ``gi`` of weight ``w`` (index ``i``) with the penalty's:
    ``decay * w + l1 * sign(w)`` on the weight matrices (``i < n_coef``)."""
    return gi + (decay * w + l1 * np.sign(w)) * (i < n_coef)


@numba.njit(inline="always", cache=True)
def _rate(lr, f, i):
    """The learning rate of weight ``i``: ``lr`` times its factor (``f``
    empty: all 1)."""
    return lr * f[i] if f.size else lr


@_jit
def sgd(p, g, f, v, n_coef, decay, l1, lr, mu, nesterov):
    """``v = mu * v - lr * g``; ``p += mu * v - lr * g`` (Nesterov) or ``p += v``;
    without momentum (``v`` empty) ``p -= lr * g``. ``f``: each weight's
    learning-rate factor (empty: none)."""
    momentum = v.size > 0
    for i in range(p.size):
        w = p[i]
        gi = _penalised(g[i], w, i, n_coef, decay, l1) * _rate(lr, f, i)
        if not momentum:
            p[i] = w - gi
            continue
        vi = v[i] * mu - gi
        v[i] = vi
        p[i] = (w - gi) + vi * mu if nesterov else w + vi


@_jit
def adam(p, g, f, m, v, n_coef, decay, l1, shrink, step, b1, b2, eps):
    """Adam on the unnormalised moments (see ``Adam``); ``shrink`` first
    scales the weights (AdamW's decoupled decay; 1 for Adam); ``f`` as in
    :func:`sgd`."""
    for i in range(p.size):
        w = p[i]
        gi = _penalised(g[i], w, i, n_coef, decay, l1)
        mi = m[i] * b1 + gi
        m[i] = mi
        vi = v[i] * b2 + gi * gi
        v[i] = vi
        p[i] = w * shrink - mi / (np.sqrt(vi) + eps) * _rate(step, f, i)


@_jit
def rmsprop(p, g, f, v, n_coef, decay, l1, lr, rho, one_minus_rho, eps):
    """``v = rho * v + (1 - rho) * g**2``; ``p -= lr * g / sqrt(v + eps)``;
    ``f`` as in :func:`sgd`."""
    for i in range(p.size):
        w = p[i]
        gi = _penalised(g[i], w, i, n_coef, decay, l1)
        vi = v[i] * rho + gi * gi * one_minus_rho
        v[i] = vi
        p[i] = w - gi / np.sqrt(vi + eps) * _rate(lr, f, i)


def bias_activation(out, b, code):
    """``out = f(out + b)`` for the activation of ``code`` (0: just the bias)."""
    if code == 2:
        below = np.empty_like(out)
        _bias_and_below(out, b, below)
        np.expm1(below, out=below)
        _selu_from_parts(out, below)
    elif code == 3:
        _bias_activation(out, b, code)  # (out + b) / 2
        np.tanh(out, out=out)
        _half_plus_half(out)
    else:
        _bias_activation(out, b, code)


@_jit
def _bias_activation(out, b, code):
    n_rows, n_units = out.shape
    zero = out.dtype.type(0)  # typed: an int 0 would make max() float64
    half = out.dtype.type(0.5)
    for r in range(n_rows):
        for j in range(n_units):
            z = out[r, j] + b[j]
            if code == 1:
                z = max(z, zero)
            elif code == 3:
                z = z * half
            out[r, j] = z


@_jit
def _half_plus_half(out):
    """``out = out / 2 + 1 / 2``: the logistic's last step after its tanh."""
    n_rows, n_units = out.shape
    half = out.dtype.type(0.5)
    for r in range(n_rows):
        for j in range(n_units):
            out[r, j] = out[r, j] * half + half


@_jit
def _bias_and_below(out, b, below):
    """``out += b``; ``below = min(out, 0)``."""
    n_rows, n_units = out.shape
    zero = out.dtype.type(0)
    for r in range(n_rows):
        for j in range(n_units):
            z = out[r, j] + b[j]
            out[r, j] = z
            below[r, j] = min(z, zero)


@_jit
def _selu_from_parts(z, expm1_below):
    """SELU of ``z``, given ``expm1(min(z, 0))``: ``scale * z`` above 0,
    ``scale * alpha * expm1(z)`` below."""
    n_rows, n_units = z.shape
    scale = z.dtype.type(SELU_SCALE)
    scale_alpha = z.dtype.type(SELU_SCALE * SELU_ALPHA)
    for r in range(n_rows):
        for j in range(n_units):
            zj = z[r, j]
            z[r, j] = scale * zj if zj > 0 else scale_alpha * expm1_below[r, j]


@_jit
def derivative_from_output(a, delta, code, column_sums):
    """``delta *= f'(z)`` from the output ``a = f(z)``; ``column_sums`` gets
    the sums of the result's columns (the layer's bias gradient)."""
    n_rows, n_units = a.shape
    one = a.dtype.type(1)  # an untyped 1 would make the product float64
    scale = a.dtype.type(SELU_SCALE)
    scale_alpha = a.dtype.type(SELU_SCALE * SELU_ALPHA)
    column_sums[:] = 0
    for r in range(n_rows):
        for j in range(n_units):
            d = delta[r, j]
            if code == 1:
                d *= a[r, j] > 0
            elif code == 2:
                d = d * a[r, j] * (one - a[r, j])
            elif code == 3:
                d *= one - a[r, j] * a[r, j]
            elif code == 4:  # SELU: scale above 0, a + scale * alpha below
                d *= scale if a[r, j] > 0 else a[r, j] + scale_alpha
            delta[r, j] = d
            column_sums[j] += d


@_jit
def gather_rows(X, rows, out, scale):
    """``out[k] = X[rows[k]] * scale`` in ``out``'s dtype (``scale`` 1: a copy)."""
    n_cols = X.shape[1]
    for k in range(rows.size):
        source = X[rows[k]]
        if scale == 1:
            for j in range(n_cols):
                out[k, j] = source[j]
        else:
            for j in range(n_cols):
                out[k, j] = source[j] * scale


@_jit
def softmax_log_loss(z, y, scale, column_sums):
    """The cross-entropy of logits ``z`` against ``y`` (one-hot or
    label-smoothed), leaving its gradient ``(softmax(z) - y) * scale`` in
    ``z`` and that gradient's column sums (the output bias's gradient) in
    ``column_sums``. Returns the summed loss and the number of rows whose
    true class (the largest ``y``) has the largest logit."""
    n_rows, n_classes = z.shape
    total, n_right = 0.0, 0
    column_sums[:] = 0
    for r in range(n_rows):
        top, true_class = z[r, 0], 0
        for j in range(1, n_classes):
            top = max(top, z[r, j])
            if y[r, j] > y[r, true_class]:
                true_class = j
        n_right += z[r, true_class] >= top
        norm, z_target = z.dtype.type(0), z.dtype.type(0)
        for j in range(n_classes):
            shifted = z[r, j] - top
            z_target += shifted * y[r, j]
            z[r, j] = np.exp(shifted)
            norm += z[r, j]
        for j in range(n_classes):
            d = (z[r, j] / norm - y[r, j]) * scale
            z[r, j] = d
            column_sums[j] += d
        total += np.log(norm) - z_target
    return total, n_right


@_jit
def binary_log_loss(z, y, scale, column_sums):
    """The logistic loss of logits ``z`` against 0/1 ``y`` (summed over the
    outputs), leaving its gradient ``(sigmoid(z) - y) * scale`` in ``z`` and
    its column sums in ``column_sums``, as :func:`softmax_log_loss`. Returns
    the summed loss and the number of rows with every output right."""
    n_rows, n_outputs = z.shape
    total, n_right = 0.0, 0
    half = z.dtype.type(0.5)
    column_sums[:] = 0
    for r in range(n_rows):
        right = True
        for j in range(n_outputs):
            zj, yj = z[r, j], y[r, j]
            right = right and ((zj >= 0) == (yj > half))
            total += max(zj, 0) - yj * zj + np.log1p(np.exp(-abs(zj)))
            d = (np.tanh(zj * half) * half + half - yj) * scale
            z[r, j] = d
            column_sums[j] += d
        n_right += right
    return total, n_right


# Losses whose value, accuracy and gradient are one compiled pass, by name.
LOSS_KERNELS = {"log_loss": softmax_log_loss, "binary_log_loss": binary_log_loss}
