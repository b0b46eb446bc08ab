"""Every common column type of pandas and polars DataFrames, and columns of
many levels."""

import numpy as np
import pytest
from conftest import fit_quietly

from skdense import DenseClassifier

pd = pytest.importorskip("pandas")

N = 200


def _numbers_with_na(rng):
    values = rng.integers(0, 5, N).astype(object)
    values[rng.random(N) < 0.1] = None
    return values


# name: a pandas column of N values, read as numbers.
PANDAS_NUMBERS = {
    "bool": lambda rng: pd.Series(rng.random(N) < 0.5),
    "Int64 with NA": lambda rng: pd.Series(
        _numbers_with_na(rng).tolist(), dtype="Int64"
    ),
    "Float64 with NA": lambda rng: pd.Series(
        _numbers_with_na(rng).tolist(), dtype="Float64"
    ),
    "boolean with NA": lambda rng: pd.Series(
        [None if v is None else v > 2 for v in _numbers_with_na(rng)], dtype="boolean"
    ),
}
# name: a pandas column of N values, read as categories under "from_dtype".
PANDAS_CATEGORIES = {
    "category": lambda rng: pd.Series(rng.choice(list("abc"), N)).astype("category"),
    "object": lambda rng: pd.Series(rng.choice(list("abc"), N).astype(object)),
    "string": lambda rng: pd.Series(rng.choice(list("abc"), N)).astype("string"),
}


def _frame(column, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x": rng.normal(size=N), "c": column(rng)})


def _y(seed=0):
    return np.random.default_rng(seed + 100).integers(0, 2, N)


@pytest.mark.parametrize("name", PANDAS_NUMBERS)
def test_pandas_booleans_and_nullable_numbers_are_numbers(name):
    X = _frame(PANDAS_NUMBERS[name])
    clf = fit_quietly(
        DenseClassifier((4,), max_iter=2, missing_values="indicator"), X, _y()
    )
    assert clf.is_categorical_ is None
    assert clf._missing.indicated == (() if name == "bool" else (1,))
    assert clf.predict(X).shape == (N,)


@pytest.mark.parametrize("name", PANDAS_CATEGORIES)
def test_pandas_text_columns_are_categories_under_from_dtype(name):
    X = _frame(PANDAS_CATEGORIES[name])
    clf = fit_quietly(
        DenseClassifier((4,), max_iter=2, categorical_features="from_dtype"), X, _y()
    )
    assert clf.is_categorical_.tolist() == [False, True]
    assert clf._categorical.levels == (("a", "b", "c"),)
    with pytest.raises(ValueError, match="'c'.*categorical_features='from_dtype'"):
        DenseClassifier().fit(X, _y())


@pytest.mark.parametrize("categorical_features", [None, "from_dtype"])
def test_a_date_column_is_refused_with_what_to_do(categorical_features):
    X = _frame(lambda rng: pd.Series(pd.date_range("2020-01-01", periods=N)))
    with pytest.raises(ValueError, match="Column 'c' holds dates.*into numbers"):
        DenseClassifier(categorical_features=categorical_features).fit(X, _y())


def test_an_object_column_of_numbers_is_read_as_numbers():
    X = _frame(lambda rng: pd.Series(rng.normal(size=N).astype(object)))
    clf = fit_quietly(DenseClassifier((4,), max_iter=2), X, _y())
    assert clf.n_features_in_ == 2 and clf.is_categorical_ is None


POLARS_CATEGORIES = ["Categorical", "Enum", "String"]


@pytest.mark.parametrize("kind", POLARS_CATEGORIES)
def test_polars_text_columns_are_categories_under_from_dtype(kind):
    pl = pytest.importorskip("polars")
    rng = np.random.default_rng(0)
    text = pl.Series(rng.choice(list("abc"), N).tolist())
    column = {
        "Categorical": text.cast(pl.Categorical),
        "Enum": text.cast(pl.Enum(["a", "b", "c"])),
        "String": text,
    }[kind]
    y = _y()
    X = pl.DataFrame(
        {"x": rng.normal(size=N), "flag": rng.random(N) < 0.5, "c": column}
    )
    clf = fit_quietly(
        DenseClassifier((4,), max_iter=2, categorical_features="from_dtype"), X, y
    )
    assert clf.is_categorical_.tolist() == [False, False, True]
    assert clf.feature_names_in_.tolist() == ["x", "flag", "c"]
    as_pandas = pd.DataFrame({"x": X["x"].to_numpy(), "flag": X["flag"].to_numpy()})
    as_pandas["c"] = pd.Categorical(X["c"].cast(pl.String).to_list())
    np.testing.assert_allclose(clf.predict_proba(X), clf.predict_proba(as_pandas))
    with pytest.raises(ValueError, match="'c'.*categorical_features='from_dtype'"):
        DenseClassifier().fit(X, y)


def test_polars_nulls_in_numbers_are_missing_values():
    pl = pytest.importorskip("polars")
    rng = np.random.default_rng(0)
    X = pl.DataFrame({"x": rng.normal(size=N), "n": _numbers_with_na(rng).tolist()})
    clf = fit_quietly(
        DenseClassifier((4,), max_iter=2, missing_values="indicator"), X, _y()
    )
    assert clf._missing.indicated == (1,)


def test_a_column_of_5000_levels_trains_with_rare_levels_pooled():
    rng = np.random.default_rng(0)
    n = 20_000
    codes = rng.integers(0, 5000, n)
    X = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "id": pd.Series([f"level{c}" for c in codes]).astype("category"),
        }
    )
    y = (codes % 2 == 0).astype(int)
    clf = fit_quietly(
        DenseClassifier.from_preset(
            "tabular", max_iter=2, n_ensemble=1, min_frequency=3, max_categories=1000
        ),
        X,
        y,
    )
    (levels,) = clf._categorical.n_levels
    assert levels == 1000 and clf._categorical.pooled == (True,)
    assert clf.network_.get_weights()[-1].shape == (1000, 8)  # the bounded table
    unseen = X.iloc[:5].assign(id=pd.Categorical(["never seen"] * 5))
    codes = clf._categorical.encode(unseen)["id"].to_numpy()
    assert (codes == 999).all()  # an unseen level is infrequent
    assert clf.predict(unseen).shape == (5,)


@pytest.mark.parametrize(
    "min_frequency, max_categories, kept",
    [
        (None, None, ("a", "b", "c", "d")),
        (3, None, ("a", "b")),
        (0.35, None, ("a",)),
        (None, 3, ("a", "b")),
        (2, 2, ("a",)),
    ],
)
def test_which_levels_are_pooled(min_frequency, max_categories, kept):
    X = pd.DataFrame({"c": pd.Categorical(list("aaaabbbccd"))})
    clf = fit_quietly(
        DenseClassifier(
            (2,),
            max_iter=1,
            categorical_features="from_dtype",
            min_frequency=min_frequency,
            max_categories=max_categories,
        ),
        X,
        np.arange(10) % 2,
    )
    assert clf._categorical.levels == (kept,)
    pooled = len(kept) < 4
    assert clf._categorical.n_levels == (len(kept) + pooled,)


def test_categorical_columns_saved_before_pooling_load_without_it():
    import pickle

    from skdense._columns import CategoricalColumns

    columns = CategoricalColumns([1], [("a", "b")], 2)
    del columns.__dict__["pooled"]  # as saved before min_frequency existed
    loaded = pickle.loads(pickle.dumps(columns))
    assert loaded.pooled == (False,) and loaded.n_levels == (2,)
