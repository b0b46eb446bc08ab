"""Categorical columns: the network's stage (gradients, the documented
encoding) and the estimators that take a DataFrame's categories as they are."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import fit_quietly, loss_targets
from test_gradients import _numerical_gradients

from skdense import DenseClassifier, DenseRegressor
from skdense.backends import NUMERIC_EMBEDDINGS, NetworkSpec, make_network
from skdense.backends._categorical import encode_categories
from skdense.backends._ops import LOSSES

# A one-hot column (3 levels) and an embedded one (12 levels, above 8).
LEVELS = (3, 12)


def _pandas():
    return pytest.importorskip(
        "pandas", reason="pandas not installed: pip install pandas"
    )


def _codes(rng, n):
    """Level indices with unknown ones (-1, and one past the last level)."""
    return np.c_[rng.integers(-1, 4, n), rng.integers(-1, 13, n)]


@pytest.mark.parametrize("embedding", [None, *NUMERIC_EMBEDDINGS])
@pytest.mark.parametrize("loss", LOSSES)
def test_categorical_columns_backpropagate_their_gradient(loss, embedding):
    rng = np.random.default_rng(0)
    X = np.c_[rng.normal(size=(9, 2)), _codes(rng, 9)].astype(np.float64)
    spec = NetworkSpec(
        4,
        3,
        LOSSES[loss].out_activation,
        loss=loss,
        hidden_layer_sizes=(4,),
        activation="tanh",
        alpha=0.1,
        dtype=np.float64,
        numeric_embedding=embedding,
        embedding_size=3,
        embedding_frequencies=2,
        categorical_levels=LEVELS,
        categorical_embedding_size=2,
    )
    net = make_network("numpy", spec, 1)
    Y = loss_targets(rng, loss, 9)
    _, grads = net.loss_and_gradients(X, Y)
    grads = [g.copy() for g in grads]
    assert grads[-1].shape == (12, 2)  # the embedded column's table, last
    expected = _numerical_gradients(net, lambda: net.loss_and_gradients(X, Y)[0])
    for analytic, numeric in zip(grads, expected, strict=True):
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_categories_are_the_encoding_they_document():
    spec = NetworkSpec(2, 1, "logistic", categorical_levels=LEVELS)
    table = np.arange(12 * 8, dtype=np.float64).reshape(12, 8)
    codes = np.array([[0.0, 5.0], [2.0, -1.0], [-1.0, 11.0], [3.0, 12.0]])
    out = encode_categories(codes, [table], spec)
    np.testing.assert_array_equal(
        out[:, :3], [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0] * 3]
    )
    np.testing.assert_array_equal(out[:, 3:], [table[5], [0] * 8, table[11], [0] * 8])


def _frame(n=240, seed=0):
    """Two numeric columns, a pandas category column, a string column of 12
    levels and an object column; y depends on the categories."""
    pd = _pandas()
    rng = np.random.default_rng(seed)
    colour = rng.choice(["red", "green", "blue"], n)
    city = rng.choice([f"city{i}" for i in range(12)], n)
    X = pd.DataFrame(
        {
            "age": rng.normal(40, 10, n),
            "colour": pd.Categorical(colour),
            "income": rng.normal(size=n),
            "city": city,
            "flag": np.array(rng.choice(["yes", "no"], n), dtype=object),
        }
    )
    signal = (colour == "red") + np.isin(city, ["city1", "city4", "city7"])
    return X, signal + 0.1 * X["income"].to_numpy() > 0.5


@pytest.mark.parametrize("estimator", [DenseClassifier, DenseRegressor])
def test_estimators_learn_from_a_dataframe_of_categories(estimator, backend):
    X, y = _frame()
    y = y if estimator is DenseClassifier else y.astype(float)
    model = fit_quietly(
        estimator(
            hidden_layer_sizes=(16,),
            categorical_features="from_dtype",
            input_scaling="standard",
            max_iter=60,
            learning_rate_init=0.01,
            backend=backend,
            random_state=0,
        ),
        X,
        y,
    )
    np.testing.assert_array_equal(model.is_categorical_, [0, 1, 0, 1, 1])
    assert model.network_.spec.categorical_levels == (3, 12, 2)
    # 2 numeric, 3 + 2 one-hot and 8 embedded inputs
    assert model.coefs_[0].shape == (2 + 3 + 8 + 2, 16)
    assert model.score(X, y) > 0.9
    assert X["city"].dtype != np.int64  # the user's frame is not changed
    loaded = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_unseen_and_missing_levels_predict_as_no_level():
    X, y = _frame()
    clf = fit_quietly(
        DenseClassifier((8,), categorical_features="from_dtype", random_state=0),
        X,
        y,
    )
    new = X.iloc[:6].astype({"colour": object})
    unseen, missing = new.copy(), new.copy()
    unseen["colour"], unseen["city"] = "purple", "atlantis"
    missing["colour"], missing["city"] = None, np.nan
    np.testing.assert_array_equal(clf.predict_proba(unseen), clf.predict_proba(missing))
    assert not np.array_equal(clf.predict_proba(unseen), clf.predict_proba(new))


def test_columns_chosen_by_mask_positions_or_names_are_the_same_model():
    X, y = _frame()
    chosen = [
        "from_dtype",
        [False, True, False, True, True],
        [1, 3, -1],
        ["colour", "city", "flag"],
    ]
    probas = [
        fit_quietly(
            DenseClassifier((8,), max_iter=5, categorical_features=c, random_state=0),
            X,
            y,
        ).predict_proba(X)
        for c in chosen
    ]
    for proba in probas[1:]:
        np.testing.assert_array_equal(proba, probas[0])


def test_an_array_with_categorical_positions_trains_without_an_encoder():
    X, y = _frame()
    array = X.to_numpy(dtype=object)
    clf = fit_quietly(
        DenseClassifier(
            (16,),
            categorical_features=[1, 3, 4],
            input_scaling="standard",
            max_iter=60,
            learning_rate_init=0.01,
            random_state=0,
        ),
        array,
        y,
    )
    assert clf.score(array, y) > 0.9
    assert not hasattr(clf, "feature_names_in_")


def test_training_that_goes_on_keeps_the_first_fits_levels():
    X, y = _frame()
    clf = DenseClassifier((8,), categorical_features="from_dtype", random_state=0)
    clf.partial_fit(X.iloc[:100], y[:100], classes=[False, True])
    later = X.iloc[100:].astype({"colour": object})
    later["colour"] = "purple"  # a level the first call did not see
    clf.partial_fit(later, y[100:])
    assert clf.network_.spec.categorical_levels == (3, 12, 2)
    assert clf.predict(later).shape == (140,)


def test_early_stopping_and_a_scorer_see_the_validation_categories():
    X, y = _frame()
    clf = fit_quietly(
        DenseClassifier(
            (8,),
            categorical_features="from_dtype",
            early_stopping=True,
            scoring="roc_auc",
            max_iter=5,
            random_state=0,
        ),
        X,
        y,
        validation_data=(X.iloc[:50], y[:50]),
    )
    assert len(clf.history_["val_roc_auc"]) == 5


def test_without_categorical_features_strings_are_refused_naming_the_column():
    X, y = _frame()
    with pytest.raises(ValueError, match="'colour'.*categorical_features='from_dtype'"):
        DenseClassifier().fit(X, y)


@pytest.mark.parametrize(
    "categorical_features, message",
    [
        ("auto", "categorical_features"),
        ([[1, 2]], "categorical_features"),
        ([True, False], "one entry per feature"),
        ([7], "X has 5 features"),
        (["colour", "planet"], "'planet'"),
    ],
)
def test_bad_column_choices_are_refused_and_keep_the_model(
    categorical_features, message
):
    X, y = _frame()
    clf = fit_quietly(
        DenseClassifier((8,), categorical_features="from_dtype", max_iter=3), X, y
    )
    before = clf.predict_proba(X)
    clf.set_params(categorical_features=categorical_features)
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_sparse_x_and_columns_of_missing_values_only_are_refused():
    X = np.random.default_rng(0).normal(size=(20, 3))
    y = X[:, 0] > 0
    with pytest.raises(ValueError, match="needs dense X"):
        DenseClassifier(categorical_features=[0]).fit(sp.csr_matrix(X), y)
    pd = _pandas()
    empty = pd.DataFrame({"a": X[:, 0], "b": pd.Series([None] * 20, dtype=object)})
    with pytest.raises(ValueError, match="missing values only"):
        DenseClassifier(categorical_features="from_dtype").fit(empty, y)


def test_is_categorical_is_none_without_categorical_columns(iris):
    clf = DenseClassifier((4,), solver="lbfgs", max_iter=5, random_state=0)
    assert fit_quietly(clf, *iris).is_categorical_ is None
