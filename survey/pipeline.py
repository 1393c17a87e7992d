"""The single driver behind ``survey clean`` and ``survey verify``.

``run_clean`` reads every raw file named in ``study.yaml``, cleans, pseudonymises and scrubs the
data, and writes the processed outputs and ``manifest.json`` atomically. Orchestration and
bookkeeping live here; every step is a function of its own module.
"""

from __future__ import annotations

import filecmp
import json
import tempfile
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from survey.clean.identifiers import IdentifierDetector, scrub_message
from survey.clean.ledger import CleanResult, check_reference_group, clean
from survey.clean.privacy import (
    SCRUB_KIND_LABELS_ZH,
    apply_identifier_policy,
    load_key,
    names_from_identifiers,
    numbers_from_identifiers,
    respondent_key_from,
    scrub_free_text,
)
from survey.config.codebook import Codebook, load_codebook
from survey.config.study import Study, protect_study_inputs
from survey.errors import SurveyError, SurveyWarning
from survey.io import processed
from survey.io.atomic import AtomicOutput
from survey.io.export import (
    labelled_frame,
    sav_labels_from_codebook,
    write_csv,
    write_parquet,
    write_sav,
)
from survey.io.manifest import (
    Manifest,
    build_manifest,
    code_digest,
    verify_manifest,
    write_manifest,
)
from survey.io.readers import Responses, read_responses

if TYPE_CHECKING:
    from survey.report.runner import ReportResult

Progress = Callable[[str], None] | None

#: Columns of the tidy responses table that are not items or attributes, in order.
META_COLUMNS = ["response_id", "source_file", "source_row", "respondent_key", "submitted_at", "duration_s"]


@dataclass
class CleanRun:
    """Everything ``survey clean`` produced, for the CLI, notebooks and tests."""

    study: Study
    codebook: Codebook
    responses: Responses
    result: CleanResult
    tidy: pd.DataFrame
    scrub_counts: dict[str, int]
    instruments: dict[str, pd.DataFrame] = field(default_factory=dict)
    outputs: dict[str, Path] = field(default_factory=dict)
    manifest: Manifest = field(default_factory=Manifest)
    #: Warnings about legal but odd input (Chinese), also recorded in the manifest.
    notes: list[str] = field(default_factory=list)

    def summary_zh(self) -> str:
        """A short Chinese account of the run."""
        lines = [f"研究：{self.study.title}"]
        for r in self.responses.results:
            lines.append(f"  读取 {r.file}：{r.n_rows} 行（格式 {r.format}，问卷指纹 {r.fingerprint}）")
        for name in self.responses.fingerprint_mismatches:
            lines.append(f"  注意：{name} 的问卷指纹与其他同类文件不同，可能来自另一版问卷，请核对题目")
        lines.append(self.result.summary_zh())
        scrubbed = sum(self.scrub_counts.values())
        if scrubbed:
            detail = "，".join(
                f"{SCRUB_KIND_LABELS_ZH.get(k, k)} {v} 处" for k, v in self.scrub_counts.items() if v
            )
            lines.append(f"  自由文本中隐去个人信息 {scrubbed} 处（{detail}）")
        out = self.study.display(self.study.output_path)
        lines.append(f"  输出：{out}/（{len(self.outputs)} 个文件，清单见 manifest.json）")
        return "\n".join(lines)


def _tidy(kept: pd.DataFrame, codebook: Codebook, study: Study) -> pd.DataFrame:
    """Order and name the columns of the kept responses for the processed outputs."""
    df = processed.to_storable(processed.RESPONSES, kept)
    df.insert(0, "response_id", [f"R{i + 1:05d}" for i in range(len(df))])
    levels: dict[str, list[str]] = {}
    for f in study.questionnaire.files:
        for a, v in f.attributes.items():
            levels.setdefault(a, []).append(v)
    attributes = list(levels)
    items = [c for c in codebook.item_columns() if c in df.columns]
    pseudo = [c for c in df.columns if c.endswith("_pseudo") or c.endswith("_province")]
    front = [c for c in META_COLUMNS if c in df.columns]
    ordered = front + attributes + pseudo + items
    # Labels for single choice and attributes, integers for codes (survey.io.processed).
    return processed.typed_responses(df[ordered], codebook, levels)


