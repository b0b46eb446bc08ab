"""Named parameter sets: the study notes' networks, and a tuned one.

Use them as ``DenseClassifier.from_preset(name, **overrides)`` or as
``DenseClassifier(**PRESETS[name])``. The study notes train two NumPy
networks from scratch and the same networks in Keras; their exact settings
are reachable through parameters (never the defaults, which aim at a good
model):

- ``BOOK_MULTICLASS``: ``MultiClassNetwork(units=100, batch_size=256,
  learning_rate=0.1)``, 40 epochs from N(0, 1) weights, sigmoid hidden layer,
  plain gradient descent, no penalty (study notes: 0.815 validation accuracy on
  Fashion-MNIST's 48k/12k split).
- ``BOOK_BINARY``: ``MinibatchNetwork(l2=0.01, batch_size=32)``, 10 sigmoid
  units, 500 epochs (study notes: 0.978 validation accuracy on breast cancer).
- ``KERAS_SGD``: ``Dense(100, sigmoid)`` + softmax, ``optimizer="sgd"``
  (learning rate 0.01, no momentum), batch 32, 40 epochs (0.863).
- ``KERAS_RMSPROP``: the same with Keras's default rmsprop, 5 epochs (~0.87).
- ``KERAS_RELU_512``: ``Dense(512, relu)`` + softmax, rmsprop, batch 128,
  5 epochs (the Keras textbook's MNIST network).
- ``FASHION_MNIST_TUNED``: two ReLU layers (512, 256) with dropout 0.3, adam,
  batch 128, 45 epochs, found with ``examples/tune_fashion_mnist.py``: above
  0.90 test accuracy on Fashion-MNIST.
- ``FASHION_MNIST_FAST``: the same layers with dropout 0.2, adam at 0.002 on
  the cosine schedule after a one-epoch warm-up, batch 256, 16 epochs, found
  with ``examples/fast_preset_search.py``: the tuned preset's accuracy in a
  third of its time.
- ``TABULAR``: for tables of numbers, given raw (no scaler needed): robust
  scaling and smooth clipping inside the network, RealMLP's PBLD embedding
  of each column, three SELU layers of 256 started from the data
  (``weight_init="data"``, biases at a tenth of the learning rate), adam
  (``beta_2=0.95``) at 0.002 on the flat-then-cosine schedule, batch 256,
  label smoothing 0.1, and two such networks trained together
  (``n_ensemble=2``, predicting their mean) for at most 50 epochs; between
  epochs each network is the moving average of its weights
  (``ema_momentum=0.97``), and the epoch with the lowest validation loss is
  kept (``early_stopping=True``), stopping 7 epochs after it
  (``n_iter_no_change=7``). Chosen on six numeric development tables; the
  design notes ("How the tabular presets were chosen") have the search and
  the figures. Missing values are inputs (``missing_values="indicator"``),
  heavy-tailed columns are read as signed logs (``input_log=10``), and the
  moving average and the patience were set, all chosen on the messy
  development tables.
- ``TABULAR_REGRESSOR``: ``DenseRegressor.from_preset("tabular")``: the
  same without the label smoothing and the moving average, on standardised
  targets (``target_scaling="standard"``), for at most 30 epochs with a
  patience of 7; chosen on five regression tables.

The Keras presets use ``backend="numpy"`` like every other: add
``backend="keras"`` to train them with Keras.

Examples
--------
>>> from skdense import DenseClassifier
>>> from skdense.presets import BOOK_MULTICLASS
>>> DenseClassifier(**BOOK_MULTICLASS).weight_init
'normal'
>>> DenseClassifier.from_preset("keras-rmsprop", backend="keras").solver
'rmsprop'
>>> from skdense.presets import PRESETS
>>> sorted(PRESETS)[:3]
['book-binary', 'book-multiclass', 'fashion-mnist-fast']
"""


def _epochs(n):
    """Exactly ``n`` epochs, as the study notes and Keras train: a stalled
    loss ends nothing."""
    return dict(max_iter=n, tol=0.0, n_iter_no_change=n)


