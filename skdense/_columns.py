"""Categorical columns of X: which they are, their levels, and X as the
network reads it.

``categorical_features`` chooses the columns, as HistGradientBoosting's
parameter of that name does: None (none), "from_dtype" (a DataFrame's
``category``, ``object`` and ``string`` columns), or the columns as a
boolean mask, integer positions or feature names. Each one's levels are the
distinct values of the training data, sorted. The network reads X with its
numeric columns first, in their order, then each categorical column as the
index of its value among the levels: ``-1`` for a missing value or a level
not seen in training, which the network encodes as no level at all
(``skdense.backends._categorical``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

# pandas' dtype names (pandas 3 calls its default string dtype "str").
CATEGORICAL_DTYPES = ("category", "object", "string", "str")


def _is_missing(value):
    return value is None or (isinstance(value, float) and value != value)


def _values(column):
    """A column's values as a 1-D object array (pandas' missing values as
    None)."""
    if hasattr(column, "to_numpy"):  # a pandas Series
        return column.astype(object).where(column.notna(), None).to_numpy()
    return np.asarray(column, dtype=object)


def _levels(column):
    """The distinct values of ``column`` but missing ones, sorted (by their
    text when their types do not compare)."""
    distinct = {v for v in _values(column).tolist() if not _is_missing(v)}
    try:
        return tuple(sorted(distinct))
    except TypeError:
        return tuple(sorted(distinct, key=repr))


def _positions(X, categorical_features, n_features):
    """The positions of the categorical columns ``categorical_features``
    names in ``X``."""
    if categorical_features is None:
        return ()
    if isinstance(categorical_features, str):  # "from_dtype"
        if not hasattr(X, "dtypes"):
            return ()
        return tuple(
            j
            for j, dtype in enumerate(X.dtypes)
            if getattr(dtype, "name", str(dtype)) in CATEGORICAL_DTYPES
        )
    chosen = np.asarray(categorical_features)
    if chosen.dtype.kind == "b":
        if chosen.shape != (n_features,):
            raise ValueError(
                f"categorical_features as a mask needs one entry per feature "
                f"({n_features}); got shape {chosen.shape}."
            )
        return tuple(np.flatnonzero(chosen).tolist())
    if chosen.dtype.kind in "OUS":
        names = list(getattr(X, "columns", []))
        unknown = [name for name in chosen.tolist() if name not in names]
        if unknown:
            raise ValueError(
                f"categorical_features names {unknown!r}, which are not columns "
                "of X (feature names need a DataFrame)."
            )
        return tuple(sorted(names.index(name) for name in chosen.tolist()))
    positions = chosen.astype(np.int64).ravel().tolist()
    if any(not -n_features <= j < n_features for j in positions):
        raise ValueError(
            f"categorical_features has positions {positions!r}; X has "
            f"{n_features} features."
        )
    return tuple(sorted({j % n_features for j in positions}))


class CategoricalColumns:
    """The categorical columns of a fit and their levels.

    Examples
    --------
    >>> import numpy as np
    >>> from skdense._columns import CategoricalColumns
    >>> X = np.array([[1.5, "red"], [2.0, "blue"], [0.5, "red"]], dtype=object)
    >>> columns = CategoricalColumns.fit(X, [1])
    >>> columns.levels
    (('blue', 'red'),)
    >>> columns.encode(np.array([[1.0, "red"], [3.0, "green"]], dtype=object))
    array([[1.0, 1],
           [3.0, -1]], dtype=object)
    >>> columns.network_order(np.array([[1.0, 1.0], [3.0, -1.0]]))
    array([[ 1.,  1.],
           [ 3., -1.]])
    """

    def __init__(self, positions, levels, n_features):
        self.positions = tuple(int(j) for j in positions)
        self.levels = tuple(tuple(column) for column in levels)
        self.n_features = int(n_features)

    @classmethod
    def fit(cls, X, categorical_features):
        """The categorical columns of ``X`` (None if it has none)."""
        n_features = X.shape[1] if len(getattr(X, "shape", ())) == 2 else None
        if n_features is None:
            return None  # validate_data says what is wrong with X
        positions = _positions(X, categorical_features, n_features)
        if not positions:
            return None
        if sp.issparse(X):
            raise ValueError(
                "categorical_features needs dense X (a DataFrame or an array): "
                "sparse X has no categorical columns. Encode them beforehand, or "
                "set categorical_features=None."
            )
        levels = [_levels(_column(X, j)) for j in positions]
        empty = [j for j, column in zip(positions, levels, strict=True) if not column]
        if empty:
            raise ValueError(
                f"The categorical columns at positions {empty} hold missing values "
                "only; drop them, or leave them out of categorical_features."
            )
        return cls(positions, levels, n_features)

    @property
    def numeric(self):
        """The positions of the numeric columns."""
        return tuple(j for j in range(self.n_features) if j not in self.positions)

    @property
    def n_levels(self):
        """The number of levels of each categorical column."""
        return tuple(len(column) for column in self.levels)

    def encode(self, X):
        """``X`` with each categorical value replaced by its level's index
        (-1 for missing or unseen), in place of the column: a DataFrame stays
        one (with its column names), anything else becomes an object array."""
        if sp.issparse(X):
            raise ValueError(
                "This model has categorical columns; it needs dense X (a "
                "DataFrame or an array), not a sparse matrix."
            )
        if hasattr(X, "iloc"):
            X = X.copy()
            for j, levels in zip(self.positions, self.levels, strict=True):
                X.isetitem(j, _indices(X.iloc[:, j], levels))
            return X
        X = np.array(X, dtype=object)  # a copy: the user's X is not changed
        if X.ndim == 2 and X.shape[1] == self.n_features:
            for j, levels in zip(self.positions, self.levels, strict=True):
                X[:, j] = _indices(X[:, j], levels)
        return X  # of another shape, validate_data says what is wrong

    def network_order(self, X):
        """The columns of an encoded, validated array in the network's order:
        the numeric ones, then the categorical ones."""
        return X[:, [*self.numeric, *self.positions]]


def _column(X, j):
    return X.iloc[:, j] if hasattr(X, "iloc") else np.asarray(X, dtype=object)[:, j]


def _indices(column, levels):
    """Each value's index among ``levels``; -1 for missing or unseen ones."""
    if hasattr(column, "to_numpy"):  # a pandas Series: pandas' hash lookup
        import pandas as pd

        indices = pd.Index(levels, dtype=object).get_indexer(column.astype(object))
        return np.where(column.isna().to_numpy(), -1, indices).astype(np.int64)
    lookup = {level: i for i, level in enumerate(levels)}
    values = _values(column).tolist()
    return np.array(
        [-1 if _is_missing(v) else lookup.get(v, -1) for v in values], np.int64
    )
