"""Missing values in numeric columns: refused, or an input the network learns.

``missing_values="error"`` (the default, MLPClassifier's rule) refuses NaN.
``missing_values="indicator"`` fills each NaN of a numeric column with the
column's median in the first fit and gives every column that had NaN there
one more input, 1 where the value was missing and 0 elsewhere: a feature
with its own learned weights, so the network learns what "missing" means
(as gradient boosting learns which side of each split NaN goes to). A NaN
at prediction time in a column that had none in the fit is filled too. An
infinite value is an error either way. Categorical columns take missing
values as no level at all (``skdense._columns``) whatever this says.

The network reads the filled numeric columns, then the indicators, then the
categorical level indices.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

MISSING_VALUES = ("error", "indicator")


def _column_names(estimator, positions):
    """The user's names of the input columns at ``positions``."""
    names = getattr(estimator, "feature_names_in_", None)
    return [repr(str(names[j])) if names is not None else str(j) for j in positions]


def _named(estimator, positions):
    """``column 'a'`` or ``columns 'a', 'b' (and 3 more)``, for messages."""
    names = _column_names(estimator, positions[:3])
    more = f" (and {len(positions) - 3} more)" if len(positions) > 3 else ""
    plural = "s" if len(positions) > 1 else ""
    return f"column{plural} {', '.join(names)}{more}"


def _row_blocks(values):
    """``values`` a block of rows at a time (about a million values each)."""
    rows = max(1, 2**20 // max(1, values[:1].size))
    return (values[start : start + rows] for start in range(0, len(values), rows))


def _all_finite(values):
    """Whether every value is finite, without a temporary of ``values``'s
    size: the sum is finite when every value is (scikit-learn's fast path);
    when it is not, the rows are checked a block at a time."""
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(values.sum()):
            return True
    return all(np.isfinite(block).all() for block in _row_blocks(values))


def check_finite(estimator, X, numeric, allow_nan):
    """Refuse infinite values in the numeric part of ``X`` (the network's
    order: its first ``len(numeric)`` columns, ``numeric`` their positions
    in the user's X), and NaN unless ``allow_nan``, naming the columns."""
    if X.dtype.kind != "f":
        return
    values = X.data if sp.issparse(X) else X[:, : len(numeric)]
    if _all_finite(values):
        return
    if sp.issparse(X):
        raise ValueError(
            "Input X contains NaN or infinity in a sparse matrix; skdense takes "
            "missing values (missing_values='indicator') in dense X only."
        )
    infinite = np.isinf(values).any(axis=0)
    if infinite.any():
        where = [numeric[j] for j in np.flatnonzero(infinite)]
        raise ValueError(
            f"Input X contains infinity (inf) in {_named(estimator, where)}; "
            "replace it with a finite value or NaN."
        )
    if not allow_nan:
        where = [numeric[j] for j in np.flatnonzero(np.isnan(values).any(axis=0))]
        raise ValueError(
            f"Input X contains NaN in {_named(estimator, where)}. Set "
            "missing_values='indicator' to learn from missing values (each such "
            "column gets a learned 'missing' input), or impute them beforehand."
        )


class MissingValues:
    """The fill value of every numeric column, and which columns had NaN in
    the fit (they get an indicator input).

    Examples
    --------
    >>> import numpy as np
    >>> from skdense._missing import MissingValues
    >>> X = np.array([[1.0, 5.0], [np.nan, 7.0], [3.0, 6.0]])
    >>> missing = MissingValues.fit(X, n_numeric=2)
    >>> missing.fill, missing.indicated
    ((2.0, 6.0), (0,))
    >>> missing.apply(np.array([[np.nan, np.nan]]))
    array([[2., 6., 1.]])
    """

    def __init__(self, fill, indicated):
        self.fill = tuple(float(v) for v in fill)
        self.indicated = tuple(int(j) for j in indicated)

    @classmethod
    def fit(cls, X, n_numeric):
        """The statistics of the first ``n_numeric`` columns of ``X``."""
        X = X[:, :n_numeric]
        if sp.issparse(X) or X.dtype.kind != "f":
            return cls([0.0] * n_numeric, ())
        # Column by column, a few at a time: no temporary of X's size.
        n_missing = sum(
            np.isnan(block).sum(axis=0) for block in _row_blocks(X)
        ) + np.zeros(n_numeric, int)
        indicated = np.flatnonzero(n_missing)
        fill = np.zeros(n_numeric)
        observed = np.flatnonzero(n_missing < len(X))
        step = max(1, 2**20 // max(1, len(X)))
        for start in range(0, len(observed), step):
            columns = observed[start : start + step]
            fill[columns] = np.nanmedian(X[:, columns], axis=0)
        return cls(fill, indicated)

    @property
    def n_indicators(self):
        return len(self.indicated)

    def apply(self, X):
        """``X`` with its NaN filled and the indicators after its numeric
        columns, the first ``len(fill)`` (a new array; ``X`` is not changed).
        ``X`` without NaN passes as it is when the fit had none either."""
        n_numeric = len(self.fill)
        dense_float = not sp.issparse(X) and X.dtype.kind == "f"
        # Infinity was refused before: a value that is not finite is NaN.
        has_nan = dense_float and not _all_finite(X[:, :n_numeric])
        if not has_nan and not self.indicated:
            return X
        missing = np.isnan(X[:, :n_numeric]) if dense_float else None
        X = X.toarray() if sp.issparse(X) else np.asarray(X)
        dtype = X.dtype if X.dtype.kind == "f" else np.dtype(np.float64)
        numeric = X[:, :n_numeric].astype(dtype, copy=False)
        if has_nan:
            numeric = np.where(missing, np.asarray(self.fill, dtype), numeric)
        if missing is None:
            indicators = np.zeros((len(X), self.n_indicators), dtype)
        else:
            indicators = missing[:, list(self.indicated)].astype(dtype)
        rest = X[:, n_numeric:].astype(dtype, copy=False)
        return np.concatenate([numeric, indicators, rest], axis=1)
