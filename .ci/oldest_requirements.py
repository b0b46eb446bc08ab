"""Print pyproject's runtime dependencies pinned to their lower bounds, one a line.

``numpy>=1.24`` becomes ``numpy==1.24.0``: the oldest release allowed.
"""

import re
from pathlib import Path

import tomllib

pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
for requirement in pyproject["project"]["dependencies"]:
    name, bound = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement).groups()
    # "1.24" means 1.24.0; "1.11.1" is pinned as it is.
    print(f"{name}=={bound}.0" if bound.count(".") == 1 else f"{name}=={bound}")
