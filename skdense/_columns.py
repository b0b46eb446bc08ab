"""Categorical columns of X: which they are, their levels, and X as the
network reads it.

``categorical_features`` chooses the columns, as HistGradientBoosting's
parameter of that name does: None (none), "from_dtype" (a DataFrame's
``category``, ``object`` and ``string`` columns), or the columns as a
boolean mask, integer positions or feature names. Each one's levels are the
distinct values of the training data, sorted; a model started by
``partial_fit``, which sees one batch, also takes every level a column's
dtype declares (a pandas ``CategoricalDtype``, a polars ``Enum``), so a
level the first batch lacks is still known. The network reads X with its
numeric columns first, in their order, then each categorical column as the
index of its value among the levels: ``-1`` for a missing value or a level
not seen in training, which the network encodes as no level at all
(``skdense.backends._categorical``).
"""

from __future__ import annotations

import numbers
from collections import Counter

import numpy as np
import scipy.sparse as sp

# pandas' dtype names (pandas 3 calls its default string dtype "str"), and
# polars' dtype classes, of the columns "from_dtype" takes.
CATEGORICAL_DTYPES = ("category", "object", "string", "str")
POLARS_CATEGORICAL_DTYPES = ("Categorical", "Enum", "String", "Utf8", "Object")
# Dates and durations, which are neither numbers nor categories.
POLARS_TIME_DTYPES = ("Date", "Datetime", "Duration", "Time")


def _is_polars(X):
    return type(X).__module__.split(".")[0] == "polars"


def _kind(dtype):
    """ "category" (a column "from_dtype" takes), "time" or "number"."""
    name = type(dtype).__name__
    if name in POLARS_CATEGORICAL_DTYPES:
        return "category"
    if getattr(dtype, "name", None) in CATEGORICAL_DTYPES:
        return "category"
    if name in POLARS_TIME_DTYPES or getattr(dtype, "kind", None) in ("m", "M"):
        return "time"
    return "number"


