"""One home for a training run: lbfgs or the epochs (:mod:`skdense._epochs`).

The estimator prepares arrays and builds the network; :func:`train` trains
it, so early stopping, the learning-rate schedule, the count of samples seen
and every warning behave the same under every backend.
"""

import numbers
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import get_scorer_names
from sklearn.utils import check_random_state

from ._constraints import Boolean, Interval, Options, Satisfies, setting
from ._data import split_validation
from ._epochs import (
    SCHEDULES,
    SCHEDULES_ENDING_AT_MAX_ITER,
    run_epochs,
    scoring_key,
    validation_score,
)
from ._warnings import warn_user
from .backends._optimizers import SOLVERS

_Integral, _Real = numbers.Integral, numbers.Real


def _is_scorer(value):
    return callable(value) or (isinstance(value, str) and value in get_scorer_names())


@dataclass(frozen=True)
class TrainingSettings:
    """How a network is trained: the loop's settings, checked.

    Every field is :class:`skdense.DenseClassifier`'s parameter of the same
    name, default and meaning. ``batch_size="auto"`` is resolved by
    :func:`train`, which knows how many samples it trains on.
    """

    max_iter: int = setting(200, Interval(_Integral, 1, None))
    batch_size: int | str = setting("auto", Options("auto"), Interval(_Integral, 1))
    shuffle: bool = setting(True, Boolean())
    tol: float = setting(1e-4, Interval(_Real, 0.0, None))
    n_iter_no_change: int | float = setting(
        10, Interval(_Integral, 1, None), Satisfies(np.isposinf, "np.inf")
    )
    early_stopping: bool = setting(False, Boolean())
    validation_fraction: float = setting(
        0.1, Interval(_Real, 0.0, 1.0, closed="neither")
    )
    learning_rate: str = setting("constant", Options(*SCHEDULES))
    warmup_epochs: int = setting(0, Interval(_Integral, 0, None))
    power_t: float = setting(0.5, Interval(_Real, 0.0, None))
    max_fun: int = setting(15000, Interval(_Integral, 1, None))
    verbose: int = setting(False, Boolean(), Interval(_Integral, 0, None))
    scoring: object = setting(
        None,
        Options(None, "loss"),
        Satisfies(_is_scorer, "a scikit-learn scorer name or a callable scorer"),
    )

    def batch_size_for(self, n_samples):
        """The batch size for ``n_samples`` training samples ("auto": 200 at most)."""
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warn_user(
                f"Got batch_size={self.batch_size} larger than the {n_samples} "
                "training samples; using one batch of all of them."
            )
        return min(self.batch_size, n_samples)


@contextmanager
def stop_on_interrupt():
    """Turn the first Ctrl-C during training into a request to stop.

    Yields a ``threading.Event`` that is set by the first SIGINT; the engines
    finish the batch they are on and return. A second Ctrl-C raises
    ``KeyboardInterrupt`` at once, as usual. Signal handlers can only be set
    from the main thread; elsewhere (a worker thread) the event is never set
    and Ctrl-C behaves as it always does.
    """
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def request_stop(signum, frame):
        if stop.is_set():  # the second Ctrl-C: stop now
            raise KeyboardInterrupt
        stop.set()

    previous = signal.signal(signal.SIGINT, request_stop)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def _warn_interrupted(n_epochs):
    warn_user(
        f"Training interrupted (Ctrl-C) in epoch {n_epochs}; it stopped after the "
        "current batch and kept the weights and history_ so far. Continue with "
        "partial_fit, or fit with warm_start=True."
    )


def train(
    network,
    data,
    validation,
    history,
    settings,
    *,
    incremental=False,
    t=0,
    n_iter_before=0,
    score_validation=None,
    tasks=None,
    label="DenseClassifier",
):
    """Train ``network``, extending ``history``; return :func:`fitted_figures`.

    ``data`` and ``validation`` are ``(X, Y, sample_weight)`` tuples
    (``validation`` may be None; see :func:`hold_out`). A full-batch solver
    runs L-BFGS; the others minibatch epochs (one when ``incremental``).
    ``score_validation(network, X, Y)`` gives a ``scoring`` scorer's figure.
    ``tasks`` (:mod:`skdense._callbacks`) hears of each epoch and may stop
    the run. ``t`` counts the samples seen before, ``n_iter_before`` the
    iterations ``n_iter_`` goes on from; ``label`` names the progress bar.
    The first Ctrl-C stops the run after the current batch, with a warning.
    """
    with stop_on_interrupt() as stop:
        if SOLVERS[network.spec.solver].full_batch:
            n_iter, warning = _run_lbfgs(network, data, history, settings, stop, tasks)
        else:
            n_iter, warning, t = _run_minibatch(
                network,
                data,
                validation,
                history,
                settings,
                incremental=incremental,
                t=t,
                stop=stop,
                score_validation=score_validation,
                tasks=tasks,
                label=label,
            )
    if stop.is_set():
        _warn_interrupted(n_iter)
    elif warning:
        warn_user(warning, ConvergenceWarning)
    watched = (
        settings.early_stopping
        and validation is not None
        # A full-batch solver (L-BFGS) ignores early stopping.
        and not SOLVERS[network.spec.solver].full_batch
    )
    return fitted_figures(
        history,
        n_iter=n_iter_before + n_iter,
        t=t,
        watched_validation=watched,
        scoring=settings.scoring,
        score_name=network.spec.score_name,
    )