# The study notes' hidden layer, in their NumPy networks and in Keras.
_SIGMOID_100 = dict(hidden_layer_sizes=(100,), activation="sigmoid")
# Their NumPy networks: plain gradient descent (no momentum) at 0.1 from
# N(0, 1) weights, seeded with 42.
_STUDY_NOTES = dict(
    **_SIGMOID_100,
    weight_init="normal",
    solver="sgd",
    learning_rate_init=0.1,
    momentum=0.0,
    random_state=42,
)
# Keras's fit: batches of 32, no penalty.
_KERAS = dict(**_SIGMOID_100, alpha=0.0, batch_size=32)
# Two ReLU layers from He-scaled weights, trained by adam.
_FASHION_MNIST = dict(
    hidden_layer_sizes=(512, 256),
    activation="relu",
    weight_init="he",
    solver="adam",
    random_state=0,
)

BOOK_MULTICLASS = {**_STUDY_NOTES, **_epochs(40), "alpha": 0.0, "batch_size": 256}

BOOK_BINARY = {
    **_STUDY_NOTES,
    "hidden_layer_sizes": (10,),
    "alpha": 0.01,
    "batch_size": 32,
    "max_iter": 500,
}

KERAS_SGD = {
    **_KERAS,
    **_epochs(40),
    "solver": "sgd",
    "learning_rate_init": 0.01,
    "momentum": 0.0,
}

KERAS_RMSPROP = {
    **_KERAS,
    **_epochs(5),
    "solver": "rmsprop",
    "learning_rate_init": 0.001,
    "rho": 0.9,
    "epsilon": 1e-7,
}

KERAS_RELU_512 = {
    **KERAS_RMSPROP,
    "hidden_layer_sizes": (512,),
    "activation": "relu",
    "batch_size": 128,
}

FASHION_MNIST_TUNED = {
    **_FASHION_MNIST,
    **_epochs(45),
    "learning_rate_init": 0.001,
    "dropout": 0.3,
    "batch_size": 128,
}

FASHION_MNIST_FAST = {
    **_FASHION_MNIST,
    **_epochs(16),
    "learning_rate": "cosine",
    "warmup_epochs": 1,
    "learning_rate_init": 0.002,
    "dropout": 0.2,
    "batch_size": 256,
}

TABULAR = dict(
    categorical_features="from_dtype",
    missing_values="indicator",
    input_log=10.0,
    input_scaling="robust",
    input_clip=3.0,
    numeric_embedding="pbld",
    embedding_lr_factor=5.0,
    hidden_layer_sizes=(256, 256, 256),
    activation="selu",
    weight_init="data",
    bias_lr_factor=0.1,
    solver="adam",
    beta_2=0.95,
    learning_rate_init=0.002,
    learning_rate="flat_cos",
    batch_size=256,
    n_ensemble=2,
    max_iter=50,
    label_smoothing=0.1,
    ema_momentum=0.97,
    early_stopping=True,
    scoring="loss",
    n_iter_no_change=7,
    tol=0.0,
)

# DenseRegressor.from_preset("tabular"): chosen on the five regression
# tables of the messy development set (see the design notes).
TABULAR_REGRESSOR = {
    **{
        k: v for k, v in TABULAR.items() if k not in ("label_smoothing", "ema_momentum")
    },
    "target_scaling": "standard",
    "max_iter": 30,
    "n_iter_no_change": 7,
}

PRESETS = {
    "book-multiclass": BOOK_MULTICLASS,
    "book-binary": BOOK_BINARY,
    "keras-sgd": KERAS_SGD,
    "keras-rmsprop": KERAS_RMSPROP,
    "keras-relu-512": KERAS_RELU_512,
    "fashion-mnist-tuned": FASHION_MNIST_TUNED,
    "fashion-mnist-fast": FASHION_MNIST_FAST,
    "tabular": TABULAR,
}


# The regressor's own versions of presets, by name.
REGRESSOR_PRESETS = {"tabular": TABULAR_REGRESSOR}

__all__ = ["PRESETS", "REGRESSOR_PRESETS"]
