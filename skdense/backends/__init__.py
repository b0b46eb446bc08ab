"""Training engines behind :class:`skdense.DenseClassifier` and
:class:`skdense.DenseRegressor`.

An engine knows arrays and weights only; the estimator owns everything
scikit-learn sees. Every engine is built from a :class:`NetworkSpec` and a
seed and keeps the :class:`Engine` contract. ``BACKENDS`` names them.

Examples
--------
>>> from skdense.backends import BACKENDS
>>> BACKENDS
('numpy', 'keras')
"""

from __future__ import annotations

from ._embeddings import NUMERIC_EMBEDDINGS
from ._ensemble import EnsembleNetwork
from ._inputs import INPUT_SCALINGS, input_statistics
from ._kernels import active_kernels, numba_installed, use_kernels
from ._numpy import (
    DenseNetwork,
    MinibatchNetwork,
    MultiClassNetwork,
    RegressionNetwork,
)
from ._spec import Engine, FullBatchEngine, NetworkSpec

BACKENDS = ("numpy", "keras")
_NUMPY_NETWORKS = {
    "logistic": MinibatchNetwork,
    "softmax": MultiClassNetwork,
    "identity": RegressionNetwork,
    "exp": RegressionNetwork,
}


def make_network(
    backend: str, spec: NetworkSpec, random_state: int | None = None
) -> Engine:
    """Build ``backend``'s network for ``spec``, seeded by ``random_state``.

    Examples
    --------
    >>> from skdense.backends import NetworkSpec, make_network
    >>> net = make_network("numpy", NetworkSpec(4, 3, "softmax"), random_state=0)
    >>> type(net).__name__, [w.shape for w in net.coefs_]
    ('MultiClassNetwork', [(4, 100), (100, 3)])

    A spec with ``n_ensemble`` above 1 gives an :class:`EnsembleNetwork` of
    that many of ``backend``'s networks.
    """
    if spec.n_ensemble > 1:
        return EnsembleNetwork(
            spec, random_state, lambda member, seed: make_network(backend, member, seed)
        )
    if backend == "keras":
        from ._keras import KerasNetwork  # imports TensorFlow: only when asked

        return KerasNetwork(spec, random_state)
    if backend != "numpy":
        raise ValueError(f"Unknown backend {backend!r}; expected one of {BACKENDS}.")
    return _NUMPY_NETWORKS[spec.out_activation](spec, random_state)


__all__ = [
    "BACKENDS",
    "INPUT_SCALINGS",
    "NUMERIC_EMBEDDINGS",
    "DenseNetwork",
    "EnsembleNetwork",
    "Engine",
    "FullBatchEngine",
    "MinibatchNetwork",
    "MultiClassNetwork",
    "NetworkSpec",
    "RegressionNetwork",
    "active_kernels",
    "input_statistics",
    "make_network",
    "numba_installed",
    "use_kernels",
]
