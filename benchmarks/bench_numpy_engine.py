"""skdense's engines against the matmul floor and the peers, one run.

For each network below, trains on Fashion-MNIST's 60,000 training images
(float32, [0, 1]) one epoch at a time with every contender, taken in turn
(round-robin), so that a change of load on a shared machine hits all alike,
and prints the median epoch time and its ratios:

- the floor: the forward and backward matrix products of one epoch alone (the
  GEMMs of the same shapes that any implementation must do, nothing else);
- skdense's NumPy engine, with the compiled kernels (Numba) and on the plain
  NumPy path;
- scikit-learn's MLPClassifier (``partial_fit``, one epoch a call, as skdense);
- a plain PyTorch loop and skorch, when ``torch`` / ``skorch`` are importable;
- skdense's Keras engine and the same network in plain Keras, when Keras is
  importable, in a table of their own, after all the others (TensorFlow's
  thread pools, once started, share the cores with whatever runs next).

Every contender trains the same shapes, batch size, solver and penalty (L2
``alpha=1e-4``), from its own initial weights. After the timed rounds it
prints each one's test accuracy, as a check that all of them really trained.
Then checks the study notes' figures: book-like settings on Fashion-MNIST and the
binary engine on breast cancer.

Usage::

    SKDENSE_DATA=../shared/data/fashion-mnist python benchmarks/bench_numpy_engine.py
    python benchmarks/bench_numpy_engine.py --rounds 3 --no-keras    # quicker
"""

import argparse
import importlib.util
import os
import time
import warnings
from dataclasses import dataclass

import numpy as np
from quote_results import recorded
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from skdense import DenseClassifier
from skdense.backends import numba_installed, use_kernels
from skdense.datasets import load_fashion_mnist
from skdense.presets import BOOK_BINARY, BOOK_MULTICLASS

ALPHA = 1e-4  # MLPClassifier's default L2 penalty, for every contender
N_CLASSES = 10


@dataclass(frozen=True)
class Network:
    name: str
    hidden: tuple
    activation: str
    solver: str
    learning_rate: float
    batch_size: int

    def estimator_params(self):
        return dict(
            hidden_layer_sizes=self.hidden,
            activation=self.activation,
            solver=self.solver,
            learning_rate_init=self.learning_rate,
            batch_size=self.batch_size,
            alpha=ALPHA,
        )


NETWORKS = [
    Network("784-100-10 logistic sgd b32", (100,), "logistic", "sgd", 0.1, 32),
    Network("784-100-10 relu adam b200", (100,), "relu", "adam", 1e-3, 200),
    Network("784-512-10 relu adam b256", (512,), "relu", "adam", 1e-3, 256),
    Network("784-512-256-10 relu adam b256", (512, 256), "relu", "adam", 1e-3, 256),
]


class Floor:
    """The forward and backward GEMMs of one epoch, in float32, nothing else."""

    label = "floor (GEMMs alone)"

    def __init__(self, net, X, y):
        rng = np.random.default_rng(0)
        sizes = [X.shape[1], *net.hidden, N_CLASSES]
        self.n_batches = X.shape[0] // net.batch_size
        self.x = rng.random((net.batch_size, sizes[0]), dtype=np.float32)
        shapes = zip(sizes[:-1], sizes[1:], strict=True)
        self.w = [rng.random(s, dtype=np.float32) for s in shapes]
        self.a = [np.empty((net.batch_size, n), np.float32) for n in sizes[1:]]
        self.g = [np.empty_like(w) for w in self.w]

    def epoch(self):
        x, w, a, g = self.x, self.w, self.a, self.g
        for _ in range(self.n_batches):
            inputs = [x]
            for i in range(len(w)):
                np.matmul(inputs[-1], w[i], out=a[i])
                inputs.append(a[i])
            for i in range(len(w) - 1, -1, -1):
                np.matmul(inputs[i].T, a[i], out=g[i])
                if i > 0:
                    np.matmul(a[i], w[i].T, out=a[i - 1])

    def score(self, X, y):
        return None


