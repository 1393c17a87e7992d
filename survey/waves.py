"""Earlier waves of a study: loading them and matching their items and respondents.

A study names its earlier waves in ``study.yaml`` (``waves:``, :class:`survey.config.study.WaveRef`);
the current study is the latest wave. :func:`load_waves` reads each earlier wave's codebook,
processed responses and manifest. Items are matched by codebook id, or through the current
codebook's ``wave_map`` (:func:`comparable_items`); an item whose wording, type or options
changed (:meth:`survey.config.codebook.Codebook.item_fingerprint`) is not compared. Scales are
compared over the items present in both waves (:func:`scale_items_in_both`). Respondents whose
pseudonymous key appears in both waves can be paired (:func:`matched_respondents`).
:func:`verify_waves` re-hashes every earlier wave's files against its manifest (``survey verify``).

The statistics live in :mod:`survey.stats.waves`.

An earlier wave given by its ``study.yaml`` is **not** cleaned automatically: its processed
outputs must exist (``survey --study <that study.yaml> clean``), so that the earlier wave's
numbers are those its own manifest records and never change silently.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from survey.config.codebook import Codebook, load_codebook
from survey.config.study import Study, WaveRef, load_study
from survey.errors import SurveyError
from survey.io import processed
from survey.io.manifest import Manifest, verify_manifest

__all__ = ["ItemMatch", "aligned_responses", "common_codebook", "reliability_by_wave", "MatchedRespondents", "ScaleMatch", "Wave", "comparable_items",
           "load_waves", "matched_respondents", "scale_items_in_both", "verify_waves"]

#: Column of the processed responses holding the pseudonymous respondent key.
RESPONDENT_KEY = "respondent_key"

#: Why an item of the current wave is not compared with an earlier wave.
NOT_IN_EARLIER = "不在上一轮问卷中"
CHANGED = "题目措辞或选项已变"
MARKED = "wave_map 标记为不可比"


@dataclass
class Wave:
    """One earlier wave as :func:`load_waves` reads it."""

    label: str
    #: The earlier wave's study (``None`` for a wave given by its processed folder).
    study: Study | None
    codebook: Codebook
    #: The processed responses (:func:`survey.io.processed.typed_responses` form).
    responses: pd.DataFrame
    manifest: Manifest
    #: The folder holding the processed outputs and ``manifest.json``.
    folder: Path
    ref: WaveRef
    #: Key path in the current ``study.yaml`` (``waves[0]``).
    key: str = "waves[0]"
    #: Optional processed tables present in the folder (symposium statements, themes, roster…).
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def _not_cleaned(study: Study, key: str, label: str, wave_study: Path, folder: Path) -> SurveyError:
    return SurveyError(
        f"上一轮调查（{label}）还没有清洗：找不到其处理结果 {folder / processed.MANIFEST}",
        file=study.source,
        key=key,
        expected="上一轮的处理结果文件夹（含 manifest.json），由 survey clean 生成",
        hint=f"运行 survey clean（会一并清洗 study 方式给出的上一轮），或单独运行 survey --study {wave_study} clean",
    )


def _check_apart(study: Study, key: str, label: str, folder: Path) -> None:
    """Refuse an earlier wave's processed folder that overlaps an output folder of this study.

    ``survey clean`` replaces its whole ``output_dir``: an earlier wave's outputs inside it (or
    around it) would be deleted or mixed with the current wave's.
    """
    theirs = folder.resolve()
    for out_key in ("output_dir", "reports_dir", "figures_dir"):
        mine = study.resolve(getattr(study, out_key)).resolve()
        if theirs == mine:
            relation = "就是"
        elif theirs.is_relative_to(mine):
            relation = "位于"
        elif mine.is_relative_to(theirs):
            relation = "包含了"
        else:
            continue
        raise SurveyError(
            f"上一轮调查（{label}）的处理结果文件夹 {theirs} {relation}本轮的 {out_key}（{mine}）"
            f"{'之内' if relation == '位于' else ''}：本轮清洗会覆盖或删除上一轮的结果",
            file=study.source,
            key=key,
            expected="两轮各自的、互不包含的处理结果文件夹",
            hint="把上一轮的处理结果放在单独的文件夹中（例如 data/processed_2025，而不是 data/processed/2025）",
        )


def _locate(study: Study, i: int, ref: WaveRef) -> tuple[Study | None, Path, Path]:
    """An earlier wave's study (or None), processed folder and codebook file, checked to exist."""
    key = f"waves[{i}]"
    wave_study: Study | None = None
    if ref.study is not None:
        wave_path = study.resolve(ref.study)
        wave_study = load_study(wave_path)
        folder = wave_study.output_path
        if not (folder / processed.MANIFEST).is_file():
            raise _not_cleaned(study, f"{key}.study", ref.label, wave_path, folder)
        codebook_path = wave_study.resolve(wave_study.questionnaire.codebook)
    else:
        assert ref.processed is not None  # WaveRef guarantees one of the two
        folder = study.resolve(ref.processed)
        if not (folder / processed.MANIFEST).is_file():
            raise SurveyError(
                f"上一轮调查（{ref.label}）的处理结果文件夹中没有 manifest.json",
                file=study.source,
                key=f"{key}.processed",
                expected=f"由 survey clean 生成的文件夹（含 manifest.json）：{folder}",
                hint="复制上一轮的整个 data/processed 文件夹（连同 manifest.json），不要只复制数据文件",
            )
        codebook_path = study.resolve(ref.codebook) if ref.codebook is not None else folder / "codebook.yaml"
        if not codebook_path.is_file():
            raise SurveyError(
                f"找不到上一轮调查（{ref.label}）的编码手册",
                file=study.source,
                key=f"{key}.codebook",
                expected=f"存在的编码手册文件：{codebook_path}",
                hint="在该轮下写 codebook: <上一轮的 codebook.yaml>，或把它复制到处理结果文件夹中",
            )
    _check_apart(study, key, ref.label, folder)
    return wave_study, folder, codebook_path


