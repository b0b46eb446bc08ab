"""The compiled kernels (Numba) against the plain NumPy path: the same
training within float32 rounding, for every solver, penalty, dropout and
activation; the choice of path and its errors."""

import subprocess
import sys

import numpy as np
import pytest
from conftest import fit_quietly, loss_targets
from test_gradients import _network, _numerical_gradients, _targets

import skdense.backends
from skdense import DenseClassifier
from skdense.backends import (
    NetworkSpec,
    _kernels,
    active_kernels,
    make_network,
    numba_installed,
    use_kernels,
)
from skdense.backends._ops import HIDDEN_ACTIVATIONS, LOSSES
from skdense.backends._optimizers import MINIBATCH_SOLVERS

needs_numba = pytest.mark.skipif(
    not numba_installed(),
    reason="Numba is not installed (pip install 'skdense[fast]'); the NumPy "
    "path is the only one",
)
PENALTIES = {
    "none": (0.0, 0.0),
    "l2": (0.01, 0.0),
    "l1": (0.0, 0.01),
    "both": (0.01, 0.01),
}


def _one_epoch(kernels, dtype, loss="log_loss", plain_optimizer=False, **params):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(96, 6)).astype(dtype)
    n_outputs = 1 if loss == "binary_log_loss" else 3
    Y = loss_targets(rng, loss, 96, k=n_outputs).astype(dtype)
    if Y.ndim == 1:
        Y = Y[:, None]
    spec = NetworkSpec(
        6,
        Y.shape[1],
        LOSSES[loss].out_activation,
        loss=loss,
        hidden_layer_sizes=(16, 8),
        dtype=dtype,
        **params,
    )
    net = make_network("numpy", spec, random_state=0)
    if plain_optimizer:
        net.optimizer.fused_update = None  # as a class with update() only
    with use_kernels(kernels):
        figures = [net.train_epoch(X, Y, batch_size=32) for _ in range(2)]
    return net, figures


@needs_numba
@pytest.mark.parametrize("solver", MINIBATCH_SOLVERS)
@pytest.mark.parametrize("penalty", PENALTIES, ids=list(PENALTIES))
@pytest.mark.parametrize("dropout", [0.0, 0.3], ids=["no-dropout", "dropout"])
def test_compiled_training_matches_numpy_within_float32_rounding(
    solver, penalty, dropout
):
    alpha, l1 = PENALTIES[penalty]
    params = dict(solver=solver, alpha=alpha, l1=l1, dropout=dropout)
    plain, plain_figures = _one_epoch("numpy", np.float32, **params)
    fused, fused_figures = _one_epoch("numba", np.float32, **params)
    for a, b in zip(plain.params, fused.params, strict=True):
        # Six steps of a float32 network: a few units of its last place.
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(fused_figures, plain_figures, rtol=1e-5)


@needs_numba
def test_an_optimizer_without_a_fused_update_still_gets_the_penalty():
    """A new solver's class may have only ``update``: on the compiled path
    the penalty's gradient is then added before it, as on the NumPy path."""
    params = dict(solver="rmsprop", alpha=0.05, l1=0.02)
    plain, _ = _one_epoch("numpy", np.float64, **params)
    fused, _ = _one_epoch("numba", np.float64, **params, plain_optimizer=True)
    for a, b in zip(plain.params, fused.params, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)


@needs_numba
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("loss", list(LOSSES))
def test_compiled_training_matches_numpy_for_every_activation_and_loss(
    activation, loss
):
    params = dict(activation=activation, solver="adam", alpha=0.01)
    plain, _ = _one_epoch("numpy", np.float64, loss, **params)
    fused, _ = _one_epoch("numba", np.float64, loss, **params)
    for a, b in zip(plain.params, fused.params, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)


@needs_numba
@pytest.mark.parametrize("loss", [n for n, row in LOSSES.items() if row.smooth])
def test_compiled_training_matches_numpy_with_label_smoothing(loss):
    params = dict(solver="adam", label_smoothing=0.2)
    plain, plain_figures = _one_epoch("numpy", np.float64, loss, **params)
    fused, fused_figures = _one_epoch("numba", np.float64, loss, **params)
    for a, b in zip(plain.params, fused.params, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fused_figures, plain_figures, rtol=1e-10)


