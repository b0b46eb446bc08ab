"""dask-ml's Incremental: partial_fit block by block over dask arrays and
DataFrames, for both estimators; and the parts of dask-ml that are broken
upstream, as the docs name them."""

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import SGDRegressor

from skdense import DenseClassifier, DenseRegressor

pytest.importorskip(
    "dask_ml", reason="dask-ml not installed: pip install 'skdense[dask-ml]'"
)
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")
from dask_ml.wrappers import Incremental  # noqa: E402

BLOCK = 500


def _blocks(X, y, frame):
    if frame:
        columns = [f"f{j}" for j in range(X.shape[1])]
        X = dd.from_pandas(pd.DataFrame(X, columns=columns), chunksize=BLOCK)
        return X, dd.from_pandas(pd.Series(y), chunksize=BLOCK)
    return da.from_array(X, chunks=(BLOCK, -1)), da.from_array(y, chunks=BLOCK)


@pytest.mark.parametrize("frame", [False, True], ids=["array", "dataframe"])
def test_incremental_classifier_trains_block_by_block(frame):
    X, y = make_classification(2000, 10, n_informative=6, random_state=0)
    X_blocks, y_blocks = _blocks(X, y, frame)
    model = Incremental(
        DenseClassifier((32,), random_state=0), scoring="accuracy", shuffle_blocks=False
    )
    model.fit(X_blocks, y_blocks, classes=[0, 1])
    # One epoch per block, as partial_fit promises.
    assert model.estimator_.n_iter_ == 4
    # The same training as partial_fit on the blocks in order.
    by_hand = DenseClassifier((32,), random_state=0)
    for start in range(0, len(X), BLOCK):
        rows = slice(start, start + BLOCK)
        by_hand.partial_fit(X[rows], y[rows], classes=[0, 1])
    np.testing.assert_array_equal(model.predict(X_blocks).compute(), by_hand.predict(X))
    assert model.score(X_blocks, y_blocks) == pytest.approx(by_hand.score(X, y))


@pytest.mark.parametrize("frame", [False, True], ids=["array", "dataframe"])
def test_incremental_regressor_with_a_scoring_that_works(frame):
    X, y = make_regression(2000, 10, noise=1.0, random_state=0)
    X_blocks, y_blocks = _blocks(X, y, frame)
    model = Incremental(
        DenseRegressor(
            hidden_layer_sizes=(32,), target_scaling="standard", random_state=0
        ),
        scoring="neg_mean_squared_error",
    )
    for _ in range(5):  # five passes: Incremental.partial_fit takes one each
        model.partial_fit(X_blocks, y_blocks)
    assert model.estimator_.n_iter_ == 20
    error = np.mean((np.asarray(model.predict(X_blocks).compute()) - y) ** 2)
    assert error < 0.2 * np.var(y)
    if not frame:  # dask-ml's metrics fail on dask DataFrames (see below)
        assert model.score(X_blocks, y_blocks) == pytest.approx(-error)


def test_the_upstream_breakage_the_docs_name_is_still_there():
    # "Beyond one machine" names these failures of dask-ml 2025.1 on current
    # dask, for scikit-learn's own estimators too. If this test fails,
    # dask-ml fixed them: update the page and this test.
    X, y = make_regression(1000, 5, random_state=0)
    X_blocks, y_blocks = _blocks(X, y, frame=False)
    model = Incremental(SGDRegressor(random_state=0)).fit(X_blocks, y_blocks)
    with pytest.raises(ValueError, match="cannot broadcast shape"):
        model.score(X_blocks, y_blocks)  # the default scoring, R²
    X_frame, y_frame = _blocks(X, y, frame=True)
    model = Incremental(SGDRegressor(random_state=0), scoring="neg_mean_squared_error")
    model.fit(X_frame, y_frame)
    with pytest.raises(AttributeError, match="_validate_axis"):
        model.score(X_frame, y_frame)
