"""What both engines compute the same way: inputs, initial weights, predictions."""

import numpy as np
from scipy import special

from ._categorical import categorical_shapes, encode_categories
from ._embeddings import embed, embedding_shapes
from ._inputs import as_input
from ._ops import ACTIVATIONS

# Rows per forward chunk at prediction time: bounds memory on large inputs.
PREDICT_CHUNK = 8192


def initial_weight_law(spec, fan_in, fan_out):
    """How a weight matrix is drawn: ``("normal", std)`` or ``("uniform", bound)``.

    "normal" is the study notes' N(0, 1); "he" is N(0, 2 / fan_in); "glorot" is
    uniform on ``+-sqrt(6 / (fan_in + fan_out))``, with scikit-learn's smaller
    bound ``sqrt(2 / (fan_in + fan_out))`` for the logistic activation (the
    hidden activation picks every layer's bound, the output layer's too).
    Biases start at zero. "data" draws N(0, 1), which
    :func:`data_dependent_weights` then fits to the training data.
    """
    if spec.weight_init in ("normal", "data"):
        return "normal", 1.0
    if spec.weight_init == "he":
        return "normal", float(np.sqrt(2.0 / fan_in))
    factor = 2.0 if spec.activation == "logistic" else 6.0
    return "uniform", float(np.sqrt(factor / (fan_in + fan_out)))


def split_weights(weights, spec):
    """``(coefs, intercepts, front)``: the lists of ``weights``, ordered
    as every engine's ``get_weights`` gives them; ``front`` are the input
    stage's weights (the numeric embedding's, then the categorical tables;
    often none)."""
    n_layers = len(spec.hidden_layer_sizes) + 1
    weights = list(weights)
    return (
        weights[:n_layers],
        weights[n_layers : 2 * n_layers],
        weights[2 * n_layers :],
    )


def member_seeds(random_state, n_members):
    """The seeds of an ensemble's networks: the first is ``random_state``
    itself, so that a one-network ensemble is the plain network; None gives
    unseeded networks."""
    if random_state is None:
        return [None] * n_members
    rng = np.random.default_rng([random_state, 2])  # apart from the engines' draws
    return [random_state, *(int(s) for s in rng.integers(2**31, size=n_members - 1))]


def members(weights, spec):
    """The weights of each network of an ensemble (``spec.n_ensemble`` of
    them): an ensemble's ``get_weights`` stacks its networks' arrays, each
    array on a new first axis. A single network is its own one member."""
    if spec.n_ensemble == 1:
        return [list(weights)]
    return [[w[i] for w in weights] for i in range(spec.n_ensemble)]


def stacked(member_weights):
    """An ensemble's weights from its networks' (the inverse of :func:`members`)."""
    return [np.stack(arrays) for arrays in zip(*member_weights, strict=True)]


def penalty(coefs, spec):
    """``l1 * sum|W| + alpha / 2 * sum W**2`` over the weight matrices
    ``coefs`` (or one flat array of them), in their dtype: the estimator's
    regularisation term."""
    total = 0.0
    for w in coefs:
        w = w.ravel()
        if spec.alpha:
            total += 0.5 * spec.alpha * float(np.dot(w, w))
        if spec.l1:
            total += spec.l1 * float(np.abs(w).sum())
    return total


def rate_factors(spec):
    """The learning-rate factor of each array of ``get_weights``, in order:
    1 on the dense layers' weights, ``bias_lr_factor`` on their biases,
    ``embedding_lr_factor`` on the numeric embedding's weights, 1 on the
    categorical tables."""
    n_layers = len(spec.hidden_layer_sizes) + 1
    return (
        [1.0] * n_layers
        + [spec.bias_lr_factor] * n_layers
        + [spec.embedding_lr_factor] * len(embedding_shapes(spec))
        + [1.0] * len(categorical_shapes(spec))
    )


def first_layer_input(a, front, spec, keep=None):
    """What the first dense layer reads, from ``a`` (``X`` after
    ``as_input``): the numeric columns, embedded if the network embeds them,
    then the categorical columns' one-hot vectors and embeddings. ``front``
    are the weights after the dense layers' (``split_weights``' third
    part); ``keep``, a dict, receives what the gradients need."""
    n_embedding = len(embedding_shapes(spec))
    embedding, tables = front[:n_embedding], front[n_embedding:]
    if not spec.categorical_levels:
        return embed(a, embedding, keep) if embedding else a
    numeric = a[:, : spec.n_numeric]
    if embedding:
        numeric = embed(numeric, embedding, keep)
    categories = encode_categories(a[:, spec.n_numeric :], tables, spec, keep)
    return np.concatenate([numeric, categories], axis=1)


# Rows of the training data that weight_init="data" looks at: enough to
# estimate each unit's spread within a few percent, cheap on any data set.
DATA_INIT_ROWS = 2048
# How many random rows' pre-activations each unit's bias averages.
DATA_INIT_POINTS = 5