def _read_wave(study: Study, i: int, ref: WaveRef) -> Wave:
    key = f"waves[{i}]"
    wave_study, folder, codebook_path = _locate(study, i, ref)
    codebook = load_codebook(codebook_path)
    try:
        manifest: Manifest = json.loads((folder / processed.MANIFEST).read_text(encoding="utf-8"))
    except ValueError as err:
        raise SurveyError(
            f"上一轮调查（{ref.label}）的清单文件无法读取", file=folder / processed.MANIFEST,
            expected="由 survey 生成的 manifest.json",
        ) from err
    responses = processed.read_table(folder, processed.RESPONSES, required=True, codebook=codebook)
    assert responses is not None
    tables: dict[str, pd.DataFrame] = {}
    for name in (processed.SESSIONS, processed.STATEMENTS, processed.THEMES, processed.ROSTER):
        table = processed.read_table(folder, name, required=False)
        if table is not None:
            tables[name] = table
    return Wave(ref.label, wave_study, codebook, responses, manifest, folder, ref, key, tables)


def load_waves(study: Study) -> list[Wave]:
    """Read every earlier wave the study names, in ``waves`` order.

    Parameters
    ----------
    study
        The current (latest) wave (:func:`survey.config.study.load_study`).

    Returns
    -------
    list of Wave
        Empty for a single-wave study.

    Raises
    ------
    SurveyError
        When an earlier wave's study is invalid, has not been cleaned (the message says to run
        ``survey --study <its study.yaml> clean``), lacks its manifest or codebook, shares an
        output folder with the current study, or its processed tables fail their models.
    """
    return [_read_wave(study, i, ref) for i, ref in enumerate(study.waves)]


