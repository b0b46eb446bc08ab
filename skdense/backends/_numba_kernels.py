"""The Numba kernels :mod:`._kernels` hands out (imported only when used).

Each kernel is one serial loop computing, per element and in the arrays'
dtype, what the NumPy path computes in several ufunc passes, in the same
order. An activation's loops are built from the per-element functions of
its row (:func:`activation_kernels`); the loss and optimizer loops here are
named by their rows. ``error_model="numpy"`` (no Python division checks) lets LLVM
vectorise the loop; ``fastmath`` is off, so every operation is IEEE-rounded
as in NumPy. The optimizers take the
penalty's gradient (``decay * w + l1 * sign(w)`` on the first ``n_coef``
weights, the weight matrices) inside their loop rather than as two more
passes.
"""

import functools

import numba
import numpy as np

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")
# The loops built from a row's per-element functions: compiled once per
# process (Numba cannot cache on disk a loop that calls a function it is given).
_built = numba.njit(nogil=True, error_model="numpy")
_scalar = numba.njit(inline="always")


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
def moving_average(average, p, momentum):
    """``average = momentum * average + (1 - momentum) * p``, in one pass."""
    rest = 1 - momentum
    for i in range(p.size):
        average[i] = average[i] * momentum + p[i] * rest


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


@functools.cache
def activation_kernels(compiled):
    """``(forward, derivative)`` loops for an activation's
    :class:`~skdense.backends._ops.Compiled` form (None where it has none).

    ``forward(out, b, aux, c)``: ``out = f(out + b)``, with ``aux`` (shaped
    as ``out``) the ufunc's scratch. ``derivative(a, delta, c,
    column_sums)``: ``delta *= f'(z)`` from the output ``a``, and the
    result's column sums (the layer's bias gradient) in ``column_sums``.
    """
    forward = derivative = None
    if compiled.after is not None:
        after = _scalar(compiled.after)
        if compiled.ufunc is None:
            forward = _one_pass_forward(after)
        else:
            before = _scalar(compiled.before)
            forward = _ufunc_forward(before, compiled.ufunc, after)
    if compiled.derivative is not None:
        derivative = _derivative_loop(_scalar(compiled.derivative))
    return forward, derivative


# The loops below index the arrays themselves: a loop whose body is a
# function given the indices does not vectorise (see the design notes).
def _one_pass_forward(after):
    @_built
    def forward(out, b, aux, c):
        n_rows, n_units = out.shape
        for r in range(n_rows):
            for j in range(n_units):
                z = out[r, j] + b[j]
                out[r, j] = after(z, z, c)

    return forward


def _ufunc_forward(before, ufunc, after):
    @_built
    def bias_and_before(out, b, aux, c):
        n_rows, n_units = out.shape
        for r in range(n_rows):
            for j in range(n_units):
                z = out[r, j] + b[j]
                out[r, j] = z
                aux[r, j] = before(z, c)

    @_built
    def with_after(out, aux, c):
        n_rows, n_units = out.shape
        for r in range(n_rows):
            for j in range(n_units):
                out[r, j] = after(out[r, j], aux[r, j], c)

    def forward(out, b, aux, c):
        bias_and_before(out, b, aux, c)
        ufunc(aux, out=aux)
        with_after(out, aux, c)

    return forward


def _derivative_loop(derivative):
    @_built
    def backward(a, delta, c, column_sums):
        n_rows, n_units = a.shape
        column_sums[:] = 0
        for r in range(n_rows):
            for j in range(n_units):
                d = derivative(a[r, j], delta[r, j], c)
                delta[r, j] = d
                column_sums[j] += d

    return backward


@_jit
def add_bias(out, b):
    """``out += b``, row by row (cheaper than NumPy's call on a small batch)."""
    n_rows, n_units = out.shape
    for r in range(n_rows):
        for j in range(n_units):
            out[r, j] += b[j]


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