def data_dependent_weights(weights, X, spec, seed):
    """``weights`` (as ``get_weights`` gives them) fitted to the training
    data ``X`` for ``weight_init="data"``, RealMLP's data-dependent
    initialisation (Holzmüller et al. 2024), layer after layer, the output
    layer's too: each unit's weights are scaled so that its pre-activation
    has standard deviation 1 over ``X``, and its bias is set so that the
    pre-activation is zero at a random point inside the data (a random
    convex combination of :data:`DATA_INIT_POINTS` rows), where a hidden
    unit's activation bends. At most :data:`DATA_INIT_ROWS` random rows of
    ``X`` are used; a unit that is constant on them keeps its scale.
    ``seed`` seeds the rows and points drawn; each network of an ensemble
    draws its own, from its seed (see :func:`member_seeds`). Returns new
    arrays, in float64.
    """
    if spec.n_ensemble > 1:
        seeds = member_seeds(seed, spec.n_ensemble)
        return stacked(
            data_dependent_weights(w, X, spec.member, s)
            for w, s in zip(members(weights, spec), seeds, strict=True)
        )
    rng = np.random.default_rng([seed, 1])  # apart from the engine's draws
    copies = [np.array(w, dtype=np.float64) for w in weights]  # scaled in place
    coefs, intercepts, front = split_weights(copies, spec)
    n_rows = min(X.shape[0], DATA_INIT_ROWS)
    rows = np.sort(rng.choice(X.shape[0], n_rows, replace=False))
    a = _network_input(X[rows], front, spec)
    activate = ACTIVATIONS[spec.activation].forward
    for w, b in zip(coefs, intercepts, strict=True):
        z = np.asarray(a @ w)
        spread = z.std(axis=0)
        scale = np.divide(1.0, spread, out=np.ones_like(spread), where=spread > 0)
        w *= scale
        z *= scale
        n_units = w.shape[1]
        chosen = rng.integers(0, n_rows, (DATA_INIT_POINTS, n_units))
        mix = rng.exponential(size=(DATA_INIT_POINTS, n_units))
        mix /= mix.sum(axis=0)
        b[...] = -(z[chosen, np.arange(n_units)] * mix).sum(axis=0)
        a = activate(z + b)  # the output layer's is not used
    return coefs + intercepts + front


def _float64(weights):
    return [np.asarray(w, np.float64) for w in weights]


def _network_input(X, front, spec):
    """A chunk of ``X`` as the first dense layer reads it, in float64."""
    return first_layer_input(as_input(X, np.dtype(np.float64), spec), front, spec)


def _hidden_forward(a, coefs, intercepts, activation):
    for w, b in zip(coefs, intercepts, strict=True):
        a = ACTIVATIONS[activation].forward(a @ w + b)
    return a


def forward_proba(X, weights, spec):
    """Probabilities of the network whose ``get_weights`` are ``weights``,
    computed in float64.

    float64 whatever the training dtype: float32 matrix products round
    differently with the number of rows, and a sample's prediction must not
    depend on the other rows it is predicted with. ``X`` may have any numeric
    dtype; it goes through the input stage (see ``_inputs``) chunk by chunk.
    An ensemble's are the mean of its networks' (TabM's rule).
    """
    if spec.n_ensemble > 1:
        return np.mean(
            [forward_proba(X, w, spec.member) for w in members(weights, spec)], axis=0
        )
    coefs, intercepts, embedding = split_weights(_float64(weights), spec)
    output = ACTIVATIONS[spec.out_activation].forward
    proba = np.empty((X.shape[0], coefs[-1].shape[1]), np.float64)
    for start in range(0, X.shape[0], PREDICT_CHUNK):
        a = _network_input(X[start : start + PREDICT_CHUNK], embedding, spec)
        a = _hidden_forward(a, coefs[:-1], intercepts[:-1], spec.activation)
        z = a @ coefs[-1] + intercepts[-1]
        if spec.out_activation != "logistic":
            a = output(z)
        else:
            a = output(z.copy())
            # The fast sigmoid rounds to exactly 0 or 1 from |z| ~ 37; there,
            # expit keeps the probability inside (0, 1) as long as it can.
            saturated = (a == 0.0) | (a == 1.0)
            a[saturated] = special.expit(z[saturated])
        proba[start : start + a.shape[0]] = a
    return proba


def forward_hidden(X, weights, spec, layer):
    """Activations of hidden layer ``layer`` (0 is the first), in float64.

    Computed as :func:`forward_proba` computes, chunk by chunk. An
    ensemble's are its networks' side by side, the first network's first.
    """
    if spec.n_ensemble > 1:
        return np.hstack(
            [forward_hidden(X, w, spec.member, layer) for w in members(weights, spec)]
        )
    coefs, intercepts, embedding = split_weights(_float64(weights), spec)
    coefs, intercepts = coefs[: layer + 1], intercepts[: layer + 1]
    out = np.empty((X.shape[0], coefs[-1].shape[1]), np.float64)
    for start in range(0, X.shape[0], PREDICT_CHUNK):
        a = _network_input(X[start : start + PREDICT_CHUNK], embedding, spec)
        a = _hidden_forward(a, coefs, intercepts, spec.activation)
        out[start : start + a.shape[0]] = a
    return out