#: Tables with at least this many rows are announced file by file while they are written.
ANNOUNCE_ROWS = 50_000


def _write_table(
    name: str, df: pd.DataFrame, dest: Path, say: Callable[[str], None] = lambda _: None,
    codebook: Codebook | None = None,
) -> dict[str, Path]:
    """Write one table as Parquet (for notebooks) and CSV (for Excel); return name → path.

    The responses' CSV holds the codebook's codes (:func:`survey.io.processed.coded_responses`);
    their Parquet file the labels of single-choice items.
    """
    table = processed.to_storable(name, df)
    processed.validate_table(name, table, file=f"{name}.parquet", codebook=codebook)
    files = {f"{name}.parquet": dest / f"{name}.parquet", f"{name}.csv": dest / f"{name}.csv"}
    if len(table) >= ANNOUNCE_ROWS:
        say(f"  写入 {name}.parquet、{name}.csv（{len(table):,} 行）……")
    write_parquet(table, files[f"{name}.parquet"])
    coded = processed.coded_responses(table, codebook) if codebook is not None else table
    write_csv(coded, files[f"{name}.csv"])
    return files


def _write_outputs(
    run: CleanRun, dest: Path, say: Callable[[str], None] = lambda _: None
) -> dict[str, Path]:
    """Write every processed file into ``dest`` (a staging folder); return name → path.

    The ``.sav`` is written in a background thread while the Parquet and CSV files are written
    (pyreadstat goes cell by cell; the other writers release the GIL in part). Each file's
    bytes are those of writing it alone.
    """
    res = run.result
    sav = dest / f"{processed.RESPONSES}.sav"
    var_labels, val_labels, measure = sav_labels_from_codebook(run.codebook)
    cols = set(run.tidy.columns)
    # In the .sav the source file is a coded variable too (value labels: the file names).
    files_order = list(dict.fromkeys(r.file for r in run.responses.results))
    sav_frame = run.tidy.assign(
        source_file=pd.Categorical(run.tidy["source_file"], categories=list(
            dict.fromkeys([*files_order, *run.tidy["source_file"].astype(str)])))
    )
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="survey-sav") as pool:
        sav_done = pool.submit(
            write_sav,
            sav_frame,
            sav,
            {k: v for k, v in var_labels.items() if k in cols},
            {k: v for k, v in val_labels.items() if k in cols},
            file_label=run.study.title,
            variable_measure={k: v for k, v in measure.items() if k in cols},
        )
        files = _write_table(processed.RESPONSES, run.tidy, dest, say, run.codebook)
        if len(run.tidy) >= ANNOUNCE_ROWS:
            # pyreadstat writes cell by cell: about a minute per million rows.
            say(f"  写入 {sav.name}（SPSS，{len(run.tidy):,} 行，每百万行约需 1 分钟，与其他文件同时写入）……")
        files[sav.name] = sav
        # The same answers with option labels instead of codes, for Excel users.
        labels_csv = dest / f"{processed.RESPONSES_LABELS}.csv"
        if len(run.tidy) >= ANNOUNCE_ROWS:
            say(f"  写入 {labels_csv.name}（选项文字版，{len(run.tidy):,} 行）……")
        write_csv(labelled_frame(run.tidy, val_labels), labels_csv)
        files[labels_csv.name] = labels_csv
        files |= _write_table(processed.EXCLUSIONS, res.exclusions, dest, say)
        files |= _write_table(processed.CELL_CHANGES, res.cell_changes, dest, say)
        files |= _write_table(processed.CLEANING_LOG, res.log, dest, say)
        for name, table in run.instruments.items():
            files |= _write_table(name, table, dest, say)
        sav_done.result()  # re-raises a failure of the .sav writer here
    return files


