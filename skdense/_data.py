"""What ``fit`` receives, checked and prepared: labels, weights, a validation split.

Functions here know arrays only; the estimator calls them and keeps what
scikit-learn sees.
"""

from contextlib import contextmanager

import numpy as np
import scipy.sparse as sp
from sklearn.model_selection import train_test_split
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.validation import column_or_1d

from .backends._ops import LOSSES

# Integer inputs (8-bit pixels, say) are kept as they are, memory maps included,
# and converted to the compute dtype batch by batch: no float copy of X.
INTEGER_DTYPES = tuple(
    np.dtype(f"{sign}int{bits}") for sign in ("u", "") for bits in (8, 16, 32, 64)
)


def as_rows(X):
    """``X`` for row batches: CSC becomes CSR (sparse data stays sparse)."""
    if sp.issparse(X) and X.format != "csr":
        return X.tocsr()
    return X


@contextmanager
def unchanged_on_error(estimator):
    """Put the estimator's attributes back as they were if the block raises
    (a second Ctrl-C's KeyboardInterrupt included)."""
    state = dict(vars(estimator))
    try:
        yield
    except BaseException:
        vars(estimator).clear()
        vars(estimator).update(state)
        raise


def check_classes(y, classes, known=None):
    """The sorted classes: ``known`` ones (training goes on), ``classes`` or y's."""
    if known is not None and classes is not None:
        if not np.array_equal(np.unique(column_or_1d(classes)), known):
            raise ValueError(
                f"`classes={list(classes)!r}` is not the same as on last call to "
                f"partial_fit, was: {known!r}"
            )
    if known is not None:
        classes_ = known
    elif classes is not None:
        classes_ = np.unique(column_or_1d(classes))
    else:
        classes_ = np.unique(y)
    unseen = np.setdiff1d(y, classes_)
    if unseen.size:
        raise ValueError(
            f"y contains labels {unseen.tolist()} that are not among the classes "
            f"{classes_.tolist()} (those of the first fit, or `classes`)."
        )
    if len(classes_) < 2:
        raise ValueError(
            "DenseClassifier needs samples of at least 2 classes; the data "
            f"contains only one class: {classes_[0]!r}."
        )
    return classes_


def check_multilabel(y, classes, known=None):
    """The labels of a 0/1 indicator ``y`` (n_samples, n_labels): their indices.

    ``known`` are the labels of the fit training goes on from, ``classes``
    those given to ``partial_fit``; both must be ``arange(n_labels)``.
    """
    if not np.isin(y, (0, 1)).all():
        raise ValueError(
            "A y with several columns must be a 0/1 indicator matrix (multilabel "
            "classification); it holds other values. Multiclass-multioutput y is "
            "not supported."
        )
    classes_ = np.arange(y.shape[1])
    if known is not None and not np.array_equal(known, classes_):
        raise ValueError(
            f"y has {y.shape[1]} labels; the previous fit had {len(known)}."
        )
    if classes is not None and not np.array_equal(
        np.unique(column_or_1d(classes)), classes_
    ):
        raise ValueError(
            f"For a multilabel y of {y.shape[1]} labels, classes must be "
            f"{classes_.tolist()} (the column indices); got {list(classes)!r}."
        )
    return classes_


def class_targets(y_index, n_classes, dtype):
    """0/1 column for two classes, one-hot rows for more."""
    if n_classes == 2:
        return (y_index == 1).astype(dtype)[:, None]
    return np.eye(n_classes, dtype=dtype)[y_index]


def encode_targets(y, classes, known, sample_weight, class_weight, dtype):
    """``(classes_, Y, sample_weight)``: the classes and the network's targets.

    Two classes give one 0/1 column (one sigmoid unit), more give one-hot
    rows (a softmax), and a multilabel indicator ``y`` is its own target (one
    sigmoid unit per label). ``known`` are the classes of the fit training
    goes on from, if any.
    """
    if y.ndim == 2:
        classes_ = check_multilabel(y, classes, known)
        sample_weight = multilabel_sample_weight(sample_weight, len(y), class_weight)
        return classes_, y.astype(dtype), sample_weight
    classes_ = check_classes(y, classes, known)
    y_index = np.searchsorted(classes_, y)
    sample_weight = class_sample_weight(sample_weight, y_index, classes_, class_weight)
    return classes_, class_targets(y_index, len(classes_), dtype), sample_weight


def check_sample_weight(sample_weight, n_samples):
    """``sample_weight`` as float64, checked: finite, non-negative, one per row."""
    if sample_weight is None:
        return None
    sample_weight = np.asarray(sample_weight, dtype=np.float64)
    if sample_weight.ndim != 1 or sample_weight.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight.shape == {sample_weight.shape}, expected ({n_samples},)."
        )
    if not np.all(np.isfinite(sample_weight)) or np.any(sample_weight < 0):
        raise ValueError("sample_weight must be finite and non-negative.")
    return sample_weight


def multilabel_sample_weight(sample_weight, n_samples, class_weight):
    """Checked sample weights of a multilabel y, which takes no class weights."""
    if class_weight is not None:
        raise ValueError(
            "class_weight is not supported for a multilabel y (a sample has "
            "several labels); weigh samples with sample_weight instead."
        )
    return nonzero_sample_weight(sample_weight, n_samples)


