"""Sphinx configuration: ``python -m sphinx -W -b html docs <out>`` builds the site.

Pages are MyST Markdown; the API reference is generated from the numpydoc
docstrings (autosummary); the gallery is built from ``examples/`` by
sphinx-gallery, each example run in its quick mode.
"""

import os
import sys
from pathlib import Path

import skdense

project = "skdense"
author = "The skdense developers"
copyright = "2026, The skdense developers"
release = skdense.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "_templates",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
]
myst_heading_anchors = 3

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

html_theme = "pydata_sphinx_theme"
html_title = f"skdense {release}"
html_static_path = []
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}

_FASHION_FILES = ("train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz")
_HAS_FASHION_MNIST = all(
    (Path(os.environ.get("SKDENSE_DATA", "")) / name).is_file()
    for name in _FASHION_FILES
)


sphinx_gallery_conf = {
    "examples_dirs": str(Path(__file__).parents[1] / "examples"),
    "gallery_dirs": "auto_examples",
    # The searches need the Fashion-MNIST files: without them, shown, not run.
    "filename_pattern": r"/[^/]+\.py$"
    if _HAS_FASHION_MNIST
    else r"/(?!tune_fashion_mnist|fast_preset_search)[^/]+\.py$",
    "download_all_examples": False,
    "plot_gallery": "True",
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
}

# Keep TensorFlow's start-up chatter out of the build log.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).parent))


def _skip_metadata_request_methods(app, what, name, obj, skip, options):
    # scikit-learn generates set_fit_request & co. for metadata routing; their
    # docstrings point into scikit-learn's own documentation.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_request_methods)
