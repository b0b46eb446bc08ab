"""One home for a training run: lbfgs or the epochs (:mod:`skdense._epochs`).

The estimator prepares arrays and builds the network; :func:`train` trains
it, so early stopping, the learning-rate schedule, the count of samples seen
and every warning behave the same under every backend.
"""

import numbers
import signal
import threading
from collections.abc import Callable
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
    SCORES,
    LearningRateSchedule,
    Monitor,
    all_finite,
    scoring_key,
    validation_score,
    warn_divergence,
)
from ._progress import EpochProgress
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


@dataclass(frozen=True)
class RunHooks:
    """What a run asks of the estimator that starts it.

    ``build_network(X)`` makes the network from the training rows (after
    any hold-out); ``samples_seen(X)`` counts the samples the fits before
    saw; ``epoch_tasks(network, data, history, max_epochs)`` gives the
    callback tasks (:mod:`skdense._callbacks`) or None; ``keep(network,
    figures)`` sets the fitted attributes, before the tasks close;
    ``score_validation(network, X, Y)`` is a ``scoring`` scorer's figure, or
    None; ``label`` names the progress bar.
    """

    build_network: Callable
    samples_seen: Callable
    epoch_tasks: Callable
    keep: Callable
    score_validation: Callable | None = None
    label: str = "DenseClassifier"


def train(
    hooks,
    data,
    validation,
    settings,
    *,
    solver,
    random_state,
    stratify,
    incremental,
    history,
    n_iter_before,
):
    """One training run, from the data to the fitted figures.

    ``data`` and ``validation`` are ``(X, Y, sample_weight)`` tuples of the
    network's targets (``validation`` may be None). With early stopping and
    no ``validation``, a ``validation_fraction`` of ``data`` is held out (by
    class when ``stratify``; an ensemble's networks each hold out a
    share, see :func:`deal_out`). A full-batch solver runs L-BFGS, which
    ignores early stopping; the others minibatch epochs (:class:`EpochLoop`;
    one when ``incremental``). ``history`` is extended, and
    ``n_iter_before`` is where ``n_iter_`` goes on from. The first
    Ctrl-C stops the run after the current batch, with a warning. Ends with
    ``hooks.keep(network, fitted_figures(...))``.
    """
    full_batch = SOLVERS[solver].full_batch
    held_out = validation is None and settings.early_stopping and not full_batch
    if held_out:
        data, validation = hold_out(data, validation, settings, random_state, stratify)
    watched = validation is not None and settings.early_stopping and not full_batch
    network = hooks.build_network(data[0])
    if held_out and network.spec.n_ensemble > 1:
        seed = check_random_state(random_state).randint(2**31)
        shares = deal_out(validation[1], network.spec.n_ensemble, seed, stratify)
        network.hold_out(validation, shares)
    t = hooks.samples_seen(data[0])
    max_epochs = None if full_batch else (1 if incremental else settings.max_iter)
    tasks = hooks.epoch_tasks(network, data, history, max_epochs)
    with stop_on_interrupt() as stop:
        if full_batch:
            n_iter, warning = _run_lbfgs(network, data, history, settings, stop, tasks)
        else:
            loop = EpochLoop(network, data, validation, history, settings, hooks)
            n_iter, converged, t = loop.run(max_epochs, t, stop, tasks, incremental)
            warning = _unfinished(settings, n_iter, converged, incremental)
    if stop.is_set():
        _warn_interrupted(n_iter)
    elif warning:
        warn_user(warning, ConvergenceWarning)
    figures = fitted_figures(
        history,
        n_iter=n_iter_before + n_iter,
        t=t,
        watched_validation=watched,
        scoring=settings.scoring,
        score_name=network.spec.score_name,
    )
    hooks.keep(network, figures)
    if tasks is not None:
        tasks.close(network)


def _unfinished(settings, n_iter, converged, incremental):
    """The warning of a minibatch run that reached ``max_iter`` unconverged,
    or None.

    A fit meant to reach max_iter gives none: best-epoch selection with no
    patience, or a schedule that ends there (the presets'). With
    MLPClassifier's schedules it warns as MLPClassifier does.
    """
    fixed_budget = (
        settings.early_stopping and np.isinf(settings.n_iter_no_change)
    ) or settings.learning_rate in SCHEDULES_ENDING_AT_MAX_ITER
    if converged or incremental or n_iter != settings.max_iter or fixed_budget:
        return None
    return (
        f"Stochastic optimizer: maximum iterations ({settings.max_iter}) "
        "reached and the optimization hasn't converged yet."
    )