def _clean_instruments(study: Study, names: list[str], say: Callable[[str], None], key: bytes | None = None) -> tuple[dict[str, pd.DataFrame], list[tuple[str, Path]]]:
    """Read and clean the symposium, indicator and roster files the study names."""
    # Imported here: they pull in scipy.stats, which a study without them need not pay for.
    from survey.instruments.indicators import load_indicators
    from survey.instruments.roster import read_roster
    from survey.instruments.symposium import load_symposium

    tables: dict[str, pd.DataFrame] = {}
    raw: list[tuple[str, Path]] = []
    if study.symposium is not None:
        cfg = study.symposium
        say("读取座谈会记录……")
        sym = load_symposium(
            study.resolve(cfg.sessions), study.resolve(cfg.themes), study.resolve(cfg.statements),
            display={k: study.display(getattr(cfg, k)) for k in ("sessions", "themes", "statements")},
            names=names, key=key,
        )
        tables[processed.SESSIONS] = sym.sessions
        tables[processed.STATEMENTS] = sym.statements.drop(columns=["text_scrubbed"])
        tables[processed.THEMES] = sym.themes.table
        raw += [(study.display(p), study.resolve(p)) for p in (cfg.sessions, cfg.statements, cfg.themes)]
    if study.indicators is not None:
        say("读取对标指标……")
        icfg = study.indicators
        ind, summ = load_indicators(
            study.resolve(icfg.path), None if icfg.summaries is None else study.resolve(icfg.summaries),
            display=study.display(icfg.path),
            summaries_display=None if icfg.summaries is None else study.display(icfg.summaries),
        )
        tables[processed.INDICATORS] = ind
        raw.append((study.display(study.indicators.path), study.resolve(study.indicators.path)))
        if summ is not None and study.indicators.summaries is not None:
            tables[processed.SUMMARIES] = summ
            raw.append((study.display(study.indicators.summaries), study.resolve(study.indicators.summaries)))
    if study.roster is not None:
        say("读取党员名册汇总……")
        tables[processed.ROSTER] = read_roster(study.resolve(study.roster.path), display=study.display(study.roster.path))
        raw.append((study.display(study.roster.path), study.resolve(study.roster.path)))
        if study.roster.names is not None:  # read for scrubbing only, never written out
            raw.append((study.display(study.roster.names), study.resolve(study.roster.names)))
    return tables, raw


def run_clean(study: Study, *, output_dir: Path | None = None, progress: Progress = None) -> CleanRun:
    """Read, clean, pseudonymise and write a study's questionnaire data.

    Parameters
    ----------
    study
        The study (:func:`survey.load_study`).
    output_dir
        Where to write; default the study's ``output_dir``.
    progress
        Called with a short Chinese message at each step (``None`` for silence).

    Returns
    -------
    CleanRun
        The data and the paths written. Nothing is written if any step fails.

    Notes
    -----
    While the run lasts the study's input folders are read-only for every writer of
    :mod:`survey` (:func:`survey.config.study.protect_study_inputs`): a write whose target
    resolves into one of them (a symlink made after the study was loaded) is refused.
    """
    with protect_study_inputs(study):
        return _run_clean(study, output_dir=output_dir, progress=progress)