# -- items ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ItemMatch:
    """The items of the current wave that can be compared with one earlier wave."""

    wave: str
    #: Current item id -> the item's id in the earlier wave, in current codebook order.
    pairs: dict[str, str]
    #: Current item id -> why it is not compared (Chinese).
    dropped: dict[str, str]
    #: Pairs taken from ``wave_map`` although the item's wording or options differ (the
    #: research group declared them comparable); current id -> the difference.
    mapped_despite_change: dict[str, str] = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """One row per current item: ``item``, ``earlier_item``, ``comparable``, ``reason``."""
        rows = [{"item": k, "earlier_item": v, "comparable": True, "reason": ""}
                for k, v in self.pairs.items()]
        rows += [{"item": k, "earlier_item": None, "comparable": False, "reason": r}
                 for k, r in self.dropped.items()]
        return pd.DataFrame(rows, columns=["item", "earlier_item", "comparable", "reason"])


def _difference(current: Codebook, cur_id: str, earlier: Codebook, old_id: str) -> str:
    """What differs between two items (Chinese), ``""`` when their fingerprints agree."""
    if current.item_fingerprint(cur_id) == earlier.item_fingerprint(old_id):
        return ""
    a, b = current.item(cur_id), earlier.item(old_id)
    parts = []
    if a.text != b.text:
        parts.append("题干")
    if a.type != b.type:
        parts.append("题型")
    if current.options(cur_id) != earlier.options(old_id):
        parts.append("选项")
    return "、".join(parts) + "不同"


def comparable_items(current: Codebook, wave: Wave | tuple[str, Codebook]) -> ItemMatch:
    """Match the current codebook's items with an earlier wave's.

    Parameters
    ----------
    current
        The current wave's codebook (its ``wave_map`` is used).
    wave
        The earlier wave (:class:`Wave`, or ``(label, codebook)``).

    Returns
    -------
    ItemMatch
        An item is paired with the earlier item of the same id, or with the one its
        ``wave_map`` names for this wave. It is dropped when it has no earlier counterpart
        (:data:`NOT_IN_EARLIER`), when the wording, type or options differ and no ``wave_map``
        entry vouches for the pair (:data:`CHANGED`, with what differs), or when ``wave_map``
        marks it ``null`` (:data:`MARKED`).

    Examples
    --------
    >>> m = comparable_items(codebook, waves[0])  # doctest: +SKIP
    >>> m.pairs["P2_1"], m.dropped["P3_4"]  # doctest: +SKIP
    ('Q12_1', '题目措辞或选项已变（题干不同）')
    """
    label, earlier = (wave.label, wave.codebook) if isinstance(wave, Wave) else wave
    mapping = current.wave_mapping(label)
    earlier_ids = {i.id for i in earlier.items}
    pairs: dict[str, str] = {}
    dropped: dict[str, str] = {}
    despite: dict[str, str] = {}
    for item in current.items:
        if item.id in mapping:
            old = mapping[item.id]
            if old is None:
                dropped[item.id] = MARKED
            elif old not in earlier_ids:
                dropped[item.id] = f"{NOT_IN_EARLIER}（wave_map 指向的 {old} 在上一轮编码手册中不存在）"
            else:
                pairs[item.id] = old
                diff = _difference(current, item.id, earlier, old)
                if diff:
                    despite[item.id] = diff
        elif item.id not in earlier_ids:
            dropped[item.id] = NOT_IN_EARLIER
        else:
            diff = _difference(current, item.id, earlier, item.id)
            if diff:
                dropped[item.id] = f"{CHANGED}（{diff}）"
            else:
                pairs[item.id] = item.id
    return ItemMatch(label, pairs, dropped, despite)


@dataclass(frozen=True)
class ScaleMatch:
    """One scale of the current wave restricted to the items both waves asked."""

    scale: str
    #: ``(current id, earlier id)`` of the items compared, in the scale's order.
    items: list[tuple[str, str]]
    #: Current item id -> why it is left out of the comparison.
    dropped: dict[str, str]
    #: The items of ``items`` that are reverse-keyed (current ids).
    reverse: list[str]

    @property
    def comparable(self) -> bool:
        """Whether at least two items remain (a scale score needs two)."""
        return len(self.items) >= 2

    def note_zh(self) -> str:
        """A sentence for the report: which items were dropped, or ``""``."""
        if not self.dropped:
            return ""
        listed = "；".join(f"{k}（{v}）" for k, v in self.dropped.items())
        tail = "" if self.comparable else "；剩余题目不足 2 题，该维度不作跨轮比较"
        return f"{self.scale} 只比较两轮都有的 {len(self.items)} 题，未纳入：{listed}{tail}"


