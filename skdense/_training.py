"""The epoch loop every engine shares: schedule, stopping, history, divergence.

The estimator prepares arrays and builds the network; this module trains it,
so early stopping and the learning-rate schedule behave the same under every
backend.
"""

import signal
import threading
import warnings
from contextlib import contextmanager

import numpy as np

from ._progress import EpochProgress


class LearningRateSchedule:
    """MLPClassifier's ``learning_rate`` schedules (they act for ``sgd`` only).

    ``constant`` keeps ``learning_rate_init``; ``invscaling`` sets it to
    ``learning_rate_init / (t + 1) ** power_t`` after each epoch, ``t`` being
    the number of samples seen; ``adaptive`` divides it by 5 each time the
    monitored loss stalls for ``n_iter_no_change`` epochs, and stops training
    once it falls below 1e-6.
    """

    def __init__(self, kind, solver, learning_rate_init, power_t):
        self.kind = kind if solver == "sgd" else "constant"
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t

    def epoch_end(self, network, samples_seen):
        if self.kind == "invscaling":
            network.learning_rate = self.learning_rate_init / (
                (samples_seen + 1) ** self.power_t
            )

    def reduce_on_plateau(self, network):
        """Lower the rate if the schedule does that; False means stop."""
        if self.kind != "adaptive" or network.learning_rate <= 1e-6:
            return False
        network.learning_rate /= 5.0
        return True


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


def warn_interrupted(n_epochs):
    warnings.warn(
        f"Training interrupted (Ctrl-C) in epoch {n_epochs}; it stopped after the "
        "current batch and kept the weights and history_ so far. Continue with "
        "partial_fit, or fit with warm_start=True.",
        UserWarning,
        stacklevel=5,
    )


class _Monitor:
    """Best monitored loss, epochs since it improved by ``tol``, best weights."""

    def __init__(self, tol, keep_best):
        self.tol = tol
        self.keep_best = keep_best
        self.best = np.inf
        self.bad_epochs = 0
        self.best_weights = None

    def update(self, value, network):
        self.bad_epochs = self.bad_epochs + 1 if value > self.best - self.tol else 0
        if value < self.best:
            self.best = value
            if self.keep_best:
                self.best_weights = network.get_weights()


def _all_finite(arrays):
    return all(np.isfinite(a).all() for a in arrays)


def _warn_divergence(epoch, loss, network):
    warnings.warn(
        f"Training diverged in epoch {epoch + 1} (loss is {loss}); stopped and kept "
        f"the last finite weights, from before that epoch. The learning rate is too "
        f"high for this problem, or the features too large: lower "
        f"learning_rate_init (the learning rate was {network.learning_rate:g}) or "
        f"scale X.",
        RuntimeWarning,
        stacklevel=4,
    )


def run_epochs(
    network,
    train,
    validation,
    history,
    *,
    max_iter,
    batch_size,
    shuffle,
    tol,
    n_iter_no_change,
    early_stopping,
    schedule,
    samples_seen=0,
    verbose=0,
    stop=None,
):
    """Train ``network`` for up to ``max_iter`` epochs; append to ``history``.

    ``train`` and ``validation`` are ``(X, Y, sample_weight)`` tuples
    (``validation`` may be None). With ``early_stopping`` the validation loss
    is monitored and the best weights are restored at the end; otherwise the
    training loss is monitored. Training stops once the monitored loss has not
    improved by at least ``tol`` for ``n_iter_no_change`` epochs (with the
    ``adaptive`` schedule, the learning rate is lowered first).

    ``stop`` is an optional ``threading.Event``: once it is set, the engine
    returns after its current batch, that partial epoch is recorded, and the
    loop ends.

    Returns ``(n_epochs, converged)``; ``converged`` is False when the loop
    ran to ``max_iter`` without stopping, diverged or was stopped.
    """
    X, Y, sample_weight = train
    monitor = _Monitor(tol, keep_best=early_stopping and validation is not None)
    progress = EpochProgress(verbose, max_iter)
    converged = False
    n_epochs = 0
    try:
        for epoch in range(max_iter):
            if stop is not None and stop.is_set():
                break
            before = network.get_weights()
            # Overflow shows up as a non-finite loss, reported below in one warning.
            with np.errstate(over="ignore", invalid="ignore"):
                loss, accuracy = network.train_epoch(
                    X, Y, sample_weight, batch_size, shuffle, stop=stop
                )
            # A step can overflow the optimizer's state (adam's squared
            # gradients, say) and leave NaN weights after a finite loss.
            if not (np.isfinite(loss) and _all_finite(network.get_weights())):
                network.set_weights(before)
                _warn_divergence(epoch, loss, network)
                return epoch, False
            record = {"loss": loss, "accuracy": accuracy}
            if validation is not None:
                record["val_loss"], record["val_accuracy"] = network.evaluate(
                    *validation
                )
            for name, value in record.items():
                history.setdefault(name, []).append(float(value))
            n_epochs = epoch + 1
            progress.update(epoch, record)
            samples_seen += X.shape[0]
            schedule.epoch_end(network, samples_seen)

            monitor.update(record["val_loss"] if monitor.keep_best else loss, network)
            if monitor.bad_epochs >= n_iter_no_change:
                if schedule.reduce_on_plateau(network):
                    monitor.bad_epochs = 0
                    continue
                converged = True
                break
    finally:
        progress.close()
        network.end_training()
    if monitor.best_weights is not None:
        network.set_weights(monitor.best_weights)
    return n_epochs, converged