def _run_clean(study: Study, *, output_dir: Path | None = None, progress: Progress = None) -> CleanRun:
    """:func:`run_clean` inside the input guard."""
    say = progress or (lambda _msg: None)
    _check_inputs_readable(study)
    codebook = load_codebook(study.resolve(study.questionnaire.codebook))
    # The key is needed only for identifiers to pseudonymise; without such, nothing is hashed.
    key = load_key(study) if codebook.needs_pseudonym_key() else b""
    # Warnings about legal but odd input are collected so that they reach the manifest (for the
    # audit) and are shown once each, after the run.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SurveyWarning)
        responses = read_responses(study, codebook, progress=progress)
        frame = responses.frame.copy()
        frame["respondent_key"] = respondent_key_from(frame, codebook, key)
        say(f"清洗：{len(frame):,} 行原始答卷")
        result = clean(frame, codebook, study)
        if len(result.kept) == 0:
            raise _nothing_kept(study, result)
        check_reference_group(frame, result, codebook, study)
        from survey.instruments.roster import read_member_names

        roster_names = study.roster.names if study.roster is not None else None
        members = [] if roster_names is None else read_member_names(study.resolve(roster_names), display=study.display(roster_names))
        names = sorted(set(names_from_identifiers(frame, codebook)) | set(members))
        numbers = numbers_from_identifiers(frame, codebook)
        kept, scrub_counts = scrub_free_text(result.kept, codebook, names, numbers=numbers)
        kept, _policy = apply_identifier_policy(kept, codebook, key)
        tidy = _tidy(kept, codebook, study)
        instruments, instrument_files = _clean_instruments(study, names, say, key)
    # Notes quote values through the identifier detector, with the study's names and numbers.
    quoted = IdentifierDetector(names, numbers=numbers, context_names=False)
    notes = list(dict.fromkeys(
        scrub_message(_note_text(w.message), quoted) for w in caught if issubclass(w.category, SurveyWarning)
    ))  # fmt: skip
    run = CleanRun(study, codebook, responses, result, tidy, scrub_counts, instruments, notes=notes)

    dest = Path(output_dir) if output_dir is not None else study.output_path
    if dest.exists() and not dest.is_dir():
        raise SurveyError(
            "输出位置已有一个同名文件，不是文件夹，无法写入处理结果；本次未写入",
            file=study.source,
            key="output_dir",
            expected=f"一个文件夹（或尚不存在的路径）：{dest}",
            hint="在 study.yaml 中把 output_dir 改为一个文件夹，或移走该文件",
        )
    say(f"写入：{dest}")
    with AtomicOutput(dest) as staging:
        files = _write_outputs(run, staging, say)
        raw = [(r.file, study.resolve(Path(r.file))) for r in responses.results]
        raw += [
            (study.display(f.crosscheck), study.resolve(f.crosscheck))
            for f in study.questionnaire.files
            if f.crosscheck is not None
        ]
        raw += instrument_files
        raw.append((study.display(study.questionnaire.codebook), study.resolve(study.questionnaire.codebook)))
        raw.append((study.display(study.source), study.source))
        manifest = build_manifest(
            raw_files=raw,
            outputs={name: p for name, p in files.items()},
            row_counts={
                "raw": int(len(frame)),
                "excluded": int(len(result.exclusions)),
                "kept": int(len(tidy)),
                "cells_set_missing": int(len(result.cell_changes)),
                **{f"raw:{r.file}": int(r.n_rows) for r in responses.results},
                **{f"table:{name}": int(len(t)) for name, t in instruments.items()},
            },
            fingerprints={
                "codebook": codebook.fingerprint(),
                **{f"file:{r.file}": r.fingerprint for r in responses.results},
            },
            config_hash=study.config_hash(),
            extra={
                "title": study.title,
                "synthetic": study.synthetic,
                "fingerprint_mismatches": list(responses.fingerprint_mismatches),
                "scrubbed": scrub_counts,
                "notes": notes,
                "code_digest": code_digest(),
            },
        )
        write_manifest(manifest, staging / "manifest.json")
    run.outputs = {name: dest / name for name in [*files, "manifest.json"]}
    run.manifest = manifest
    for note in notes:
        warnings.warn(note, SurveyWarning, stacklevel=2)
    return run


def _study_inputs(study: Study) -> list[tuple[str, Path]]:
    """Every input path the study names, with its key path in ``study.yaml``."""
    return study.input_paths()


