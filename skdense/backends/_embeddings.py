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


def embed(X, embedding, keep=None):
    """``X`` (m, n) embedded: (m, n * size), in ``X``'s dtype.

    ``keep``, a dict, receives what :func:`embedding_gradients` needs.
    """
    if sp.issparse(X):
        raise ValueError(
            "numeric_embedding needs dense X: it embeds every column's value. "
            "Convert X with X.toarray(), or set numeric_embedding=None."
        )
    freq, phase, linear, bias = embedding
    m, n = X.shape
    columns = X.T[:, :, None]  # (n, m, 1): one batched product per column
    angle = columns * (TWO_PI * freq)[:, None, :] + phase[:, None, :]  # (n, m, k)
    waves = np.cos(angle)
    embedded = np.matmul(waves, linear) + bias[:, None, :]  # (n, m, size - 1)
    out = np.empty((m, n * (linear.shape[2] + 1)), X.dtype)
    out[:, : embedded.size // m] = embedded.transpose(1, 0, 2).reshape(m, -1)
    out[:, embedded.size // m :] = X
    if keep is not None:
        keep.update(columns=columns, angle=angle, waves=waves)
    return out


def embedding_gradients(embedding, keep, delta, grads):
    """Fill ``grads`` (arrays of the weights' shapes) with the gradients of
    the embedding's weights, from ``delta`` (m, n * size), the gradient at
    the embedding's output, and what :func:`embed` kept."""
    freq, _, linear, _ = embedding
    n, m, k = keep["angle"].shape
    width = n * linear.shape[2]
    d_embedded = delta[:, :width].reshape(m, n, -1).transpose(1, 0, 2)
    d_freq, d_phase, d_linear, d_bias = grads
    d_bias[...] = d_embedded.sum(axis=1)
    np.matmul(keep["waves"].transpose(0, 2, 1), d_embedded, out=d_linear)
    d_angle = np.matmul(d_embedded, linear.transpose(0, 2, 1))  # (n, m, k)
    d_angle *= -np.sin(keep["angle"])
    d_phase[...] = d_angle.sum(axis=1)
    d_freq[...] = TWO_PI * np.einsum("nmk,nm->nk", d_angle, keep["columns"][:, :, 0])
