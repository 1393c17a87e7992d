"""The study configuration (``study.yaml``): what files make up a study and how to clean them.

Paths in the file are relative to the folder holding it. Unknown keys, wrong types and missing
files are reported as :class:`~survey.errors.SurveyError` naming the key path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from survey.config.yamlio import located_errors, read_yaml, validate
from survey.errors import SurveyError

FileFormat = Literal["auto", "wjx_text", "wjx_code", "generic", "spss"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuestionnaireFile(_Strict):
    """One questionnaire export and the constant attributes its rows receive."""

    path: Path
    format: FileFormat = "auto"
    encoding: str = "auto"
    sheet: str | int | None = None
    attributes: dict[str, str] = Field(default_factory=dict)
    #: Optional other variant of the same 问卷星 download (按序号 next to 按文本 or vice
    #: versa), used only to cross-check codes against labels.
    crosscheck: Path | None = None


class Compare(_Strict):
    """Which variable the comparison groups by and which group is the home (reference) group."""

    by: str = "college"
    reference: str = "本院"


class Questionnaire(_Strict):
    codebook: Path
    files: list[QuestionnaireFile] = Field(min_length=1)
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


class Indicators(_Strict):
    path: Path
    #: Benchmark questionnaire results given only as summary statistics.
    summaries: Path | None = None


class Roster(_Strict):
    """Membership roster summary (counts) and, optionally, a list of member names.

    The names file is read only to scrub those names from free text and symposium statements;
    it is never copied to the processed outputs.
    """

    path: Path
    names: Path | None = None


class Study(_Strict):
    """A whole study as described by ``study.yaml``."""

    title: str
    synthetic: bool = False
    questionnaire: Questionnaire
    fieldwork: Fieldwork
    cleaning: Cleaning = Cleaning()
    privacy: Privacy = Privacy()
    output_dir: Path = Path("data/processed")
    #: Where ``survey report`` writes the HTML reports and the figures (relative to the study).
    reports_dir: Path = Path("reports")
    figures_dir: Path = Path("figures")
    symposium: Symposium | None = None
    indicators: Indicators | None = None
    roster: Roster | None = None
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

    def config_hash(self) -> str:
        """Hash of the parsed configuration (stable across formatting-only edits)."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _check_files(study: Study) -> None:
    checks: list[tuple[str, Path]] = [("questionnaire.codebook", study.questionnaire.codebook)]
    for i, f in enumerate(study.questionnaire.files):
        checks.append((f"questionnaire.files[{i}].path", f.path))
        if f.crosscheck is not None:
            checks.append((f"questionnaire.files[{i}].crosscheck", f.crosscheck))
    for section in ("symposium", "indicators", "roster"):
        obj = getattr(study, section)
        if obj is None:
            continue
        for name, value in obj:
            if isinstance(value, Path):
                checks.append((f"{section}.{name}", value))
    for key, p in checks:
        full = study.resolve(p)
        if not full.exists():
            raise SurveyError(
                "study.yaml 中列出的文件不存在",
                file=study.source,
                key=key,
                expected=f"存在的文件：{full}",
                hint="检查文件名（包括扩展名）和相对路径；相对路径以 study.yaml 所在文件夹为起点",
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
    _check_files(study)
    return study
