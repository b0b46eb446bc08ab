"""Categorical columns in the network: each level index becomes a one-hot
vector (few levels) or a learned embedding (many).

The network reads a categorical column as the index of its level, ``0`` to
``levels - 1``, or ``-1`` for a missing value or a level the training data
did not have (``skdense._columns`` makes these indices from the user's
values). Categorical columns are X's last ones; ``spec.categorical_levels``
gives their number of levels. A column of at most
``spec.max_onehot_categories`` levels becomes its one-hot vector (all zeros
for ``-1``, as OneHotEncoder's ``handle_unknown="ignore"``); a larger one
becomes ``spec.categorical_embedding_size`` learned numbers, the row of its
table (zeros for ``-1``), as RealMLP and TabM embed categories. The first
dense layer reads ``[numeric part, column 1's part, column 2's part, ...]``.

The tables, ``(levels, categorical_embedding_size)`` each, follow the numeric
embedding's weights in every engine's ``get_weights``.
"""

import functools

import numpy as np


def _columns(spec):
    """Per categorical column: its levels, whether it is embedded (else
    one-hot), and how many numbers it becomes."""
    size = spec.categorical_embedding_size
    for k in spec.categorical_levels:
        embedded = k > spec.max_onehot_categories
        yield k, embedded, size if embedded else k


def categorical_shapes(spec):
    """The tables' shapes, one per embedded column."""
    size = spec.categorical_embedding_size
    return [(k, size) for k, embedded, _ in _columns(spec) if embedded]


def categorical_widths(spec):
    """How many numbers each categorical column becomes."""
    return [width for *_, width in _columns(spec)]


def categorical_width(spec):
    """How many numbers the categorical columns become in all."""
    return sum(categorical_widths(spec))


def _embedded_and_starts(spec):
    """The embedded columns' positions, the one-hot columns' positions, and
    where each column's numbers start in the stage's output."""
    return _layout(
        spec.categorical_levels,
        spec.max_onehot_categories,
        spec.categorical_embedding_size,
    )


@functools.lru_cache(maxsize=32)  # asked twice a batch: worked out once a fit
def _layout(levels, max_onehot, size):
    embedded = np.array([k > max_onehot for k in levels], bool)
    widths = [size if e else k for k, e in zip(levels, embedded, strict=True)]
    starts = np.cumsum([0, *widths[:-1]])
    layout = np.flatnonzero(embedded), np.flatnonzero(~embedded), starts
    for array in layout:  # shared by every call: read-only
        array.flags.writeable = False
    return layout


def initial_tables(spec, rng):
    """Fresh tables: N(0, 1), as ``torch.nn.Embedding`` draws them (a row has
    the magnitude of a one-hot vector)."""
    return [rng.normal(0.0, 1.0, shape) for shape in categorical_shapes(spec)]


def level_indices(codes, spec):
    """``codes`` (m, n_categorical) as integer level indices, -1 where a
    value is not one of the column's levels."""
    known = (codes >= 0) & (codes < np.asarray(spec.categorical_levels))
    return np.where(known, codes, -1).astype(np.intp)


def encode_categories(codes, tables, spec, keep=None):
    """The categorical columns' part of the first layer's input: (m, width),
    in ``codes``' dtype. ``keep``, a dict, receives the level indices, which
    :func:`category_gradients` needs."""
    index = level_indices(codes, spec)
    embedded, one_hot, starts = _embedded_and_starts(spec)
    m, width = codes.shape[0], categorical_width(spec)
    # One more column, where the unknown levels' ones land and are dropped:
    # all one-hot columns are set in one scatter, without picking rows.
    out = np.zeros((m, width + 1), codes.dtype)
    levels = index[:, one_hot]
    at = np.where(levels >= 0, levels + starts[one_hot], width)
    at += np.arange(m)[:, None] * (width + 1)
    out.ravel()[at.ravel()] = 1.0
    out = out[:, :width]
    size = spec.categorical_embedding_size
    for j, table in zip(embedded, tables, strict=True):
        rows = np.flatnonzero(index[:, j] >= 0)
        out[rows, starts[j] : starts[j] + size] = table[index[rows, j]]
    if keep is not None:
        keep["index"] = index
    return out


def category_gradients(keep, delta, spec, grads):
    """Fill ``grads`` (arrays of the tables' shapes) with the tables'
    gradients, from ``delta`` (m, width), the gradient at
    :func:`encode_categories`' output."""
    index = keep["index"]
    embedded, _, starts = _embedded_and_starts(spec)
    size = spec.categorical_embedding_size
    for j, grad in zip(embedded, grads, strict=True):
        grad[...] = 0.0
        rows = np.flatnonzero(index[:, j] >= 0)
        np.add.at(grad, index[rows, j], delta[rows, starts[j] : starts[j] + size])
