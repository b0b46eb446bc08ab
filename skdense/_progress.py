"""Per-epoch progress report for ``verbose >= 1``.

Uses tqdm's bar when tqdm is installed (the ``progress`` extra); otherwise
prints one Keras-style line per epoch.
"""

import sys
import time


def _format(record):
    return " - ".join(f"{name}: {value:.4f}" for name, value in record.items())


class EpochProgress:
    """Report each finished epoch's figures; silent when ``verbose`` is 0."""

    def __init__(self, verbose, n_epochs, label="DenseClassifier"):
        self.verbose = verbose
        self.n_epochs = n_epochs
        self.bar = None
        self.start = time.perf_counter()
        if verbose:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                return
            self.bar = tqdm(total=n_epochs, unit="epoch", desc=label)

    def update(self, epoch, record):
        if not self.verbose:
            return
        if self.bar is not None:
            self.bar.set_postfix_str(_format(record), refresh=False)
            self.bar.update(1)
            return
        now = time.perf_counter()
        seconds, self.start = now - self.start, now
        print(
            f"Epoch {epoch + 1}/{self.n_epochs} - {seconds:.2f}s - {_format(record)}",
            file=sys.stdout,
            flush=True,
        )

    def close(self):
        if self.bar is not None:
            self.bar.close()