class Incremental:
    """An estimator trained one epoch per ``partial_fit`` call."""

    def __init__(self, label, estimator, X, y, kernels=None):
        self.label, self.estimator, self.X, self.y = label, estimator, X, y
        self.kernels = kernels
        self.classes = np.unique(y)

    def epoch(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            if self.kernels is None:
                self.estimator.partial_fit(self.X, self.y, classes=self.classes)
            else:
                with use_kernels(self.kernels):
                    self.estimator.partial_fit(self.X, self.y, classes=self.classes)

    def score(self, X, y):
        return self.estimator.score(X, y)


def skdense_contenders(net, X, y):
    params = dict(net.estimator_params(), random_state=0)
    kernels = ["numba", "numpy"] if numba_installed() else ["numpy"]
    return [
        Incremental(
            f"skdense NumPy engine ({name} kernels)",
            DenseClassifier(**params),
            X,
            y,
            kernels=name,
        )
        for name in kernels
    ]


def mlp_contender(net, X, y):
    return Incremental("MLPClassifier", MLPClassifier(**net.estimator_params()), X, y)


def _torch_module(net, n_features):
    import torch

    activation = {"relu": torch.nn.ReLU, "logistic": torch.nn.Sigmoid}[net.activation]
    layers, width = [], n_features
    for units in net.hidden:
        layers += [torch.nn.Linear(width, units), activation()]
        width = units
    return torch.nn.Sequential(*layers, torch.nn.Linear(width, N_CLASSES))


def _torch_optimizer(net, parameters):
    import torch

    # alpha / batch: MLPClassifier's penalty gradient (alpha * W / batch size).
    decay = ALPHA / net.batch_size
    if net.solver == "sgd":
        return torch.optim.SGD(
            parameters, net.learning_rate, 0.9, nesterov=True, weight_decay=decay
        )
    return torch.optim.Adam(parameters, net.learning_rate, weight_decay=decay)


class PlainTorch:
    """The loop a PyTorch user writes: shuffle, slice, forward, backward, step."""

    label = "plain PyTorch loop"

    def __init__(self, net, X, y):
        import torch

        torch.manual_seed(0)
        torch.set_num_threads(os.cpu_count())
        self.torch, self.batch_size = torch, net.batch_size
        self.X, self.y = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
        self.model = _torch_module(net, X.shape[1])
        self.optimizer = _torch_optimizer(net, self.model.parameters())

    def epoch(self):
        torch, model, optimizer = self.torch, self.model, self.optimizer
        order = torch.randperm(len(self.X))
        for start in range(0, len(self.X), self.batch_size):
            rows = order[start : start + self.batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(model(self.X[rows]), self.y[rows])
            loss.backward()
            optimizer.step()

    def score(self, X, y):
        with self.torch.no_grad():
            logits = self.model(self.torch.from_numpy(X))
        return float((logits.argmax(1).numpy() == y).mean())


def skorch_contender(net, X, y):
    import torch
    from skorch import NeuralNetClassifier

    torch.manual_seed(0)
    decay = ALPHA / net.batch_size
    model = NeuralNetClassifier(
        _torch_module(net, X.shape[1]),
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.SGD if net.solver == "sgd" else torch.optim.Adam,
        lr=net.learning_rate,
        batch_size=net.batch_size,
        max_epochs=1,
        train_split=None,
        iterator_train__shuffle=True,
        verbose=0,
        optimizer__weight_decay=decay,
        **(
            dict(optimizer__momentum=0.9, optimizer__nesterov=True)
            if net.solver == "sgd"
            else {}
        ),
    )
    return Incremental("skorch", model, X, y.astype(np.int64))


class PlainKeras:
    """The same network in plain Keras: Sequential, compile, fit one epoch."""

    label = "plain Keras"

    def __init__(self, net, X, y):
        import keras

        keras.utils.set_random_seed(0)
        activation = {"relu": "relu", "logistic": "sigmoid"}[net.activation]
        l2 = keras.regularizers.L2(ALPHA / (2 * net.batch_size))  # MLP's alpha
        self.model = keras.Sequential(
            [keras.Input((X.shape[1],))]
            + [
                keras.layers.Dense(units, activation, kernel_regularizer=l2)
                for units in net.hidden
            ]
            + [keras.layers.Dense(N_CLASSES, "softmax", kernel_regularizer=l2)]
        )
        if net.solver == "sgd":
            optimizer = keras.optimizers.SGD(net.learning_rate, 0.9, nesterov=True)
        else:
            optimizer = keras.optimizers.Adam(net.learning_rate)
        self.model.compile(optimizer, "sparse_categorical_crossentropy")
        self.X, self.y, self.batch_size = X, y, net.batch_size

    def epoch(self):
        self.model.fit(self.X, self.y, batch_size=self.batch_size, epochs=1, verbose=0)

    def score(self, X, y):
        return float((self.model.predict(X, verbose=0).argmax(1) == y).mean())


def keras_engine_contender(net, X, y):
    params = dict(net.estimator_params(), random_state=0, backend="keras")
    return Incremental("skdense Keras engine", DenseClassifier(**params), X, y)


def contenders(net, X, y):
    made = [Floor(net, X, y), *skdense_contenders(net, X, y), mlp_contender(net, X, y)]
    if importlib.util.find_spec("torch"):
        made.append(PlainTorch(net, X, y))
        if importlib.util.find_spec("skorch"):
            made.append(skorch_contender(net, X, y))
    return made


def keras_contenders(net, X, y):
    return [keras_engine_contender(net, X, y), PlainKeras(net, X, y)]


def round_robin(made, rounds):
    """Median epoch time of each contender, after one untimed warm-up epoch."""
    times = {c.label: [] for c in made}
    for round_ in range(rounds + 1):
        for contender in made:
            start = time.perf_counter()
            contender.epoch()
            if round_:  # the first round builds, compiles and warms up
                times[contender.label].append(time.perf_counter() - start)
    return {label: float(np.median(t)) for label, t in times.items()}


def speed_table(net, data, rounds):
    X, y, X_test, y_test = data
    made = contenders(net, X, y)
    medians = round_robin(made, rounds)
    floor = medians[Floor.label]
    peers = {
        "MLPClassifier": medians.get("MLPClassifier"),
        "PyTorch": medians.get(PlainTorch.label),
    }
    print(f"\n### {net.name}: median of {rounds} epochs, 60,000 images\n")
    print("| contender | s/epoch | / floor | / MLPClassifier | / PyTorch | test acc |")
    print("| --- | --- | --- | --- | --- | --- |")
    for contender in made:
        t = medians[contender.label]
        ratios = [f"{t / p:.2f}x" if p else "-" for p in peers.values()]
        accuracy = contender.score(X_test, y_test)
        shown = "-" if accuracy is None else f"{accuracy:.4f}"
        print(
            f"| {contender.label} | {t:.3f} | {t / floor:.2f}x | "
            f"{' | '.join(ratios)} | {shown} |",
            flush=True,
        )


def keras_table(networks, data, rounds):
    """The Keras engine against plain Keras, after every other contender:
    TensorFlow's thread pools, once started, would share the cores with them."""
    X, y, X_test, y_test = data
    print("\n### Keras engine against plain Keras (round-robin, medians)\n")
    print("| network | Keras engine s/epoch | plain Keras s/epoch | ratio | test acc |")
    print("| --- | --- | --- | --- | --- |")
    for net in networks:
        engine, plain = keras_contenders(net, X, y)
        medians = round_robin([engine, plain], rounds)
        t_engine, t_plain = medians[engine.label], medians[plain.label]
        accuracies = " / ".join(
            f"{c.score(X_test, y_test):.4f}" for c in (engine, plain)
        )
        print(
            f"| {net.name} | {t_engine:.3f} | {t_plain:.3f} | "
            f"{t_engine / t_plain:.2f}x | {accuracies} |",
            flush=True,
        )


def book_figures(X, y, X_val, y_val):
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", ConvergenceWarning
        )  # 40 epochs, as in the notes
        book = DenseClassifier(**BOOK_MULTICLASS).fit(X, y)
    print(
        f"\nThe notes' MultiClassNetwork settings (100 logistic units, N(0,1), "
        "sgd lr 0.1, "
        f"batch 256, 40 epochs): val accuracy {book.score(X_val, y_val):.4f} "
        "(study notes: 0.8151; target 0.79-0.83)"
    )

    # The study notes' protocol: 80/20 train/test, then 80/20 train/validation.
    Xb, yb = load_breast_cancer(return_X_y=True)
    Xb, _, yb, _ = train_test_split(Xb, yb, stratify=yb, test_size=0.2, random_state=42)
    Xb_train, Xb_val, yb_train, yb_val = train_test_split(
        Xb, yb, stratify=yb, test_size=0.2, random_state=42
    )
    scaler = StandardScaler().fit(Xb_train)
    for weight_init in ("normal", "auto"):
        binary = DenseClassifier(**{**BOOK_BINARY, "weight_init": weight_init})
        binary.fit(scaler.transform(Xb_train), yb_train)
        print(
            f"Binary engine on breast cancer (standardised, alpha=0.01, batch 32, "
            f"weight_init={weight_init!r}): validation accuracy "
            f"{binary.score(scaler.transform(Xb_val), yb_val):.4f} "
            "(study notes: 0.978; target >= 0.96)"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-home", default=None, help="Fashion-MNIST (default: $SKDENSE_DATA)"
    )
    parser.add_argument("--rounds", type=int, default=5, help="timed epochs each")
    parser.add_argument("--no-keras", action="store_true", help="leave Keras out")
    parser.add_argument(
        "--no-book", action="store_true", help="skip the notes' figures"
    )
    parser.add_argument(
        "--only", default=None, help="run the networks whose name contains this"
    )
    args = parser.parse_args()
    with recorded(
        "numpy_engine",
        keep=args.rounds == 5 and not (args.only or args.no_keras or args.no_book),
    ):
        X, y = load_fashion_mnist(args.data_home, return_X_y=True)
        X_test, y_test = load_fashion_mnist(
            args.data_home, subset="test", return_X_y=True
        )
        print(
            f"Fashion-MNIST: {len(X)} training images, {len(X_test)} test images, "
            f"float32; {os.cpu_count()} cores. Epochs taken round-robin; medians."
        )
        data = (X, y, X_test, y_test)
        networks = [n for n in NETWORKS if args.only is None or args.only in n.name]
        for net in networks:
            speed_table(net, data, args.rounds)
        if not args.no_keras and importlib.util.find_spec("keras"):
            keras_table(networks, data, args.rounds)
        if not args.no_book:
            X, X_val, y, y_val = train_test_split(
                X, y, test_size=0.2, stratify=y, random_state=42
            )
            book_figures(X, y, X_val, y_val)


if __name__ == "__main__":
    main()
