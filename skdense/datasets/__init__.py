"""Data sets: Fashion-MNIST from its standard IDX gzip files."""

from ._fashion_mnist import load_fashion_mnist
from ._idx import read_idx

__all__ = ["load_fashion_mnist", "read_idx"]
