"""Write ``responses.csv`` of the minimal SYNTHETIC test study (deterministic).

Four campuses (主校区 is the reference; 南校区 has only 3 respondents, to exercise small-cell
suppression), two 6-point scales of four items each (the fourth reverse keyed). Planted: the
reference campus is 0.8 points lower on ``svc`` (服务意识) and level on ``org`` (组织生活).

Run ``python tests/analysis/minimal_study/make_minimal_study.py``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

SEED = 20260501
SIZES = {1: 60, 2: 50, 3: 45, 4: 3}  # campus code -> respondents
GAP = {"org": 0.0, "svc": -0.8}  # reference campus minus the others, in points
ITEMS = [f"{s}{k}" for s in ("org", "svc") for k in range(1, 5)]


def make_rows(seed: int = SEED) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    rows = []
    for campus, n in SIZES.items():
        for _ in range(n):
            row = [str(campus)]
            for scale in ("org", "svc"):
                theta = 4.0 + (GAP[scale] if campus == 1 else 0.0) + rng.normal(0, 0.8)
                for k in range(1, 5):
                    y = int(np.clip(np.rint(theta + rng.normal(0, 0.7)), 1, 6))
                    row.append(str(7 - y if k == 4 else y))
            rows.append(row)
    return rows


def main() -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["campus", *ITEMS])
    w.writerows(make_rows())
    (Path(__file__).parent / "responses.csv").write_text(buf.getvalue(), encoding="utf-8")


if __name__ == "__main__":
    main()
