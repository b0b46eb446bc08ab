"""Numerical embeddings: gradients, both engines, both kernel paths, the
estimators around them (each row of NUMERIC_EMBEDDINGS, without a new test)."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import fit_quietly, loss_targets
from test_gradients import _numerical_gradients

from skdense import DenseClassifier, DenseRegressor
from skdense.backends import (
    NUMERIC_EMBEDDINGS,
    NetworkSpec,
    make_network,
    numba_installed,
    use_kernels,
)
from skdense.backends._embeddings import embed
from skdense.backends._ops import LOSSES

EMBEDDED = dict(embedding_size=3, embedding_frequencies=4, embedding_sigma=0.5)


def _spec(loss, embedding, **params):
    row = LOSSES[loss]
    return NetworkSpec(
        5,
        3,
        row.out_activation,
        loss=loss,
        numeric_embedding=embedding,
        **{**EMBEDDED, "hidden_layer_sizes": (4,), **params},
    )


@pytest.mark.parametrize("embedding", NUMERIC_EMBEDDINGS)
@pytest.mark.parametrize("loss", LOSSES)
def test_embedding_backpropagates_its_gradient(embedding, loss):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(7, 5)), loss_targets(rng, loss, 7)
    spec = _spec(loss, embedding, dtype=np.float64, activation="tanh", alpha=0.1)
    net = make_network("numpy", spec, 1)
    _, grads = net.loss_and_gradients(X, Y)
    grads = [g.copy() for g in grads]
    assert len(grads) == len(net.params) == 8  # 2 layers' W and b, 4 embedding
    expected = _numerical_gradients(net, lambda: net.loss_and_gradients(X, Y)[0])
    for analytic, numeric in zip(grads, expected, strict=True):
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("embedding", NUMERIC_EMBEDDINGS)
def test_embedding_is_the_formula_it_documents(embedding):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 2))
    freq, phase = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    linear, bias = rng.normal(size=(2, 3, 2)), rng.normal(size=(2, 2))
    out = embed(X, [freq, phase, linear, bias])
    for j in range(2):
        waves = np.cos(2 * np.pi * X[:, j : j + 1] * freq[j] + phase[j])
        np.testing.assert_allclose(
            out[:, 2 * j : 2 * j + 2], waves @ linear[j] + bias[j]
        )
    np.testing.assert_array_equal(out[:, 4:], X)


@pytest.mark.skipif(not numba_installed(), reason="the compiled path needs Numba")
@pytest.mark.parametrize("embedding", NUMERIC_EMBEDDINGS)
def test_compiled_and_plain_paths_agree_with_an_embedding(embedding):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(64, 5)), loss_targets(rng, "log_loss", 64)
    spec = _spec("log_loss", embedding, dtype=np.float64, dropout=0.2, alpha=0.01)
    nets = []
    for kernels in ("numpy", "numba"):
        net = make_network("numpy", spec, 0)
        with use_kernels(kernels):
            for _ in range(2):
                net.train_epoch(X, Y, batch_size=16)
        nets.append(net)
    for a, b in zip(nets[0].params, nets[1].params, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("embedding", NUMERIC_EMBEDDINGS)
@pytest.mark.parametrize("estimator", [DenseClassifier, DenseRegressor])
def test_estimators_train_predict_and_save_with_an_embedding(
    embedding, estimator, backend
):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    target = np.sin(4 * X[:, 0])  # a shape of one column the waves draw
    y = target > 0 if estimator is DenseClassifier else target
    model = fit_quietly(
        estimator(
            hidden_layer_sizes=(16,),
            numeric_embedding=embedding,
            embedding_lr_factor=3.0,  # saved with the model, on either engine
            max_iter=30,
            learning_rate_init=0.01,
            backend=backend,
            random_state=0,
        ),
        X,
        y,
    )
    assert model.coefs_[0].shape == (3 * 4, 16)  # 3 columns, embedding_size 4
    predictions = model.predict(X)
    loaded = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(loaded.predict(X), predictions)
    loaded.set_params(warm_start=True, max_iter=1)
    fit_quietly(loaded, X, y)  # training goes on, at the same rates
    assert model.transform(X).shape == (120, 16)
    model.coefs_ = [2 * w for w in model.coefs_]  # the embedding stays
    assert len(model.network_.get_weights()) == 8


def test_an_embedding_makes_a_periodic_column_learnable():
    """The task it exists for: a sharp periodic function of one column, which
    a small network of the raw value fits poorly."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, size=(600, 2))
    y = np.sin(3 * X[:, 0]) > 0
    params = dict(hidden_layer_sizes=(32,), max_iter=60, learning_rate_init=0.01)
    plain = fit_quietly(DenseClassifier(**params, random_state=0), X, y)
    embedded = fit_quietly(
        DenseClassifier(
            **params, numeric_embedding="pbld", embedding_sigma=1.0, random_state=0
        ),
        X,
        y,
    )
    assert embedded.score(X, y) > 0.95
    assert embedded.score(X, y) > plain.score(X, y) + 0.1


def test_an_embedding_refuses_sparse_input_and_keeps_the_model():
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = X[:, 0] > 0
    clf = fit_quietly(
        DenseClassifier((8,), numeric_embedding="pbld", max_iter=5, random_state=0),
        X,
        y,
    )
    before = clf.predict_proba(X)
    with pytest.raises(ValueError, match="numeric_embedding needs dense X"):
        clf.fit(sp.csr_matrix(X), y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(numeric_embedding="fourier"), "numeric_embedding='fourier'"),
        (dict(embedding_size=1), "embedding_size=1"),
        (dict(embedding_frequencies=0), "embedding_frequencies=0"),
        (dict(embedding_sigma=0.0), "embedding_sigma=0.0"),
        (dict(embedding_lr_factor=0.0), "embedding_lr_factor=0.0"),
    ],
)
def test_bad_embedding_settings_name_the_parameter(params, message):
    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match=message):
        DenseClassifier(**params).fit(X, X[:, 0] > 0)
