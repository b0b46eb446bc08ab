"""Numerical embeddings: a learned expansion of each input column.

``numeric_embedding="pbld"`` is RealMLP's PBLD embedding (Holzmüller et al.
2024, after Gorishniy et al. 2022's periodic embeddings): each column ``x_j``
on its own becomes ``embedding_size - 1`` numbers

    e_j = cos(2 pi x_j w_j + c_j) @ V_j + d_j

(``w_j`` and ``c_j`` have ``embedding_frequencies`` entries, ``V_j`` maps
them to the embedding), followed by ``x_j`` itself. The first dense layer
reads ``[e_1, ..., e_n, x_1, ..., x_n]``: ``n_features * embedding_size``
inputs. The frequencies let the network draw sharp, periodic or
non-monotone shapes of a single column, which a dense layer of raw values
draws poorly.

Only the numeric columns are embedded (categorical columns, X's last, have
their own stage: see ``_categorical``). The embedding's weights are four
arrays, after the dense layers' weights and biases in every engine's
``get_weights``: ``w`` and ``c`` of shape
``(n_numeric, frequencies)``, ``V`` ``(n_numeric, frequencies, size - 1)``
and ``d`` ``(n_numeric, size - 1)``. Both engines and the ONNX export
compute the same function; the NumPy engine's gradients are checked by
finite differences.
"""

import numpy as np
import scipy.sparse as sp

NUMERIC_EMBEDDINGS = ("pbld",)
TWO_PI = 2.0 * np.pi


def _embeds(spec):
    """Whether the network embeds its numeric columns (it has some, and an
    embedding)."""
    return spec.numeric_embedding is not None and spec.n_numeric > 0


def embedding_shapes(spec):
    """The shapes of the embedding's weights (none without an embedding)."""
    if not _embeds(spec):
        return []
    n, k, size = spec.n_numeric, spec.embedding_frequencies, spec.embedding_size
    return [(n, k), (n, k), (n, k, size - 1), (n, size - 1)]


def embedded_width(spec):
    """How many numbers the numeric columns become."""
    if not _embeds(spec):
        return spec.n_numeric
    return spec.n_numeric * spec.embedding_size


def initial_embedding(spec, rng):
    """Fresh embedding weights, as RealMLP draws them: frequencies
    ``N(0, embedding_sigma)``, phases uniform on ``[-pi, pi]``, and the
    per-column linear map and its bias uniform on ``+-1 / sqrt(frequencies)``
    (a linear layer's default); none without an embedding."""
    if not _embeds(spec):
        return []
    freq, phase, linear, bias = embedding_shapes(spec)
    bound = 1.0 / np.sqrt(spec.embedding_frequencies)
    return [
        rng.normal(0.0, spec.embedding_sigma, freq),
        rng.uniform(-np.pi, np.pi, phase),
        rng.uniform(-bound, bound, linear),
        rng.uniform(-bound, bound, bias),
    ]


def _buffer(keep, name, shape, dtype):
    """``keep[name]``, an array of ``shape`` and ``dtype``: the one kept from
    the last batch when it fits, else a new one."""
    array = keep.get(name)
    if array is None or array.shape != shape or array.dtype != dtype:
        array = keep[name] = np.empty(shape, dtype)
    return array


def embed(X, embedding, keep=None):
    """``X`` (m, n) embedded: (m, n * size), in ``X``'s dtype.

    ``keep``, a dict, receives what :func:`embedding_gradients` needs; the
    arrays it holds from the last batch of the same size are reused (a
    training engine keeps one dict per batch size).
    """
    if sp.issparse(X):
        raise ValueError(
            "numeric_embedding needs dense X: it embeds every column's value. "
            "Convert X with X.toarray(), or set numeric_embedding=None."
        )
    freq, phase, linear, bias = embedding
    m, n = X.shape
    k, size = freq.shape[1], linear.shape[2]
    scratch = {} if keep is None else keep
    columns = _buffer(scratch, "columns", (n, m), X.dtype)
    columns[...] = X.T
    # (n, k, m): each column's angles per frequency, the rows innermost, so
    # that every elementwise pass runs along long contiguous rows.
    angle = _buffer(scratch, "angle", (n, k, m), X.dtype)
    np.multiply((TWO_PI * freq)[:, :, None], columns[:, None, :], out=angle)
    angle += phase[:, :, None]
    waves = np.cos(angle, out=_buffer(scratch, "waves", (n, k, m), X.dtype))
    out = np.empty((m, n * (size + 1)), X.dtype)
    embedded = out[:, : n * size].reshape(m, n, size).transpose(1, 0, 2)
    np.matmul(waves.transpose(0, 2, 1), linear, out=embedded)  # (n, m, size)
    embedded += bias[:, None, :]
    out[:, n * size :] = X
    return out


def embedding_gradients(embedding, keep, delta, grads):
    """Fill ``grads`` (arrays of the weights' shapes) with the gradients of
    the embedding's weights, from ``delta`` (m, n * size), the gradient at
    the embedding's output, and what :func:`embed` kept (its waves are
    overwritten)."""
    _, _, linear, _ = embedding
    n, k, m = keep["angle"].shape
    width = n * linear.shape[2]
    d_embedded = delta[:, :width].reshape(m, n, -1).transpose(1, 0, 2)  # (n, m, s)
    d_freq, d_phase, d_linear, d_bias = grads
    d_bias[...] = d_embedded.sum(axis=1)
    np.matmul(keep["waves"], d_embedded, out=d_linear)
    d_angle = _buffer(keep, "d_angle", (n, k, m), delta.dtype)
    np.matmul(linear, d_embedded.transpose(0, 2, 1), out=d_angle)
    d_angle *= np.sin(keep["angle"], out=keep["waves"])  # minus d(cos)/d(angle)
    # The sums over the rows of d_angle and of d_angle * x, in one product.
    ones_and_x = _buffer(keep, "ones_and_x", (n, m, 2), delta.dtype)
    ones_and_x[:, :, 0] = 1.0
    ones_and_x[:, :, 1] = keep["columns"]
    sums = np.matmul(d_angle, ones_and_x)  # (n, k, 2)
    np.multiply(sums[:, :, 0], -1.0, out=d_phase)
    np.multiply(sums[:, :, 1], -TWO_PI, out=d_freq)
