"""Hostile input, tried at scale with hypothesis.

Random shapes, dtypes, NaN/inf, huge and tiny values, duplicate and
single-sample classes, object arrays, sparse matrices (empty rows, explicit
zeros, int64 indices, unsorted and duplicate entries) and multilabel
indicator y (all-zero columns, a single label) go to ``fit``, ``partial_fit``
and ``predict``/``predict_proba`` of both backends. The only acceptable outcomes
are a model with finite probabilities, or a ``ValueError`` with a message; a
failed call leaves the estimator as it was.

``TypeError`` is accepted in one case only: an object array holding things
that are not numbers (a string, None, ...), which scikit-learn's own estimator
checks (``check_dtype_object``) require to raise ``TypeError``.
"""

import warnings
from typing import NamedTuple

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import fit_quietly

from skdense import DenseClassifier, DenseRegressor

hypothesis = pytest.importorskip(
    "hypothesis", reason="hypothesis not installed: pip install 'skdense[test]'"
)
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

SETTINGS = settings(
    deadline=None,
    derandomize=True,  # the same cases on every run: CI is reproducible
    database=None,
    suppress_health_check=list(HealthCheck),
)
NUMERIC_DTYPES = ["float64", "float32", "float16", "int8", "uint8", "int64", "bool"]


# -- strategies ---------------------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False)  # 1e-308 .. 1e308
anything_float = st.floats()  # NaN and inf too
RARELY = st.sampled_from([False] * 9 + [True])  # st.integers favours its ends
python_object = st.one_of(
    anything_float, st.integers(), st.booleans(), st.text(max_size=3), st.none()
)


@st.composite
def matrices(draw, n_features=None):
    """An X: mostly 2-d numbers (often finite, of any magnitude), sometimes not."""
    n = draw(st.integers(0, 12) | st.integers(4, 12))
    f = n_features if n_features is not None else draw(st.integers(0, 4) | st.just(2))
    if n_features is not None and draw(RARELY):
        f = draw(st.integers(0, 4))  # now and then the wrong number of features
    kind = draw(
        st.sampled_from(
            ["finite"] * 5
            + ["sparse"] * 2
            + ["numeric", "object", "complex", "ndim", "ragged"]
        )
    )
    if kind == "sparse":
        return draw(sparse_matrices(n, f))
    if kind == "finite":
        # Huge and tiny magnitudes, and (now and then) any finite float at all.
        scale = draw(st.sampled_from([1.0] * 4 + [1e-300, 1e-30, 1e30, 1e300]))
        elements = st.floats(-1, 1).map(lambda v: v * scale)
        if draw(st.sampled_from([False] * 4 + [True])):
            elements = finite
        dtype = draw(st.sampled_from(["float64"] * 3 + ["float32"]))
        if dtype == "float32":
            elements = st.floats(allow_nan=False, allow_infinity=False, width=32)
        return draw(hnp.arrays(dtype, (n, f), elements=elements))
    if kind == "numeric":
        return draw(hnp.arrays(draw(st.sampled_from(NUMERIC_DTYPES)), (n, f)))
    if kind == "object":
        return draw(hnp.arrays(object, (n, f), elements=python_object))
    if kind == "complex":
        return draw(hnp.arrays("complex128", (n, f)))
    if kind == "ndim":
        shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, max_side=4))
        return draw(hnp.arrays("float64", shape, elements=finite))
    return draw(st.lists(st.lists(anything_float, max_size=4), max_size=6))


@st.composite
def sparse_matrices(draw, n, f):
    """A CSR or CSC X, often non-canonical: explicit zeros, empty rows,
    unsorted and duplicate column indices, int32 or int64 indices."""
    index_dtype = draw(st.sampled_from(["int32", "int64"]))
    values = st.sampled_from([0.0, 1.0, -2.5]) | anything_float
    if n and f:
        nnz = draw(st.integers(0, 2 * n * f))
        rows = np.sort(draw(hnp.arrays("int64", nnz, elements=st.integers(0, n - 1))))
        columns = draw(hnp.arrays(index_dtype, nnz, elements=st.integers(0, f - 1)))
        data = draw(hnp.arrays("float64", nnz, elements=values))
        indptr = np.searchsorted(rows, np.arange(n + 1)).astype(index_dtype)
        X = sp.csr_matrix((data, columns, indptr), shape=(n, f))  # as drawn
    else:
        X = sp.csr_matrix((n, f))
    kind = draw(st.sampled_from(["csr_matrix", "csr_array", "csc_matrix", "csc_array"]))
    return {
        "csr_matrix": X,
        "csr_array": sp.csr_array(X),
        "csc_matrix": X.tocsc(),
        "csc_array": sp.csc_array(X.tocsc()),
    }[kind]


