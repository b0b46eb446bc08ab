"""Backpropagation checked against central finite differences (in float64)."""

import numpy as np
import pytest
from conftest import loss_targets

from skdense.backends import NetworkSpec, make_network
from skdense.backends._ops import ACTIVATIONS, HIDDEN_ACTIVATIONS, LOSSES

# Regression outputs: (output, number of targets).
REGRESSION = {
    "squared_error": ("identity", 1),
    "squared_error_multioutput": ("identity", 2),
    "poisson": ("exp", 2),
}


def _network(n_outputs, **params):
    params = {"hidden_layer_sizes": (4, 3), "dtype": np.float64, **params}
    output = "softmax"
    if n_outputs in (1, "multilabel"):  # one sigmoid unit per label
        output, n_outputs = "logistic", 1 if n_outputs == 1 else 3
    elif n_outputs in REGRESSION:
        output, n_outputs = REGRESSION[n_outputs]
    net = make_network("numpy", NetworkSpec(5, n_outputs, output, **params), 1)
    # Non-zero biases, so that no relu sits exactly on its kink at z = 0,
    # where a finite difference measures half the slope.
    rng = np.random.default_rng(2)
    for b in net.intercepts_:
        b[...] = rng.normal(scale=0.1, size=b.shape)
    return net


def _targets(rng, n_outputs, n_samples):
    if n_outputs in REGRESSION:
        output, k = REGRESSION[n_outputs]
        if output == "exp":  # counts, zeros among them
            return rng.poisson(2.0, (n_samples, k)).astype(np.float64)
        return rng.normal(size=(n_samples, k))
    if n_outputs == "multilabel":
        return (rng.random((n_samples, 3)) > 0.5).astype(np.float64)
    if n_outputs == 1:
        return (rng.random((n_samples, 1)) > 0.5).astype(np.float64)
    return np.eye(n_outputs)[rng.integers(0, n_outputs, n_samples)]


def _numerical_gradients(net, loss, h=1e-6):
    grads = []
    for p in net.params:
        grad = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + h
            plus = loss()
            p[i] = old - h
            minus = loss()
            p[i] = old
            grad[i] = (plus - minus) / (2 * h)
        grads.append(grad)
    return grads


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize(
    "n_outputs",
    [1, 3, "multilabel", *REGRESSION],
    ids=["binary", "multiclass", "multilabel", *REGRESSION],
)
@pytest.mark.parametrize(
    "alpha, l1",
    [(0.0, 0.0), (0.3, 0.0), (0.0, 0.2), (0.3, 0.2)],
    ids=["none", "l2", "l1", "l1+l2"],
)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_backprop_matches_finite_differences(
    activation, n_outputs, alpha, l1, weighted
):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(7, 5))
    Y = _targets(rng, n_outputs, 7)
    sw = rng.random(7) + 0.1 if weighted else None
    net = _network(n_outputs, activation=activation, alpha=alpha, l1=l1)

    _, grads = net.loss_and_gradients(X, Y, sw)
    grads = [g.copy() for g in grads]
    expected = _numerical_gradients(net, lambda: net.loss_and_gradients(X, Y, sw)[0])

    for analytic, numeric in zip(grads, expected, strict=False):
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_backprop_with_dropout_masks_matches_finite_differences(activation):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 5))
    Y = _targets(rng, 3, 6)
    net = _network(3, activation=activation, dropout=0.5)
    masks = net._dropout_masks(6)
    assert any((mask == 0).any() for mask, _ in masks)  # some units really are dropped

    net._backprop(X, Y, masks=masks)
    grads = [g.copy() for g in net._coef_grads + net._intercept_grads]
    expected = _numerical_gradients(net, lambda: net._backprop(X, Y, masks=masks)[0])

    for analytic, numeric in zip(grads, expected, strict=False):
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", HIDDEN_ACTIVATIONS)
def test_each_activations_derivative_matches_finite_differences(name):
    """The row's derivative, from the output ``a = f(z)`` or from ``z`` as the
    row says."""
    row = ACTIVATIONS[name]
    z = np.linspace(-4, 4, 41) + 0.013  # off relu's kink at 0
    h = 1e-6
    numeric = (row.forward(z + h) - row.forward(z - h)) / (2 * h)
    kept = row.forward(z.copy()) if row.from_output else z.copy()
    np.testing.assert_allclose(
        row.derivative(kept, np.ones_like(z)), numeric, rtol=1e-6, atol=1e-8
    )


def test_both_kept_forms_are_backpropagated():
    """Some rows' derivatives read the output and some the pre-activation,
    so the engine's two ways of keeping a layer are both in use (each
    activation's gradients are checked against finite differences above)."""
    assert {row.from_output for row in map(ACTIVATIONS.get, HIDDEN_ACTIVATIONS)} == {
        True,
        False,
    }


