"""Generate ``bfi_synthetic.csv``: a SYNTHETIC 25-item Big-Five data set (not the psych data).

Five correlated latent factors drive 6-point items (1 = 非常不准确 … 6 = 非常准确); the
reverse-keyed items of ``psych::bfi.keys`` (A1, C4, C5, E1, E2, O2, O5) load negatively. Gender
(1 男, 2 女), age and education (1–5) are added, and a few cells are left empty. The output is
deterministic for a given seed: UTF-8 without BOM, LF line endings, item ids as headers.

Run ``python examples/bigfive/make_data.py`` (default seed 20260301, 300 rows).
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

import numpy as np

FACTORS = ("A", "C", "E", "N", "O")
REVERSED = frozenset({"A1", "C4", "C5", "E1", "E2", "O2", "O5"})
ITEMS = tuple(f"{f}{k}" for f in FACTORS for k in range(1, 6))
COLUMNS = (*ITEMS, "gender", "education", "age")

#: Latent correlations (roughly as reported for the bfi data: N correlates negatively with
#: A, C and E; A, C and E correlate positively).
LATENT_CORR = np.array(
    [
        [1.00, 0.25, 0.40, -0.20, 0.15],
        [0.25, 1.00, 0.25, -0.25, 0.20],
        [0.40, 0.25, 1.00, -0.20, 0.20],
        [-0.20, -0.25, -0.20, 1.00, -0.05],
        [0.15, 0.20, 0.20, -0.05, 1.00],
    ]
)
#: Standardised latent mean shift for women (gender = 2): higher A and N, as in most samples.
FEMALE_SHIFT = np.array([0.35, 0.10, 0.05, 0.30, -0.05])
#: Cut points on the standardised item scale: six categories, symmetric around 0.
CUTS = np.array([-1.6, -0.9, -0.3, 0.3, 0.9])
#: Item mean offsets: positively worded items lean to "准确" (means near 4.5), reverse-worded
#: and neuroticism items lean to "不准确" (means near 2.5–3), as in IPIP samples.
OFFSET_POSITIVE, OFFSET_REVERSED, OFFSET_NEUROTICISM = 0.45, -0.55, -0.25
LOADING = 0.68
MISSING_RATE = 0.01
DEFAULT_SEED = 20260301
DEFAULT_N = 300


def make_rows(n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> list[list[str]]:
    """Return ``n`` synthetic respondents as rows of strings in the order of ``COLUMNS``.

    Parameters
    ----------
    n
        Number of respondents.
    seed
        Seed of ``numpy.random.default_rng``; equal seeds give equal rows.

    Returns
    -------
    list of list of str
        One row per respondent; an empty string is a missing cell.
    """
    rng = np.random.default_rng(seed)
    gender = rng.choice([1, 2], size=n, p=[0.45, 0.55])
    latent = rng.multivariate_normal(np.zeros(5), LATENT_CORR, size=n)
    latent += np.where(gender[:, None] == 2, FEMALE_SHIFT, 0.0)
    codes = np.empty((n, len(ITEMS)), dtype=int)
    for j, item in enumerate(ITEMS):
        f = FACTORS.index(item[0])
        sign = -1.0 if item in REVERSED else 1.0
        noise = rng.normal(0.0, np.sqrt(1 - LOADING**2), size=n)
        if item in REVERSED:
            offset = OFFSET_REVERSED
        elif item[0] == "N":
            offset = OFFSET_NEUROTICISM
        else:
            offset = OFFSET_POSITIVE
        offset += rng.normal(0.0, 0.15)  # a little item-to-item variation
        z = sign * LOADING * latent[:, f] + noise + offset
        codes[:, j] = np.searchsorted(CUTS, z) + 1  # 1 … 6
    education = rng.choice([1, 2, 3, 4, 5], size=n, p=[0.10, 0.20, 0.35, 0.22, 0.13])
    age = np.clip(np.round(rng.gamma(2.5, 5.0, size=n) + 16), 16, 70).astype(int)
    missing = rng.random((n, len(ITEMS))) < MISSING_RATE
    edu_missing = rng.random(n) < 0.03
    rows = []
    for i in range(n):
        items = ["" if missing[i, j] else str(codes[i, j]) for j in range(len(ITEMS))]
        edu = "" if edu_missing[i] else str(education[i])
        rows.append([*items, str(gender[i]), edu, str(age[i])])
    return rows


def to_csv_text(rows: list[list[str]]) -> str:
    """Return the CSV text (header + rows, LF line endings)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="生成大五人格合成示例数据（非真实数据）")
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="样本量")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).with_name("bfi_synthetic.csv"), help="输出文件"
    )
    args = parser.parse_args(argv)
    # newline="" keeps the LF line endings on every platform.
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        fh.write(to_csv_text(make_rows(args.n, args.seed)))
    print(f"已写入 {args.n} 行合成数据（随机种子 {args.seed}）：{args.out}")


if __name__ == "__main__":
    main()