@st.composite
def labels(draw, n):
    """A y for ``n`` samples: few labels, so classes repeat or have one sample."""
    if draw(RARELY):
        n = draw(st.integers(0, 12))  # the wrong length
    kind = draw(
        st.sampled_from(
            ["int"] * 4 + ["str"] * 2 + ["multilabel"] * 2 + ["float", "object", "2d"]
        )
    )
    if kind == "multilabel":  # an indicator matrix; one column is one label
        n_labels = draw(st.integers(1, 3))
        y = draw(hnp.arrays("int64", (n, n_labels), elements=st.sampled_from([0, 1])))
        if draw(RARELY):
            y[:, 0] = 0  # a label no sample has
        return y
    if kind == "int":
        return np.array(
            draw(st.lists(st.sampled_from([0, 1, 2]), min_size=n, max_size=n))
        )
    if kind == "str":
        return np.array(
            draw(st.lists(st.sampled_from(["a", "b"]), min_size=n, max_size=n))
        )
    if kind == "float":
        values = st.sampled_from([0.0, 1.0, 0.5]) | anything_float
        return np.array(draw(st.lists(values, min_size=n, max_size=n)), dtype=float)
    if kind == "object":
        values = st.sampled_from([0, "a", 1]) | python_object
        return np.array(draw(st.lists(values, min_size=n, max_size=n)) + [None])[:n]
    return draw(st.sampled_from([np.zeros((n, 2)), np.full((n, 2), 2)]))


def targets(n, smallest=-1e6):
    """A regressor's y for ``n`` samples: labels' hostile kinds, and numbers
    from ``smallest`` to 1e6 and beyond (NaN, inf), one or two columns.
    Negative targets come from the labels' kinds in any case."""
    numbers = st.sampled_from(["1d", "1d", "2d"]).flatmap(
        lambda kind: hnp.arrays(
            "float64",
            n if kind == "1d" else (n, 2),
            elements=st.floats(smallest, 1e6) | anything_float,
        )
    )
    return numbers | labels(n)


def sample_weights(n):
    return st.sampled_from(["none", "none", "none", "valid", "any"]).flatmap(
        lambda kind: {
            "none": st.none(),
            "valid": hnp.arrays("float64", n, elements=st.floats(0, 10)),
            "any": hnp.arrays("float64", st.integers(0, 12), elements=anything_float),
        }[kind]
    )


# -- outcome checks -----------------------------------------------------------


def _n_rows(X):
    if isinstance(X, list):
        return len(X)
    return X.shape[0] if X.ndim > 0 else 1


def _has_non_numeric_objects(*arrays):
    for a in arrays:
        try:
            np.asarray(a, dtype=float)
        except (TypeError, ValueError):
            return True
    return False


