"""transform: the hidden activations, as a supervised feature extractor."""

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import HAS_KERAS, NO_KERAS
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skdense import DenseClassifier, DenseRegressor

BACKENDS = [
    "numpy",
    pytest.param("keras", marks=pytest.mark.skipif(not HAS_KERAS, reason=NO_KERAS)),
]

# These tests train a few epochs on purpose: the estimator's "maximum
# iterations reached" warning is expected here.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Stochastic optimizer:sklearn.exceptions.ConvergenceWarning"
)


def _by_hand(model, X, n_layers):
    """The hidden activations from coefs_ and intercepts_ (tanh network)."""
    a = np.asarray(X, np.float64) * model.network_.spec.input_scale
    for w, b in list(zip(model.coefs_, model.intercepts_, strict=True))[:n_layers]:
        a = np.tanh(a @ w.astype(np.float64) + b)
    return a


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("estimator", [DenseClassifier, DenseRegressor])
def test_transform_gives_each_hidden_layers_activations(backend, estimator, digits):
    X, y = digits
    model = estimator(
        hidden_layer_sizes=(32, 8),
        activation="tanh",
        max_iter=3,
        input_scale=0.5,
        backend=backend,
        random_state=0,
    ).fit(X, y)
    np.testing.assert_allclose(model.transform(X), _by_hand(model, X, 2), atol=1e-12)
    np.testing.assert_allclose(
        model.transform(X, layer=0), _by_hand(model, X, 1), atol=1e-12
    )
    assert model.transform(X, layer=-2).shape == (600, 32)
    # Sparse @ dense sums in another order than BLAS: float64 rounding apart.
    np.testing.assert_allclose(
        model.transform(sp.csr_matrix(X)), model.transform(X), rtol=1e-12, atol=1e-14
    )
    prefix = estimator.__name__.lower()
    assert list(model.get_feature_names_out()) == [f"{prefix}{i}" for i in range(8)]


@pytest.mark.parametrize("layer", [2, -3, 1.0, True, "last"])
def test_a_layer_that_does_not_exist_is_refused(layer, digits):
    X, y = digits
    clf = DenseClassifier((8, 4), max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="2 hidden layer"):
        clf.transform(X, layer=layer)
    assert clf.transform(X).shape == (600, 4)  # still usable


def test_transform_needs_a_fitted_model(digits):
    with pytest.raises(NotFittedError):
        DenseClassifier().transform(digits[0])
    with pytest.raises(NotFittedError):
        DenseClassifier().get_feature_names_out()


def test_a_supervised_feature_extractor_in_a_pipeline(digits):
    """StandardScaler -> DenseClassifier -> SVC: the SVC learns on the
    network's last hidden layer (16 features instead of 64 pixels)."""
    X, y = digits
    extractor = DenseClassifier((64, 16), max_iter=40, random_state=0)
    pipeline = make_pipeline(StandardScaler(), extractor, SVC())
    scores = cross_val_score(pipeline, X, y, cv=3)
    alone = cross_val_score(make_pipeline(StandardScaler(), extractor), X, y, cv=3)
    # After 40 epochs the network alone reaches 0.74; an SVC on its 16
    # learned features does better.
    assert scores.mean() > 0.8 and scores.mean() > alone.mean()
    pipeline.fit(X, y)
    assert pipeline[-1].n_features_in_ == 16
    assert list(pipeline[:-1].get_feature_names_out())[:2] == [
        "denseclassifier0",
        "denseclassifier1",
    ]
    np.testing.assert_array_equal(
        pipeline[:-1].transform(X), extractor.transform(pipeline[0].transform(X))
    )


def test_fit_transform_is_fit_then_transform(digits):
    X, y = digits
    params = dict(hidden_layer_sizes=(8,), max_iter=2, random_state=0)
    np.testing.assert_array_equal(
        DenseClassifier(**params).fit_transform(X, y),
        DenseClassifier(**params).fit(X, y).transform(X),
    )


@pytest.mark.parametrize("estimator", [DenseClassifier, DenseRegressor])
def test_set_output_pandas_in_a_pipeline(estimator, digits):
    """``Pipeline.set_output`` reaches the network: its transform gives a
    DataFrame named like ``get_feature_names_out``, on the input's index."""
    pd = pytest.importorskip("pandas")
    X, y = digits
    X = pd.DataFrame(X, index=np.arange(1000, 1000 + len(X)))
    pipeline = make_pipeline(
        StandardScaler(),
        estimator(hidden_layer_sizes=(8, 4), max_iter=2, random_state=0),
    ).set_output(transform="pandas")
    pipeline.fit(X, y)
    features = pipeline.transform(X)
    assert isinstance(features, pd.DataFrame)
    assert list(features.columns) == list(pipeline[-1].get_feature_names_out())
    assert (features.index == X.index).all()
    # The same arithmetic on the same arrays in one process: identical.
    np.testing.assert_array_equal(
        features.to_numpy(), pipeline[-1].transform(pipeline[0].transform(X))
    )
    assert pipeline.predict(X).shape == (len(X),)


def test_set_output_and_a_layer_of_another_width(digits):
    pd = pytest.importorskip("pandas")
    X, y = digits
    clf = DenseClassifier((8, 4), max_iter=2, random_state=0).fit(X, y)
    clf.set_output(transform="pandas")
    assert clf.transform(X).shape == (600, 4)
    with pytest.raises(ValueError, match="set_output.*layer 0 has 8"):
        clf.transform(X, layer=0)
    assert isinstance(clf.fit_transform(X, y), pd.DataFrame)  # still usable
    clf.set_output(transform="default")
    assert clf.transform(X, layer=0).shape == (600, 8)
