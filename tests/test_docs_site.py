"""The documentation site builds cleanly, links within itself, documents
every public name with an example, renders the gallery's plots, and looks
like a page (a headless-Chromium screenshot)."""

import importlib
import inspect
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

# The site build (Sphinx, the gallery, headless Chromium) takes a minute: slow tier.
pytestmark = pytest.mark.slow

for _module in ("sphinx", "pydata_sphinx_theme", "numpydoc", "sphinx_gallery"):
    pytest.importorskip(
        _module, reason=f"{_module} missing: pip install 'skdense[docs]'"
    )

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_MODULES = [
    "skdense",
    "skdense.datasets",
    "skdense.backends",
    "skdense.compare",
    "skdense.plotting",
    "skdense.keras",
    "skdense.onnx",
    "skdense.callbacks",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built as the README says, from a copy of docs/ and examples/."""
    root = tmp_path_factory.mktemp("docs-build")
    ignore = shutil.ignore_patterns("generated", "auto_examples", "_build", "*.pyc")
    shutil.copytree(ROOT / "docs", root / "docs", ignore=ignore)
    shutil.copytree(ROOT / "examples", root / "examples", ignore=ignore)
    out = root / "html"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-b", "html", "docs", str(out)],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return out


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name):
                self.links.append(attrs[name])


def _parse(path):
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_the_site_builds_with_warnings_as_errors(site):
    for page in ("index", "getting_started", "api", "benchmarks", "development"):
        assert (site / f"{page}.html").is_file(), page


def test_internal_links_reach_existing_pages_and_anchors(site):
    pages = {  # the site's pages, not the theme's template files in _static
        path: _parse(path)
        for path in site.rglob("*.html")
        if "_static" not in path.relative_to(site).parts
    }
    broken = []
    for path, parsed in pages.items():
        for link in parsed.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "data:")):
                continue
            target = (
                (path.parent / unquote(parts.path)).resolve() if parts.path else path
            )
            if not target.exists():
                broken.append(f"{path.relative_to(site)} -> {link}")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if parts.fragment not in ids:
                    broken.append(f"{path.relative_to(site)} -> {link} (no anchor)")
    assert len(pages) > 30
    assert not broken, "\n".join(broken[:20])


def _public_names():
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                yield f"{obj.__module__.split('._')[0]}.{name}", obj


def test_every_public_name_has_an_api_page_with_a_runnable_example(site):
    names = dict(_public_names())
    assert "skdense.DenseRegressor" in names and "skdense.onnx.to_onnx" in names
    for fullname, obj in names.items():
        page = site / "generated" / f"{fullname}.html"
        if not page.is_file():  # re-exported: the page has the public path
            page = (
                site / "generated" / f"{fullname.rsplit('.', 1)[0]}.{obj.__name__}.html"
            )
        assert page.is_file(), fullname
        assert ">>>" in inspect.getdoc(obj), f"{fullname} has no example"
        assert "Examples" in page.read_text(encoding="utf-8"), fullname


def test_the_gallery_renders_the_examples_plots(site):
    gallery = site / "auto_examples"
    index = (gallery / "index.html").read_text(encoding="utf-8")
    for example in ("quickstart", "diabetes_regression", "learning_curves"):
        assert f"{example}.html" in index
    page = gallery / "learning_curves.html"
    images = [
        link for link in _parse(page).links if "sphx_glr_learning_curves_001" in link
    ]
    assert images, "the learning-curves plot is not on its page"
    assert (page.parent / images[0]).stat().st_size > 10_000


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


@pytest.mark.skipif(
    _chromium() is None,
    reason="Chromium not found: install it (Debian: apt-get install chromium) "
    "to screenshot the documentation",
)
@pytest.mark.parametrize("page", ["index.html", "auto_examples/index.html"])
def test_screenshot_shows_a_rendered_page(site, page, tmp_path):
    """A headless-Chromium screenshot; SKDENSE_SCREENSHOTS=DIR keeps a copy."""
    from matplotlib.image import imread

    shot = tmp_path / (page.replace("/", "_").replace(".html", ".png"))
    subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1280,1000",
            f"--screenshot={shot}",
            (site / page).as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pixels = imread(shot)
    assert pixels.shape[:2] == (1000, 1280)
    # A rendered page: text and images, not one flat colour.
    assert pixels[..., :3].std() > 0.05
    if folder := os.environ.get("SKDENSE_SCREENSHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(folder) / shot.name)
