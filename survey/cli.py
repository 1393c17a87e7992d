"""The ``survey`` command: one sub-command per job, messages in Simplified Chinese.

Every input problem surfaces as :class:`survey.errors.SurveyError`; the CLI prints its Chinese
message and exits with status 2 (no traceback unless ``--debug``). Unexpected failures exit 3
with a short note on how to report them.
"""

from __future__ import annotations

import argparse
import errno
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from survey.errors import SurveyError, SurveyWarning

EXIT_OK = 0
EXIT_INPUT = 2
EXIT_BUG = 3
#: OS errors that are the machine's state, not a bug: reported like bad input (exit 2).
_WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _cmd_clean(args: argparse.Namespace) -> int:
    from survey.config.study import load_study

    study = load_study(args.study)
    from survey.pipeline import run_clean

    result = run_clean(study, progress=None if args.quiet else _say)
    print(result.summary_zh())
    if study.waves:
        from survey.pipeline import clean_earlier_waves

        clean_earlier_waves(study, force=False, progress=None if args.quiet else _say)
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from survey.demo.writers import EARLIER_DIR, run_demo

    out = run_demo(args)
    print(f"已生成合成演示数据（随机种子 {args.seed}）：{out}")
    earlier = out / EARLIER_DIR
    if earlier.is_dir():
        print(f"  上一轮调查（2025年）：{earlier}（研究配置：仓库根目录的 study_2025.yaml）")
    return EXIT_OK


def _cmd_codebook_draft(args: argparse.Namespace) -> int:
    from survey.io.draft import write_draft

    out = Path(args.out)
    if out.exists() and not args.overwrite:
        raise SurveyError(
            "输出文件已存在，为避免覆盖已编辑的编码手册，本次未写入",
            file=out,
            hint="换一个文件名（-o），或加 --overwrite 覆盖",
        )
    write_draft([Path(p) for p in args.export], out)
    print(f"已根据导出文件生成编码手册草稿：{out}\n请逐项核对题目类型、选项编码、反向题和标识列后再使用。")
    from survey.config.codebook import review_marks

    if marks := review_marks(out):
        print(
            f"注意：{len(marks)} 题的选项代码是按答案出现顺序推测的（已在草稿中标“待核对”），必须按问卷核对；"
            "未核对前 survey clean 会拒绝使用该编码手册。给出同一次下载的按文本 + 按序号两个文件可得到准确的代码。"
        )
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from survey.pipeline import run_all

    run_all(args.study, force=args.force, jobs=args.jobs, progress=None if args.quiet else _say)
    return EXIT_OK


def _cmd_verify(args: argparse.Namespace) -> int:
    from survey.config.study import load_study

    study = load_study(args.study)
    from survey.pipeline import verify

    problems = verify(study, progress=None if args.quiet else _say)
    if problems:
        _say(f"核验未通过：{len(problems)} 处不一致")
        for p in problems:
            _say(f"  - {p}")
        return 1
    print("核验通过：原始文件与处理结果的哈希值均与清单一致，重新清洗得到逐字节相同的文件。")
    if study.waves:
        labels = "、".join(w.label for w in study.waves)
        print(f"上一轮调查（{labels}）的文件也与各自的清单一致。")
    return EXIT_OK


def _cmd_plan(args: argparse.Namespace) -> int:
    from survey.report.plan import format_plan_zh, plan_gap_study, plan_study

    print(format_plan_zh(*plan_study(args.study, effect=args.effect, power=args.power)))
    gap = plan_gap_study(args.study, effect=args.effect, power=args.power)
    if gap is not None:
        print(gap)
    return EXIT_OK


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: TextIO | None = None, line: str | None = None) -> None:
    """Show a :class:`SurveyWarning` as a plain Chinese note (once); hide library noise."""
    if issubclass(category, SurveyWarning):
        text = str(message).removeprefix("错误：")
        if text not in _SHOWN:
            _SHOWN.add(text)
            _say(f"注意：{text}")