def scale_items_in_both(
    current: Codebook, wave: Wave | tuple[str, Codebook], match: ItemMatch | None = None
) -> dict[str, ScaleMatch]:
    """Each current scale over the items present (and comparable) in both waves.

    Parameters
    ----------
    current, wave
        As for :func:`comparable_items`.
    match
        A precomputed :func:`comparable_items` result.

    Returns
    -------
    dict of str to ScaleMatch
        By scale id, in codebook order; an item of an earlier scale that the current scale
        lacks is not considered (the scale is defined by the current codebook).
    """
    match = match if match is not None else comparable_items(current, wave)
    out: dict[str, ScaleMatch] = {}
    for scale in current.scales:
        kept = [(i, match.pairs[i]) for i in scale.items if i in match.pairs]
        dropped = {i: match.dropped.get(i, NOT_IN_EARLIER) for i in scale.items if i not in match.pairs}
        reverse = [i for i, _ in kept if i in scale.reverse]
        out[scale.id] = ScaleMatch(scale.id, kept, dropped, reverse)
    return out


def aligned_responses(wave: Wave, match: ItemMatch) -> pd.DataFrame:
    """The earlier wave's responses with its compared items renamed to the current ids.

    Parameters
    ----------
    wave
        The earlier wave.
    match
        :func:`comparable_items` of the current codebook with this wave.

    Returns
    -------
    pandas.DataFrame
        The columns that are not items of the earlier codebook (``response_id``, ``college``,
        ``respondent_key``…) and, for each pair of ``match.pairs``, the earlier item's
        column(s) under the current id (``<id>_<code>`` columns of multiple-choice items
        renamed alike); items not compared are left out. Stack it with the current responses
        for :func:`survey.stats.waves.wave_change`.
    """
    df = wave.responses
    item_cols = set(wave.codebook.item_columns())
    keep = [c for c in df.columns if c not in item_cols]
    rename: dict[str, str] = {}
    for cur, old in match.pairs.items():
        for col in wave.codebook.columns(old):
            if col in df.columns:
                rename[col] = cur + col[len(old):]
    return df[keep + list(rename)].rename(columns=rename)


def common_codebook(current: Codebook, scales: dict[str, ScaleMatch]) -> Codebook:
    """The current codebook with each scale cut to the items both waves asked.

    Scales with fewer than two such items are left out; every scale keeps its explicit range
    (the range of the full scale), so reverse keying is the same in both waves. Score and
    assess both waves with it: the current responses as they are, the earlier ones through
    :func:`aligned_responses`.
    """
    kept = []
    for scale in current.scales:
        m = scales.get(scale.id)
        if m is None or not m.comparable:
            continue
        kept.append(scale.model_copy(update={
            "items": [cur for cur, _ in m.items],
            "reverse": list(m.reverse),
            "range": current.scale_range(scale.id),
        }))
    return current.model_copy(update={"scales": kept})


def reliability_by_wave(
    current_responses: pd.DataFrame, current: Codebook, wave: Wave, *, current_label: str = "本轮"
) -> pd.DataFrame:
    """Reliability of each scale in each wave, over the items present in both.

    Returns
    -------
    pandas.DataFrame
        The scale table of :func:`survey.stats.reliability.reliability` for the earlier wave
        and then the current one, with a first column ``wave`` and ``dropped`` (the scale's
        items left out, ``；``-joined); scales with fewer than two common items are absent.
    """
    from survey.stats.reliability import reliability

    match = comparable_items(current, wave)
    scales = scale_items_in_both(current, wave, match)
    common = common_codebook(current, scales)
    if not common.scales:
        return pd.DataFrame(columns=["wave", "scale", "dropped"])
    parts = []
    for label, frame in ((wave.label, aligned_responses(wave, match)), (current_label, current_responses)):
        table, _items = reliability(frame, common)
        table.insert(0, "wave", label)
        parts.append(table)
    out = pd.concat(parts, ignore_index=True)
    out["dropped"] = out["scale"].map(lambda sid: "；".join(scales[sid].dropped))
    return out


