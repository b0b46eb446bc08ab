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

import numpy as np


def _embedded_columns(spec):
    """Which categorical columns are embedded (True) or one-hot (False)."""
    return [k > spec.max_onehot_categories for k in spec.categorical_levels]


def categorical_shapes(spec):
    """The tables' shapes, one per embedded column."""
    size = spec.categorical_embedding_size
    return [
        (k, size)
        for k, embedded in zip(
            spec.categorical_levels, _embedded_columns(spec), strict=True
        )
        if embedded
    ]


def categorical_widths(spec):
    """How many numbers each categorical column becomes."""
    size = spec.categorical_embedding_size
    return [
        size if embedded else k
        for k, embedded in zip(
            spec.categorical_levels, _embedded_columns(spec), strict=True
        )
    ]


def categorical_width(spec):
    """How many numbers the categorical columns become in all."""
    return sum(categorical_widths(spec))


def initial_tables(spec, rng):
    """Fresh tables: N(0, 1), as ``torch.nn.Embedding`` draws them (a row has
    the magnitude of a one-hot vector)."""
    return [rng.normal(0.0, 1.0, shape) for shape in categorical_shapes(spec)]


def level_indices(codes, spec):
    """``codes`` (m, n_categorical) as integer level indices, -1 where a
    value is not one of the column's levels."""
    index = np.full(codes.shape, -1, np.intp)
    levels = np.asarray(spec.categorical_levels)
    known = (codes >= 0) & (codes < levels)
    index[known] = codes[known]
    return index


def encode_categories(codes, tables, spec, keep=None):
    """The categorical columns' part of the first layer's input: (m, width),
    in ``codes``' dtype. ``keep``, a dict, receives the level indices, which
    :func:`category_gradients` needs."""
    index = level_indices(codes, spec)
    widths = categorical_widths(spec)
    starts = np.cumsum([0, *widths[:-1]])
    out = np.zeros((codes.shape[0], sum(widths)), codes.dtype)
    tables = iter(tables)
    for j, embedded in enumerate(_embedded_columns(spec)):
        rows = np.flatnonzero(index[:, j] >= 0)
        if embedded:
            width = widths[j]
            out[rows, starts[j] : starts[j] + width] = next(tables)[index[rows, j]]
        else:
            out[rows, starts[j] + index[rows, j]] = 1.0
    if keep is not None:
        keep["index"] = index
    return out


def category_gradients(keep, delta, spec, grads):
    """Fill ``grads`` (arrays of the tables' shapes) with the tables'
    gradients, from ``delta`` (m, width), the gradient at
    :func:`encode_categories`' output."""
    index = keep["index"]
    widths = categorical_widths(spec)
    starts = np.cumsum([0, *widths[:-1]])
    grads = iter(grads)
    for j, embedded in enumerate(_embedded_columns(spec)):
        if embedded:
            grad = next(grads)
            grad[...] = 0.0
            rows = np.flatnonzero(index[:, j] >= 0)
            part = delta[rows, starts[j] : starts[j] + widths[j]]
            np.add.at(grad, index[rows, j], part)