@needs_numba
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("n_outputs", [1, 3, "squared_error"])
def test_compiled_backprop_matches_finite_differences(activation, n_outputs):
    """The compiled path's gradients of the data term (the penalty's is
    taken by the optimizer's fused step, checked in test_optimizers)."""
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(7, 5)), _targets(rng, n_outputs, 7)
    net = _network(n_outputs, activation=activation, dropout=0.5, alpha=0.0)
    masks = net._dropout_masks(7)
    step = net._step(_compiled())
    net._backprop(X, Y, masks=masks, step=step)
    grads = [g.copy() for g in net._coef_grads + net._intercept_grads]
    expected = _numerical_gradients(
        net, lambda: net._backprop(X, Y, masks=masks, step=step)[0]
    )
    for analytic, numeric in zip(grads, expected, strict=True):
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def _compiled():
    with use_kernels("numba"):
        return _kernels.compiled()


@needs_numba
@pytest.mark.parametrize("dtype", [np.uint8, np.int64, np.float16, np.float64])
def test_the_batch_gather_takes_any_numeric_x(dtype):
    """Rows of any dtype reach the compute dtype as on the NumPy path (the
    compiled gather has no float16: those take NumPy's)."""
    rng = np.random.default_rng(0)
    X = (rng.random((64, 5)) * 100).astype(dtype)
    Y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 64)]
    spec = NetworkSpec(5, 3, "softmax", hidden_layer_sizes=(4,), input_scale=0.01)
    nets = []
    for kernels in ("numpy", "numba"):
        net = make_network("numpy", spec, random_state=0)
        with use_kernels(kernels):
            net.train_epoch(X, Y, batch_size=16)
        nets.append(net)
    for a, b in zip(nets[0].params, nets[1].params, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)


@needs_numba
def test_compiled_fits_repeat_bit_for_bit():
    """No kernel reduces across threads: a fit repeats exactly."""
    X = np.random.default_rng(0).normal(size=(200, 5))
    y = (X[:, 0] > 0).astype(int)
    params = dict(hidden_layer_sizes=(8,), max_iter=3, random_state=0, dropout=0.2)
    with use_kernels("numba"):
        fits = [fit_quietly(DenseClassifier(**params), X, y) for _ in range(2)]
    for a, b in zip(fits[0].coefs_, fits[1].coefs_, strict=True):
        np.testing.assert_array_equal(a, b)


def test_use_kernels_sets_the_path_for_the_block_only():
    before = active_kernels()
    with use_kernels("numpy"):
        assert active_kernels() == "numpy"
        assert _kernels.compiled() is None
    assert active_kernels() == before


def test_unknown_kernels_are_refused(monkeypatch):
    with pytest.raises(ValueError, match=r"one of \('numba', 'numpy'\)"):
        with use_kernels("fortran"):
            pass
    monkeypatch.setenv("SKDENSE_KERNELS", "cuda")
    clf = DenseClassifier(hidden_layer_sizes=(4,), max_iter=2)
    with pytest.raises(ValueError, match="SKDENSE_KERNELS='cuda'"):
        clf.fit(np.eye(4), [0, 1, 0, 1])
    assert not hasattr(clf, "classes_")


def test_the_environment_variable_picks_the_default(monkeypatch):
    monkeypatch.setenv("SKDENSE_KERNELS", "numpy")
    assert active_kernels() == "numpy"


def test_numba_asked_for_without_numba_names_the_extra(monkeypatch):
    monkeypatch.setattr(_kernels, "numba_installed", lambda: False)
    assert active_kernels() == "numpy"  # the default falls back
    with pytest.raises(ImportError, match=r"pip install 'skdense\[fast\]'"):
        with use_kernels("numba"):
            pass


def test_importing_skdense_does_not_import_numba():
    code = "import sys, skdense, skdense.backends; print('numba' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_numba_that_does_not_import_falls_back_once_or_fails_where_asked(monkeypatch):
    monkeypatch.setattr(_kernels, "numba_installed", lambda: True)
    monkeypatch.setattr(_kernels, "_compiled", [])
    monkeypatch.setitem(sys.modules, "skdense.backends._numba_kernels", None)
    monkeypatch.delattr(skdense.backends, "_numba_kernels", raising=False)
    monkeypatch.delenv("SKDENSE_KERNELS", raising=False)
    with pytest.raises(ImportError, match="Numba kernels were asked for"):
        with use_kernels("numba"):
            _kernels.compiled()
    with pytest.warns(UserWarning, match="does not import"):
        assert _kernels.compiled() is None  # the default: the NumPy path
    assert _kernels.compiled() is None  # and no second warning
