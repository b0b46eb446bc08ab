"""Networks saved by older releases, brought to the current layout: each
engine's ``__setstate__`` passes an old state through here."""

from ._optimizers import optimizer_settings
from ._spec import NetworkSpec


def numpy_spec_from_0_1_state(state, output):
    """A 0.1.0 network's state, its settings gathered into a ``NetworkSpec``.

    0.1.0 kept the settings as separate attributes and the optimizer's in the
    optimizer; what only initialisation used (weight_init) is not needed.
    """
    state = dict(state)
    shapes = state["_shapes"]
    n_layers = len(shapes) // 2
    sizes = [shapes[0][0], *(shape[0] for shape in shapes[n_layers:])]
    state["spec"] = NetworkSpec(
        n_features=sizes[0],
        n_outputs=sizes[-1],
        out_activation=output,
        hidden_layer_sizes=tuple(sizes[1:-1]),
        **{k: state.pop(k) for k in ("activation", "alpha", "l1", "dropout")},
        dtype=state.pop("dtype"),
        input_scale=state.pop("input_scale"),
        **optimizer_settings(state["optimizer"]),
    )
    return state


def keras_spec_from_0_1_state(state):
    """A 0.1.0 network's state, its settings gathered into a ``NetworkSpec``.

    0.1.0 kept a signature of the settings the compiled model depends on;
    the rest were separate attributes.
    """
    state = dict(state)
    n_features, n_outputs, items = state.pop("_signature")
    for name in ("activation", "output_activation", "dtype"):
        del state[name]
    state["spec"] = NetworkSpec(
        n_features,
        n_outputs,
        "logistic" if n_outputs == 1 else "softmax",
        weight_init=state.pop("weight_init"),
        input_scale=state.pop("input_scale"),
        **dict(items),
    )
    return state
