"""What ``fit`` receives, checked and prepared: labels, weights, a validation split.

Functions here know arrays only; the estimator calls them and keeps what
scikit-learn sees.
"""

from contextlib import contextmanager

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.validation import column_or_1d

# Integer inputs (8-bit pixels, say) are kept as they are, memory maps included,
# and converted to the compute dtype batch by batch: no float copy of X.
INTEGER_DTYPES = tuple(
    np.dtype(f"{sign}int{bits}") for sign in ("u", "") for bits in (8, 16, 32, 64)
)


@contextmanager
def unchanged_on_error(estimator):
    """Put the estimator's attributes back as they were if the block raises."""
    state = dict(vars(estimator))
    try:
        yield
    except Exception:
        vars(estimator).clear()
        vars(estimator).update(state)
        raise


def check_classes(y, classes, known=None):
    """The sorted classes: ``known`` ones (training goes on), ``classes`` or y's."""
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


def class_targets(y_index, n_classes, dtype):
    """0/1 column for two classes, one-hot rows for more."""
    if n_classes == 2:
        return (y_index == 1).astype(dtype)[:, None]
    return np.eye(n_classes, dtype=dtype)[y_index]


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


def split_validation(data, fraction, seed, y_index=None):
    """Hold out ``fraction`` of ``(X, Y, sample_weight)``: ``(train, validation)``.

    Stratified by ``y_index`` when every class has two samples or more.
    """
    X, Y, sw = data
    stratify = None
    if y_index is not None:
        counts = np.bincount(y_index)
        stratify = y_index if counts[counts > 0].min() >= 2 else None
    parts = train_test_split(
        np.arange(X.shape[0]), test_size=fraction, random_state=seed, stratify=stratify
    )
    if min(len(p) for p in parts) == 0:
        raise ValueError("Too few samples to hold out a validation set.")

    def take(idx):
        return X[idx], Y[idx], None if sw is None else sw[idx]

    return take(parts[0]), take(parts[1])
