"""scikit-learn's callback API on both engines, and skdense's Checkpoint."""

import importlib
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from conftest import HAS_KERAS, NO_KERAS, fit_quietly
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skdense
from skdense import DenseClassifier, DenseRegressor

callback = pytest.importorskip(
    "sklearn.callback", reason="the callback API needs scikit-learn >= 1.9"
)
from skdense.callbacks import Checkpoint  # noqa: E402

BACKENDS = [
    "numpy",
    pytest.param("keras", marks=pytest.mark.skipif(not HAS_KERAS, reason=NO_KERAS)),
]


class Recorder:
    """A FitCallback that writes down every call, and may ask to stop."""

    def __init__(self, stop_after=None):
        self.calls, self.scores, self.stop_after = [], [], stop_after

    def setup(self, estimator, context):
        self.calls.append("setup")

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None):
        self.calls.append(("begin", context.task_name, context.task_id))

    def on_fit_task_end(
        self, estimator, context, *, X=None, y=None, fitted_estimator=None
    ):
        self.calls.append(("end", context.task_name, context.task_id))
        if context.task_name == "epoch":
            self.scores.append(fitted_estimator.score(X, y))
            return (
                self.stop_after is not None and context.task_id + 1 >= self.stop_after
            )
        return False

    def teardown(self, estimator, context):
        self.calls.append("teardown")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_fit_is_a_task_and_each_epoch_a_subtask(backend, iris):
    X, y = iris
    recorder = Recorder()
    clf = DenseClassifier((8,), max_iter=3, backend=backend, random_state=0)
    fit_quietly(clf.set_callbacks(recorder), X, y)
    epochs = [c for i in range(3) for c in (("begin", "epoch", i), ("end", "epoch", i))]
    assert recorder.calls == [
        "setup",
        ("begin", "fit", 0),
        *epochs,
        ("end", "fit", 0),
        "teardown",
    ]
    # Each epoch's fitted estimator predicts with that epoch's weights.
    assert recorder.scores[-1] == pytest.approx(clf.score(X, y))
    assert recorder.scores == pytest.approx(clf.history_["accuracy"], abs=0.1)


def test_lbfgs_iterations_are_subtasks_and_a_callback_can_stop(iris):
    X, y = iris
    recorder = Recorder(stop_after=4)
    clf = DenseClassifier((8,), solver="lbfgs", max_iter=50, random_state=0)
    fit_quietly(clf.set_callbacks(recorder), X, y)
    assert clf.n_iter_ == 4
    ends = [c for c in recorder.calls if c[:2] == ("end", "epoch")]
    assert len(ends) == 5  # 4 iterations, and the one L-BFGS never ran


@pytest.mark.parametrize("estimator", [DenseClassifier, DenseRegressor])
def test_a_callback_stops_the_epoch_loop(estimator, iris):
    X, y = iris
    model = fit_quietly(
        estimator(hidden_layer_sizes=(8,), max_iter=30).set_callbacks(
            Recorder(stop_after=3)
        ),
        X,
        y,
    )
    assert model.n_iter_ == 3 and len(model.history_["loss"]) == 3


@pytest.mark.parametrize("backend", BACKENDS)
def test_scoring_monitor_logs_a_row_per_epoch(backend, iris):
    X, y = iris
    monitor = callback.ScoringMonitor(scoring="accuracy")
    clf = fit_quietly(
        DenseClassifier((8,), max_iter=4, backend=backend).set_callbacks(monitor), X, y
    )
    rows = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    assert [row["task_id"] for row in rows] == [0, 1, 2, 3]
    assert rows[-1]["accuracy"] == pytest.approx(clf.score(X, y))


def test_progress_bar_nests_search_fold_and_epoch(iris, capsys):
    pytest.importorskip(
        "rich", reason="ProgressBar needs rich: pip install 'skdense[progress]'"
    )

    class Paths(Recorder):  # propagated like ProgressBar, to see the tree
        max_propagation_depth = None

        def on_fit_task_begin(self, estimator, context):
            pass

        def on_fit_task_end(self, estimator, context, **kwargs):
            path = []
            while context is not None:
                path.append((context.estimator_name, context.task_name))
                context = context.parent
            self.calls.append(tuple(reversed(path)))

    paths = Paths()
    search = GridSearchCV(
        make_pipeline(StandardScaler(), DenseClassifier((4,), max_iter=2)),
        {"denseclassifier__alpha": [1e-4, 1e-2]},
        cv=2,
    ).set_callbacks(callback.ProgressBar(), paths)
    fit_quietly(search, *iris)
    tree = [call for call in paths.calls if isinstance(call, tuple)]
    deepest = max(tree, key=len)
    assert deepest[0][0] == "GridSearchCV"
    assert deepest[-1] == ("DenseClassifier", "epoch")
    # 4 candidate-fold fits and the refit, 2 epochs each.
    assert sum(1 for path in tree if path[-1][1] == "epoch") == 10


