"""Reading questionnaire exports into one canonical response frame.

``read_path`` reads one file with the reader its format needs (detected unless ``format`` is
given); ``read_responses`` reads every file named in ``study.yaml``, adds each file's
constant attributes (``college: 本院``), applies the study's alias tables and checks that every
file comes from the same version of the questionnaire (fingerprints).

The frame's columns are documented in ``docs/architecture.md`` ("The canonical response
frame"); ``_seq`` (the platform's 序号, NaN when the file has none) is kept as well so that the
按文本 / 按序号 variants of one download can be aligned.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from survey.config.codebook import REVIEW_MARK, Codebook, load_codebook, review_marks
from survey.config.study import QuestionnaireFile, Study
from survey.errors import SurveyError, SurveyWarning
from survey.io.atomic import write_atomic
from survey.io.normalise import apply_aliases
from survey.io.readers._frame import FRAME_PREFIX, ReadResult
from survey.io.readers.detect import detect_table, is_spss
from survey.io.readers.generic import read_generic_table
from survey.io.readers.spss import read_spss
from survey.io.readers.tabular import ReadLimits, read_table
from survey.io.readers.wjw import read_wjw_table, wjw_original_header
from survey.io.readers.wjx import crosscheck, crosscheck_error, mismatch_table, read_wjx_table
from survey.io.readers.wjx_headers import parse_download_name

__all__ = [
    "ReadResult", "Responses", "check_review_marks", "crosscheck", "mismatch_list_path", "read_path", "read_responses",
]

Progress = Callable[[str], None]


@dataclass
class Responses:
    """All questionnaire files of a study, read and stacked.

    Attributes
    ----------
    frame
        The canonical frame of every file, stacked in ``study.yaml`` order, with attribute
        columns (after ``duration_s`` and the identifiers) and aliases applied.
    results
        One :class:`ReadResult` per file, in ``study.yaml`` order (``.file`` names it).
    fingerprint_mismatches
        Files whose fingerprint differs from the most common one among files of the same
        format family (问卷星 / generic / SPSS): another questionnaire version, or missing items.
    crosschecks
        Per file with a ``crosscheck`` partner: the mismatch table of
        :func:`~survey.io.readers.wjx.crosscheck` (empty when both variants agree).
    notes
        Every reader note, in order (Chinese).
    """

    frame: pd.DataFrame
    results: list[ReadResult]
    fingerprint_mismatches: list[str] = field(default_factory=list)
    crosschecks: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def fingerprints(self) -> dict[str, str]:
        """File → fingerprint."""
        return {r.file: r.fingerprint for r in self.results}


def read_path(
    path: str | Path,
    codebook: Codebook,
    *,
    format: str = "auto",
    display: str | None = None,
    sheet: str | int | None = None,
    encoding: str = "auto",
    limits: ReadLimits | None = None,
) -> ReadResult:
    """Read one questionnaire file by path (the format detected unless given).

    Parameters
    ----------
    path
        The file.
    codebook
        The codebook.
    format
        ``"auto"``, ``"wjx_text"``, ``"wjx_code"``, ``"wjw_text"``, ``"wjw_code"``,
        ``"generic"`` or ``"spss"``.
    display
        The file name for ``_file`` and messages.
    sheet, encoding
        Worksheet and text encoding (``"auto"`` detects).
    limits
        Size limits of the read (default :data:`~survey.io.readers.tabular.DEFAULT_LIMITS`;
        a study's come from its ``limits:`` key).

    Returns
    -------
    ReadResult
    """
    path = Path(path)
    display = display or str(path)
    if format == "spss" or (format == "auto" and is_spss(path)):
        return read_spss(path, codebook, display=display, encoding=encoding)
    scores = "按分数" in path.name
    if scores and format == "auto":
        raise SurveyError(
            "这是问卷星“按分数”下载的文件：单元格中是设计问卷时给各选项设定的分值，"
            "不一定等于编码手册中的选项代码，直接读取可能把分值当成选项",
            file=display,
            expected="同一次下载的“按序号”或“按文本”版本",
            hint="在问卷星重新下载“按序号”或“按文本”文件；若已逐题确认分值与选项代码完全一致，"
            "可在 study.yaml 中为该文件写 format: wjx_code",
        )
    table = read_table(path, display=display, sheet=sheet, encoding=encoding, limits=limits)
    reason = None
    if format == "auto":
        format, reason = detect_table(table, path, codebook)
    if format == "generic":
        result = read_generic_table(table, codebook)
    elif format in ("wjx_text", "wjx_code"):
        result = read_wjx_table(table, codebook, variant=format.removeprefix("wjx_"))
    elif format in ("wjw_text", "wjw_code"):
        original = wjw_original_header(path) if format == "wjw_text" else None
        result = read_wjw_table(table, codebook, variant=format[4:], original_header=original)
    elif format == "tencent":
        from survey.io.readers.tencent import read_tencent_table

        result = read_tencent_table(table, codebook)
    else:
        raise SurveyError(
            f"未知的文件格式 {format!r}",
            file=display,
            expected="auto、wjx_text、wjx_code、wjw_text、wjw_code、tencent、generic 或 spss",
        )
    if reason is not None:
        result.notes.insert(0, f"{display}：自动识别为 {format}（{reason}）。")
    if scores:
        result.notes.insert(0, f"{display}：“按分数”下载，按 study.yaml 的指定以 {format} 读取；"
                               "请确认每题的分值与编码手册的选项代码一致。")
    result.notes.extend(_odd_content_notes(result, codebook, display))
    return result


def _odd_content_notes(result: ReadResult, codebook: Codebook, display: str) -> list[str]:
    """Warnings about legal but odd content: no answers, a repeated 序号, an empty Likert item."""
    frame = result.frame
    if len(frame) == 0:
        return [f"{display}：文件中只有表头，没有任何答卷（0 行）。请确认下载的是完整的答卷数据。"]
    notes = []
    seq = frame.get("_seq")
    if seq is not None and seq.notna().any():
        dup = frame.loc[seq.duplicated(keep=False) & seq.notna()]
        if len(dup):
            rows = "、".join(str(int(r)) for r in dup["_row"].head(6))
            notes.append(
                f"{display}：序号有重复（{dup['_seq'].nunique()} 个序号出现不止一次，第 {rows} 行）；"
                "问卷平台导出的序号本应唯一，请确认文件没有被拼接或手工改动。"
            )
    for item in codebook.items:
        if item.type == "likert" and item.id in frame and frame[item.id].isna().all():
            notes.append(
                f"{display}：题目 {item.id}（{item.text}）在全部 {len(frame)} 行中都缺失；"
                "请确认该列没有被误删或整列跳过。"
            )
    return notes


def _crosscheck_pair(
    main: ReadResult, other: ReadResult, codebook: Codebook, *, study: Study, key: str
) -> pd.DataFrame:
    """Compare the 按文本 and 按序号 variants of one download (``main`` and its partner).

    ``key`` names the ``study.yaml`` entry for the message when the two are not one 按文本 and
    one 按序号 file. More mismatching cells than ``questionnaire.crosscheck.allow_mismatches``
    is an error; the full list is written first to :func:`mismatch_list_path`.
    """
    pair = {main.format: main, other.format: other}
    family = main.format[:3]  # wjx (问卷星 按文本/按序号) or wjw (问卷网 Readable/Original)
    if family not in ("wjx", "wjw") or set(pair) != {f"{family}_text", f"{family}_code"}:
        raise SurveyError(
            "crosscheck 需要同一份问卷星下载的“按文本”和“按序号”两个版本"
            "（或同一次问卷网下载的 All_Data_Readable 与 All_Data_Original）",
            file=study.source,
            key=key,
            expected=f"{main.file} 与 {other.file} 一个为按文本、一个为按序号（实际为 {main.format} 与 {other.format}）",
        )
    text, code = pair[f"{family}_text"], pair[f"{family}_code"]
    mismatches = crosscheck(text, code, codebook)
    allowed = study.questionnaire.crosscheck.allow_mismatches
    if len(mismatches) > allowed:
        target = mismatch_list_path(study)
        table = mismatch_table(mismatches, text.file, code.file)
        write_atomic(target, table.to_csv(index=False).encode("utf-8-sig"))
        raise crosscheck_error(
            mismatches, text.file, code.file, listed_in=target, allowed=allowed
        )
    if len(mismatches):
        main.notes.append(
            f"{text.file} 与按序号文件 {code.file} 有 {len(mismatches)} 处不一致，"
            f"在 questionnaire.crosscheck.allow_mismatches（{allowed}）允许的范围内。"
        )
    return mismatches


def check_review_marks(study: Study) -> None:
    """Refuse a codebook that still carries the draft's "codes are a guess" marks.

    ``survey codebook draft`` on a 按文本 download alone can only guess option codes from the
    order answers appear in; it marks those items with
    :data:`~survey.config.codebook.REVIEW_MARK`. Reading data with such a codebook gives wrong
    numbers silently, so it is an error until the marks are removed (after checking) or
    ``questionnaire.codes_checked: true`` says the codes were checked.

    Raises
    ------
    SurveyError
        Naming the codebook, the first marked line and how many items are marked.
    """
    path = study.resolve(study.questionnaire.codebook)
    marks = review_marks(path)
    if not marks or study.questionnaire.codes_checked:
        return
    ids = "、".join(i for _, i in marks[:10] if i) + ("……" if len(marks) > 10 else "")
    raise SurveyError(
        f"编码手册中还有 {len(marks)} 处“{REVIEW_MARK[2:]}”标记（{ids}）：这些题的选项代码是"
        "草稿按答案出现顺序推测的，直接使用会得到错误的数字",
        file=study.display(study.questionnaire.codebook),
        row=marks[0][0],
        expected="核对过的选项代码（核对后删除这些标记）",
        hint="按问卷核对这些题的 options 后删除标记；或用同一次下载的按文本 + 按序号两个文件重新运行 "
        "survey codebook draft；已核对而想保留标记时，在 study.yaml 的 questionnaire 下写 codes_checked: true",
    )


def mismatch_list_path(study: Study) -> Path:
    """Where the full list of crosscheck mismatches goes: next to the output folder
    (``<output_dir>/../crosscheck_mismatches.csv``), since no output is written on error."""
    return study.output_path.parent / "crosscheck_mismatches.csv"


def read_responses(
    study: Study,
    codebook: Codebook | None = None,
    progress: Progress | bool | None = None,
) -> Responses:
    """Read every questionnaire file of a study into one frame.

    Parameters
    ----------
    study
        The study (``questionnaire.files``, ``aliases``, ``codebook``).
    codebook
        The codebook; default: loaded from ``questionnaire.codebook``.
    progress
        ``True`` for a tqdm bar, or a callable taking one Chinese message, called before each
        file is read (the same callable ``survey.pipeline`` passes to every step).

    Returns
    -------
    Responses

    Raises
    ------
    SurveyError
        Any reader error; an alias table for a column no file has; a crosscheck partner that is
        not the other variant of its file; more cells where a crosscheck partner disagrees than
        ``questionnaire.crosscheck.allow_mismatches`` (the full list is written to
        :func:`mismatch_list_path`); a codebook still carrying the draft's ``# 待核对`` marks
        unless ``questionnaire.codes_checked`` is true.

    Notes
    -----
    Each note is also issued as a :class:`~survey.errors.SurveyWarning`.

    Examples
    --------
    >>> res = read_responses(load_study("study.yaml"))  # doctest: +SKIP
    >>> res.frame.groupby("college").size()  # doctest: +SKIP
    """
    check_review_marks(study)
    if codebook is None:
        codebook = load_codebook(study.resolve(study.questionnaire.codebook))
    files = study.questionnaire.files
    limits = study.limits.read_limits()
    bar = None
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(files), desc="读取问卷文件", unit="个")
    results: list[ReadResult] = []
    crosschecks: dict[str, pd.DataFrame] = {}
    frames: list[pd.DataFrame] = []
    attr_names: list[str] = []
    for f in files:
        for k in f.attributes:
            if k not in attr_names:
                attr_names.append(k)
    try:
        for i, f in enumerate(files):
            if callable(progress):
                progress(f"读取问卷文件（{i + 1}/{len(files)}）：{study.display(f.path)}")
            res = read_path(
                study.resolve(f.path),
                codebook,
                format=f.format,
                display=study.display(f.path),
                sheet=f.sheet,
                encoding=f.encoding,
                limits=limits,
            )
            results.append(res)
            if f.crosscheck is not None:
                other = read_path(
                    study.resolve(f.crosscheck),
                    codebook,
                    display=study.display(f.crosscheck),
                    sheet=f.sheet,
                    limits=limits,
                )
                crosschecks[res.file] = _crosscheck_pair(
                    res, other, codebook, study=study,
                    key=f"questionnaire.files[{i}].crosscheck",
                )
            # Under copy-on-write (pandas 3, or the option on in 2.x) a shallow copy is enough:
            # the attribute columns below are new columns, and any later write copies first.
            frame = res.frame.copy(deep=not _copy_on_write())
            for k in attr_names:
                frame[k] = f.attributes.get(k, pd.NA)
            frames.append(frame)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    frames = _drop_overlaps(frames, results, [_download_of(f) for f in files])
    frame = (
        pd.concat(frames, ignore_index=True)
        if len(frames) > 1
        else frames[0].reset_index(drop=True)
    )
    frame = _order(frame, codebook, attr_names)
    for var, table in study.questionnaire.aliases.items():
        if var not in frame.columns:
            raise SurveyError(
                f"别名表中的变量 {var} 不是任何问卷文件的列",
                file=study.source,
                key=f"questionnaire.aliases.{var}",
                expected="属性列（files[].attributes）、标识列或题目编号之一",
            )
        frame[var] = apply_aliases(frame[var], table)
    notes = [n for r in results for n in r.notes]
    mismatches = _mismatches(results)
    notes += [
        f"{name} 的问卷指纹与其他同类文件不同，可能来自另一版问卷（题目或选项有增减），请核对题目"
        for name in mismatches
    ]
    for note in notes:
        warnings.warn(note, SurveyWarning, stacklevel=2)
    return Responses(frame, results, mismatches, crosschecks, notes)


def _download_of(f: QuestionnaireFile) -> tuple[str | None, str]:
    """Which questionnaire a file is a download of: the 问卷星 questionnaire id in its name
    (``None`` for another name) and its attributes."""
    parsed = parse_download_name(Path(f.path).stem)
    return (parsed[0] if parsed else None), repr(sorted(f.attributes.items()))


def _same_questionnaire(a: tuple[str | None, str], b: tuple[str | None, str]) -> bool:
    if a[0] is not None and b[0] is not None:
        return a[0] == b[0]
    return a[1] == b[1]


def _drop_overlaps(
    frames: list[pd.DataFrame], results: list[ReadResult], downloads: list[tuple[str | None, str]]
) -> list[pd.DataFrame]:
    """Rows of a download already read from an earlier file are dropped, with a note.

    Two downloads of one questionnaire listed twice, or covering overlapping periods, hold the
    same answer sheets: a row of a later file with the same 序号 and 提交答卷时间 as a row of
    an earlier file of the same questionnaire and version is the same sheet. It is counted once
    (kept from the earlier file); the note names both files and the count. "The same
    questionnaire": the same 问卷星 id in both names, or, when a name has none, the same
    attributes; and the same fingerprint. Downloads of different questionnaires (each college
    its own) are never compared: their 序号 all start at 1.
    """
    earlier: list[tuple[tuple[str | None, str], str, str, set[tuple[float, pd.Timestamp]]]] = []
    out = []
    for frame, res, download in zip(frames, results, downloads, strict=True):
        keys = [
            None if pd.isna(a) or pd.isna(b) else (float(a), pd.Timestamp(b))
            for a, b in zip(frame["_seq"], frame["submitted_at"], strict=True)
        ]
        owner: list[str | None] = [None] * len(keys)
        for d, fp, name, held in earlier:
            if fp != res.fingerprint or not _same_questionnaire(d, download):
                continue
            for k, key in enumerate(keys):
                if owner[k] is None and key is not None and key in held:
                    owner[k] = name
        for other in dict.fromkeys(o for o in owner if o is not None):
            n = sum(o == other for o in owner)
            whole = "（整个文件都已读过：同一份下载列了两次）" if n == len(frame) else ""
            res.notes.append(
                f"{res.file} 与 {other} 有 {n} 行重叠（序号和提交答卷时间都相同）{whole}："
                f"这些答卷只计一次，保留 {other} 中的行；请检查 study.yaml 是否重复列出了同一份问卷的下载。"
            )
        earlier.append((download, res.fingerprint, res.file, {k for k in keys if k is not None}))
        dup = pd.Series([o is not None for o in owner], index=frame.index)
        out.append(frame.loc[~dup] if dup.any() else frame)
    return out


def _copy_on_write() -> bool:
    """Whether pandas defers copies (always in pandas 3; an option in pandas 2.x)."""
    if int(pd.__version__.split(".")[0]) >= 3:
        return True
    return pd.get_option("mode.copy_on_write") is True  # "warn" is not on


def _order(frame: pd.DataFrame, codebook: Codebook, attrs: list[str]) -> pd.DataFrame:
    ident = [i.id for i in codebook.identifiers]
    items = codebook.item_columns()
    cols = [*FRAME_PREFIX, *ident, *attrs, *items]
    rest = [c for c in frame.columns if c not in cols]
    return frame[[c for c in cols if c in frame.columns] + rest]


_FAMILY = {
    "wjx_text": "wjx", "wjx_code": "wjx", "wjw_text": "wjw", "wjw_code": "wjw",
    "generic": "generic", "spss": "spss",
}


def _mismatches(results: list[ReadResult]) -> list[str]:
    """Files whose print differs from the most common print of their format family.

    Prints are compared within a family (问卷星 按文本 + 按序号; generic; SPSS) because what a
    header shows differs between families: a generic file has no question numbers or stems.
    With no majority, the first file of the family is the reference.
    """
    out: list[str] = []
    for family in dict.fromkeys(_FAMILY.get(r.format, r.format) for r in results):
        group = [r for r in results if _FAMILY.get(r.format, r.format) == family]
        counts = Counter(r.fingerprint for r in group)
        if len(counts) <= 1:
            continue
        top, n_top = counts.most_common(1)[0]
        if list(counts.values()).count(n_top) > 1:
            top = group[0].fingerprint
        out.extend(r.file for r in group if r.fingerprint != top)
    return [r.file for r in results if r.file in out]
