"""Compiled per-batch kernels: the NumPy engine's work between the matmuls.

Between its matrix products (BLAS, on every core) a training step makes
whole-array passes: the optimizer's update (Adam: about ten passes over all
weights), the penalty's gradient, the bias add and activation, the row
gather of a shuffled batch. In NumPy each is one single-threaded ufunc call
per pass. Here each is one serial loop over the data, compiled by Numba and
vectorised by LLVM: a step's extra work falls from about as much as its
matmuls to a small part of them. (The loops stay on one thread: Numba's
thread pool beside OpenBLAS's spinning workers made epochs slower; the
design notes on the NumPy engine have the measurements.)

Each row of the tables carries its compiled form (an activation's
per-element functions, a loss's fused pass, an optimizer's ``fused_update``);
:func:`~._numpy_step.resolve_step` picks, once per fit, the compiled form
of each piece where the row has one and its NumPy form where not.

Numba is optional (``pip install 'skdense[fast]'``). The kernels compute the
same formulas as the NumPy path, element by element in the network's dtype,
so the two agree within float32 rounding (not bit for bit: a fused
multiply-add rounds once, a libm ``tanh`` differs from NumPy's in the last
bit). Every kernel is serial, with a fixed order of operations, so a fit
stays bit-identical from run to run.

:func:`use_kernels` picks the path: ``"numba"`` (the default when Numba is
importable) or ``"numpy"``; the environment variable ``SKDENSE_KERNELS``
sets the default. Numba is imported, and the kernels compiled (then cached
on disk), the first time a network trains on the Numba path: ``import
skdense`` stays light. An activation's loops, built from its row, are
compiled once per process (a few tenths of a second).
"""

import importlib.util
import os
import threading
from contextlib import contextmanager

from .._warnings import warn_user

KERNELS = ("numba", "numpy")
ENVIRONMENT_VARIABLE = "SKDENSE_KERNELS"
_chosen = threading.local()
_compiled = []  # [module of compiled kernels], once built
_building = threading.Lock()


def _default():
    name = os.environ.get(ENVIRONMENT_VARIABLE, "").strip().lower()
    if name:
        _check(name, f"{ENVIRONMENT_VARIABLE}={name!r}")
        return name
    return "numba" if numba_installed() else "numpy"


def _check(name, where):
    if name not in KERNELS:
        raise ValueError(f"{where}: the kernels are one of {KERNELS}.")
    if name == "numba" and not numba_installed():
        raise ImportError(
            f"{where} needs Numba, which is not installed: "
            "pip install 'skdense[fast]' (or choose \"numpy\")."
        )


def numba_installed():
    """Whether Numba can be imported (without importing it).

    Examples
    --------
    >>> from skdense.backends import numba_installed
    >>> isinstance(numba_installed(), bool)
    True
    """
    return importlib.util.find_spec("numba") is not None


def active_kernels():
    """The name of the kernels networks train with now: "numba" or "numpy".

    Examples
    --------
    >>> from skdense.backends import active_kernels, use_kernels
    >>> with use_kernels("numpy"):
    ...     active_kernels()
    'numpy'
    """
    return getattr(_chosen, "name", None) or _default()


@contextmanager
def use_kernels(name):
    """Train NumPy-engine networks with ``name``'s kernels within the block.

    ``"numpy"`` is the plain NumPy path (every pass a ufunc call),
    ``"numba"`` the compiled one; both give the same weights within float32
    rounding. The choice holds for the current thread.

    Examples
    --------
    >>> import numpy as np
    >>> from skdense import DenseClassifier
    >>> from skdense.backends import use_kernels
    >>> X = np.random.default_rng(0).normal(size=(60, 3))
    >>> y = (X[:, 0] > 0).astype(int)
    >>> with use_kernels("numpy"):
    ...     clf = DenseClassifier(hidden_layer_sizes=(8,), max_iter=5).fit(X, y)
    """
    _check(name, f"use_kernels({name!r})")
    previous = getattr(_chosen, "name", None)
    _chosen.name = name
    try:
        yield
    finally:
        _chosen.name = previous


def _chosen_explicitly():
    return bool(getattr(_chosen, "name", None) or os.environ.get(ENVIRONMENT_VARIABLE))


def compiled():
    """The compiled kernels when the Numba path is active, else None.

    Numba that is installed but does not import (say, built for another
    NumPy) is an error where it was asked for; as the default, the NumPy
    path takes over, after one warning saying why.
    """
    if active_kernels() != "numba":
        return None
    if not _compiled:
        with _building:
            if not _compiled:
                try:
                    from . import _numba_kernels
                except ImportError as error:
                    if _chosen_explicitly():
                        raise ImportError(
                            f"The Numba kernels were asked for, but Numba does "
                            f"not import: {error}"
                        ) from error
                    warn_user(
                        f"Numba is installed but does not import ({error}); the "
                        "NumPy engine trains on its plain NumPy path. Set "
                        f"{ENVIRONMENT_VARIABLE}=numpy to say so and silence this."
                    )
                    _numba_kernels = None
                _compiled.append(_numba_kernels)
    return _compiled[0]
