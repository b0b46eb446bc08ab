"""Fashion-MNIST loader reading the four standard IDX gzip files."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from sklearn.datasets import get_data_home
from sklearn.utils import Bunch

from ._download import download as _download
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
DESCR = """Fashion-MNIST
=============

70,000 grayscale 28x28 images of 10 kinds of clothing (Zalando Research,
MIT licence): 60,000 for training and 10,000 for testing, 7,000 per class.
Classes: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker,
Bag, Ankle boot. ``data`` holds the images flattened to 784 pixels (scaled to
[0, 1] unless ``scale=False``), ``images`` the raw uint8 images.
"""


def _candidate_folders(data_home):
    """Where to look, in order, and where to download to."""
    if data_home is not None:
        return [Path(data_home).expanduser()]
    if os.environ.get("SKDENSE_DATA"):
        return [Path(os.environ["SKDENSE_DATA"]).expanduser()]
    return [
        Path(get_data_home()) / "fashion-mnist",
        Path.home() / ".keras" / "datasets" / "fashion-mnist",
    ]


def _locate(names, data_home, download):
    """The folder holding all of ``names``, downloading them if allowed."""
    folders = _candidate_folders(data_home)
    for folder in folders:
        if all((folder / name).is_file() for name in names):
            return folder
    target = folders[0]
    if not download:
        missing = [n for n in names if not (target / n).is_file()]
        raise FileNotFoundError(
            f"Fashion-MNIST file(s) {missing} not found in {target}; pass "
            "download=True, or data_home= (or set SKDENSE_DATA to) a folder "
            "holding them."
        )
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        if not (target / name).is_file():
            _download(name, target)
    return target


def load_fashion_mnist(
    data_home: str | os.PathLike | None = None,
    *,
    subset: str = "train",
    flatten: bool = True,
    scale: bool = True,
    dtype: type | np.dtype | str = np.float32,
    return_X_y: bool = False,
    download: bool = True,
) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """Load Fashion-MNIST from its IDX gzip files, downloading them if needed.

    The files are looked for in ``data_home``; without it, in the folder the
    ``SKDENSE_DATA`` environment variable names; without that, in
    scikit-learn's data home (``~/scikit_learn_data/fashion-mnist``) and then
    in Keras's cache (``~/.keras/datasets/fashion-mnist``). Missing files are
    downloaded into the first of these places (see ``download``).

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding ``train-images-idx3-ubyte.gz`` and the other files.
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
    download : bool, default=True
        Whether to download missing files from the dataset authors' mirror
        (Keras's as fallback), checking each file's published MD5. Needs the
        ``download`` extra (pooch).

    Returns
    -------
    data : Bunch or tuple
        Bunch with ``data``, ``target``, ``images`` (uint8, 28x28),
        ``target_names`` and ``DESCR``; or ``(data, target)``.

    Raises
    ------
    FileNotFoundError
        If files are missing and ``download=False``.
    ValueError
        If a file is not a valid IDX file of the expected shape, or a
        download fails its checksum.

    Examples
    --------
    >>> from skdense.datasets import load_fashion_mnist
    >>> X, y = load_fashion_mnist(subset="test", return_X_y=True)
    >>> X.shape, y.shape, X.dtype, float(X.max())
    ((10000, 784), (10000,), dtype('float32'), 1.0)
    """
    if subset not in ("train", "test", "all"):
        raise ValueError(
            f"subset={subset!r} is invalid; expected 'train', 'test' or 'all'."
        )
    parts = ("train", "test") if subset == "all" else (subset,)
    names = [name for part in parts for name in FILES[part]]
    images, target = _read_parts(_locate(names, data_home, download), parts)
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
        DESCR=DESCR,
    )


def _read_parts(folder, parts):
    """The images and labels of ``parts`` ("train", "test") in ``folder``,
    checked to be Fashion-MNIST's."""
    images, target = [], []
    for part in parts:
        image_file, label_file = (folder / name for name in FILES[part])
        images.append(read_idx(image_file))
        target.append(read_idx(label_file).astype(np.int64))
    images, target = np.concatenate(images), np.concatenate(target)
    if images.shape[1:] != (28, 28) or len(images) != len(target):
        raise ValueError(
            f"{folder} does not hold Fashion-MNIST: images {images.shape}, "
            f"labels {target.shape}."
        )
    return images, target
