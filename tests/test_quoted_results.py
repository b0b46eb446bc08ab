"""Every benchmark figure a page quotes is its result file's, word for word
(``benchmarks/quote_results.py`` copies them; this fails when one drifts)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
QUOTE = re.compile(r"<!-- quote: (\S+) -->\n(.*?)<!-- end quote -->", re.S)


def _quotes():
    return [
        pytest.param(page, source, block, id=f"{page.name}:{source}")
        for page in PAGES
        for source, block in QUOTE.findall(page.read_text())
    ]


@pytest.mark.parametrize("page, source, block", _quotes())
def test_a_quoted_result_is_its_file(page, source, block):
    path = ROOT / source
    assert path.parent == ROOT / "benchmarks" / "results", source
    assert block == path.read_text(), (
        f"{page.relative_to(ROOT)} quotes {source} as it no longer is: run "
        "python benchmarks/quote_results.py"
    )


def test_the_readme_quotes_its_measured_tables():
    sources = [source for source, _ in QUOTE.findall((ROOT / "README.md").read_text())]
    assert "benchmarks/results/messy.md" in sources


def test_every_result_file_is_quoted_somewhere():
    quoted = {source for page in PAGES for source, _ in QUOTE.findall(page.read_text())}
    files = {
        f"benchmarks/results/{p.name}"
        for p in (ROOT / "benchmarks/results").glob("*.md")
    }
    assert files <= quoted, f"results nobody quotes: {sorted(files - quoted)}"
