"""The book networks' settings, as DenseClassifier parameters.

The seed material trains two NumPy networks from scratch. Their exact
settings are reachable through parameters (never the defaults, which aim at a
good model):

- ``BOOK_MULTICLASS``: ``MultiClassNetwork(units=100, batch_size=256,
  learning_rate=0.1)``, 40 epochs from N(0, 1) weights, sigmoid hidden layer,
  plain gradient descent, no penalty (book: 0.815 validation accuracy on
  Fashion-MNIST's 48k/12k split).
- ``BOOK_BINARY``: ``MinibatchNetwork(l2=0.01, batch_size=32)``, 10 sigmoid
  units, 500 epochs (book: 0.978 validation accuracy on breast cancer).

Examples
--------
>>> from skdense import DenseClassifier
>>> from skdense.presets import BOOK_MULTICLASS
>>> DenseClassifier(**BOOK_MULTICLASS).weight_init
'normal'
"""

BOOK_MULTICLASS = dict(
    hidden_layer_sizes=(100,),
    activation="sigmoid",
    weight_init="normal",
    solver="sgd",
    learning_rate_init=0.1,
    momentum=0.0,
    alpha=0.0,
    batch_size=256,
    max_iter=40,
    tol=0.0,
    n_iter_no_change=40,
    random_state=42,
)

BOOK_BINARY = dict(
    hidden_layer_sizes=(10,),
    activation="sigmoid",
    weight_init="normal",
    solver="sgd",
    learning_rate_init=0.1,
    momentum=0.0,
    alpha=0.01,
    batch_size=32,
    max_iter=500,
    random_state=42,
)
