"""scikit-learn's callback API (``sklearn.callback``, scikit-learn 1.9+).

A fit is one task; each epoch (each L-BFGS iteration) is a subtask, so
``ProgressBar`` shows search -> fold -> epoch and ``ScoringMonitor`` logs a
row per epoch. With an older scikit-learn, skdense works as before and
``set_callbacks`` says which version it needs.
"""

from __future__ import annotations

import sklearn

from ._training import fitted_figures
from .backends._shared import forward_proba, split_weights

try:
    from sklearn.callback import CallbackSupportMixin, with_callbacks

    HAS_CALLBACKS = True
except ImportError:  # scikit-learn < 1.9
    HAS_CALLBACKS = False

    class CallbackSupportMixin:  # type: ignore[no-redef]
        """Stands in for scikit-learn's mixin where it does not exist yet."""

        def set_callbacks(self, *callbacks):
            """Needs scikit-learn 1.9 or newer (``sklearn.callback``)."""
            raise ImportError(
                "set_callbacks needs scikit-learn 1.9 or newer (sklearn.callback); "
                f"scikit-learn {sklearn.__version__} is installed: "
                "pip install 'scikit-learn>=1.9'."
            )

    def with_callbacks(method):  # type: ignore[no-redef]
        return method


# Attributes a fit leaves for its callbacks' bookkeeping, not part of a model
# (a checkpoint of a fitted_estimator validates its inputs again).
TRANSIENT_ATTRIBUTES = (
    "_callback_fit_ctx",
    "_skl_callbacks_to_teardown",
    "_inputs_ready",
)


class FrozenNetwork:
    """A network's weights at one moment, ready to predict.

    What a callback's ``fitted_estimator`` holds as ``network_``: a copy of
    the weights (the training network goes on changing) with the shared
    float64 forward pass, for every engine.
    """

    def __init__(self, network):
        self.spec = network.spec
        self.weights = network.get_weights()
        self.coefs_, self.intercepts_, _ = split_weights(self.weights, self.spec)

    def __setstate__(self, state):
        if "weights" not in state:  # saved before numeric embeddings (0.3)
            state["weights"] = [*state["coefs_"], *state["intercepts_"]]
        self.__dict__.update(state)

    def predict_proba(self, X):
        return forward_proba(X, self.weights, self.spec)

    def get_weights(self):
        return [w.copy() for w in self.weights]


class EpochTasks:
    """The callback tasks of one fit: the fit itself, and one per epoch.

    ``epoch_begin`` and ``epoch_end`` bracket each epoch (each L-BFGS
    iteration); ``epoch_end`` returns True when a callback asks to stop.
    """

    def __init__(self, estimator, *, max_epochs, history, X, y, sample_weight):
        self.estimator = estimator
        self.history = history  # the one train() extends, epoch by epoch
        self._epochs_before = len(history.get("loss", []))
        self.X, self.y = X, y
        self.metadata = (
            None if sample_weight is None else {"sample_weight": sample_weight}
        )
        self.context = estimator._init_callback_context(max_subtasks=max_epochs)
        self.context.call_on_fit_task_begin(
            estimator=estimator, X=X, y=y, metadata=self.metadata
        )
        self._epoch = None

    def _hook_arguments(self, network):
        return dict(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            # Built only if a callback asks for a fitted estimator.
            reconstruction_attributes=lambda: self._fitted_attributes(network),
        )

    def _fitted_attributes(self, network):
        """A model as if the fit had stopped now: weights, history, counts."""
        history = {name: list(values) for name, values in self.history.items()}
        figures = fitted_figures(
            history,
            n_iter=len(history.get("loss", [])) - self._epochs_before,
            t=None,  # samples seen are counted at the end of a fit
            watched_validation=False,
            scoring=None,
            score_name=network.spec.score_name,
        )
        # The hooks' X is the network's (validated, categories encoded).
        return {"network_": FrozenNetwork(network), "_inputs_ready": True, **figures}

    def epoch_begin(self, network):
        self._epoch = self.context.subcontext(task_name="epoch")
        self._epoch.call_on_fit_task_begin(**self._hook_arguments(network))

    def epoch_end(self, network):
        epoch, self._epoch = self._epoch, None
        return bool(epoch.call_on_fit_task_end(**self._hook_arguments(network)))

    def close(self, network):
        """End the last epoch if it was left open (an interrupted run), then
        the fit."""
        if self._epoch is not None:
            self.epoch_end(network)
        self.context.call_on_fit_task_end(**self._hook_arguments(network))


def epoch_tasks(estimator, **kwargs):
    """The fit's :class:`EpochTasks`, or None without ``sklearn.callback``."""
    return EpochTasks(estimator, **kwargs) if HAS_CALLBACKS else None