def test_callbacks_under_clone_pickle_and_save(iris, tmp_path):
    pytest.importorskip("skops")
    X, y = iris
    recorder = Recorder()
    clf = fit_quietly(DenseClassifier((4,), max_iter=2).set_callbacks(recorder), X, y)
    assert clone(clf)._skl_callbacks[0] is recorder  # by reference, as sklearn
    restored = pickle.loads(pickle.dumps(clf))  # pickle keeps them
    assert type(restored._skl_callbacks[0]) is Recorder
    skdense.save(clf, tmp_path / "model.skops")  # a saved model has none
    loaded = skdense.load(tmp_path / "model.skops")
    assert not hasattr(loaded, "_skl_callbacks")
    assert clf._skl_callbacks[0] is recorder  # and the live one keeps them
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_set_callbacks_names_the_scikit_learn_it_needs(monkeypatch):
    import skdense._callbacks as module

    monkeypatch.setitem(sys.modules, "sklearn.callback", None)  # as before 1.9
    fallback = importlib.reload(module)
    try:
        assert not fallback.HAS_CALLBACKS
        with pytest.raises(ImportError, match=r"scikit-learn 1\.9 or newer"):
            fallback.CallbackSupportMixin().set_callbacks(Recorder())
    finally:
        monkeypatch.undo()
        importlib.reload(module)


@pytest.mark.parametrize("backend", BACKENDS)
def test_checkpoint_keeps_the_best_epoch_and_resumes(backend, iris, tmp_path):
    pytest.importorskip("skops")
    X, y = iris
    path = tmp_path / "best.skops"
    checkpoint = Checkpoint(path)
    clf = DenseClassifier(
        (8,),
        max_iter=6,
        early_stopping=True,
        n_iter_no_change=100,
        backend=backend,
        random_state=0,
    )
    fit_quietly(clf.set_callbacks(checkpoint), X, y)
    saved = skdense.load(path)
    best_epoch = int(np.argmax(clf.validation_scores_)) + 1
    assert checkpoint.best_score_ == pytest.approx(max(clf.validation_scores_))
    assert saved.n_iter_ == best_epoch and len(saved.history_["loss"]) == best_epoch
    # early stopping restores the best weights too: the same model
    np.testing.assert_allclose(saved.predict_proba(X), clf.predict_proba(X), atol=1e-6)
    resumed = fit_quietly(saved.set_params(warm_start=True, max_iter=2), X, y)
    assert len(resumed.history_["loss"]) == best_epoch + 2
    assert sorted(os.listdir(tmp_path)) == ["best.skops"]


def test_a_checkpoint_of_categorical_columns_predicts_from_the_dataframe(tmp_path):
    """The fit's hooks see X as the network reads it; a saved checkpoint
    takes the user's DataFrame again."""
    pytest.importorskip("skops")
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=80), "c": rng.choice(["a", "b"], 80)})
    y = (X["c"] == "a").to_numpy()
    path = tmp_path / "last.skops"
    clf = DenseClassifier((4,), max_iter=3, categorical_features="from_dtype")
    fit_quietly(clf.set_callbacks(Checkpoint(path, save_best_only=False)), X, y)
    saved = skdense.load(path)
    np.testing.assert_allclose(saved.predict_proba(X), clf.predict_proba(X), atol=1e-6)


def test_a_killed_training_leaves_a_whole_checkpoint(tmp_path):
    """SIGKILL in mid-fit: the last checkpoint is a model trained up to its
    epoch, and nothing partial is left in the folder."""
    pytest.importorskip("skops")
    path = tmp_path / "run.skops"
    script = textwrap.dedent(
        f"""
        import numpy as np
        from skdense import DenseClassifier
        from skdense.callbacks import Checkpoint
        rng = np.random.default_rng(0)
        X = rng.normal(size=(4000, 50))
        y = (X[:, 0] + X[:, 1] > 0).astype(int)
        clf = DenseClassifier((256, 256), max_iter=10_000, random_state=0)
        clf.set_callbacks(Checkpoint({str(path)!r}, save_best_only=False)).fit(X, y)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if path.exists() and skdense.load(path).n_iter_ >= 3:
                break
            time.sleep(0.2)
        time.sleep(0.37)  # somewhere in a later epoch, maybe in a save
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        process.kill()
    assert process.returncode == -signal.SIGKILL
    assert os.listdir(tmp_path) == ["run.skops"]
    saved = skdense.load(path)
    epochs = saved.n_iter_
    assert epochs >= 3 and len(saved.history_["loss"]) == epochs
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4000, 50))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    reference = fit_quietly(
        DenseClassifier((256, 256), max_iter=epochs, random_state=0), X, y
    )
    np.testing.assert_array_equal(saved.predict_proba(X), reference.predict_proba(X))