def class_sample_weight(sample_weight, y_index, classes_, class_weight):
    """Sample weights times class weights, or None when all are 1."""
    sample_weight = check_sample_weight(sample_weight, len(y_index))
    if class_weight is not None:
        if isinstance(class_weight, dict):
            unknown = set(class_weight) - set(classes_.tolist())
            if unknown:
                raise ValueError(f"class_weight has labels {unknown} not in y.")
        cw = compute_sample_weight(class_weight, classes_[y_index])
        sample_weight = cw if sample_weight is None else sample_weight * cw
    if sample_weight is None:
        return None
    if not np.any(sample_weight > 0):
        raise ValueError("Sample weights must contain at least one non-zero number.")
    if len(np.unique(y_index[sample_weight > 0])) < 2:
        raise ValueError(
            "Only one class has a non-zero sample weight; DenseClassifier needs "
            "samples of at least 2 classes."
        )
    return sample_weight


def regression_targets(y, loss, dtype, n_targets=None):
    """A regressor's ``y`` as the network's targets, ``(n_samples, n_targets)``.

    ``y`` must be numeric and finite in ``dtype``, pass the loss row's
    ``check_targets`` (non-negative for ``loss="poisson"``), and have
    ``n_targets`` columns when given.
    """
    y = np.asarray(y)
    if y.dtype.kind not in "biuf":
        raise ValueError(
            f"A regressor's y must be numeric; got dtype {y.dtype}. Encode the "
            "targets as numbers (DenseClassifier handles class labels)."
        )
    with np.errstate(over="ignore"):  # values beyond dtype's range: refused below
        Y = (y[:, None] if y.ndim == 1 else y).astype(dtype)
    if not np.all(np.isfinite(Y)):
        raise ValueError(
            f"y has values that are NaN, infinite or too large for {dtype}; the "
            "targets must be finite (use dtype=np.float64 for values beyond "
            "3.4e38)."
        )
    check_targets = LOSSES[loss].check_targets
    if check_targets is not None:
        check_targets(Y)
    if n_targets is not None and Y.shape[1] != n_targets:
        raise ValueError(
            f"y_val has {Y.shape[1]} target(s); the model has {n_targets}."
        )
    return Y


def nonzero_sample_weight(sample_weight, n_samples):
    """Checked sample weights, some of them non-zero (regressors, multilabel)."""
    sample_weight = check_sample_weight(sample_weight, n_samples)
    if sample_weight is not None and not np.any(sample_weight > 0):
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return sample_weight


def split_validation(data, fraction, seed, stratify=False):
    """Hold out ``fraction`` of ``(X, Y, sample_weight)``: ``(train, validation)``.

    With ``stratify``, split by class as MLPClassifier does (a class with one
    sample raises scikit-learn's ValueError naming it).
    """
    X, Y, sw = data
    parts = train_test_split(
        np.arange(X.shape[0]),
        test_size=fraction,
        random_state=seed,
        stratify=Y.astype(bool) if stratify else None,
    )
    if len(parts[1]) < 2 or len(parts[0]) == 0:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' or "
            "the size of your dataset."
        )

    def take(idx):
        return X[idx], Y[idx], None if sw is None else sw[idx]

    return take(parts[0]), take(parts[1])


def target_scale(Y, sample_weight, loss):
    """``(center, scale)`` per target column of ``Y``, for
    ``target_scaling="standard"``: the (weighted) mean and standard
    deviation; for a loss of non-negative targets (poisson), 0 and the mean,
    which keeps them non-negative. A constant column gets scale 1."""
    Y = np.asarray(Y, np.float64)
    mean = np.average(Y, axis=0, weights=sample_weight)
    if LOSSES[loss].check_targets is not None:  # non-negative targets
        center, spread = np.zeros_like(mean), mean
    else:
        variance = np.average((Y - mean) ** 2, axis=0, weights=sample_weight)
        center, spread = mean, np.sqrt(variance)
    spread = np.where(spread > 0, spread, 1.0)
    return tuple(center.tolist()), tuple(spread.tolist())


def check_validation_data(estimator, validation_data, dtype, targets):
    """``validation_data`` checked against the fit: ``(X_val, Y_val, None)``.

    ``targets(y_val)`` checks ``y_val`` (an array) and returns the network's
    targets for it.
    """
    try:
        X_val, y_val = validation_data
    except (TypeError, ValueError):
        raise ValueError("validation_data must be a tuple (X_val, y_val).") from None
    X_val = estimator._checked_inputs(X_val, (dtype,))
    y_val = np.asarray(y_val)
    if y_val.ndim == 2 and y_val.shape[1] == 1:
        y_val = y_val[:, 0]
    if len(y_val) != X_val.shape[0]:
        raise ValueError(
            f"validation_data has {X_val.shape[0]} samples in X_val but "
            f"{len(y_val)} in y_val."
        )
    return X_val, targets(y_val), None


def class_validation_targets(y_val, classes_, dtype, multilabel):
    """The network's targets for a classifier's validation labels."""
    if multilabel:
        if y_val.ndim != 2 or y_val.shape[1] != len(classes_):
            raise ValueError(
                f"validation_data's y_val must be an indicator matrix of "
                f"{len(classes_)} labels; got shape {y_val.shape}."
            )
        check_multilabel(y_val, None, classes_)
        return y_val.astype(dtype)
    y_val = column_or_1d(y_val)
    unseen = np.setdiff1d(y_val, classes_)
    if unseen.size:
        raise ValueError(f"validation_data has labels {unseen.tolist()} not in y.")
    y_index = np.searchsorted(classes_, y_val)
    return class_targets(y_index, len(classes_), dtype)
