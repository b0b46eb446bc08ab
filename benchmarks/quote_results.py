"""Copy each benchmark result into the pages that quote it.

A benchmark run over its documented protocol writes its tables to
``benchmarks/results/<name>.md``. A page (the README, the docs) quotes one
between two markers, never by hand::

    <!-- quote: benchmarks/results/messy.md -->
    ...the file's text...
    <!-- end quote -->

This script rewrites every quoted block from its file; ``tests/
test_quoted_results.py`` fails when a block and its file differ.

Usage::

    python benchmarks/quote_results.py
"""

import contextlib
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
QUOTE = re.compile(r"(<!-- quote: (\S+) -->\n)(.*?)(<!-- end quote -->)", re.S)
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def save(name, text):
    """Write a benchmark's result file ``benchmarks/results/<name>.md``."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.md").write_text(text.strip() + "\n")
    print(f"\nWrote benchmarks/results/{name}.md; `python benchmarks/quote_results.py`")
    print("copies it into the pages that quote it.")


class _Tee(io.TextIOBase):
    """A stream that writes to several."""

    def __init__(self, *streams):
        self.streams = streams

    def write(self, text):
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self):
        for stream in self.streams:
            stream.flush()


@contextlib.contextmanager
def recorded(name, keep=True):
    """Print as usual; when the block ends without an error and ``keep``
    (the run followed the documented protocol), save what it printed as
    ``benchmarks/results/<name>.md``."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(_Tee(sys.stdout, printed)):
        yield
    if keep:
        save(name, printed.getvalue())


def refreshed(text):
    """``text`` with each quoted block replaced by its file's text."""
    return QUOTE.sub(
        lambda m: m.group(1) + (ROOT / m.group(2)).read_text() + m.group(4), text
    )


def main():
    for page in PAGES:
        text = page.read_text()
        new = refreshed(text)
        if new != text:
            page.write_text(new)
            print(f"updated {page.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
