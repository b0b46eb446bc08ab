"""Sparse X and multilabel y, on both engines."""

import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score, make_scorer
from sklearn.model_selection import cross_validate
from sklearn.multioutput import ClassifierChain
from sklearn.pipeline import make_pipeline

from skdense import DenseClassifier
from skdense.backends import NetworkSpec, make_network

SPARSE_KINDS = [sp.csr_matrix, sp.csr_array, sp.csc_matrix, sp.csc_array]


def _quiet(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return call(*args, **kwargs)


@pytest.fixture(scope="module")
def sparse_digits():
    X, y = load_digits(return_X_y=True)
    X = X / 16
    X[X < 0.3] = 0.0  # sparse enough to mean something
    return X, y


@pytest.fixture(scope="module")
def multilabel():
    X, Y = make_multilabel_classification(
        300, 12, n_classes=4, allow_unlabeled=True, random_state=0
    )
    return X / X.max(), Y


# -- sparse X --------------------------------------------------------------


@pytest.mark.parametrize("kind", SPARSE_KINDS, ids=lambda k: k.__name__)
def test_sparse_trains_and_predicts_as_dense(backend, sparse_digits, kind):
    X, y = sparse_digits
    params = dict(hidden_layer_sizes=(16,), max_iter=3, random_state=0)
    params.update(backend=backend, dtype=np.float64 if backend == "numpy" else None)
    params = {k: v for k, v in params.items() if v is not None}
    dense = _quiet(DenseClassifier(**params).fit, X, y, validation_data=(X, y))
    sparse = _quiet(
        DenseClassifier(**params).fit, kind(X), y, validation_data=(kind(X), y)
    )
    tol = 1e-12 if backend == "numpy" else 1e-5
    np.testing.assert_allclose(
        sparse.predict_proba(kind(X)), dense.predict_proba(X), atol=tol
    )
    np.testing.assert_allclose(
        sparse.history_["val_loss"], dense.history_["val_loss"], rtol=tol
    )
    sparse.partial_fit(kind(X[:50]), y[:50])
    dense.partial_fit(X[:50], y[:50])
    np.testing.assert_allclose(
        sparse.predict_proba(X), dense.predict_proba(X), atol=100 * tol
    )


@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
def test_sparse_input_is_never_densified_whole(solver):
    """A dense copy of X would be 240 MB; training stays far below it.

    (A narrow network, as L-BFGS keeps ten copies of the weights' size.)
    """
    rng = np.random.default_rng(0)
    X = sp.random(3000, 20000, density=0.002, format="csr", random_state=0)
    X = X.astype(np.float32)
    y = rng.integers(0, 2, 3000)
    dense_bytes = X.shape[0] * X.shape[1] * 4
    clf = DenseClassifier((2,), solver=solver, max_iter=2, batch_size=100)
    tracemalloc.start()
    try:
        _quiet(clf.fit, X, y)
        clf.predict_proba(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < dense_bytes / 10, peak


def test_keras_engine_densifies_one_chunk_at_a_time(monkeypatch):
    pytest.importorskip("tensorflow")
    from skdense.backends._shared import PREDICT_CHUNK

    largest = []
    for kind in (sp.csr_matrix, sp.csr_array):
        original = kind.toarray

        def toarray(self, *args, _original=original, **kwargs):
            largest.append(self.shape[0])
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(kind, "toarray", toarray)
    X = sp.random(PREDICT_CHUNK + 100, 50, density=0.1, format="csr", random_state=0)
    y = np.arange(X.shape[0]) % 2
    clf = DenseClassifier((4,), max_iter=1, batch_size=512, backend="keras")
    _quiet(clf.fit, X, y, validation_data=(X, y))
    clf.predict_proba(X)
    assert largest and max(largest) <= PREDICT_CHUNK


def test_tfidf_pipeline(backend):
    texts = [
        "the cat sat on the mat",
        "dogs and cats are friends",
        "stocks fell sharply today",
        "the market rallied on earnings",
    ] * 10
    y = np.array([0, 0, 1, 1] * 10)
    pipe = make_pipeline(
        TfidfVectorizer(),
        DenseClassifier((8,), max_iter=50, learning_rate_init=0.01, backend=backend),
    )
    _quiet(pipe.fit, texts, y)
    assert pipe.score(texts, y) == 1.0


def test_sparse_backprop_matches_finite_differences():
    rng = np.random.default_rng(0)
    X = sp.random(7, 5, density=0.4, format="csr", random_state=1)
    Y = np.eye(3)[rng.integers(0, 3, 7)]
    spec = NetworkSpec(5, 3, "softmax", hidden_layer_sizes=(4,), dtype=np.float64)
    spec = spec.replace(alpha=0.3, l1=0.1, activation="tanh")
    net = make_network("numpy", spec, random_state=0)
    _, grads = net.loss_and_gradients(X, Y)
    sparse_grads = [g.copy() for g in grads]
    _, grads = net.loss_and_gradients(X.toarray(), Y)
    for a, b in zip(sparse_grads, grads, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.slow
def test_fashion_mnist_as_csr_trains_as_dense(fashion_mnist_home):
    from skdense.datasets import load_fashion_mnist

    X, y = load_fashion_mnist(fashion_mnist_home, return_X_y=True)
    X_test, y_test = load_fashion_mnist(
        fashion_mnist_home, subset="test", return_X_y=True
    )
    X, y = X[:10000], y[:10000]
    params = dict(hidden_layer_sizes=(64,), max_iter=5, random_state=0)
    dense = _quiet(DenseClassifier(**params).fit, X, y)
    sparse = _quiet(DenseClassifier(**params).fit, sp.csr_matrix(X), y)
    dense_score = dense.score(X_test, y_test)
    assert dense_score > 0.8
    assert sparse.score(sp.csr_matrix(X_test), y_test) == pytest.approx(
        dense_score, abs=0.005
    )


# -- multilabel y ----------------------------------------------------------


def test_multilabel_fit_predict_score(backend, multilabel):
    X, Y = multilabel
    clf = _quiet(
        DenseClassifier(
            (32,), max_iter=60, learning_rate_init=0.01, random_state=0, backend=backend
        ).fit,
        X,
        Y,
        validation_data=(X, Y),
    )
    assert clf.n_outputs_ == 4 and clf.out_activation_ == "logistic"
    np.testing.assert_array_equal(clf.classes_, np.arange(4))
    proba = clf.predict_proba(X)
    assert proba.shape == (300, 4)
    assert ((proba >= 0) & (proba <= 1)).all()
    predicted = clf.predict(X)
    np.testing.assert_array_equal(predicted, (proba > 0.5).astype(int))
    subset_accuracy = np.mean((predicted == Y).all(axis=1))
    assert clf.score(X, Y) == subset_accuracy > 0.4
    # history's accuracy is subset accuracy too (validation = training set)
    assert clf.history_["val_accuracy"][-1] == pytest.approx(subset_accuracy)


def test_multilabel_loss_sums_the_labels_binary_cross_entropies(backend):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3)).astype(np.float32)
    Y = (rng.random((40, 4)) > 0.5).astype(np.float32)
    spec = NetworkSpec(3, 4, "logistic", hidden_layer_sizes=(5,), alpha=0.0)
    net = make_network(backend, spec, random_state=0)
    loss, accuracy, _ = net.evaluate(X, Y)
    p = net.predict_proba(X)
    expected = -(Y * np.log(p) + (1 - Y) * np.log(1 - p)).sum(axis=1).mean()
    assert loss == pytest.approx(expected, rel=1e-5)
    assert accuracy == pytest.approx(np.mean(((p > 0.5) == Y).all(axis=1)))


def test_multilabel_partial_fit_without_classes(backend, multilabel):
    X, Y = multilabel
    clf = DenseClassifier((16,), batch_size=32, random_state=0, backend=backend)
    clf.partial_fit(X[:100], Y[:100])
    first = clf.predict_proba(X)
    clf.partial_fit(X[100:], Y[100:], classes=[0, 1, 2, 3])
    assert clf.n_iter_ == 2
    assert not np.allclose(first, clf.predict_proba(X))
    with pytest.raises(ValueError, match="previous fit had 4"):
        clf.partial_fit(X, Y[:, :3])
    with pytest.raises(ValueError, match="one label per sample"):
        clf.partial_fit(X, Y[:, 0])


def test_multilabel_refusals(multilabel):
    X, Y = multilabel
    with pytest.raises(ValueError, match="class_weight is not supported"):
        DenseClassifier(class_weight="balanced").fit(X, Y)
    with pytest.raises(ValueError, match="0/1 indicator"):
        DenseClassifier().fit(X, Y * 2)
    clf = _quiet(DenseClassifier((8,), max_iter=2).fit, X, Y)
    with pytest.raises(ValueError, match="indicator matrix of 4 labels"):
        clf.fit(X, Y, validation_data=(X, Y[:, :2]))


def test_multilabel_early_stopping_and_sample_weight(multilabel):
    X, Y = multilabel
    sw = np.linspace(0.5, 2, len(X))
    clf = _quiet(
        DenseClassifier((8,), max_iter=20, early_stopping=True, random_state=0).fit,
        X,
        Y,
        sample_weight=sw,
    )
    assert len(clf.validation_scores_) == clf.n_iter_


def test_multilabel_in_model_selection(backend, multilabel):
    X, Y = multilabel
    clf = DenseClassifier((16,), max_iter=60, learning_rate_init=0.01, backend=backend)
    # Rows with no true and no predicted label score 1, not an undefined 0/0.
    f1_samples = make_scorer(f1_score, average="samples", zero_division=1.0)
    scores = _quiet(cross_validate, clf, X, Y, cv=2, scoring=f1_samples)
    # Predicting no label at all scores 0 (or the unlabelled rows' share).
    assert (scores["test_score"] > 0.4).all()
    chain = _quiet(
        ClassifierChain(DenseClassifier((8,), max_iter=20, backend=backend)).fit, X, Y
    )
    assert chain.predict(X).shape == Y.shape


def test_multilabel_and_sparse_models_save_and_load(backend, multilabel, tmp_path):
    pytest.importorskip("skops")
    import skdense

    X, Y = multilabel
    clf = _quiet(DenseClassifier((8,), max_iter=3, backend=backend).fit, X, Y)
    skdense.save(clf, tmp_path / "multilabel.skops")
    loaded = skdense.load(tmp_path / "multilabel.skops")
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    loaded.partial_fit(sp.csr_matrix(X), Y)  # and keeps training, on sparse X
    assert loaded.n_iter_ == 4
