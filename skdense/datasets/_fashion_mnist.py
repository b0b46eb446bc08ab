"""Fashion-MNIST loader reading the four standard IDX gzip files."""

import os
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._idx import read_idx

CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


def _data_home(data_home):
    home = data_home if data_home is not None else os.environ.get("SKDENSE_DATA")
    if home is None:
        raise FileNotFoundError(
            "Fashion-MNIST location unknown: pass data_home= or set the SKDENSE_DATA "
            "environment variable to the folder holding the IDX gzip files."
        )
    return Path(home).expanduser()


def load_fashion_mnist(
    data_home=None,
    *,
    subset="train",
    flatten=True,
    scale=True,
    dtype=np.float32,
    return_X_y=False,
):
    """Load Fashion-MNIST from its IDX gzip files.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding ``train-images-idx3-ubyte.gz`` and the three other
        files. Defaults to the ``SKDENSE_DATA`` environment variable.
    subset : {"train", "test", "all"}, default="train"
        The 60,000 training images, the 10,000 test images, or both.
    flatten : bool, default=True
        Whether ``data`` has 784 columns (else shape ``(n, 28, 28)``).
    scale : bool, default=True
        Whether pixels are divided by 255 into [0, 1] (else raw uint8).
    dtype : numpy dtype, default=np.float32
        Dtype of scaled ``data``.
    return_X_y : bool, default=False
        Whether to return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch or tuple
        Bunch with ``data``, ``target``, ``images`` (uint8, 28x28),
        ``target_names`` and ``DESCR``; or ``(data, target)``.

    Examples
    --------
    >>> from skdense.datasets import load_fashion_mnist
    >>> X, y = load_fashion_mnist(subset="test", return_X_y=True)  # doctest: +SKIP
    >>> X.shape, y.shape  # doctest: +SKIP
    ((10000, 784), (10000,))
    """
    if subset not in ("train", "test", "all"):
        raise ValueError(
            f"subset={subset!r} is invalid; expected 'train', 'test' or 'all'."
        )
    home = _data_home(data_home)
    parts = ("train", "test") if subset == "all" else (subset,)
    images, target = [], []
    for part in parts:
        image_file, label_file = (home / name for name in FILES[part])
        for path in (image_file, label_file):
            if not path.is_file():
                raise FileNotFoundError(f"Fashion-MNIST file not found: {path}")
        images.append(read_idx(image_file))
        target.append(read_idx(label_file).astype(np.int64))
    images, target = np.concatenate(images), np.concatenate(target)
    if images.shape[1:] != (28, 28) or len(images) != len(target):
        raise ValueError(
            f"{home} does not hold Fashion-MNIST: images {images.shape}, "
            f"labels {target.shape}."
        )
    data = images.reshape(len(images), -1) if flatten else images
    if scale:
        data = data.astype(dtype)
        data /= 255
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        images=images,
        target_names=np.array(CLASS_NAMES),
        DESCR="Fashion-MNIST: 28x28 grayscale images of 10 kinds of clothing.",
    )
