"""The IDX reader and the Fashion-MNIST loader, on tiny files made here."""

import gzip
import struct

import numpy as np
import pytest

from skdense.datasets import load_fashion_mnist, read_idx


def _idx_bytes(array):
    code = {np.uint8: 0x08, np.int32: 0x0C}[array.dtype.type]
    header = struct.pack(">BBBB", 0, 0, code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def _write(path, array, gz=True):
    data = _idx_bytes(array)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


@pytest.mark.parametrize("gz", [True, False])
def test_read_idx_round_trips(tmp_path, gz):
    images = np.arange(3 * 4 * 5, dtype=np.uint8).reshape(3, 4, 5)
    path = _write(tmp_path / ("x.idx.gz" if gz else "x.idx"), images, gz)
    np.testing.assert_array_equal(read_idx(path), images)
    ints = np.array([1, -2, 300000], dtype=np.int32)
    np.testing.assert_array_equal(read_idx(_write(tmp_path / "i.gz", ints)), ints)


def test_read_idx_rejects_a_bad_magic_number(tmp_path):
    path = tmp_path / "bad.gz"
    path.write_bytes(gzip.compress(b"\x01\x02\x08\x01\x00\x00\x00\x01\x05"))
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(path)


def test_read_idx_rejects_a_truncated_file(tmp_path):
    data = _idx_bytes(np.zeros((10, 28, 28), np.uint8))
    path = tmp_path / "short.gz"
    path.write_bytes(gzip.compress(data[:-7]))
    with pytest.raises(ValueError, match="truncated"):
        read_idx(path)
    path.write_bytes(gzip.compress(data[:10]))
    with pytest.raises(ValueError, match="truncated"):
        read_idx(path)


@pytest.fixture
def tiny_fashion(tmp_path):
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 12), ("t10k", 5)):
        _write(
            tmp_path / f"{prefix}-images-idx3-ubyte.gz",
            rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
        )
        _write(
            tmp_path / f"{prefix}-labels-idx1-ubyte.gz",
            rng.integers(0, 10, n, dtype=np.uint8),
        )
    return tmp_path


def test_loader_reads_scales_and_flattens(tiny_fashion):
    bunch = load_fashion_mnist(tiny_fashion)
    assert bunch.data.shape == (12, 784)
    assert bunch.data.dtype == np.float32
    assert 0.0 <= bunch.data.min() and bunch.data.max() <= 1.0
    np.testing.assert_allclose(bunch.data[0] * 255, bunch.images[0].ravel(), atol=1e-4)
    assert bunch.target.shape == (12,)
    assert len(bunch.target_names) == 10 and bunch.target_names[0] == "T-shirt/top"
    X, y = load_fashion_mnist(
        tiny_fashion, subset="all", flatten=False, scale=False, return_X_y=True
    )
    assert X.shape == (17, 28, 28) and X.dtype == np.uint8 and y.shape == (17,)


def test_loader_finds_the_data_through_skdense_data(tiny_fashion, monkeypatch):
    monkeypatch.setenv("SKDENSE_DATA", str(tiny_fashion))
    X, _ = load_fashion_mnist(subset="test", return_X_y=True)
    assert X.shape == (5, 784)


def test_loader_errors(tmp_path, monkeypatch):
    monkeypatch.delenv("SKDENSE_DATA", raising=False)
    with pytest.raises(FileNotFoundError, match="SKDENSE_DATA"):
        load_fashion_mnist()
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte.gz"):
        load_fashion_mnist(tmp_path)
    with pytest.raises(ValueError, match="subset='validation'"):
        load_fashion_mnist(tmp_path, subset="validation")