class EpochLoop:
    """The minibatch epochs of one run, cut into steps a reader can hold.

    :meth:`run` repeats :meth:`train_one_epoch`, :meth:`record` and
    :meth:`should_stop`, and restores the best weights on every way out.
    With ``early_stopping`` the validation score (see :func:`validation_score`)
    is monitored and the best weights are restored at the end; otherwise the
    training loss is monitored. Training stops once the monitored figure has
    not improved by at least ``tol`` for ``n_iter_no_change`` epochs (with
    the ``adaptive`` schedule, the learning rate is lowered first).
    ``converged`` is False when the loop ran to ``max_iter`` without
    stopping, diverged or was stopped. Once ``stop`` is set, the engine
    returns after its current batch, that partial epoch is recorded, and the
    loop ends.
    """

    def __init__(self, network, data, validation, history, settings, hooks):
        self.network, self.data, self.validation = network, data, validation
        self.history, self.settings = history, settings
        self.score_validation, self.label = hooks.score_validation, hooks.label
        self.batch_size = settings.batch_size_for(data[0].shape[0])
        self.schedule = LearningRateSchedule(
            settings.learning_rate,
            network.spec.learning_rate_init,
            settings.power_t,
            settings.max_iter,
            settings.warmup_epochs,
        )
        keep_best = settings.early_stopping and validation is not None
        self.monitor = Monitor(settings.tol, keep_best=keep_best)
        self.n_epochs = 0

    def run(self, max_epochs, t, stop, tasks, incremental):
        """Up to ``max_epochs`` epochs; ``(epochs, converged, t)``, ``t``
        counting on from the samples seen before. ``partial_fit``'s epochs
        (``incremental``) follow on from the ones in the history (where the
        cosine schedule is)."""
        self.t, self.stop, self.tasks = t, stop, tasks
        self.first_epoch = len(self.history.get("loss", [])) if incremental else 0
        self.progress = EpochProgress(self.settings.verbose, max_epochs, self.label)
        converged = False
        try:
            for epoch in range(max_epochs):
                if self.stop.is_set():
                    break
                record = self.train_one_epoch(epoch)
                if record is None:  # diverged: not converged
                    break
                self.record(epoch, record)
                converged = self.should_stop()
                if converged:
                    break
        finally:
            self.progress.close()
            self.network.end_training()
        if self.monitor.best_weights is not None:
            self.network.set_weights(self.monitor.best_weights)
        return self.n_epochs, converged, self.t

    def train_one_epoch(self, epoch):
        """One pass over the data; its figures, or None if it diverged (the
        weights of before it are put back)."""
        network, (X, Y, sample_weight) = self.network, self.data
        rate = self.schedule.epoch_start(network, self.first_epoch + epoch)
        if self.tasks is not None:
            self.tasks.epoch_begin(network)
        before = network.get_weights()
        # Overflow shows up as a non-finite loss, reported below in one warning.
        with np.errstate(over="ignore", invalid="ignore"):
            loss, accuracy = network.train_epoch(
                X, Y, sample_weight, self.batch_size, self.settings.shuffle, self.stop
            )
            record = {"loss": loss, "learning_rate": float(rate)}
            if accuracy is not None:
                record[network.spec.score_name] = accuracy
            if self.validation is not None and np.isfinite(loss):
                record.update(self.validation_figures())
        # A step can overflow the optimizer's state (adam's squared
        # gradients, say) and leave NaN weights after a finite loss; or the
        # weights overflow on the validation set.
        finite = np.isfinite(loss) and np.isfinite(record.get("val_loss", 0.0))
        if not (finite and all_finite(network.get_weights())):
            network.set_weights(before)
            best_kept = self.monitor.best_weights is not None
            warn_divergence(epoch, record.get("val_loss", loss), network, best_kept)
            return None
        return record

    def validation_figures(self):
        """The validation loss, the loss's score, and the scorer's figure,
        all from one forward pass over the validation rows."""
        network, (X, Y, sample_weight) = self.network, self.validation
        score_name = network.spec.score_name
        result = network.evaluate(X, Y, sample_weight)
        score = SCORES[score_name](Y, result.accuracy, result.outputs, sample_weight)
        figures = {"val_loss": result.loss, f"val_{score_name}": score}
        if self.score_validation is not None:
            key = scoring_key(self.settings.scoring)
            figures[key] = float(self.score_validation(network, X, Y, result.outputs))
        return figures

    def record(self, epoch, record):
        """Keep the epoch's figures, advance the schedule, tell the monitor."""
        for name, value in record.items():
            self.history.setdefault(name, []).append(float(value))
        self.n_epochs = epoch + 1
        self.progress.update(epoch, record)
        self.t += self.data[0].shape[0]
        self.schedule.epoch_end(self.network, self.t)
        if self.monitor.keep_best:
            score_name = self.network.spec.score_name
            score = validation_score(record, self.settings.scoring, score_name)
            self.monitor.update(score, self.network)
        else:
            self.monitor.update(-record["loss"], self.network)

    def should_stop(self):
        """Whether a callback asked to stop, or the monitored figure stalled
        (the adaptive schedule lowers the rate first)."""
        if self.tasks is not None and self.tasks.epoch_end(self.network):
            return True
        if self.monitor.bad_epochs >= self.settings.n_iter_no_change:
            if self.schedule.reduce_on_plateau(self.network):
                self.monitor.bad_epochs = 0
                return False
            return True
        return False


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
