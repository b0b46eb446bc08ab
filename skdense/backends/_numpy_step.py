"""The NumPy engine's training step, resolved once per fit from the rows.

A step is the hidden layers' forward pass (bias and activation), the loss
and its gradient, the backward pass through the activation, the row gather
of a shuffled batch and the optimizer's update. Each piece is its row's
compiled form when the compiled kernels are active (see :mod:`._kernels`)
and the row has one, else its NumPy form: the engine asks nothing more.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from ._ops import ACTIVATIONS


@dataclass(frozen=True)
class Step:
    """One training step's pieces.

    ``forward(out, b, aux)``, or None for the NumPy form: the hidden layers'
    ``out = f(out + b)``, ``aux`` a scratch shaped as ``out``.
    ``add_bias(out, b)``: ``out += b`` for the other layers.
    ``backward(kept, delta, bias_grad, ones)``: ``delta *= f'(z)`` from what
    the layer kept, and its column sums (``ones`` a row of ones) in
    ``bias_grad``. ``loss(logits, Y, scale, bias_grad)``, or None for the
    loss row's NumPy form: the loss and accuracy of a batch in one pass,
    leaving the scaled gradient in ``logits`` and its column sums in
    ``bias_grad``. ``gather(X, rows, out, scale)``, or None: a shuffled
    batch's rows, converted and scaled. ``kernels``: the compiled kernels,
    for the optimizer's fused update, or None.
    """

    forward: Callable | None
    add_bias: Callable
    backward: Callable
    loss: Callable | None
    gather: Callable | None
    kernels: ModuleType | None


def resolve_step(spec, kernels):
    """The step for ``spec`` with ``kernels`` (None: the NumPy path)."""
    row = ACTIVATIONS[spec.activation]
    forward = derivative = None
    if kernels is not None and row.compiled is not None and row.from_output:
        forward, derivative = kernels.activation_kernels(row.compiled)
    constants = _typed(row.compiled, spec.dtype)
    if forward is not None:
        compiled_forward = forward

        def forward(out, b, aux):
            compiled_forward(out, b, aux, constants)

    if derivative is not None:

        def backward(kept, delta, bias_grad, ones):
            derivative(kept, delta, constants, bias_grad)

    else:

        def backward(kept, delta, bias_grad, ones):
            row.derivative(kept, delta)
            np.matmul(ones, delta, out=bias_grad)

    compiled_loss = spec.loss_row.compiled
    return Step(
        forward=forward,
        add_bias=add_bias if kernels is None else kernels.add_bias,
        backward=backward,
        loss=None
        if kernels is None or not compiled_loss
        else getattr(kernels, compiled_loss),
        gather=None if kernels is None else kernels.gather_rows,
        kernels=kernels,
    )


def add_bias(out, b):
    """``out += b``: the NumPy form of a layer's bias add."""
    out += b


def _typed(compiled, dtype):
    """The compiled form's constants in the network's dtype."""
    return () if compiled is None else tuple(dtype.type(c) for c in compiled.constants)
