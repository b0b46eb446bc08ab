"""Parameter descriptions every skdense estimator shares, written once.

Each estimator's docstring is assembled from these and its own entries;
its methods' docstrings take the entries they share through ``fill_doc``.
"""

from .backends._ops import HIDDEN_ACTIVATIONS
from .backends._optimizers import SOLVERS


def _values(names):
    return ", ".join(f'"{name}"' for name in names)


NETWORK_PARAMETERS = """\
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of units in the ith hidden layer.
    activation : ACTIVATION_VALUES, \
            default="relu"
        Activation of the hidden layers; "sigmoid" is an alias of "logistic".
    solver : SOLVER_VALUES, default="adam"
        Weight optimizer. "lbfgs" trains on the full batch with SciPy's L-BFGS
        and suits small data sets; the others train on minibatches.
    alpha : float, default=0.0001
        Strength of the L2 penalty: ``alpha / 2 * sum(W ** 2)`` is added to the
        summed loss of each batch, whose total is divided by the batch size.
    batch_size : int or "auto", default="auto"
        Minibatch size; "auto" means ``min(200, n_samples)``.
    learning_rate : {"constant", "invscaling", "adaptive", "cosine", \
            "flat_cos", "coslog4"}, default="constant"
        Learning-rate schedule, for every solver (scikit-learn's MLPs apply
        theirs to ``solver="sgd"`` only). "constant" keeps
        ``learning_rate_init``; "invscaling" divides it by
        ``(t + 1) ** power_t``, ``t`` the samples seen; "adaptive" divides it
        by 5 whenever the monitored figure stalls for ``n_iter_no_change``
        epochs; "cosine" decays it along half a cosine to 0 at ``max_iter``,
        after ``warmup_epochs`` of linear warm-up. RealMLP's two, after the
        same warm-up, set each epoch's rate from the training's progress at
        the epoch's middle: "flat_cos" keeps ``learning_rate_init`` for the
        first half, then decays along half a cosine to 0; "coslog4" runs four
        cosine cycles up to ``learning_rate_init`` and back, each twice as
        long as the one before. ``history_["learning_rate"]`` records each
        epoch's rate.
    learning_rate_init : float, default=0.001
        Initial learning rate (step size) of the minibatch solvers.
    warmup_epochs : int, default=0
        Epochs over which the "cosine", "flat_cos" and "coslog4" schedules rise
        linearly from ``learning_rate_init / warmup_epochs`` to ``learning_rate_init``.
    power_t : float, default=0.5
        Exponent of the "invscaling" schedule.
    max_iter : int, default=200
        Maximum number of epochs (iterations for "lbfgs").
    shuffle : bool, default=True
        Whether to shuffle the samples before each epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout and the validation
        split. Pass an int for reproducible results.
    tol : float, default=1e-4
        Minimum decrease of the monitored loss that counts as an improvement.
    verbose : bool or int, default=False
        Whether to show a progress bar with each epoch's figures.
    warm_start : bool, default=False
        Whether ``fit`` starts from the weights of the previous fit.
    momentum : float, default=0.9
        Momentum of the "sgd" solver, in [0, 1].
    nesterovs_momentum : bool, default=True
        Whether "sgd" uses Nesterov's momentum.
    early_stopping : bool, default=False
        Whether to stop when the validation score (see ``scoring``) has not
        improved by ``tol`` for ``n_iter_no_change`` epochs, and restore the
        weights of the best epoch. The validation set is ``validation_data``
        when given to ``fit``, otherwise a ``validation_fraction``
        of the training data (stratified by class for a classifier).
        ``partial_fit`` refuses it, as scikit-learn's MLPs do.
    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping.
    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of adam's moment estimates, in [0, 1).
    epsilon : float, default=1e-8
        Numerical-stability constant of adam, adamw and rmsprop.
    weight_decay : float, default=0.01
        Decoupled weight decay of the "adamw" solver: each step shrinks every
        weight by ``learning_rate * weight_decay`` before Adam's step.
    ema_momentum : float or None, default=None
        An exponential moving average of the weights over the steps, as
        Keras's optimizers keep with ``use_ema=True``: after each step,
        ``average = ema_momentum * average + (1 - ema_momentum) * weights``
        (the weights themselves after the first). Between epochs the network
        is the average (validation, best-epoch selection, ``predict`` and
        ``coefs_`` see it), while training goes on from the weights it
        reached. It smooths the validation curve of a noisy or
        early-overfitting fit. In [0, 1); None keeps no average. Needs a
        minibatch solver.
    n_iter_no_change : int or np.inf, default=10
        Epochs without an improvement of at least ``tol`` before stopping;
        ``np.inf`` never stops early. With ``early_stopping=True``, ``np.inf``
        is best-epoch selection: all ``max_iter`` epochs are trained and the
        weights of the best validation epoch kept.
    max_fun : int, default=15000
        Maximum number of loss evaluations of "lbfgs".
    l1 : float, default=0.0
        Strength of the L1 penalty ``l1 * sum(|W|)``, scaled as ``alpha``.
    dropout : float, default=0.0
        Fraction of each hidden layer's units dropped at each training step.
    weight_init : {"auto", "glorot", "he", "normal", "data"}, default="auto"
        Weight initialisation: Glorot uniform, He normal, or N(0, 1) as in the
        study notes' networks; "auto" is scikit-learn's MLP rule, Glorot uniform for
        every activation (with scikit-learn's smaller bound for logistic).
        "data" is RealMLP's data-dependent start: N(0, 1) weights, each
        unit's then scaled so that its pre-activation has standard deviation
        1 on the training data, and its bias set so that the pre-activation
        is zero at a random point among the training rows (where a hidden
        unit's activation bends), layer after layer.
    rho : float, default=0.9
        Decay rate of rmsprop's running mean of squared gradients.
""".replace(
    "ACTIVATION_VALUES", "{" + _values((*HIDDEN_ACTIVATIONS, "sigmoid")) + "}"
).replace("SOLVER_VALUES", "{" + _values(SOLVERS) + "}")