def _check_inputs_readable(study: Study) -> None:
    """Refuse a folder, or a file the user may not read, where study.yaml names an input.

    ``load_study`` already checked that each path exists; without this check a folder or an
    unreadable file would surface as an OSError (an "internal error") deep inside a reader.
    """
    for key, p in _study_inputs(study):
        full = study.resolve(p)
        if full.exists() and not full.is_file():
            raise SurveyError(
                "study.yaml 中列出的输入不是文件（是文件夹或其他特殊文件）",
                file=study.source,
                key=key,
                expected=f"一个文件：{study.display(p)}",
                hint="检查路径是否少写了文件名",
            )
        try:
            with full.open("rb") as fh:
                fh.read(1)
        except OSError as exc:
            raise SurveyError(
                "输入文件无法读取（没有读取权限，或被其他程序锁定）",
                file=study.display(p),
                key=key,
                expected="当前用户可以读取的文件",
                hint="检查文件权限（例如 chmod u+r），或关闭正在占用它的程序后重试",
            ) from exc


def _nothing_kept(study: Study, result: CleanResult) -> SurveyError:
    """The error for a study whose cleaning rules exclude every response."""
    detail = result.summary_zh().replace("\n", " ")
    return SurveyError(
        "清洗后没有保留任何答卷：全部原始记录都被清洗规则排除，无法分析；本次未写入结果",
        file=study.source,
        key="cleaning",
        expected="至少保留 1 条答卷",
        hint=f"{detail} 请检查 fieldwork 的开始/结束日期与清洗规则的设置是否正确",
    )


def _note_text(message: Warning | str) -> str:
    """The text of a warning, without the "错误：" prefix an error message would carry."""
    text = str(message)
    return text.removeprefix("错误：")


def clean_is_current(study: Study) -> tuple[bool, str]:
    """Tell whether the processed outputs still match the raw inputs, config and code.

    Returns
    -------
    (bool, str)
        ``True`` when ``manifest.json`` exists, every raw input and output it lists has the
        recorded SHA-256, and the configuration and the ``survey`` code are unchanged; the
        string says why not (Chinese).
    """
    manifest_path = study.output_path / "manifest.json"
    if not manifest_path.exists():
        return False, "尚无处理结果"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        problems = verify_manifest(manifest_path, study.root)
    except (ValueError, SurveyError):
        return False, "清单文件无法读取"
    if manifest.get("config_hash") != study.config_hash():
        return False, "研究配置已改变"
    if manifest.get("extra", {}).get("code_digest") != code_digest():
        return False, "程序代码已改变"
    if problems:
        return False, f"{len(problems)} 个文件与清单不一致（{problems[0]}）"
    return True, "原始数据、配置和代码均未改变"


def run_all(
    study_path: str | Path | None = None,
    *,
    force: bool = False,
    jobs: int | None = None,
    progress: Progress = None,
) -> ReportResult:
    """``survey report``: clean when inputs changed, then run the notebooks and export HTML.

    Parameters
    ----------
    study_path
        The study file (default ``study.yaml``).
    force
        Re-clean and re-execute every notebook even when nothing changed.
    jobs
        Notebooks executed in parallel (default: the number of CPU cores).
    progress
        Called with a short Chinese message at each step.

    Returns
    -------
    survey.report.runner.ReportResult
    """
    from survey.config.study import load_study
    from survey.paths import NOTEBOOKS_DIR
    from survey.report.runner import run_report

    say = progress or (lambda _msg: None)
    study = load_study(study_path)
    current, why = clean_is_current(study)
    if force or not current:
        say(f"清洗数据（{'--force' if force else why}）……")
        started = time.perf_counter()
        run = run_clean(study, progress=progress)
        say(run.summary_zh())
        say(f"清洗完成，用时 {time.perf_counter() - started:.1f} 秒")
    else:
        say(f"跳过清洗：{why}")
    clean_earlier_waves(study, force=force, progress=progress)
    return run_report(
        study.source,
        notebooks_dir=NOTEBOOKS_DIR,
        reports_dir=study.resolve(study.reports_dir),
        figures_dir=study.resolve(study.figures_dir),
        force=force,
        jobs=jobs,
        progress=say,
    )


