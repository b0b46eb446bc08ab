"""What the epochs of a run go by: the learning-rate schedule, the monitor
of early stopping, the validation scores and the divergence warning.

The epoch loop itself is :class:`skdense._training.EpochLoop`; these pieces
are the same under every engine.
"""

import numpy as np
from sklearn.metrics import r2_score

from ._warnings import warn_user

# A loss's score (see LOSSES) from what Engine.evaluate gives: ``(Y, accuracy,
# outputs, sample_weight)``; the R² is the uniform average over outputs.
SCORES = {
    "accuracy": lambda Y, accuracy, outputs, sample_weight: accuracy,
    "r2": lambda Y, accuracy, outputs, sample_weight: float(
        r2_score(Y, outputs, sample_weight=sample_weight)
    ),
}


def scoring_key(scoring):
    """The ``history_`` name of a scorer's validation figure, or None for
    None and "loss" (whose figures the engines report)."""
    if scoring is None or scoring == "loss":
        return None
    return f"val_{scoring}" if isinstance(scoring, str) else "val_score"


def _flat_cos(progress):
    """1 for the first half, then half a cosine down to 0 (RealMLP's)."""
    if progress < 0.5:
        return 1.0
    return 0.5 * (1.0 + np.cos(np.pi * (2.0 * progress - 1.0)))


def _coslog4(progress):
    """Four cosine cycles from 0 to 1 and back, each twice as long as the
    one before (RealMLP's default for the learning rate)."""
    return 0.5 * (1.0 - np.cos(2.0 * np.pi * np.log2(1.0 + 15.0 * progress)))


# Schedules that are a shape of the training's progress in [0, 1]: the rate
# of an epoch is learning_rate_init times the shape at the epoch's middle.
PROGRESS_SCHEDULES = {"flat_cos": _flat_cos, "coslog4": _coslog4}
SCHEDULES = ("constant", "invscaling", "adaptive", "cosine", *PROGRESS_SCHEDULES)
# Schedules that end at max_iter (the rate reaches its end there): max_iter
# is the training's length, not a limit it ran into.
SCHEDULES_ENDING_AT_MAX_ITER = ("cosine", *PROGRESS_SCHEDULES)


class LearningRateSchedule:
    """The learning rate of each epoch, for every solver.

    MLPClassifier's three (which it applies to ``sgd`` only): ``constant``
    keeps ``learning_rate_init``; ``invscaling`` sets it to
    ``learning_rate_init / (t + 1) ** power_t`` after each epoch, ``t`` being
    the number of samples seen; ``adaptive`` divides it by 5 each time the
    monitored figure stalls for ``n_iter_no_change`` epochs, and stops
    training once it falls below 1e-6. And ``cosine``: after
    ``warmup_epochs`` epochs rising linearly to ``learning_rate_init``, it
    decays along half a cosine to 0 at epoch ``max_iter``. The
    :data:`PROGRESS_SCHEDULES` (``flat_cos``, ``coslog4``) take the same
    warm-up, then ``learning_rate_init`` times their shape at the middle of
    each epoch of the rest.
    """

    def __init__(self, kind, learning_rate_init, power_t, max_iter, warmup_epochs):
        self.kind = kind
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.warmup_epochs = warmup_epochs

    def epoch_start(self, network, epoch):
        """Set the rate of epoch ``epoch`` (0 is the first); return it."""
        if self.kind == "cosine":
            network.learning_rate = self.cosine(epoch)
        elif self.kind in PROGRESS_SCHEDULES:
            network.learning_rate = self.shaped(epoch)
        return network.learning_rate

    def shaped(self, epoch):
        warmup, rate = self.warmup_epochs, self.learning_rate_init
        if epoch < warmup:
            return rate * (epoch + 1) / warmup
        progress = (epoch - warmup + 0.5) / max(self.max_iter - warmup, 1)
        return rate * PROGRESS_SCHEDULES[self.kind](min(progress, 1.0))

    def cosine(self, epoch):
        warmup, rate = self.warmup_epochs, self.learning_rate_init
        if epoch < warmup:
            return rate * (epoch + 1) / warmup
        progress = (epoch - warmup) / max(self.max_iter - warmup, 1)
        return rate * 0.5 * (1.0 + np.cos(np.pi * min(progress, 1.0)))

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


class Monitor:
    """Best monitored score, epochs since it improved by ``tol``, best weights.

    A score is better when higher: a loss is monitored as its negative.
    """

    def __init__(self, tol, keep_best):
        self.tol = tol
        self.keep_best = keep_best
        self.best = -np.inf
        self.bad_epochs = 0
        self.best_weights = None

    def update(self, score, network):
        self.bad_epochs = self.bad_epochs + 1 if score < self.best + self.tol else 0
        if score > self.best:
            self.best = score
            if self.keep_best:
                self.best_weights = network.get_weights()


def validation_score(record, scoring, score_name="accuracy"):
    """The early-stopping score of one epoch's figures (higher is better).

    ``scoring=None`` is MLPClassifier's and MLPRegressor's rule, the
    estimator's ``score`` on the validation set: the figure ``score_name``
    ("accuracy", or "r2" for a regressor); "loss" is the validation loss,
    negated; a scorer's figure is its own (scikit-learn's scorers are
    higher-is-better, errors negated).
    """
    if scoring == "loss":
        return -record["val_loss"]
    return record[scoring_key(scoring) or f"val_{score_name}"]


def all_finite(arrays):
    return all(np.isfinite(a).all() for a in arrays)


def warn_divergence(epoch, loss, network, best_kept):
    kept = (
        "the best epoch's weights (early stopping)"
        if best_kept
        else "the last finite weights, from before that epoch"
    )
    warn_user(
        f"Training diverged in epoch {epoch + 1} (loss is {loss}); stopped and kept "
        f"{kept}. The learning rate is too "
        f"high for this problem, or the features too large: lower "
        f"learning_rate_init (the learning rate was {network.learning_rate:g}) or "
        f"scale X.",
        RuntimeWarning,
    )
