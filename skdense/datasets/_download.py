"""Download of Fashion-MNIST's official files, verified and written atomically.

Uses pooch (the ``download`` extra): it downloads to a temporary file beside
the target, checks the MD5 published by the dataset's authors, and only then
moves the file into place, so the cache never holds a half-written or wrong
file. The authors' mirror is tried first, Keras's second.
"""

import importlib.util

MIRRORS = (
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
)
MD5 = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}


def download(name, folder, mirrors=None):
    """Download file ``name`` into ``folder`` from the first mirror that serves it.

    ``mirrors`` are base URLs, tried in order (default: ``MIRRORS``).

    Raises
    ------
    ImportError
        If pooch is not installed.
    ValueError
        If the downloaded file's MD5 does not match the published one (the
        file is not kept).
    OSError
        If no mirror could be reached.
    """
    try:
        import pooch
        import requests
    except ImportError as error:
        raise ImportError(
            "Downloading Fashion-MNIST needs pooch: pip install 'skdense[download]', "
            "or pass data_home= (or set SKDENSE_DATA to) a folder holding the files."
        ) from error
    failures = []
    for base in MIRRORS if mirrors is None else mirrors:
        try:
            return pooch.retrieve(
                base + name,
                known_hash=f"md5:{MD5[name]}",
                fname=name,
                path=folder,
                progressbar=importlib.util.find_spec("tqdm") is not None,
            )
        except ValueError as error:  # pooch's hash mismatch
            raise ValueError(
                f"{name} downloaded from {base} does not match its published MD5 "
                f"{MD5[name]}; the file was discarded. ({error})"
            ) from None
        except (requests.RequestException, OSError) as error:
            failures.append(f"{base}: {error}")
    raise OSError(f"Could not download {name}: " + "; ".join(failures))