_SHOWN: set[str] = set()


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser (sub-commands clean, report, verify, plan, demo, codebook)."""
    # The common options are accepted before and after the sub-command
    # (``survey --study x clean`` and ``survey clean --study x``).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--study", default=argparse.SUPPRESS, help="研究配置文件（默认：仓库根目录的 study.yaml）"
    )
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="出错时显示完整的 Python 调用栈"
    )
    common.add_argument(
        "-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="只输出结果，不显示进度"
    )
    parser = argparse.ArgumentParser(
        prog="survey",
        description="技师学院党建工作调研数据工具：清洗、核查、对标分析与报告导出。",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", metavar="命令")
    sub.required = True
    _add = sub.add_parser

    def add_parser(name: str, **kw: object) -> argparse.ArgumentParser:
        return _add(name, parents=[common], **kw)  # type: ignore[arg-type]

    sub.add_parser = add_parser  # type: ignore[method-assign]

    p = sub.add_parser("clean", help="读取原始问卷导出文件，清洗、去标识并写入 data/processed")
    p.set_defaults(func=_cmd_clean)

    p = sub.add_parser("report", help="清洗（如有变化）、运行分析笔记本并导出 HTML 报告")
    p.add_argument("--force", action="store_true", help="忽略缓存，全部重新运行")
    p.add_argument("--jobs", type=int, default=None, help="并行运行的笔记本数（默认：CPU 核数）")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("verify", help="审计核验：重新计算哈希并重跑清洗，确认结果逐字节一致")
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser("plan", help="样本量规划：下一轮调查每个维度需要回收多少份问卷、邀请多少人")
    p.add_argument("--effect", type=float, default=None,
                   help="要能发现的最小差距（Hedges g；默认取 study.yaml 的 planning.min_effect，未写为 0.3）")
    p.add_argument("--power", type=float, default=None,
                   help="目标功效（默认取 study.yaml 的 planning.power，未写为 0.8）")
    p.set_defaults(func=_cmd_plan)

    p = sub.add_parser("demo", help="重新生成合成演示数据（确定性，可复现）")
    p.add_argument("--out", default=None, help="输出文件夹（默认：data/raw/demo；规模化研究必须指定）")
    p.add_argument("--seed", type=int, default=20261127, help="随机种子")
    p.add_argument("--respondents", type=int, default=None, metavar="N",
                   help="规模化研究：有效答卷人总数（默认：演示数据，每校 150 人）")
    p.add_argument("--colleges", type=int, default=5, metavar="K", help="规模化研究：院校数，含本院（3–10，默认 5）")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("codebook", help="编码手册工具")
    cb = p.add_subparsers(dest="codebook_command", metavar="子命令")
    cb.required = True
    d = cb.add_parser("draft", parents=[common], help="根据问卷星、腾讯问卷或问卷网的下载生成编码手册草稿")
    d.add_argument(
        "export", nargs="+", help="同一份问卷的一个或几个下载：问卷星 xlsx / xls / csv（每次下载给按文本 + 按序号两个文件最准确）、腾讯问卷 csv / xlsx，或问卷网 All_Data_Original.csv + All_Data_Readable.csv"
    )
    d.add_argument("-o", "--out", default="codebook.draft.yaml", help="输出的 YAML 文件")
    d.add_argument("--overwrite", action="store_true", help="覆盖已存在的输出文件")
    d.set_defaults(func=_cmd_codebook_draft)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    # Defaults are filled in here, not with parser.set_defaults(): that would also change the
    # default of the option actions shared (via `parents`) with the sub-parsers, which then
    # overwrite the value given before the sub-command (`survey --study X clean`).
    for name, default in (("study", None), ("debug", False), ("quiet", False)):
        if not hasattr(args, name):
            setattr(args, name, default)
    func: Callable[[argparse.Namespace], int] = args.func
    started = time.perf_counter()
    if not args.debug:
        warnings.showwarning = _show_warning
    try:
        code = func(args)
    except SurveyError as exc:
        if args.debug:
            raise
        _say(exc.message_zh())
        return EXIT_INPUT
    except KeyboardInterrupt:
        _say("已中断；之前的输出文件保持不变。")
        return 130
    except Exception as exc:  # last line of defence for users
        if args.debug:
            raise
        if isinstance(exc, OSError) and exc.errno in _WRITE_ERRNOS:
            # Disk full, no permission … somewhere the atomic writers do not cover.
            from survey.io.atomic import write_failure

            where = Path(exc.filename).parent if exc.filename else Path.cwd()
            _say(write_failure(exc, where).message_zh())
            return EXIT_INPUT
        _say(
            f"程序内部错误（{type(exc).__name__}: {exc}）。之前的输出文件保持不变。\n"
            "请加 --debug 重新运行，并把完整输出发给维护人员。"
        )
        return EXIT_BUG
    if not args.quiet and code == EXIT_OK:
        _say(f"完成，用时 {time.perf_counter() - started:.1f} 秒。")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
