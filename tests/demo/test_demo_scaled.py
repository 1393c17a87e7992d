"""A scaled demo study (``survey demo --respondents N --colleges K``): same planted effects and
mess, recovered by the real pipeline (``run_clean`` + ``score_scales``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from survey.cli import EXIT_INPUT
from survey.cli import main as cli_main
from survey.config.study import load_study
from survey.demo import generate_demo
from survey.demo.world import COLLEGES, build_world
from survey.errors import SurveyError
from survey.pipeline import run_clean
from survey.stats.scoring import score_scales

N, K = 5_000, 6
SCALES = ["P1", "P2", "P3", "P4", "P5"]


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, object]:
    out = tmp_path_factory.mktemp("demo_scaled")
    generate_demo(out, respondents=N, colleges=K)
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    run = run_clean(load_study(out / "study.yaml"), progress=None)
    return out, truth, run


def test_scaled_world_has_the_asked_size_and_the_demo_proportions() -> None:
    world = build_world(N, K)
    assert [c.name for c in world.colleges[:5]] == [c.name for c in COLLEGES]
    assert len(world.colleges) == K and world.colleges[5].form == COLLEGES[1].form
    assert sum(sum(c.mix) for c in world.colleges) == N
    home, demo_home = world.colleges[0], COLLEGES[0]
    assert home.mix[2] / sum(home.mix) == pytest.approx(demo_home.mix[2] / sum(demo_home.mix), abs=2e-3)
    assert home.mess["duplicates"] == round(demo_home.mess["duplicates"] * home.factor)
    # roster: home branch detail still adds up to the home totals
    for t in (1, 2, 3):
        assert sum(m.get(t, 0) for m in world.home_branches.values()) == world.roster["本院"][t - 1]
    assert build_world() is build_world(None, len(COLLEGES))  # the defaults are the demo study


def test_scaled_study_is_cleaned_to_exactly_its_genuine_rows(scaled: tuple) -> None:
    _out, truth, run = scaled
    assert truth["scale"] == {"respondents": N, "colleges": K}
    raw = {f: i for f, i in truth["files"].items() if i["format"] != "summary" and f != truth["crosscheck"]["code"]}
    assert len(run.tidy) == sum(i["n_genuine"] for i in raw.values())
    kept = set(zip(run.tidy["source_file"], run.tidy["source_row"], strict=True))
    rows = {cat: [(f, e["row"], e.get("repeats_row")) for e in truth["planted"][cat] for f in e["files"] if f in raw]
            for cat in ("duplicates", "repeated_respondents", "test_submissions", "speeders", "straight_liners",
                        "attention_failures")}
    assert all(len(v) >= 5 for v in rows.values())  # scaled from 1–4 per college
    for cat, entries in rows.items():
        if cat == "duplicates":  # identical answers: which copy is kept is the rule's choice, one of them is
            assert all(((f, r) in kept) + ((f, twin) in kept) == 1 for f, r, twin in entries)
        else:
            assert not {(f, r) for f, r, _twin in entries} & kept, cat


def _cells(run: object, out: Path, truth: dict) -> pd.DataFrame:
    tidy = run.tidy  # type: ignore[attr-defined]
    scores = score_scales(tidy, run.codebook).assign(  # type: ignore[attr-defined]
        college=tidy["college"].astype(str).to_numpy(), member_type=tidy["member_type"].astype(object).to_numpy())  # labels
    rows = []
    for (college, mtype), g in scores.groupby(["college", "member_type"]):
        rows += [(college, mtype, s, g[s].count(), g[s].mean(), g[s].std()) for s in SCALES]
    summ = pd.read_excel(out / truth["summary_only"]["file"], engine="openpyxl")
    summ = summ[summ["党员类型"].notna() & summ["量表或题目"].isin(SCALES)]
    rows += [(r["院校"], r["党员类型"], r["量表或题目"], r["样本量"], r["均值"], r["标准差"]) for _, r in summ.iterrows()]
    return pd.DataFrame(rows, columns=["college", "member_type", "scale", "n", "mean", "sd"])


def test_planted_gaps_are_recovered_at_scale(scaled: tuple) -> None:
    out, truth, run = scaled
    cells = _cells(run, out, truth)
    for s, d in cells.groupby("scale"):
        sd = np.sqrt(((d["n"] - 1) * d["sd"] ** 2).sum() / (d["n"] - 1).sum())
        home, bench = d[d["college"] == "本院"].set_index("member_type"), d[d["college"] != "本院"]
        bm = bench.groupby("member_type").apply(lambda x: np.average(x["mean"], weights=x["n"]))
        within = float(((home["mean"] - bm[home.index]) * home["n"] / home["n"].sum()).sum() / sd)
        # equal to what the genuine rows realise (the pipeline kept exactly them) ...
        assert within == pytest.approx(truth["effects"]["realised"]["gap_within_type_sd"][s], abs=2e-3)
        # ... and close to the planted gap (item noise only; SE about 0.04 SD at this size)
        assert within == pytest.approx(truth["effects"]["planted_gap_sd_approx"][s], abs=0.1)
        assert (within < -0.35) == (truth["effects"]["expected"][s] == "behind")


def test_scaled_study_is_refused_over_the_committed_demo(capsys: pytest.CaptureFixture) -> None:
    assert cli_main(["demo", "--respondents", str(N)]) == EXIT_INPUT
    assert "data/raw/demo" in capsys.readouterr().err
    with pytest.raises(SurveyError, match="院校数"):
        build_world(N, 11)
    with pytest.raises(SurveyError, match="太少"):
        build_world(50, K)