# -- respondents ----------------------------------------------------------------------------
@dataclass(frozen=True)
class MatchedRespondents:
    """Pseudonymous keys present in both waves (nothing more identifying than the pseudonym)."""

    keys: frozenset[str]
    #: Why no pairing is possible (Chinese), ``""`` otherwise.
    note: str = ""

    @property
    def n(self) -> int:
        return len(self.keys)


def _keys(frame: pd.DataFrame | Wave) -> pd.Series | None:
    df = frame.responses if isinstance(frame, Wave) else frame
    if RESPONDENT_KEY not in df.columns:
        return None
    return df[RESPONDENT_KEY].dropna().astype(str)


def matched_respondents(current: pd.DataFrame | Wave, earlier: pd.DataFrame | Wave) -> MatchedRespondents:
    """The pseudonymous respondent keys that appear in both waves.

    Parameters
    ----------
    current, earlier
        Processed response frames (or :class:`Wave`); the column ``respondent_key`` holds the
        pseudonym (HMAC of the identifier with the study key: the same key file gives the same
        pseudonym in both waves).

    Returns
    -------
    MatchedRespondents
        The keys in both waves and their count; empty with a ``note`` when a frame has no key
        column. Only the pseudonyms are returned, never another column.
    """
    a, b = _keys(current), _keys(earlier)
    if a is None or b is None:
        which = "本轮" if a is None else "上一轮"
        return MatchedRespondents(
            frozenset(), f"{which}的处理结果没有假名化的答卷人编号（respondent_key），两轮按独立样本比较"
        )
    return MatchedRespondents(frozenset(set(a) & set(b)))


# -- verification ---------------------------------------------------------------------------
def verify_waves(study: Study, *, progress: Callable[[str], None] | None = None) -> list[str]:
    """Check every earlier wave's files against its own manifest (for ``survey verify``).

    For a wave given by ``study`` the raw files and the outputs are re-hashed (raw names
    resolve against that study's folder) and its configuration hash is compared; for a wave
    given by ``processed`` only the outputs can be checked (its raw data need not be here).

    Returns
    -------
    list of str
        One Chinese line per problem, each starting with ``上一轮（<label>）``; empty when all match.
    """
    say = progress or (lambda _msg: None)
    problems: list[str] = []
    for i, ref in enumerate(study.waves):
        head = f"上一轮（{ref.label}）"
        # Only hashes: the tables are not read, so a tampered file is reported as changed
        # rather than as whatever error parsing it gives.
        try:
            wave_study, folder, _codebook = _locate(study, i, ref)
            manifest_path = folder / processed.MANIFEST
            root = wave_study.root if wave_study is not None else folder
            found = verify_manifest(manifest_path, root)
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (SurveyError, ValueError) as err:
            what = "清单文件无法读取"
            if isinstance(err, SurveyError):
                what = err.problem + (f"；{err.hint}" if err.hint else "")
            problems.append(f"{head}：{what}")
            continue
        say(f"核对{head}的清单……")
        mine = [f"{head}：{p}" for p in found if wave_study is not None or p.section == "outputs"]
        if wave_study is not None and manifest.get("config_hash") != wave_study.config_hash():
            mine.append(f"{head}：研究配置在清洗后已改变，请重新运行 survey --study {wave_study.source} clean")
        if not mine:
            n = len(manifest.get("outputs", {}))
            if wave_study is not None:
                n += len(manifest.get("raw_files", []))
            say(f"  {head}：{n} 个文件的哈希值与清单一致")
        problems += mine
    return problems
