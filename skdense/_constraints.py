"""What values a setting accepts, and the error that names a bad one.

A setting is declared once, as a dataclass field made by :func:`setting`:
its default and the constraints its value must meet (any one of them), in
the spirit of scikit-learn's ``_parameter_constraints``. :func:`check_value`
raises a ``ValueError`` naming the setting, the value and what was expected.
"""

import dataclasses
import numbers

import numpy as np

_BOOLS = (bool, np.bool_)


class Interval:
    """A real (or integer) number in an interval; ``None`` ends are infinite."""

    def __init__(self, kind, low=None, high=None, closed="both"):
        self.kind = kind
        self.low = low
        self.high = high
        self.closed = closed

    def accepts(self, value):
        if not isinstance(value, self.kind) or isinstance(value, _BOOLS):
            return False
        if not np.isfinite(value):
            return False
        left_closed = self.closed in ("both", "left")
        right_closed = self.closed in ("both", "right")
        if self.low is not None and not (
            value >= self.low if left_closed else value > self.low
        ):
            return False
        return self.high is None or (
            value <= self.high if right_closed else value < self.high
        )

    def __str__(self):
        left = "[" if self.low is not None and self.closed in ("both", "left") else "("
        right = (
            "]" if self.high is not None and self.closed in ("both", "right") else ")"
        )
        low = "-inf" if self.low is None else self.low
        high = "inf" if self.high is None else self.high
        kind = "an integer" if self.kind is numbers.Integral else "a float"
        return f"{kind} in {left}{low}, {high}{right}"


class Options:
    """One of a few given strings (or other constants such as None)."""

    def __init__(self, *values):
        self.values = values

    def accepts(self, value):
        return any(type(value) is type(v) and value == v for v in self.values)

    def __str__(self):
        return "one of " + ", ".join(repr(v) for v in self.values)


class RowNames(Options):
    """The name of a row of ``table`` that ``where(row)`` accepts, or one of
    ``extra``: read from the table when checked, so that a row added to it
    is accepted with no other edit."""

    def __init__(self, table, where=None, extra=()):
        self.table, self.where, self.extra = table, where, extra

    @property
    def values(self):
        rows = self.table.items()
        names = (n for n, row in rows if self.where is None or self.where(row))
        return (*names, *self.extra)


class Boolean:
    def accepts(self, value):
        return isinstance(value, _BOOLS)

    def __str__(self):
        return "True or False"


class Satisfies:
    """Any value ``test`` accepts, described as ``text``."""

    def __init__(self, test, text):
        self.test = test
        self.text = text

    def accepts(self, value):
        try:
            return bool(self.test(value))
        except (TypeError, ValueError):
            return False

    def __str__(self):
        return self.text


def setting(default, *constraints):
    """A dataclass field holding a setting: its default and its constraints."""
    return dataclasses.field(default=default, metadata={"constraints": constraints})


def constraints_of(datacls):
    """``{name: constraints}`` of a dataclass's fields made by :func:`setting`."""
    return {
        f.name: f.metadata["constraints"]
        for f in dataclasses.fields(datacls)
        if "constraints" in f.metadata
    }


def check_value(owner, name, value, constraints):
    """Return ``value`` if one of ``constraints`` accepts it; raise otherwise."""
    if any(c.accepts(value) for c in constraints):
        return value
    expected = " or ".join(str(c) for c in constraints)
    raise ValueError(f"{owner}: {name}={value!r} is invalid; expected {expected}.")
