"""Callbacks of skdense's own for scikit-learn's callback API (1.9+).

:class:`Checkpoint` saves the model during a fit, so that a killed training
loses at most an epoch and ``warm_start`` resumes from the file.
"""

from __future__ import annotations

import ctypes
import os
import tempfile
import uuid
from os import PathLike
from pathlib import Path

import numpy as np

from ._epochs import validation_score
from ._persistence import save


class Checkpoint:
    """Save the model with :func:`skdense.save` at the end of epochs.

    A scikit-learn ``FitCallback``: ``estimator.set_callbacks(Checkpoint(path))``
    (scikit-learn 1.9 or newer). Each save is atomic: the model is written
    to an unnamed file in the same folder, then renamed over ``path``, so
    ``path`` always holds a whole model, whenever the process dies.

    The saved model predicts as the model trained up to that epoch; load it
    with :func:`skdense.load` and continue with ``warm_start=True`` (or
    ``partial_fit``, with a fresh optimizer state).

    Parameters
    ----------
    path : str or path-like
        The file to write (``.skops`` is the usual suffix).
    save_best_only : bool, default=True
        Save only when the epoch's score beats every earlier epoch's of this
        fit: the validation score the estimator's ``scoring`` names when there
        is a validation set, else the training loss (lower is better).
        False saves after every epoch.

    Attributes
    ----------
    best_score_ : float
        The best score of the current (or last) fit, higher is better.
    n_saved_ : int
        How many times this fit saved.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_iris
    >>> import skdense
    >>> from skdense import DenseClassifier
    >>> from skdense.callbacks import Checkpoint
    >>> X, y = load_iris(return_X_y=True)
    >>> path = os.path.join(tempfile.mkdtemp(), "iris.skops")
    >>> clf = DenseClassifier((16,), max_iter=5, random_state=0)
    >>> clf = clf.set_callbacks(Checkpoint(path, save_best_only=False)).fit(X, y)
    >>> saved = skdense.load(path)
    >>> saved.n_iter_, bool((saved.predict_proba(X) == clf.predict_proba(X)).all())
    (5, True)
    """

    def __init__(self, path: str | PathLike, *, save_best_only: bool = True):
        self.path = path
        self.save_best_only = save_best_only

    def setup(self, estimator, context):
        self.best_score_ = -np.inf
        self.n_saved_ = 0

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name != "epoch" or fitted_estimator is None:
            return False
        score = self._score(fitted_estimator)
        if self.save_best_only and not score > self.best_score_:
            return False
        self.best_score_ = max(score, self.best_score_)
        _save_atomically(fitted_estimator, Path(self.path))
        self.n_saved_ += 1
        return False

    def teardown(self, estimator, context):
        pass

    @staticmethod
    def _score(model):
        record = {name: values[-1] for name, values in model.history_.items()}
        if "val_loss" not in record:
            return -record["loss"]
        return validation_score(record, model.scoring, model.network_.spec.score_name)


def _save_atomically(model, path):
    """Write ``model`` to ``path`` so that ``path`` is never a partial file.

    On Linux the model is written to an unnamed file (``O_TMPFILE``), which
    gets a name only once it is whole and synced, and is then renamed over
    ``path``: a process killed mid-write leaves nothing behind. Elsewhere a
    hidden temporary file takes its place.
    """
    folder, temporary = path.parent, None
    try:
        fd = os.open(folder, os.O_TMPFILE | os.O_WRONLY, 0o644)
        unnamed = True
    except (AttributeError, OSError):
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.")
        unnamed = False
    try:
        with os.fdopen(fd, "wb") as file:
            save(model, file)
            file.flush()
            os.fsync(file.fileno())
            if unnamed:
                temporary = folder / f".{path.name}.{uuid.uuid4().hex}"
                _name_unnamed_file(file.fileno(), temporary)
        os.replace(temporary, path)
    except BaseException:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise


def _name_unnamed_file(fd, name):
    """Give the ``O_TMPFILE`` file ``fd`` a name (Linux's ``linkat``: Python's
    ``os.link`` does not follow the ``/proc/self/fd`` link)."""
    libc = ctypes.CDLL(None, use_errno=True)
    at_fdcwd, at_symlink_follow = -100, 0x400
    source = f"/proc/self/fd/{fd}".encode()
    if libc.linkat(at_fdcwd, source, at_fdcwd, os.fsencode(name), at_symlink_follow):
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error), str(name))


__all__ = ["Checkpoint"]
