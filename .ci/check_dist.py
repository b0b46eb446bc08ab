"""Check the built sdist and wheel hold what users need.

Usage: ``python .ci/check_dist.py DIST_FOLDER``. The wheel must hold every
module and data file of the source package (what it reads at run time, the
``py.typed`` marker included) and the LICENSE; its METADATA the license, the
classifiers, the keywords, the declared dependencies and the changelog. The
sdist must hold LICENSE, CHANGELOG.md, README.md and pyproject.toml.
"""

import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[1]


def package_files():
    """Every file of the source package but caches: modules, py.typed, data."""
    return sorted(
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "skdense").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )


def main(folder):
    folder = Path(folder)
    (wheel,) = folder.glob("*.whl")
    (sdist,) = folder.glob("*.tar.gz")
    problems = []
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in package_files() if name not in names]
    problems += [f"wheel lacks {name}" for name in missing]
    licenses = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
    if not licenses:
        problems.append("wheel lacks dist-info/licenses/LICENSE")
    (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    metadata = zipfile.ZipFile(wheel).read(metadata_name).decode()
    for needed in (
        "License-Expression: MIT",
        "License-File: LICENSE",
        "Classifier: Programming Language :: Python :: 3.11",
        "Classifier: Typing :: Typed",
        "Keywords: ",
        "Requires-Dist: numpy>=",
        "Requires-Dist: scipy>=",
        "Requires-Dist: scikit-learn>=",
        "# Changelog",
    ):
        if needed not in metadata:
            problems.append(f"wheel METADATA lacks {needed!r}")
    with tarfile.open(sdist) as tar:
        top = {Path(n).relative_to(Path(n).parts[0]).as_posix() for n in tar.getnames()}
    for needed in ("LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml"):
        if needed not in top:
            problems.append(f"sdist lacks {needed}")
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print(
        f"{wheel.name}: {len(package_files())} package files, LICENSE and "
        f"metadata present; {sdist.name}: LICENSE, CHANGELOG.md, README.md present"
    )


if __name__ == "__main__":
    main(sys.argv[1])
