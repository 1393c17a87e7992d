"""The study configuration (``study.yaml``): what files make up a study and how to clean them.

Paths in the file are relative to the folder holding it. Unknown keys, wrong types and missing
files are reported as :class:`~survey.errors.SurveyError` naming the key path.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from survey.config.yamlio import located_errors, read_yaml, validate
from survey.errors import SurveyError

if TYPE_CHECKING:
    from survey.io.readers.tabular import ReadLimits

FileFormat = Literal["auto", "wjx_text", "wjx_code", "wjw_text", "wjw_code", "tencent", "generic", "spss"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuestionnaireFile(_Strict):
    """One questionnaire export and the constant attributes its rows receive."""

    path: Path
    format: FileFormat = "auto"
    encoding: str = "auto"
    sheet: str | int | None = None
    attributes: dict[str, str] = Field(default_factory=dict)
    #: Optional other variant of the same download (问卷星 按序号 next to 按文本 or vice
    #: versa; 问卷网 All_Data_Original next to All_Data_Readable), used only to cross-check
    #: codes against labels.
    crosscheck: Path | None = None


class Compare(_Strict):
    """Which variable the comparison groups by and which group is the home (reference) group."""

    by: str = "college"
    reference: str = "本院"


class Crosscheck(_Strict):
    """How strictly a 按文本 file and its 按序号 ``crosscheck`` partner must agree."""

    #: Mismatching cells tolerated (for a download where the platform itself is inconsistent);
    #: more than this many is an error.
    allow_mismatches: int = Field(0, ge=0)


class Questionnaire(_Strict):
    codebook: Path
    files: list[QuestionnaireFile] = Field(min_length=1)
    crosscheck: Crosscheck = Crosscheck()
    #: The research group has checked the option codes of a drafted codebook (the draft's
    #: ``# 待核对`` marks may stay in the file).
    codes_checked: bool = False
    compare: Compare = Compare()
    #: variable id -> {canonical spelling: [variants]}; applied after normalisation.
    aliases: dict[str, dict[str, list[str]]] = Field(default_factory=dict)


class Fieldwork(_Strict):
    start: dt.date
    end: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Fieldwork:
        if self.end is not None and self.end < self.start:
            raise located_errors("Fieldwork", [(("end",), "调查结束日期早于开始日期")])
        return self


class RuleSwitch(_Strict):
    enabled: bool = True


class RepeatedRespondentRule(RuleSwitch):
    keep: Literal["first", "last", "most_complete"] = "last"


class SpeederRule(RuleSwitch):
    #: A response faster than this fraction of the median duration is a speeder.
    fraction_of_median: float = Field(1 / 3, gt=0, lt=1)
    #: Median computed per file (per platform download) or over the whole study.
    per_file: bool = True


class StraightLiningRule(RuleSwitch):
    #: Scale ids whose items form a battery; default: every scale with reverse-keyed items.
    batteries: list[str] | None = None
    #: Minimum number of answered items in a battery for the rule to apply.
    min_items: int = Field(4, ge=2)


class MinAnsweredRule(RuleSwitch):
    #: Minimum share of substantive (non-meta, non-text) items answered.
    min_fraction: float = Field(0.5, gt=0, le=1)


class Cleaning(_Strict):
    test_submissions: RuleSwitch = RuleSwitch()
    exact_duplicates: RuleSwitch = RuleSwitch()
    repeated_respondent: RepeatedRespondentRule = RepeatedRespondentRule()
    speeders: SpeederRule = SpeederRule()
    straight_lining: StraightLiningRule = StraightLiningRule()
    attention_check: RuleSwitch = RuleSwitch()
    min_answered: MinAnsweredRule = MinAnsweredRule()
    out_of_range: RuleSwitch = RuleSwitch()


class Scoring(_Strict):
    """How scale scores are computed (:func:`survey.stats.scoring.score_scales`)."""

    #: Minimum share of a scale's items a respondent must have answered for a (prorated mean)
    #: score; below it the score is missing. 0.5 = at least ``ceil(k/2)`` of ``k`` items.
    min_answered: float = Field(0.5, gt=0, le=1)


class Privacy(_Strict):
    #: Environment variable holding the pseudonymisation key.
    key_env: str = "SURVEY_PSEUDONYM_KEY"
    #: Key file outside git (``~`` expanded); used when the variable is unset.
    key_file: Path | None = Path("~/.config/survey/pseudonym.key")
    #: A published key, allowed only for synthetic studies (``synthetic: true``).
    demo_key: str | None = None


class Symposium(_Strict):
    """Symposium records (filled by the statistics layer)."""

    sessions: Path
    statements: Path
    themes: Path


class Materiality(_Strict):
    """How far behind the benchmark median an indicator must be to count as a shortfall.

    ``percent``: percentage points (indicators in %); ``ratio`` and ``count``: a share of the
    benchmark median (0.10 = 10 % below it). A yes/no indicator counts whenever the home
    college is behind (有 vs 无). See ``docs/triangulation.md``.
    """

    percent: float = Field(5.0, ge=0)
    ratio: float = Field(0.10, ge=0)
    count: float = Field(0.10, ge=0)

    @field_validator("ratio", "count")
    @classmethod
    def _a_share(cls, v: float) -> float:
        if v >= 1:
            raise ValueError("应为相对于对标中位数的比例，小于 1（如 0.10 表示落后 10%）")
        return v


class Indicators(_Strict):
    path: Path
    #: Benchmark questionnaire results given only as summary statistics.
    summaries: Path | None = None
    #: Smallest shortfall that counts (added later: left out of the hash while at default).
    materiality: Materiality = Materiality()

    @model_serializer(mode="wrap")
    def _omit_default_materiality(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict) and self.materiality == Materiality():
            data.pop("materiality", None)
        return data


class Roster(_Strict):
    """Membership roster summary (counts) and, optionally, a list of member names.

    The names file is read only to scrub those names from free text and symposium statements;
    it is never copied to the processed outputs.
    """

    path: Path
    names: Path | None = None


class Limits(_Strict):
    """Resource limits of reading the study's questionnaire files (hostile or broken files are
    refused); the fields of :class:`survey.io.readers.tabular.ReadLimits`, same defaults.

    Only raise them for a genuinely large export; lower them to refuse big files early.
    """

    #: Largest uncompressed size of one part of an .xlsx (a sheet's XML, the shared strings),
    #: in bytes (default 200 MB).
    max_part_bytes: int = 200 * 1024**2
    #: Largest compression ratio of an .xlsx part larger than 10 MB (default 200).
    max_ratio: float = 200.0
    #: Longest cell of any table, in characters (default 2,000,000).
    max_cell_chars: int = 2_000_000

    @field_validator("max_part_bytes", "max_cell_chars", mode="before")
    @classmethod
    def _positive_int(cls, v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise ValueError("应为正整数（如 209715200 表示 200 MB；字符数如 2000000）")
        return v

    @field_validator("max_ratio", mode="before")
    @classmethod
    def _positive_ratio(cls, v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, int | float) or not 1 <= v < float("inf"):
            raise ValueError("应为不小于 1 的数（解压后大小与压缩大小之比，如 200）")
        return v

    def read_limits(self) -> ReadLimits:
        """These limits as the readers take them.

        Returns
        -------
        ReadLimits
            For :func:`survey.io.readers.tabular.read_table`.
        """
        from survey.io.readers.tabular import ReadLimits

        return ReadLimits(max_part_bytes=self.max_part_bytes, max_ratio=float(self.max_ratio),
                          max_cell_chars=self.max_cell_chars)


class Planning(_Strict):
    """Sample-size planning of the next wave (``survey plan``, the committee report's appendix).

    See :func:`survey.report.plan.plan_study` and :mod:`survey.stats.plan`.
    """

    #: Smallest gap the committee cares about, as Hedges' g (0 < min_effect <= 3).
    min_effect: float = 0.3
    #: Target power of each dimension's test after Holm over the dimensions (0.5 <= power < 0.999).
    power: float = 0.8
    #: Familywise significance level (0 < alpha < 0.5).
    alpha: float = 0.05

    @field_validator("min_effect")
    @classmethod
    def _effect(cls, v: float) -> float:
        if not 0 < v <= 3:
            raise ValueError("应为大于 0、不超过 3 的效应量（Hedges g），如 0.3 表示 0.3 个标准差")
        return v

    @field_validator("power")
    @classmethod
    def _power(cls, v: float) -> float:
        if not 0.5 <= v < 0.999:
            raise ValueError("应为 0.5 到 0.999 之间的目标功效（含 0.5，不含 0.999），如 0.8")
        return v

    @field_validator("alpha")
    @classmethod
    def _alpha(cls, v: float) -> float:
        if not 0 < v < 0.5:
            raise ValueError("应为 0 到 0.5 之间的显著性水平（不含两端），如 0.05")
        return v


#: The name of the current wave when ``wave_label`` is not given.
CURRENT_WAVE_ZH = "本轮"


def year_as_text(v: Any) -> Any:
    """A wave label written as a bare YAML number (``label: 2025``) means the text ``"2025"``."""
    return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


class WaveRef(_Strict):
    """An earlier wave of the same survey (``waves:`` in ``study.yaml``).

    Exactly one of ``study`` (the earlier wave's ``study.yaml``; its ``output_dir`` holds the
    processed outputs) and ``processed`` (a folder with the earlier wave's processed outputs and
    ``manifest.json``, when its raw data are not on this machine). Paths resolve against the
    current study's folder. See :func:`survey.waves.load_waves`.
    """

    label: str
    study: Path | None = None
    processed: Path | None = None
    #: With ``processed``: the earlier wave's codebook; default ``codebook.yaml`` in that folder.
    codebook: Path | None = None

    @field_validator("label", mode="before")
    @classmethod
    def _year_as_text(cls, v: Any) -> Any:
        return year_as_text(v)

    @model_validator(mode="after")
    def _one_source(self) -> WaveRef:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        if not self.label.strip():
            problems.append((("label",), "轮次名称不能为空（如 2025年）"))
        if (self.study is None) == (self.processed is None):
            problems.append(
                ((), "每一轮须且只须写 study（上一轮的 study.yaml）或 processed（上一轮的处理结果文件夹）之一")
            )
        if self.codebook is not None and self.processed is None:
            problems.append(
                (("codebook",), "codebook 只用于 processed 方式；study 方式使用上一轮 study.yaml 中的编码手册")
            )
        if problems:
            raise located_errors("WaveRef", problems)
        return self


#: Top-level keys added after the first release (see :meth:`Study.config_hash`).
_LATER_KEYS = ("allow_outside_paths", "scoring", "waves", "wave_label", "planning", "limits")


class Study(_Strict):
    """A whole study as described by ``study.yaml``."""

    title: str
    synthetic: bool = False
    questionnaire: Questionnaire
    #: Optional: without it the test-submission rule cannot run (logged as such) and
    #: durations have no upper bound.
    fieldwork: Fieldwork | None = None
    cleaning: Cleaning = Cleaning()
    scoring: Scoring = Scoring()
    privacy: Privacy = Privacy()
    #: Listed inputs may lie outside the study folder (e.g. exports on a shared network drive).
    allow_outside_paths: bool = False
    output_dir: Path = Path("data/processed")
    #: Where ``survey report`` writes the HTML reports and the figures (relative to the study).
    reports_dir: Path = Path("reports")
    figures_dir: Path = Path("figures")
    symposium: Symposium | None = None
    indicators: Indicators | None = None
    roster: Roster | None = None
    #: Earlier waves of the same survey; the current study is the latest wave.
    waves: list[WaveRef] = Field(default_factory=list)
    #: Name of the current wave in wave comparisons (default :data:`CURRENT_WAVE_ZH`, 本轮).
    wave_label: str | None = None
    #: Next wave's sample-size planning (added later: left out of the hash while at default).
    planning: Planning = Planning()
    #: Resource limits of reading the questionnaire files (added later, like ``planning``).
    limits: Limits = Limits()
    #: Folder the study file lives in; every relative path resolves against it.
    root: Path = Field(default=Path("."), exclude=True)
    #: SHA-256 of the study file's bytes (for the manifest).
    config_sha256: str = Field(default="", exclude=True)
    source: Path = Field(default=Path("study.yaml"), exclude=True)

    @field_validator("title")
    @classmethod
    def _non_empty(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("标题不能为空")
        return v

    @model_validator(mode="after")
    def _demo_key_only_when_synthetic(self) -> Study:
        if self.privacy.demo_key is not None and not self.synthetic:
            raise located_errors(
                "Study",
                [(("privacy", "demo_key"),
                  "demo_key（公开的演示密钥）只能用于合成研究（synthetic: true）；"
                  "真实研究的密钥请放在环境变量或 git 之外的密钥文件中")],
            )
        return self

    @field_validator("wave_label", mode="before")
    @classmethod
    def _wave_label_year_as_text(cls, v: Any) -> Any:
        return year_as_text(v)

    @model_validator(mode="after")
    def _wave_labels(self) -> Study:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        if self.wave_label is not None and not self.wave_label.strip():
            problems.append((("wave_label",), "本轮名称不能为空；不写则显示为“本轮”"))
        seen: set[str] = set()
        for i, ref in enumerate(self.waves):
            if ref.label == self.current_wave_label:
                problems.append(
                    (("waves", i, "label"),
                     f"上一轮的名称 {ref.label!r} 与本轮（wave_label）相同，比较表中无法区分")
                )
            elif ref.label in seen:
                problems.append((("waves", i, "label"), f"轮次名称重复：{ref.label}"))
            seen.add(ref.label)
        if problems:
            raise located_errors("Study", problems)
        return self

    @property
    def current_wave_label(self) -> str:
        """The name of this (the latest) wave: ``wave_label``, or 本轮."""
        return self.wave_label if self.wave_label is not None else CURRENT_WAVE_ZH

    def wave_paths(self) -> list[tuple[str, Path]]:
        """The paths the ``waves`` entries name, with their key paths, resolved.

        Returns
        -------
        list of (str, Path)
            ``("waves[0].study", ...)``, ``("waves[1].processed", ...)``, ``("waves[1].codebook",
            ...)``, in file order; absolute but symlinks not resolved.
        """
        out: list[tuple[str, Path]] = []
        for i, ref in enumerate(self.waves):
            for name in ("study", "processed", "codebook"):
                value = getattr(ref, name)
                if value is not None:
                    out.append((f"waves[{i}].{name}", self.resolve(value)))
        return out

    def resolve(self, p: Path) -> Path:
        """Resolve a path from the study file against the study's folder."""
        p = Path(p).expanduser()
        return p if p.is_absolute() else (self.root / p)

    def display(self, p: Path) -> str:
        """Return a path as the user would name it: relative to the study folder if possible."""
        p = self.resolve(p).resolve()
        try:
            return p.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(p)

    @property
    def output_path(self) -> Path:
        return self.resolve(self.output_dir)

    def input_paths(self) -> list[tuple[str, Path]]:
        """Every input file the study lists, with its key path, resolved against the study folder.

        Returns
        -------
        list of (str, Path)
            ``("questionnaire.codebook", ...)``, ``("questionnaire.files[0].path", ...)``, the
            ``crosscheck`` files and the paths of ``symposium``, ``indicators`` and ``roster``,
            in file order. Paths are absolute but symlinks are not resolved.
        """
        keyed: list[tuple[str, Path]] = [("questionnaire.codebook", self.questionnaire.codebook)]
        for i, f in enumerate(self.questionnaire.files):
            keyed.append((f"questionnaire.files[{i}].path", f.path))
            if f.crosscheck is not None:
                keyed.append((f"questionnaire.files[{i}].crosscheck", f.crosscheck))
        for section in ("symposium", "indicators", "roster"):
            obj = getattr(self, section)
            if obj is None:
                continue
            for name, value in obj:
                if isinstance(value, Path):
                    keyed.append((f"{section}.{name}", value))
        return [(key, self.resolve(p)) for key, p in keyed]

    def input_dirs(self) -> list[tuple[str, Path]]:
        """The folders holding the listed inputs (symlinks resolved), once each.

        Returns
        -------
        list of (str, Path)
            Each folder with the key path of the first input found in it.
        """
        seen: dict[Path, str] = {}
        for key, p in self.input_paths():
            seen.setdefault(p.resolve().parent, key)
        return [(key, folder) for folder, key in seen.items()]

    def config_hash(self) -> str:
        """Hash of the parsed configuration (stable across formatting-only edits).

        Keys added after a study was first cleaned are left out while at their default, so
        upgrading the toolkit does not change the hash (``survey verify`` keeps passing).
        """
        data = self.model_dump(mode="json")
        for key in _LATER_KEYS:
            default = Study.model_fields[key].get_default(call_default_factory=True)
            if isinstance(default, BaseModel):
                default = default.model_dump(mode="json")
            if data.get(key) == default:
                data.pop(key, None)
        payload = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


#: The output folders of a study, checked against the input folders (raw data are read-only).
OUTPUT_KEYS = ("output_dir", "reports_dir", "figures_dir")


def _shown(study: Study, folder: Path) -> str:
    if folder == study.root.resolve():
        return "研究文件夹本身（study.yaml 所在文件夹）"
    return study.display(folder)


def protected_dirs(study: Study) -> list[tuple[str, Path]]:
    """The folders no output may equal, contain or lie inside, with the input key naming each.

    Parameters
    ----------
    study
        A loaded study.

    Returns
    -------
    list of (str, Path)
        :meth:`Study.input_dirs`: every folder holding a listed input (codebook included),
        symlinks resolved.

    Notes
    -----
    The study folder itself is special: when it holds an input (typically ``codebook.yaml``
    beside ``study.yaml``), an output may not be the study folder or a folder above it, but it
    may be a subfolder (``data/processed``); such a subfolder cannot hold an input file that
    ``output_dir`` would overwrite, because every input's own folder is checked as well. See
    :func:`check_output_location`.
    """
    return study.input_dirs()


def protect_study_inputs(study: Study) -> contextlib.AbstractContextManager[None]:
    """Make the study's input folders read-only for every writer while a run lasts.

    Parameters
    ----------
    study
        A loaded study.

    Returns
    -------
    context manager
        :func:`survey.io.atomic.protected_inputs` over :func:`protected_dirs`; the study folder
        itself (when it holds the codebook) is protected shallowly: files directly in it, not
        its subfolders such as ``data/processed``.

    Examples
    --------
    >>> with protect_study_inputs(study):  # doctest: +SKIP
    ...     run_clean(study)
    """
    from survey.io.atomic import protected_inputs

    root = study.root.resolve()
    folders = [folder for _key, folder in protected_dirs(study)]
    return protected_inputs([f for f in folders if f != root], shallow=[f for f in folders if f == root])


def check_output_location(study: Study, folder: str | Path, *, key: str = "output_dir") -> Path:
    """Refuse an output folder that overlaps a folder holding raw inputs.

    Called by :func:`load_study` for ``output_dir``, ``reports_dir`` and ``figures_dir``, and
    meant to be called again by writers just before they write (a symlink may have changed, or
    the folder may come from a command-line override).

    Parameters
    ----------
    study
        A loaded study.
    folder
        The output folder (relative paths resolve against the study folder).
    key
        The key path named in the message, e.g. ``output_dir``.

    Returns
    -------
    Path
        The output folder with symlinks resolved.

    Raises
    ------
    SurveyError
        If the folder equals, contains or lies inside a folder of :func:`protected_dirs`
        (for the study folder itself: equals or contains).

    Examples
    --------
    >>> check_output_location(study, study.output_path, key="output_dir")  # doctest: +SKIP
    PosixPath('/home/研究组/调研/data/processed')
    """
    out = study.resolve(Path(folder)).resolve()
    root = study.root.resolve()
    for input_key, protected in protected_dirs(study):
        if out == protected:
            relation = "就是"
        elif protected.is_relative_to(out):
            relation = "包含了"
        elif out.is_relative_to(protected) and protected != root:
            relation = "位于"
        else:
            continue
        where = _shown(study, protected)
        what = f"{key}（{study.display(out)}）{relation}存放原始输入文件的文件夹 {where}"
        if relation == "位于":
            what += " 之内"
        raise SurveyError(
            f"输出文件夹与原始数据文件夹重叠：{what}（{input_key} 就在其中）。"
            "原始数据只读，处理结果不能写进原始数据所在的文件夹，否则可能覆盖原始导出文件",
            file=study.source,
            key=key,
            expected="一个与所有输入文件所在文件夹互不包含的文件夹，例如 data/processed（原始数据放在 data/raw/）",
            hint=f"在 study.yaml 中把 {key} 改到原始数据文件夹之外",
        )
    return out


def _check_inside(study: Study) -> None:
    root = study.root.resolve()
    for key, full in study.input_paths():
        real = full.resolve()
        if real.is_relative_to(root):
            continue
        plain = Path(os.path.normpath(full))  # `..` removed, symlinks not followed
        via = "" if real == plain else f"（经符号链接指向 {real}）"
        raise SurveyError(
            f"study.yaml 中列出的输入文件位于研究文件夹之外：{plain}{via}",
            file=study.source,
            key=key,
            expected=f"研究文件夹（{root}）内的文件",
            hint="把文件复制到研究文件夹内（例如 data/raw/）并改用相对路径；若导出文件确实放在共享网络盘上，"
            "在 study.yaml 顶层写 allow_outside_paths: true",
        )


def _check_waves(study: Study) -> None:
    """The ``waves`` paths: inside the study folder (unless allowed), existing, of the right kind."""
    root = study.root.resolve()
    for key, full in study.wave_paths():
        real = full.resolve()
        plain = Path(os.path.normpath(full))
        if not study.allow_outside_paths and not real.is_relative_to(root):
            via = "" if real == plain else f"（经符号链接指向 {real}）"
            raise SurveyError(
                f"study.yaml 中列出的上一轮调查位于研究文件夹之外：{plain}{via}",
                file=study.source,
                key=key,
                expected=f"研究文件夹（{root}）内的路径",
                hint="把上一轮的研究（或其处理结果）复制到研究文件夹内（例如 data/raw/2025/）并改用相对路径；"
                "确实放在别处时，在 study.yaml 顶层写 allow_outside_paths: true",
            )
        folder = key.endswith(".processed")
        if not (full.is_dir() if folder else full.is_file()):
            what = "文件夹" if folder else "文件"
            raise SurveyError(
                f"study.yaml 中列出的上一轮调查的{what}不存在",
                file=study.source,
                key=key,
                expected=f"存在的{what}：{plain}",
                hint="检查相对路径；相对路径以 study.yaml 所在文件夹为起点",
            )


def _check_files(study: Study) -> None:
    for key, full in study.input_paths():
        if not full.exists():
            raise SurveyError(
                "study.yaml 中列出的文件不存在",
                file=study.source,
                key=key,
                expected=f"存在的文件：{full}",
                hint="检查文件名（包括扩展名）和相对路径；相对路径以 study.yaml 所在文件夹为起点",
            )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_duplicates(study: Study) -> None:
    """Refuse a questionnaire export listed twice (same file, or same bytes under two names).

    Files of ``questionnaire.files`` (``path`` and ``crosscheck``) are compared; two entries
    naming different sheets of one workbook are not duplicates, nor are two empty files.
    """
    entries: list[tuple[str, Path, str | int]] = []
    for i, f in enumerate(study.questionnaire.files):
        excel = f.path.suffix.lower() in (".xlsx", ".xlsm", ".xls")
        sheet = (0 if f.sheet is None else f.sheet) if excel else 0
        entries.append((f"questionnaire.files[{i}].path", study.resolve(f.path).resolve(), sheet))
        if f.crosscheck is not None:
            entries.append((f"questionnaire.files[{i}].crosscheck", study.resolve(f.crosscheck).resolve(), 0))
    entries = [e for e in entries if e[1].is_file()]  # a folder is reported by the readers
    sizes = Counter(p.stat().st_size for p in {p for _k, p, _s in entries})
    seen: dict[tuple[str, str | int], tuple[str, Path]] = {}
    for key, p, sheet in entries:
        # Hash only files whose size another file shares; otherwise the path identifies them.
        # Empty files hold no answers to count twice (the readers refuse them).
        size = p.stat().st_size
        ident = str(p)
        if size > 0 and sizes[size] > 1:
            # An unreadable file keeps its path as identity: the readers report it with its key.
            with contextlib.suppress(OSError):
                ident = _sha256(p)
        earlier, earlier_path = seen.setdefault((ident, sheet), (key, p))
        if earlier == key:
            continue
        how = "是同一个文件" if earlier_path == p else "内容完全相同（SHA-256 一致，只是文件名不同）"
        raise SurveyError(
            f"同一份问卷导出被列了两次：{earlier} 与 {key} {how}；照此读取，这些答卷会被重复计数",
            file=study.source,
            key=key,
            expected="每份导出文件只列一次",
            hint=f"删除 {key} 这一项（或改为另一份导出文件）；同一份问卷星下载的“按序号”版本请写在 crosscheck 中，"
            "不要再作为单独的文件列出",
        )


def load_study(path: str | Path | None = None) -> Study:
    """Read and validate a study file.

    Parameters
    ----------
    path
        The study file; default ``study.yaml`` at the repository root (or ``$SURVEY_STUDY``).

    Returns
    -------
    Study
        The validated configuration, with ``root`` set to the file's folder.

    Raises
    ------
    SurveyError
        For a missing file, malformed YAML, unknown keys, wrong types or missing input files.
    """
    from survey.paths import default_study_path

    path = Path(path) if path is not None else default_study_path()
    data: Any = read_yaml(path, what="研究配置（study.yaml）")
    if not isinstance(data, dict):
        raise SurveyError("研究配置文件的顶层应为映射（键: 值）", file=path)
    study = validate(Study, data, path=path, what="研究配置（study.yaml）")
    study = study.model_copy(
        update={
            "root": path.resolve().parent,
            "source": path,
            "config_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
    )
    if not study.allow_outside_paths:
        _check_inside(study)
    _check_files(study)
    _check_waves(study)
    for key in OUTPUT_KEYS:
        check_output_location(study, getattr(study, key), key=key)
    _check_duplicates(study)
    return study
