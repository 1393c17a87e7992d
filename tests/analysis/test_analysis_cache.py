"""The section cache: each section computed once, read by the others, recomputed when stale."""

from __future__ import annotations

import dataclasses
import shutil

import pandas as pd

from survey import analysis as A

SECTIONS = ("audit", "measurement", "gaps", "composition", "priorities", "symposium",
            "indicators", "triangulation")


def _log(ctx: A.Context) -> pd.DataFrame:
    return A.computations(ctx.cache_dir)


def test_findings_read_sections_computed_elsewhere(analysis_base, demo_ctx, demo_sections) -> None:
    log = _log(demo_ctx)
    assert set(SECTIONS) <= set(log["section"])
    assert not log.duplicated(["section", "key"]).any()  # no result computed twice
    n = len(log)
    # another kernel: a new context on the same reports folder computes nothing
    other = A.load(analysis_base["studies"]["demo"], figures_dir=demo_ctx.figures_dir,
                   reports_dir=demo_ctx.cache_dir.parents[1])
    fin = A.findings(other)
    assert len(_log(demo_ctx)) == n
    assert fin.sentences == demo_sections["findings"].sentences
    # ... and its numbers are those of the sections computed alone, without any cache
    alone = A.load(analysis_base["studies"]["demo"], figures_dir=demo_ctx.figures_dir,
                   cache=False)
    assert alone.cache_dir is None
    for name, section in A.UPSTREAM.items():
        fresh = section(alone)
        assert fin.parts[name].sentences == fresh.sentences, name
        assert set(fin.parts[name].data) == set(fresh.data), name
        for key, table in fresh.data.items():
            pd.testing.assert_frame_equal(fin.parts[name].data[key], table, obj=f"{name}.{key}")
    assert (A.triangulation(alone).data["triangulation"]
            .equals(fin.parts["triangulation"].data["triangulation"]))


def test_same_context_returns_the_same_result(demo_ctx) -> None:
    first = A.symposium(demo_ctx)
    assert A.symposium(demo_ctx, quotes=True) is first  # defaults bound before hashing
    assert A.symposium(demo_ctx, quotes=False) is not first


def test_stale_or_broken_entries_are_recomputed(analysis_base, demo_ctx, tmp_path,
                                                monkeypatch) -> None:
    cache = tmp_path / "reports" / ".cache" / "sections"
    shutil.copytree(demo_ctx.cache_dir, cache)
    n = len(A.computations(cache))

    def ctx(**kw) -> A.Context:
        return A.load(analysis_base["studies"]["demo"], figures_dir=tmp_path / "figs",
                      reports_dir=tmp_path / "reports", **kw)

    base = A.measurement(ctx())
    assert len(A.computations(cache)) == n  # read, not computed
    # other data: one respondent fewer
    c = ctx()
    p = c.processed
    fewer = dataclasses.replace(p, responses=p.responses.iloc[1:].reset_index(drop=True))
    c2 = A.context_from(fewer, figures_dir=tmp_path / "figs", cache_dir=cache)
    changed = A.measurement(c2)
    assert not changed.data["scales"]["n"].equals(base.data["scales"]["n"])
    assert len(A.computations(cache)) == n + 1
    # other code
    monkeypatch.setattr("survey.io.manifest.code_digest", lambda: "edited")
    A.measurement(ctx())
    assert len(A.computations(cache)) == n + 2
    monkeypatch.undo()
    # a broken entry is computed again, not trusted
    (cache / "measurement.pkl").write_bytes(b"not a pickle")
    again = A.measurement(ctx())
    assert len(A.computations(cache)) == n + 3
    pd.testing.assert_frame_equal(again.data["scales"], base.data["scales"])
