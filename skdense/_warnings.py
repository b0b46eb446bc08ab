"""Warnings that point at the user's own line, wherever skdense raises them."""

import os
import sys
import warnings
from pathlib import Path

_PACKAGE = str(Path(__file__).resolve().parent) + os.sep
# scikit-learn's callback API wraps fit (sklearn.callback.with_callbacks).
_WRAPPERS = (os.path.join("sklearn", "callback", "_callback_support.py"),)


def _inside_skdense(frame):
    filename = str(Path(frame.f_code.co_filename).resolve())
    return filename.startswith(_PACKAGE) or filename.endswith(_WRAPPERS)


def warn_user(message, category=UserWarning):
    """``warnings.warn`` attributed to the first caller outside skdense.

    The stack level is counted rather than written at each call, so a warning
    keeps pointing at the user's ``fit`` (or at scikit-learn's, inside a
    search) however deep in skdense it is raised.
    """
    frame, level = sys._getframe(1), 2
    while frame.f_back is not None and _inside_skdense(frame):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
