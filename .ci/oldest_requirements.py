"""Print requirements pinned to their lower bounds, one a line.

Without arguments, pyproject's runtime dependencies; with extras' names
(``ray optuna``), those extras' own requirements (an extra that names
skdense's other extras is skipped there). ``numpy>=1.24`` becomes
``numpy==1.24.0``: the oldest release allowed.
"""

import re
import sys
from pathlib import Path

import tomllib

project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())[
    "project"
]
extras = sys.argv[1:]
requirements = (
    [r for name in extras for r in project["optional-dependencies"][name]]
    if extras
    else project["dependencies"]
)
for requirement in requirements:
    if requirement.startswith("skdense["):
        continue
    name, bound = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement).groups()
    # "1.24" means 1.24.0; "1.11.1" is pinned as it is.
    print(f"{name}=={bound}.0" if bound.count(".") == 1 else f"{name}=={bound}")