def _call(method, *args, **kwargs):
    """Run ``method``; return (True, result), or (False, error) if it refused."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                return True, method(*args, **kwargs)
    except ValueError as error:
        assert str(error), "a ValueError without a message"
        return False, error
    except TypeError as error:
        assert _has_non_numeric_objects(*args, *kwargs.values()), error
        assert str(error)
        return False, error


def _is_regressor(model):
    return isinstance(model, DenseRegressor)


def _outputs(model, X):
    """Probabilities of a classifier, predictions of a regressor."""
    return model.predict(X) if _is_regressor(model) else model.predict_proba(X)


def _snapshot(clf):
    """What a failed call must not change."""
    probe = np.linspace(-1, 1, 3 * clf.n_features_in_).reshape(3, -1)
    return (
        _outputs(clf, probe),
        getattr(clf, "classes_", np.array([])).copy(),
        clf.n_features_in_,
        clf.n_iter_,
        {k: list(v) for k, v in clf.history_.items()},
        [w.copy() for w in clf.coefs_],
    )


def _assert_unchanged(clf, snapshot):
    after = _snapshot(clf)
    np.testing.assert_array_equal(after[0], snapshot[0])
    np.testing.assert_array_equal(after[1], snapshot[1])
    assert after[2:5] == snapshot[2:5]
    for a, b in zip(after[5], snapshot[5], strict=True):
        np.testing.assert_array_equal(a, b)


def _assert_finite_probabilities(clf, X):
    X = X if sp.issparse(X) else np.asarray(X)
    accepted, proba = _call(_outputs, clf, X)
    if not accepted:
        # Accepted for training yet too large to predict: only values whose
        # products overflow even float64 get here, and they get a message;
        # or, with the poisson loss, any whose log-mean passes 709, where
        # exp overflows (its fit warned of divergence).
        poisson = _is_regressor(clf) and clf.loss == "poisson"
        assert poisson or abs(X).max() > 1e100, proba
        assert "overflow" in str(proba)
        return
    _assert_probabilities(clf, proba, X.shape[0])


def _assert_probabilities(clf, proba, n_rows):
    """Finite probabilities of each class (rows sum to 1) or of each label;
    finite predictions of a regressor (positive ones for the poisson loss)."""
    if _is_regressor(clf):
        assert proba.shape[0] == n_rows and proba.ndim == (clf.n_outputs_ > 1) + 1
        assert np.all(np.isfinite(proba))
        if clf.loss == "poisson":
            assert np.all(proba >= 0)
        return
    assert proba.shape == (n_rows, len(clf.classes_))
    assert np.all(np.isfinite(proba))
    if clf._multilabel:
        assert np.all((proba >= 0) & (proba <= 1))
    else:
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)


def _classifier(backend):
    return DenseClassifier(
        (3,), max_iter=2, batch_size=4, random_state=0, backend=backend
    )


REFERENCE = (
    np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]] * 3),
    np.arange(12) % 3,
)


# -- the properties -----------------------------------------------------------


class Cases(NamedTuple):
    """How many cases a property tries, and how many at least must be valid
    data that trains or predicts (the strategies mostly draw hostile input)."""

    n: int
    at_least_valid: int


@pytest.fixture(
    params=[
        pytest.param(Cases(50, at_least_valid=1), id="50-cases"),
        pytest.param(
            Cases(500, at_least_valid=50), id="500-cases", marks=pytest.mark.slow
        ),
    ]
)
def n_cases(request):
    """Cases per property: a quick 50 by default, the full 500 in the slow tier."""
    return request.param


def _train_on_hostile_input(clf, method, draw_arguments, n_cases):
    """Call ``method`` of ``clf`` on ``n_cases.n`` drawn inputs; check every outcome.

    A call that trains must leave finite probabilities; one that refuses
    must leave the estimator as it was (the last call that trained).
    """
    state = {"snapshot": _snapshot(clf), "cases": 0, "trained": 0}

    @settings(SETTINGS, max_examples=n_cases.n)
    @given(data=st.data())
    def call_once(data):
        X, y, kwargs = draw_arguments(data)
        state["cases"] += 1
        accepted, _ = _call(getattr(clf, method), X, y, **kwargs)
        if accepted:
            state["trained"] += 1
            _assert_finite_probabilities(clf, X)
            state["snapshot"] = _snapshot(clf)
        else:
            _assert_unchanged(clf, state["snapshot"])

    call_once()
    assert state["cases"] >= n_cases.n
    assert state["trained"] >= n_cases.at_least_valid  # valid data is tried too


def test_fit_on_hostile_input(backend, n_cases):
    def draw_arguments(data):
        X = data.draw(matrices())
        y = data.draw(labels(_n_rows(X)))
        return X, y, {"sample_weight": data.draw(sample_weights(len(y)))}

    clf = fit_quietly(_classifier(backend), *REFERENCE)
    _train_on_hostile_input(clf, "fit", draw_arguments, n_cases)


def test_partial_fit_on_hostile_input(backend, n_cases):
    def draw_arguments(data):
        X = data.draw(matrices(n_features=2))
        return X, data.draw(labels(_n_rows(X))), {}

    clf = _classifier(backend).partial_fit(*REFERENCE, classes=[0, 1, 2])
    _train_on_hostile_input(clf, "partial_fit", draw_arguments, n_cases)


def test_multilabel_partial_fit_on_hostile_input(backend, n_cases):
    def draw_arguments(data):
        X = data.draw(matrices(n_features=2))
        n = _n_rows(X)
        y = data.draw(
            hnp.arrays("int64", (n, 3), elements=st.sampled_from([0, 1])) | labels(n)
        )
        return X, y, {}

    indicator = np.eye(3, dtype=int)[REFERENCE[1]]
    indicator[:, 2] = 0  # an all-zero column
    clf = _classifier(backend).partial_fit(REFERENCE[0], indicator)
    assert clf._multilabel
    _train_on_hostile_input(clf, "partial_fit", draw_arguments, n_cases)


def test_predict_on_hostile_input(backend, n_cases):
    clf = fit_quietly(_classifier(backend), *REFERENCE)
    snapshot = _snapshot(clf)
    state = {"cases": 0, "predicted": 0}

    @settings(SETTINGS, max_examples=n_cases.n)
    @given(X=matrices(n_features=2))
    def predict_once(X):
        state["cases"] += 1
        accepted, proba = _call(clf.predict_proba, X)
        agreed, labels_ = _call(clf.predict, X)
        assert accepted == agreed
        if accepted:
            state["predicted"] += 1
            _assert_probabilities(clf, proba, _n_rows(X))
            assert set(labels_) <= set(clf.classes_)
        _assert_unchanged(clf, snapshot)

    predict_once()
    assert state["cases"] >= n_cases.n
    assert state["predicted"] >= n_cases.at_least_valid


def _regressor_fit_on_hostile_input(backend, loss, n_cases):
    def draw_arguments(data):
        X = data.draw(matrices())
        y = data.draw(targets(_n_rows(X), 0.0 if loss == "poisson" else -1e6))
        return X, y, {"sample_weight": data.draw(sample_weights(len(y)))}

    reg = DenseRegressor(
        loss,
        hidden_layer_sizes=(3,),
        max_iter=2,
        batch_size=4,
        random_state=0,
        backend=backend,
    )
    fit_quietly(reg, REFERENCE[0], REFERENCE[1])
    _train_on_hostile_input(reg, "fit", draw_arguments, n_cases)


def test_regressor_fit_on_hostile_input(backend, n_cases):
    _regressor_fit_on_hostile_input(backend, "squared_error", n_cases)


def test_poisson_regressor_fit_on_hostile_input(n_cases):
    # The NumPy engine only: the exponential output is the engines' shared
    # forward pass, and the Poisson loss's agreement across engines is
    # tests/test_keras.py's; on Keras 500 fits take five minutes.
    _regressor_fit_on_hostile_input("numpy", "poisson", n_cases)


def test_regressor_partial_fit_on_hostile_input(backend, n_cases):
    def draw_arguments(data):
        X = data.draw(matrices(n_features=2))
        return X, data.draw(targets(_n_rows(X))), {}

    reg = DenseRegressor(
        hidden_layer_sizes=(3,), batch_size=4, random_state=0, backend=backend
    ).partial_fit(*REFERENCE)
    _train_on_hostile_input(reg, "partial_fit", draw_arguments, n_cases)


def test_overflowing_optimizer_state_never_leaves_nan_weights(backend):
    # Found by the properties above: with inputs near 1e19, adam's squared
    # gradients overflow float32 and one step made the weights NaN while the
    # loss of that step was still finite.
    X, y = np.array([[0.0, 1.9485178930074223e19], [1.0, 0.0]]), np.array([0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # divergence (keras) or convergence
        clf = _classifier(backend).fit(X, y)
    assert all(np.isfinite(w).all() for w in clf.coefs_ + clf.intercepts_)
    assert np.isfinite(clf.predict_proba([[0.5, 0.5]])).all()