def _numbers(column):
    try:
        np.asarray(column, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return True


def check_column_types(X, categorical):
    """Refuse a DataFrame's text and date columns that the network would
    read as numbers: ``categorical`` are the positions of its categorical
    columns."""
    if not hasattr(X, "dtypes") or not hasattr(X, "columns"):
        return
    for j, (name, dtype) in enumerate(zip(X.columns, X.dtypes, strict=True)):
        if j in categorical:
            continue
        kind = _kind(dtype)
        if kind == "category" and str(dtype) == "object" and _numbers(X[name]):
            continue  # an object column of numbers reads as numbers
        if kind == "category":
            raise ValueError(
                f"Column {name!r} holds text or categories (dtype {dtype}), which "
                "the network cannot read as numbers. Set categorical_features="
                "'from_dtype' (or name it in categorical_features) to take it as "
                "a category."
            )
        if kind == "time":
            raise ValueError(
                f"Column {name!r} holds dates or durations (dtype {dtype}). "
                "Turn it into numbers beforehand (a year, a month, days since a "
                "date), or into a category."
            )


def _is_missing(value):
    return value is None or (isinstance(value, float) and value != value)


def _values(column):
    """A column's values as a 1-D object array (pandas' and polars' missing
    values as None)."""
    if hasattr(column, "iloc"):  # a pandas Series
        return column.astype(object).where(column.notna(), None).to_numpy()
    if hasattr(column, "to_list"):  # a polars Series (nulls are None)
        values = np.empty(len(column), dtype=object)
        values[:] = column.to_list()
        return values
    return np.asarray(column, dtype=object)


def _sorted(values):
    """``values`` sorted (by their text when their types do not compare)."""
    try:
        return tuple(sorted(values))
    except TypeError:
        return tuple(sorted(values, key=repr))


def _levels(column, min_frequency=None, max_categories=None):
    """The levels of ``column``: its distinct values but missing ones,
    sorted, and whether others were pooled into one infrequent level (those
    seen fewer than ``min_frequency`` times, an int or a fraction of the
    rows, and all but the ``max_categories - 1`` most frequent)."""
    counts = Counter(v for v in _values(column).tolist() if not _is_missing(v))
    if min_frequency is None and max_categories is None:
        return _sorted(counts), False
    if isinstance(min_frequency, numbers.Real) and min_frequency < 1:
        min_frequency = min_frequency * len(column)
    kept = [v for v, c in counts.items() if c >= (min_frequency or 0)]
    if max_categories is not None and len(kept) > max_categories - 1:
        by_count = sorted(kept, key=lambda v: -counts[v])  # stable: first seen
        kept = by_count[: max_categories - 1]
    return _sorted(kept), len(kept) < len(counts)


def declared_levels(column):
    """The levels a column's dtype declares (a pandas ``CategoricalDtype``'s
    categories, a polars ``Enum``'s), or ``()``."""
    dtype = getattr(column, "dtype", None)
    if type(dtype).__name__ not in ("CategoricalDtype", "Enum"):
        return ()  # a polars Categorical declares no fixed set
    return tuple(dtype.categories.to_list())


def _positions(X, categorical_features, n_features):
    """The positions of the categorical columns ``categorical_features``
    names in ``X``."""
    if categorical_features is None:
        return ()
    if isinstance(categorical_features, str):  # "from_dtype"
        if not hasattr(X, "dtypes"):
            return ()
        return tuple(
            j for j, dtype in enumerate(X.dtypes) if _kind(dtype) == "category"
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

    def __init__(self, positions, levels, n_features, pooled=None):
        self.positions = tuple(int(j) for j in positions)
        self.levels = tuple(tuple(column) for column in levels)
        self.n_features = int(n_features)
        self.pooled = tuple(bool(p) for p in (pooled or [False] * len(levels)))

    def __setstate__(self, state):
        # Models saved before rare levels were pooled have none.
        state.setdefault("pooled", (False,) * len(state["levels"]))
        self.__dict__.update(state)

    @classmethod
    def fit(
        cls,
        X,
        categorical_features,
        min_frequency=None,
        max_categories=None,
        declared_by=(),
    ):
        """The categorical columns of ``X`` (None if it has none), rare levels
        pooled as ``min_frequency`` and ``max_categories`` say; with
        ``declared_by`` (DataFrames with ``X``'s columns), also every level
        their dtypes declare, whatever its count."""
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
        found = [
            _levels(_column(X, j), min_frequency, max_categories) for j in positions
        ]
        levels, pooled = zip(*found, strict=True)
        if declared_by:
            levels = [
                _sorted(
                    {*column}.union(
                        *(declared_levels(_column(frame, j)) for frame in declared_by)
                    )
                )
                for j, column in zip(positions, levels, strict=True)
            ]
        empty = [
            j
            for j, column, rare in zip(positions, levels, pooled, strict=True)
            if not column and not rare
        ]
        if empty:
            raise ValueError(
                f"The categorical columns at positions {empty} hold missing values "
                "only; drop them, or leave them out of categorical_features."
            )
        return cls(positions, levels, n_features, pooled)

    @property
    def numeric(self):
        """The positions of the numeric columns."""
        return tuple(j for j in range(self.n_features) if j not in self.positions)

    @property
    def n_levels(self):
        """The number of levels of each categorical column."""
        pairs = zip(self.levels, self.pooled, strict=True)
        return tuple(len(column) + rare for column, rare in pairs)

    def _encoded(self, X):
        """Each categorical column of ``X``: ``(position, level indices)``."""
        columns = zip(self.positions, self.levels, self.pooled, strict=True)
        for j, levels, rare in columns:
            yield j, _indices(_column(X, j), levels, rare)

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
            encoded = list(self._encoded(X))
            X = X.copy()
            for j, indices in encoded:
                X.isetitem(j, indices)
            return X
        if _is_polars(X) and hasattr(X, "with_columns"):
            import polars as pl

            return X.with_columns(
                pl.Series(X.columns[j], indices) for j, indices in self._encoded(X)
            )
        X = np.array(X, dtype=object)  # a copy: the user's X is not changed
        if X.ndim == 2 and X.shape[1] == self.n_features:
            for j, indices in list(self._encoded(X)):
                X[:, j] = indices
        return X  # of another shape, validate_data says what is wrong

    def network_order(self, X):
        """The columns of an encoded, validated array in the network's order:
        the numeric ones, then the categorical ones."""
        return X[:, [*self.numeric, *self.positions]]


def _column(X, j):
    if hasattr(X, "iloc"):
        return X.iloc[:, j]
    if _is_polars(X) and hasattr(X, "to_series"):
        return X.to_series(j)
    return np.asarray(X, dtype=object)[:, j]


def _indices(column, levels, pooled=False):
    """Each value's index among ``levels``; -1 for missing ones, and for
    others -1 too, or with ``pooled`` the infrequent level's index."""
    other = len(levels) if pooled else -1
    if hasattr(column, "iloc"):  # a pandas Series: pandas' hash lookup
        import pandas as pd

        indices = pd.Index(levels, dtype=object).get_indexer(column.astype(object))
        indices = np.where(indices < 0, other, indices)
        return np.where(column.isna().to_numpy(), -1, indices).astype(np.int64)
    lookup = {level: i for i, level in enumerate(levels)}
    values = _values(column).tolist()
    return np.array(
        [-1 if _is_missing(v) else lookup.get(v, other) for v in values], np.int64
    )