def _run_minibatch(
    network, data, validation, history, settings, *, incremental, **rest
):
    """The epochs of a minibatch solver: ``(epochs, warning or None, t)``."""
    n_iter, converged, t = run_epochs(
        network,
        data,
        validation,
        history,
        settings,
        max_iter=1 if incremental else settings.max_iter,
        # partial_fit's epochs follow on from the ones before (where the
        # cosine schedule is).
        first_epoch=len(history.get("loss", [])) if incremental else 0,
        **rest,
    )
    # A fit meant to reach max_iter gives no warning: best-epoch selection
    # with no patience, or a schedule that ends there (the presets'). With
    # MLPClassifier's schedules it warns as MLPClassifier does.
    fixed_budget = (
        settings.early_stopping and np.isinf(settings.n_iter_no_change)
    ) or settings.learning_rate in SCHEDULES_ENDING_AT_MAX_ITER
    unfinished = (
        not converged
        and not incremental
        and n_iter == settings.max_iter
        and not fixed_budget
    )
    warning = unfinished and (
        f"Stochastic optimizer: maximum iterations ({settings.max_iter}) "
        "reached and the optimization hasn't converged yet."
    )
    return n_iter, warning, t


def fitted_figures(history, *, n_iter, t, watched_validation, scoring, score_name):
    """Every figure a run leaves on the estimator, by attribute name.

    MLPClassifier's ``loss_``, ``n_iter_``, ``best_loss_`` (without early
    stopping), ``validation_scores_`` and ``best_validation_score_`` (with
    it: ``watched_validation``), and skdense's ``history_`` and ``t_``.
    """
    losses = history.get("loss", [])
    figures = {
        "history_": history,
        "n_iter_": n_iter,
        "t_": t,
        "loss_": losses[-1] if losses else np.nan,
        "best_loss_": min(losses) if losses else None,
        "validation_scores_": None,
        "best_validation_score_": None,
    }
    if watched_validation:
        keys = ["val_loss", f"val_{score_name}", scoring_key(scoring)]
        keys = [key for key in keys if key is not None]
        records = [
            dict(zip(keys, values, strict=True))
            for values in zip(*(history[key] for key in keys), strict=True)
        ]
        scores = [validation_score(record, scoring, score_name) for record in records]
        figures.update(
            best_loss_=None,
            validation_scores_=scores,
            best_validation_score_=max(scores),
        )
    return figures


def hold_out(data, validation, settings, random_state, stratify):
    """``(data, validation)``: with early stopping and no validation set, a
    ``validation_fraction`` of ``data`` held out (by class when
    ``stratify``), drawn with a seed from ``random_state``."""
    if validation is not None or not settings.early_stopping:
        return data, validation
    seed = check_random_state(random_state).randint(2**31)
    return split_validation(data, settings.validation_fraction, seed, stratify)


def deal_out(Y, n_networks, seed, stratify):
    """Which of ``n_networks`` networks holds out each of the validation
    rows whose targets are ``Y``: shares as equal as can be, and by class
    (a one-column ``Y``'s value, else each row's largest target) when
    ``stratify``."""
    order = np.random.default_rng([seed, 3]).permutation(Y.shape[0])
    if stratify:
        classes = Y[order, 0] if Y.shape[1] == 1 else np.argmax(Y[order], axis=1)
        order = order[np.argsort(classes, kind="stable")]
    shares = np.empty(Y.shape[0], np.intp)
    shares[order] = np.arange(Y.shape[0]) % n_networks
    return shares


def _run_lbfgs(network, data, history, settings, stop, tasks=None):
    """Run L-BFGS; return its iterations and the warning its failure gives
    (None: converged)."""
    on_iteration = None
    if tasks is not None:

        def on_iteration():  # one iteration ended: a callback task each
            stop_now = tasks.epoch_end(network)
            tasks.epoch_begin(network)
            return stop_now

        tasks.epoch_begin(network)
    losses, n_iter, failure = network.fit_lbfgs(
        *data,
        max_iter=settings.max_iter,
        max_fun=settings.max_fun,
        tol=settings.tol,
        stop=stop,
        on_iteration=on_iteration,
    )
    history.setdefault("loss", []).extend(losses)
    warning = failure and (
        f"L-BFGS failed to converge after {n_iter} iteration(s): {failure}. "
        "Increase max_iter or max_fun, or scale the data."
    )
    return n_iter, warning