ENGINE_PARAMETERS = """\
    dtype : {np.float32, np.float64}, default=np.float32
        Dtype of the weights and of all computation.
    input_scale : float or None, default=None
        Factor every input is multiplied by as it enters the network, in
        training and prediction alike: ``input_scale=1/255`` trains on 8-bit
        pixels as on ``X / 255.0`` without a float copy of ``X``. Integer
        arrays, ``numpy.memmap`` included, are converted batch by batch, so
        data larger than memory trains from disk (NumPy backend). None means 1.
    input_scaling : {None, "standard", "robust"}, default=None
        Scaling of each input column by statistics of the training data,
        inside the network (``predict`` takes raw ``X``; ONNX exports it):
        "standard" subtracts the mean and divides by the standard deviation,
        "robust" (RealMLP's) subtracts the median and divides by the
        interquartile range (half the range where the quartiles coincide).
        A constant column becomes 0. Computed at the first fit; ``partial_fit``
        and ``warm_start`` keep it. Dense ``X`` only.
    input_clip : float or None, default=None
        Smooth clip of every input after scaling,
        ``x / sqrt(1 + (x / input_clip) ** 2)``: near ``x`` for small values,
        bending large ones towards ``+-input_clip`` (RealMLP uses 3 after
        "robust" scaling), so that outliers do not dominate a layer.
    input_log : float or None, default=None
        Heavy-tailed columns read as ``sign(x) log(1 + |x|)``, before the
        scaling: a numeric column whose farthest value in the first fit lies
        more than ``input_log`` interquartile ranges from its median (counts,
        amounts, durations) is compressed, so that its few large values do not
        squeeze the rest together. The logged columns are kept by
        ``partial_fit`` and ``warm_start``. None logs none.
    numeric_embedding : {None, "pbld"}, default=None
        A learned expansion of each input column before the first dense
        layer: "pbld" is RealMLP's periodic embedding, ``cos(2 pi x w + c)``
        at ``embedding_frequencies`` learned frequencies, mapped linearly to
        ``embedding_size - 1`` numbers per column, followed by the column's
        value (so ``n_features * embedding_size`` inputs). It lets a network
        draw sharp and periodic shapes of single columns, where tables need
        them. The embedding's weights follow the dense layers' in the
        network's ``get_weights()``; they are not penalised by ``alpha`` or
        ``l1``. Dense ``X`` only.
    embedding_size : int, default=4
        Numbers per column with a numeric embedding, its value included.
    embedding_frequencies : int, default=16
        Frequencies per column with a numeric embedding.
    embedding_sigma : float, default=0.1
        Standard deviation of the embedding's initial frequencies (per unit
        of the scaled input); larger values start from sharper shapes.
    embedding_lr_factor : float, default=1.0
        Factor on the learning rate of the numeric embedding's weights (its
        gradient steps; not AdamW's decoupled decay), as RealMLP trains its
        parts at different rates: above 1, the embedding's frequencies and
        maps adapt faster than the dense layers.
    bias_lr_factor : float, default=1.0
        Factor on the learning rate of the dense layers' biases, as
        ``embedding_lr_factor``; RealMLP trains them at 0.1, which keeps the
        units' bends where ``weight_init="data"`` placed them for longer.
    categorical_features : None, "from_dtype" or array-like, default=None
        Columns that hold categories, as HistGradientBoosting's parameter
        of that name: "from_dtype" takes a DataFrame's ``category``,
        ``object`` and string columns; an array-like gives a boolean mask,
        integer positions or feature names. Their values may be of any
        type (strings, say); no encoder is needed. Each column's levels are
        the distinct values it has in the first fit; a column of at most
        ``max_onehot_categories`` levels enters the network one-hot, a
        larger one as a learned embedding of ``categorical_embedding_size``
        numbers. A missing value (None, NaN) or a level not seen in the fit
        enters as no level at all (all zeros), in training and prediction,
        without an error. The input stage (``input_scaling``,
        ``input_clip``, ``numeric_embedding``) applies to the other columns.
        ``is_categorical_`` tells which columns were taken. None (the
        default) reads every column as a number, as MLPClassifier does.
    max_onehot_categories : int, default=8
        Most levels a categorical column may have to enter one-hot (RealMLP
        one-hot encodes up to 8 levels and a missing value).
    categorical_embedding_size : int, default=8
        Learned numbers per categorical column of more levels. The tables
        follow the numeric embedding's weights in ``get_weights()``.
    min_frequency : int, float or None, default=None
        Levels of a categorical column seen fewer times than this in the
        first fit (an int, or a fraction of the rows) are pooled into one
        "infrequent" level, as in :class:`~sklearn.preprocessing.OneHotEncoder`;
        with pooling, a level not seen in the fit is infrequent too (else
        it enters as no level). None pools nothing.
    max_categories : int or None, default=None
        Most levels a categorical column keeps, the infrequent one included:
        the most frequent ``max_categories - 1`` stay, the others are pooled
        (see ``min_frequency``). It bounds a column's embedding table. None:
        no bound.
    missing_values : {"error", "indicator"}, default="error"
        What a missing value (NaN, ``pd.NA``) in a numeric column is.
        "error" refuses it, as MLPClassifier does. "indicator" makes it an
        input: each numeric column that has NaN in the first fit gets one
        more input, 1 where its value is missing, with its own learned
        weights (so the network learns what "missing" means, as gradient
        boosting learns where NaN goes), and its NaN are filled with the
        column's median in that fit. A NaN at prediction time in a column
        that had none in the fit is filled without an error. The fill
        values and indicated columns are kept by ``partial_fit`` and
        ``warm_start``. Infinite values are refused either way; categorical
        columns take missing values as no level in both modes.
    n_ensemble : int, default=1
        Number of networks trained together, as TabM's ensemble: each from
        its own random start, each epoch one pass over the data for each;
        the estimator predicts the mean of their outputs, and best-epoch
        selection (``early_stopping``) watches the validation loss of that
        mean. The validation rows the estimator holds out
        (``validation_fraction``) are dealt out among the networks: each
        trains on every row but its share, and each validation row is
        predicted by the network that held it out (with ``validation_data``,
        every network validates on all of it). Fit time grows with it.
        ``coefs_`` and ``intercepts_`` stack the networks' arrays on a new
        first axis; ``transform`` gives their hidden activations side by
        side. Needs a minibatch solver.
    backend : {"numpy", "keras"}, default="numpy"
        Training engine: the NumPy engine, or Keras on TensorFlow
        (``pip install 'skdense[keras]'``).
"""


def _in_method(text):
    """``text`` as it stands in a method's docstring: the lines after its
    first indented by the method body's 8 spaces (the first line takes the
    placeholder's place)."""
    first, *rest = text.splitlines()
    return "\n".join([first, *(f"        {line}" if line else "" for line in rest)])


_X_PREDICT = """\
X : {array-like, sparse matrix} of shape (n_samples, n_features)
    Input data."""

METHOD_SECTIONS = {
    name: _in_method(text)
    for name, text in {
        "X_fit": """\
X : {array-like, sparse matrix} of shape (n_samples, n_features)
    Training data.""",
        "X_predict": _X_PREDICT,
        # The whole Parameters section of a method that takes only X.
        "X_only": f"Parameters\n----------\n{_X_PREDICT}",
        "sample_weight": """\
sample_weight : array-like of shape (n_samples,), default=None
    Non-negative weight of each sample in the loss.""",
    }.items()
}


def fill_doc(method):
    """``method`` with its docstring's ``%(name)s`` placeholders filled from
    ``METHOD_SECTIONS``: the entries the estimators' methods share."""
    if method.__doc__:  # None under python -OO
        method.__doc__ = method.__doc__ % METHOD_SECTIONS
    return method
