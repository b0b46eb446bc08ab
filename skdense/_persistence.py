"""Saving and loading fitted models in skops's secure format.

A skops file holds a description of the objects, not pickled code: loading
builds only the types it is told to trust, and refuses a file that holds any
other. Under the Keras backend the network travels inside it in Keras's own
``.keras`` format, loaded with Keras's safe mode on.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from contextlib import contextmanager
from os import PathLike
from typing import IO, Any

from ._warnings import warn_user
from .backends._optimizers import SOLVERS

# skdense's own types in a saved model, for ``skops.io.load(file, trusted=...)``.
# Written out (the optimizers from their table) rather than collected from the
# classes, so listing them never imports TensorFlow; a test checks each one
# names a real class.
TRUSTED_TYPES = [
    "skdense._classifier.DenseClassifier",
    "skdense._regressor.DenseRegressor",
    "skdense.backends._numpy.RegressionNetwork",
    "skdense.backends._numpy.MinibatchNetwork",
    "skdense.backends._numpy.MultiClassNetwork",
    "skdense.backends._ensemble.EnsembleNetwork",
    "skdense.backends._spec.NetworkSpec",
    "skdense._callbacks.FrozenNetwork",
    "skdense._columns.CategoricalColumns",
    "skdense._missing.MissingValues",
    *(
        f"{row.numpy.__module__}.{row.numpy.__qualname__}"
        for row in SOLVERS.values()
        if row.numpy is not None
    ),
    "skdense.backends._keras.KerasNetwork",
    "numpy.dtype",
]


class InconsistentVersionWarning(UserWarning):
    """A model is loaded by another skdense version than the one that saved it.

    Its predictions may differ from the saved model's, or be wrong: re-fit it,
    or load it with the version named in the message.

    Examples
    --------
    >>> import warnings
    >>> from skdense import InconsistentVersionWarning
    >>> issubclass(InconsistentVersionWarning, UserWarning)
    True
    >>> with warnings.catch_warnings():  # make a version mismatch an error
    ...     warnings.simplefilter("error", InconsistentVersionWarning)
    """


def check_version(saved_version, current_version, what):
    """Warn when a model saved by ``saved_version`` is loaded by another one."""
    if saved_version != current_version:
        warn_user(
            f"This {what} was saved by skdense {saved_version or 'unknown'} and is "
            f"loaded by skdense {current_version}; its predictions may differ "
            f"or be wrong. Re-fit it, or load it with skdense {saved_version}.",
            InconsistentVersionWarning,
        )


def state_to_save(state):
    """An estimator's ``__getstate__``: without the last fit's callback
    bookkeeping, with the version that saves it."""
    from ._callbacks import TRANSIENT_ATTRIBUTES
    from ._version import __version__

    for name in TRANSIENT_ATTRIBUTES:
        state.pop(name, None)
    state["_skdense_version"] = __version__
    return state


def restored_state(state, estimator_class):
    """A saved estimator's state, checked and brought up to date.

    Another version's fitted model loads with a warning; a model saved before
    a parameter existed gets its default; 0.1.0 did not count samples seen
    (``t_``). (Older networks and specs migrate in their own ``__setstate__``.)
    """
    from ._version import __version__

    state = dict(state)
    saved_version = state.pop("_skdense_version", None)
    if "network_" in state:  # an unfitted model has nothing to get wrong
        check_version(saved_version, __version__, estimator_class.__name__)
        state.setdefault("t_", None)
        state.setdefault("_categorical", None)  # saved before categorical columns
    for name, parameter in inspect.signature(
        estimator_class.__init__
    ).parameters.items():
        if parameter.default is not inspect.Parameter.empty:
            state.setdefault(name, parameter.default)
    return state


def _import_skops():
    try:
        import skops.io
    except ImportError as error:
        raise ImportError(
            "Saving and loading models needs skops: install it with "
            "pip install 'skdense[persist]'."
        ) from error
    return skops.io


def save(estimator: Any, file: str | PathLike | IO[bytes]) -> None:
    """Save a model (a skdense estimator, or a Pipeline holding one) with skops.

    Parameters
    ----------
    estimator : estimator
        The fitted (or unfitted) model to save.
    file : str, path or binary file object
        Where to write it; ``.skops`` is the usual suffix.

    Notes
    -----
    Callbacks (``set_callbacks``) are not saved: they observe a fit, and are
    not part of the model. Pickle keeps them, as scikit-learn defines.

    See Also
    --------
    load : Load the model back.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_iris
    >>> import skdense
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = skdense.DenseClassifier((16,), solver="lbfgs", random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "iris.skops")
    >>> skdense.save(clf, path)
    >>> bool((skdense.load(path).predict_proba(X) == clf.predict_proba(X)).all())
    True
    """
    skops_io = _import_skops()
    with _callbacks_detached(estimator):
        skops_io.dump(estimator, file)


@contextmanager
def _callbacks_detached(estimator):
    """Take the callbacks off ``estimator`` and its steps for the block."""
    detached = []
    stack = [estimator]
    while stack:
        item = stack.pop()
        attributes = getattr(item, "__dict__", {})  # a step may be "passthrough"
        if "_skl_callbacks" in attributes:
            detached.append((item, attributes.pop("_skl_callbacks")))
        stack.extend(step for _, step, *_ in getattr(item, "steps", []))
    try:
        yield
    finally:
        for item, callbacks in detached:
            item._skl_callbacks = callbacks


def load(file: str | PathLike | IO[bytes], trusted: Sequence[str] = ()) -> Any:
    """Load a model saved with :func:`save` (or ``skops.io.dump``).

    Only scikit-learn's and NumPy's types that skops trusts by default, the
    types in :data:`skdense.TRUSTED_TYPES` and those named in ``trusted`` are
    built; a file holding any other type is refused before anything in it is
    created, and no pickle is ever run. A model saved by another version of
    skdense loads with an ``InconsistentVersionWarning``.

    Parameters
    ----------
    file : str, path or binary file object
        The saved model.
    trusted : sequence of str, default=()
        Further types to trust, as ``"module.QualifiedName"`` (for example a
        transformer of your own in a saved Pipeline). See
        ``skops.io.get_untrusted_types`` to list those a file holds.

    Returns
    -------
    estimator : estimator
        The model, ready to predict and to continue training.

    Raises
    ------
    skops.io.exceptions.UntrustedTypesFoundException
        If the file holds a type that is not trusted (a ``TypeError``).

    Examples
    --------
    >>> import io
    >>> from sklearn.datasets import load_iris
    >>> import skdense
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = skdense.DenseClassifier((16,), solver="lbfgs", random_state=0).fit(X, y)
    >>> buffer = io.BytesIO()
    >>> skdense.save(clf, buffer)
    >>> _ = buffer.seek(0)
    >>> skdense.load(buffer).score(X, y) == clf.score(X, y)
    True
    """
    return _import_skops().load(file, trusted=[*TRUSTED_TYPES, *trusted])
