"""The network's input stage: what every input goes through before the first
layer, in training and prediction, on both engines and in ONNX.

In order: the factor ``input_scale``; with ``input_log``, each heavy-tailed
column (see :func:`heavy_tailed`) as ``sign(x) log(1 + |x|)``; with
``input_scaling``, each column
centred and scaled by statistics of the training data; with ``input_clip``,
the smooth clip ``x / sqrt(1 + (x / c)**2)``, which leaves small values
almost as they are and bends large ones towards ``+-c`` (RealMLP's
preprocessing, Holzmüller et al. 2024, is "robust" scaling and ``c = 3``).
:data:`INPUT_SCALINGS` holds one row per scaling: how its statistics are
computed.
"""

import numpy as np
import scipy.sparse as sp


def _standard(X):
    """Mean and 1 / standard deviation (0 for a constant column)."""
    spread = X.std(axis=0)
    return X.mean(axis=0), np.divide(
        1.0, spread, out=np.zeros_like(spread), where=spread > 0
    )


def _robust(X):
    """Median and 1 / interquartile range, as RealMLP: where the quartiles
    coincide, half the range instead; a constant column gets factor 0."""
    low, median, high = np.quantile(X, [0.25, 0.5, 0.75], axis=0)
    spread = high - low
    flat = spread == 0
    spread[flat] = 0.5 * (X.max(axis=0) - X.min(axis=0))[flat]
    return median, np.divide(1.0, spread, out=np.zeros_like(spread), where=spread > 0)


# input_scaling -> statistics(X) -> (center, factor), per column.
INPUT_SCALINGS = {"standard": _standard, "robust": _robust}


def signed_log(X):
    """``sign(X) * log(1 + |X|)``: near ``X`` around 0, logarithmic beyond."""
    return np.sign(X) * np.log1p(np.abs(X))


def heavy_tailed(X, threshold, input_scale=1.0):
    """The positions of the columns of ``X`` (after ``input_scale``) whose
    farthest value lies more than ``threshold`` interquartile ranges from
    their median: counts, amounts and durations, whose few large values
    would otherwise squeeze the rest together. ``()`` for None.

    Examples
    --------
    >>> import numpy as np
    >>> from skdense.backends._inputs import heavy_tailed
    >>> X = np.array([np.arange(8.0), [10, 12, 11, 13, 12, 11, 10, 5000.0]]).T
    >>> heavy_tailed(X, 10.0)
    (1,)
    """
    if threshold is None or sp.issparse(X) or X.shape[0] == 0:
        return ()
    X = np.asarray(X, np.float64) * input_scale
    low, median, high = np.quantile(X, [0.25, 0.5, 0.75], axis=0)
    farthest = np.abs(X - median).max(axis=0)
    return tuple(np.flatnonzero(farthest > threshold * (high - low)).tolist())


def input_statistics(X, scaling, input_scale=1.0, logged=()):
    """``(center, factor)`` tuples of ``scaling`` for the columns of ``X``
    (after ``input_scale``, and ``signed_log`` on the columns ``logged``),
    or ``(None, None)`` without a scaling.

    Examples
    --------
    >>> import numpy as np
    >>> from skdense.backends import input_statistics
    >>> X = np.array([[0.0, 1.0], [2.0, 1.0], [4.0, 1.0], [6.0, 1.0], [100.0, 1.0]])
    >>> center, factor = input_statistics(X, "robust")  # the outlier barely counts
    >>> center, factor
    ((4.0, 1.0), (0.25, 0.0))
    """
    if scaling is None:
        return None, None
    if sp.issparse(X):
        raise ValueError(
            f"input_scaling={scaling!r} centres every column, which would make "
            "sparse X dense; scale it beforehand (for example with "
            "MaxAbsScaler) and leave input_scaling=None."
        )
    X = np.asarray(X, np.float64) * input_scale
    if logged:
        X[:, logged] = signed_log(X[:, logged])
    center, factor = INPUT_SCALINGS[scaling](X)
    return tuple(center.tolist()), tuple(factor.tolist())


def as_input(X, dtype, spec):
    """``X`` through the input stage of ``spec``, in ``dtype`` (never in place).

    The stage transforms the numeric columns; categorical columns (the last
    ``len(spec.categorical_levels)``, level indices) pass as they are.
    Sparse ``X`` stays sparse (it takes ``input_scale`` only); dense ``X``
    already in ``dtype`` with no stage is returned as it is (no copy: nothing
    writes into it).
    """
    input_scale = spec.input_scale
    if sp.issparse(X):
        X = X.astype(dtype, copy=False)  # scaling below makes a new matrix
        return X if input_scale == 1.0 else X * dtype.type(input_scale)
    if spec.categorical_levels:
        X = np.asarray(X)
        numeric = _numeric_stage(X[:, : spec.n_numeric], dtype, spec)
        return np.concatenate([numeric, X[:, spec.n_numeric :].astype(dtype)], axis=1)
    return _numeric_stage(X, dtype, spec)


def _numeric_stage(X, dtype, spec):
    input_scale = spec.input_scale
    if input_scale == 1.0:
        # A copy when columns are logged in place below: X may be the user's.
        X = (np.array if spec.input_logged else np.asarray)(X, dtype=dtype)
    else:
        X = np.multiply(X, dtype.type(input_scale), dtype=dtype)
    if spec.input_logged:
        logged = list(spec.input_logged)
        X[:, logged] = signed_log(X[:, logged])
    if spec.input_center is not None:
        X = X - np.asarray(spec.input_center, dtype)
        X *= np.asarray(spec.input_factor, dtype)
    if spec.input_clip is not None:
        X = smooth_clip(X, spec.input_clip)
    return X


def smooth_clip(X, bound):
    """``X / sqrt(1 + (X / bound)**2)``: near ``X`` for small values, towards
    ``+-bound`` for large ones (a new array, in ``X``'s dtype)."""
    typed = X.dtype.type
    ratio = X * typed(1.0 / bound)
    ratio *= ratio
    ratio += typed(1.0)
    np.sqrt(ratio, out=ratio)
    return X / ratio
