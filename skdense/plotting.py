"""Learning curves from ``history_``, as the study notes plot them.

Needs matplotlib (the ``plot`` extra). Figures are built with
``matplotlib.figure.Figure`` directly, so plotting never touches pyplot's
global state or needs a display; save them with ``fig.savefig(path)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _history(source):
    return source.history_ if hasattr(source, "history_") else source


def plot_learning_curves(
    histories: Any, *, title: str | None = None, figure: Any = None
) -> Any:
    """Plot loss and score per epoch, training (solid) and validation (dashed).

    The score is the accuracy, or for regressors the R² (validation only).

    Parameters
    ----------
    histories : dict, fitted DenseClassifier, or mapping of name to either
        One ``history_`` (or the estimator holding it), or several by name,
        drawn in one figure.
    title : str, default=None
        Figure title.
    figure : matplotlib.figure.Figure, default=None
        The (empty) figure to draw on, for example ``plt.figure()`` to show
        it with pyplot; by default a new figure that pyplot does not manage
        (nothing to close, safe in servers and threads).

    Returns
    -------
    fig : matplotlib.figure.Figure
        Two panels: loss and accuracy (or R²) against the epoch.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdense import DenseClassifier
    >>> from skdense.plotting import plot_learning_curves
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = DenseClassifier(max_iter=5, random_state=0).fit(
    ...     X[:1000] / 16, y[:1000], validation_data=(X[1000:] / 16, y[1000:]))
    >>> fig = plot_learning_curves(clf, title="digits")
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['loss', 'accuracy']
    >>> len(fig.axes[0].lines)  # training and validation loss
    2
    """
    try:
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError as error:
        raise ImportError(
            "Plotting needs matplotlib: pip install 'skdense[plot]'."
        ) from error
    if hasattr(histories, "history_") or "loss" in histories:
        histories = {"": histories}
    if figure is None:
        figure = Figure(figsize=(10, 4), layout="constrained")
    fig = figure
    axes = fig.subplots(1, 2)
    sources = {name: _history(source) for name, source in histories.items()}
    # A regressor's score is the R², on the validation set only.
    score = "r2" if any("val_r2" in h for h in sources.values()) else "accuracy"
    for metric, ax in zip(("loss", score), axes, strict=True):
        for name, history in sources.items():
            if isinstance(history, Mapping):
                _plot_curves(ax, metric, history, f"{name} " if name else "")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        if ax.lines:
            ax.legend()
    if title:
        fig.suptitle(title)
    return fig


__all__ = ["plot_learning_curves"]


def _plot_curves(ax, metric, history, label):
    """One history's training (solid) and validation (dashed) curves of ``metric``."""
    color = None
    if metric in history:
        epochs = range(1, len(history[metric]) + 1)
        (line,) = ax.plot(epochs, history[metric], label=f"{label}train")
        color = line.get_color()
    if f"val_{metric}" in history:
        values = history[f"val_{metric}"]
        ax.plot(
            range(1, len(values) + 1),
            values,
            linestyle="--",
            color=color,
            label=f"{label}validation",
        )