def test_loss_is_the_books_objective():
    """Batch-mean cross-entropy plus (l1*sum|W| + l2/2*sum W^2) / m."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 5))
    Y = _targets(rng, 3, 8)
    net = _network(3, activation="logistic", alpha=0.2, l1=0.1)
    (w1, w2, w3), (b1, b2, b3) = net.coefs_, net.intercepts_
    a = 1 / (1 + np.exp(-(X @ w1 + b1)))
    a = 1 / (1 + np.exp(-(a @ w2 + b2)))
    z = a @ w3 + b3
    proba = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    cross_entropy = -np.sum(Y * np.log(proba))
    weights = np.concatenate([w.ravel() for w in net.coefs_])
    penalty = 0.1 * np.abs(weights).sum() + 0.2 / 2 * (weights**2).sum()

    loss, _ = net.loss_and_gradients(X, Y)

    assert loss == pytest.approx((cross_entropy + penalty) / 8, rel=1e-12)


@pytest.mark.parametrize("loss", ["squared_error_multioutput", "poisson"])
def test_regression_losses_are_mlpregressors_summed_over_targets(loss):
    """Half the squared error / half the Poisson deviance, as MLPRegressor's
    losses, but summed over the targets (MLPRegressor averages the squared
    error over them in the loss it reports; its gradients are of the sum)."""
    from scipy.special import xlogy

    rng = np.random.default_rng(0)
    X = rng.normal(size=(9, 5))
    Y = _targets(rng, loss, 9)
    net = _network(loss, activation="tanh", alpha=0.0)
    output = net.predict_proba(X)
    if loss == "poisson":
        per_target = xlogy(Y, Y / output) - Y + output
    else:
        per_target = 0.5 * (Y - output) ** 2

    value, _ = net.loss_and_gradients(X, Y)

    assert value == pytest.approx(per_target.sum() / 9, rel=1e-10)


# Every loss row, and each classifier's row again with label smoothing.
LOSS_CASES = [(name, 0.0) for name in LOSSES] + [
    (name, 0.2) for name, row in LOSSES.items() if row.smooth is not None
]


@pytest.mark.parametrize("loss, smoothing", LOSS_CASES)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_every_loss_row_backpropagates_its_gradient(loss, smoothing, weighted):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(7, 5))
    Y = loss_targets(rng, loss, 7)
    sw = rng.random(7) + 0.1 if weighted else None
    row = LOSSES[loss]
    spec = NetworkSpec(
        5,
        3,
        row.out_activation,
        loss=loss,
        hidden_layer_sizes=(4,),
        dtype=np.float64,
        label_smoothing=smoothing,
    )
    net = make_network("numpy", spec, 1)
    _, grads = net.loss_and_gradients(X, Y, sw)
    grads = [g.copy() for g in grads]
    expected = _numerical_gradients(net, lambda: net.loss_and_gradients(X, Y, sw)[0])
    for analytic, numeric in zip(grads, expected, strict=True):
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


SMOOTHED_LOSSES = [name for name, row in LOSSES.items() if row.smooth is not None]


@pytest.mark.parametrize("loss", SMOOTHED_LOSSES)
def test_label_smoothing_trains_on_the_smoothed_cross_entropy(loss):
    """The loss is the cross-entropy against the smoothed targets, written
    out here from the predicted probabilities; the accuracy stays the hard
    labels' (a smoothed row's largest value is still its class)."""
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(40, 5)), loss_targets(rng, loss, 40)
    out_activation = LOSSES[loss].out_activation
    spec = NetworkSpec(
        5, 3, out_activation, loss=loss, dtype=np.float64, label_smoothing=0.3
    )
    net = make_network("numpy", spec, 1)
    p = net.predict_proba(X)
    if out_activation == "softmax":
        soft = Y * 0.7 + 0.1
        per_sample = -(soft * np.log(p)).sum(axis=1)
        right = p.argmax(axis=1) == Y.argmax(axis=1)
    else:
        soft = Y * 0.7 + 0.15
        per_sample = -(soft * np.log(p) + (1 - soft) * np.log1p(-p)).sum(axis=1)
        right = ((p >= 0.5) == (Y > 0.5)).all(axis=1)
    penalty = 0.5 * spec.alpha * sum(float((w**2).sum()) for w in net.coefs_)
    loss_value, accuracy, _ = net.evaluate(X, Y)
    assert loss_value == pytest.approx((per_sample.sum() + penalty) / 40, rel=1e-10)
    assert accuracy == right.mean()


@pytest.mark.parametrize("smoothing", [-0.1, 1.0, "0.1"])
def test_label_smoothing_outside_zero_to_one_is_refused(smoothing):
    with pytest.raises(ValueError, match="label_smoothing"):
        NetworkSpec(5, 3, "softmax", label_smoothing=smoothing)


@pytest.mark.parametrize("loss", [n for n in LOSSES if n not in SMOOTHED_LOSSES])
def test_a_regression_loss_cannot_be_label_smoothed(loss):
    row = LOSSES[loss]
    with pytest.raises(ValueError, match="label_smoothing smooths a classifier"):
        NetworkSpec(5, 1, row.out_activation, loss=loss, label_smoothing=0.1)
