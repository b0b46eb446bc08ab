"""The IDX reader and the Fashion-MNIST loader, on tiny files made here."""

import functools
import gzip
import hashlib
import http.server
import socket
import struct
import sys
import threading

import numpy as np
import pytest

from skdense.datasets import _download as download_module
from skdense.datasets import _fashion_mnist as fm
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


@pytest.fixture
def no_default_data(tmp_path, monkeypatch):
    """No SKDENSE_DATA, and empty default folders inside tmp_path."""
    monkeypatch.delenv("SKDENSE_DATA", raising=False)
    monkeypatch.setattr(fm, "get_data_home", lambda: str(tmp_path / "sklearn_data"))
    monkeypatch.setattr(fm.Path, "home", classmethod(lambda cls: tmp_path / "home"))
    return tmp_path


def test_loader_errors(tmp_path, no_default_data):
    with pytest.raises(FileNotFoundError, match="SKDENSE_DATA"):
        load_fashion_mnist(download=False)
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte.gz"):
        load_fashion_mnist(tmp_path, download=False)
    with pytest.raises(ValueError, match="subset='validation'"):
        load_fashion_mnist(tmp_path, subset="validation")


def test_loader_finds_files_in_keras_cache(tiny_fashion, no_default_data):
    keras_cache = no_default_data / "home" / ".keras" / "datasets" / "fashion-mnist"
    keras_cache.mkdir(parents=True)
    for path in tiny_fashion.glob("*.gz"):
        path.rename(keras_cache / path.name)
    X, y = load_fashion_mnist(subset="test", return_X_y=True, download=False)
    assert X.shape == (5, 784)


def test_loader_rejects_a_file_that_is_not_fashion_mnist(tmp_path):
    _write(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((5, 7, 7), np.uint8))
    _write(tmp_path / "t10k-labels-idx1-ubyte.gz", np.zeros(5, np.uint8))
    with pytest.raises(ValueError, match="does not hold Fashion-MNIST"):
        load_fashion_mnist(tmp_path, subset="test")


# -- downloads, from a local HTTP server serving files the test writes ------------


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/truncated/"):
            # Announce more bytes than are sent, then hang up mid-file.
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"x" * 1000)
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        super().do_GET()


@pytest.fixture
def server(tmp_path):
    """Serve tmp_path/served on 127.0.0.1; yields (base url, served folder)."""
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(_Handler, directory=str(served))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", served
    httpd.shutdown()
    httpd.server_close()


def _serve_fashion(served, monkeypatch):
    rng = np.random.default_rng(0)
    checksums = {}
    for prefix, n in (("train", 6), ("t10k", 4)):
        files = {
            f"{prefix}-images-idx3-ubyte.gz": rng.integers(
                0, 256, (n, 28, 28), np.uint8
            ),
            f"{prefix}-labels-idx1-ubyte.gz": rng.integers(0, 10, n, np.uint8),
        }
        for name, array in files.items():
            path = _write(served / name, array)
            checksums[name] = hashlib.md5(path.read_bytes()).hexdigest()
    monkeypatch.setattr(download_module, "MD5", checksums)


def test_download_verifies_and_caches(server, tmp_path, monkeypatch):
    pytest.importorskip("pooch")
    base, served = server
    _serve_fashion(served, monkeypatch)
    monkeypatch.setattr(download_module, "MIRRORS", (base,))
    cache = tmp_path / "cache"
    X, y = load_fashion_mnist(cache, subset="all", return_X_y=True)
    assert X.shape == (10, 784) and y.shape == (10,)
    assert sorted(p.name for p in cache.iterdir()) == sorted(download_module.MD5)
    for name in download_module.MD5:  # what was cached is what was served
        assert (cache / name).read_bytes() == (served / name).read_bytes()
        (served / name).unlink()
    X_again, _ = load_fashion_mnist(cache, subset="all", return_X_y=True)  # no server
    np.testing.assert_array_equal(X_again, X)


def test_download_falls_back_to_the_second_mirror(server, tmp_path, monkeypatch):
    pytest.importorskip("pooch")
    base, served = server
    _serve_fashion(served, monkeypatch)
    monkeypatch.setattr(download_module, "MIRRORS", (base + "missing/", base))
    X, _ = load_fashion_mnist(tmp_path / "cache", subset="test", return_X_y=True)
    assert X.shape == (4, 784)


def test_checksum_mismatch_is_an_error_and_leaves_no_file(
    server, tmp_path, monkeypatch
):
    pytest.importorskip("pooch")
    base, served = server
    _serve_fashion(served, monkeypatch)
    monkeypatch.setitem(download_module.MD5, "t10k-images-idx3-ubyte.gz", "0" * 32)
    monkeypatch.setattr(download_module, "MIRRORS", (base,))
    cache = tmp_path / "cache"
    with pytest.raises(ValueError, match="does not match its published MD5"):
        load_fashion_mnist(cache, subset="test")
    assert not any(p.name.startswith("t10k-images") for p in cache.iterdir())
    assert [
        p.name for p in cache.iterdir() if not p.name.startswith("t10k-labels")
    ] == []


def test_interrupted_download_leaves_no_partial_file(server, tmp_path, monkeypatch):
    pytest.importorskip("pooch")
    base, served = server
    _serve_fashion(served, monkeypatch)
    monkeypatch.setattr(download_module, "MIRRORS", (base + "truncated/",))
    cache = tmp_path / "cache"
    with pytest.raises(OSError, match="Could not download"):
        load_fashion_mnist(cache, subset="test")
    assert list(cache.iterdir()) == []


def test_download_without_pooch_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pooch", None)
    with pytest.raises(ImportError, match=r"skdense\[download\]"):
        load_fashion_mnist(tmp_path, subset="test")