def clean_earlier_waves(study: Study, *, force: bool, progress: Progress) -> None:
    """Clean each earlier wave named by its ``study.yaml`` (``waves[].study``) when its inputs
    changed, as ``survey report`` does for the current study; ``processed:`` waves are used as
    they are (their raw data need not be on this machine)."""
    from survey.config.study import load_study

    say = progress or (lambda _msg: None)
    for ref in study.waves:
        if ref.study is None:
            continue
        wave = load_study(study.resolve(ref.study))
        current, why = clean_is_current(wave)
        if force or not current:
            say(f"清洗上一轮调查（{ref.label}）的数据（{'--force' if force else why}）……")
            run = run_clean(wave, progress=progress)
            say(f"上一轮（{ref.label}）：" + run.summary_zh())
        else:
            say(f"上一轮调查（{ref.label}）：跳过清洗：{why}")


def verify(study: Study, *, progress: Progress = None) -> list[str]:
    """Check a study's processed outputs against its manifest and a fresh re-run.

    Earlier waves named in ``waves`` are checked against their own manifests as well
    (:func:`survey.waves.verify_waves`; hashes only, they are not re-cleaned).

    Returns
    -------
    list of str
        One Chinese line per problem; empty when raw inputs and outputs match the manifest, a
        re-run of the cleaning reproduces every processed file byte for byte and every earlier
        wave's files match its manifest.
    """
    from survey.waves import verify_waves

    problems = _verify_current(study, progress=progress)
    return problems + verify_waves(study, progress=progress)


def _verify_current(study: Study, *, progress: Progress = None) -> list[str]:
    """The current wave's part of :func:`verify`.

    Returns
    -------
    list of str
        One Chinese line per problem; empty when raw inputs and outputs match the manifest and a
        re-run of the cleaning reproduces every processed file byte for byte.

    Notes
    -----
    The raw files are hashed first; when one is missing or differs from the manifest
    ("与 manifest 记录的 SHA-256 不同"), the cleaning is not re-run, so that a tampered file is
    reported as changed rather than as whatever error reading it gives.
    """
    say = progress or (lambda _msg: None)
    out_dir = study.output_path
    manifest_path = out_dir / "manifest.json"
    if not manifest_path.exists():
        return [f"找不到清单文件 {study.display(manifest_path)}：请先运行 survey clean"]
    say("核对清单中的哈希值……")
    checked = verify_manifest(manifest_path, study.root)
    section_zh = {"raw_files": "原始数据文件 {}", "outputs": "输出文件 {}"}
    problems = [
        section_zh[p.section].format(p.name if p.section == "raw_files" else study.display(p.path))
        + " 与 manifest 记录的 SHA-256 不同：生成清单后被修改或替换过"
        if p.issue == "changed"
        else str(p)
        for p in checked
    ]
    if any(p.section == "raw_files" for p in checked):
        # Re-reading changed raw files would only add a parse error that hides the cause.
        problems.append("原始数据与清单不一致，未重新清洗：请先恢复原始文件，或重新运行 survey clean")
        return problems
    say("在临时文件夹中重新清洗并逐字节比较……")
    with tempfile.TemporaryDirectory(prefix="survey-verify-") as tmp:
        rerun = run_clean(study, output_dir=Path(tmp) / "processed")
        for name, fresh in rerun.outputs.items():
            old = out_dir / name
            if not old.exists():
                problems.append(f"{study.display(old)}：处理结果缺失，重新清洗会生成该文件")
            elif not filecmp.cmp(old, fresh, shallow=False):
                problems.append(f"{study.display(old)}：与重新清洗的结果不一致")
    return problems
