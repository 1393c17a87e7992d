"""Write the corpus table (docs/bad-inputs.md) from the outcomes the test run recorded."""

from __future__ import annotations

from pathlib import Path

from demo_copy import SMALL_ROWS

HEADER = """# 错误输入样例集（bad-input corpus）

本表由测试自动生成，请勿手工编辑：

```bash
.venv/bin/python -m pytest tests/bad_inputs -n 2 -q --bad-inputs-table docs/bad-inputs.md
```

每个样例都从“小型演示研究”的一份副本（含上一次成功运行的 `data/processed/`）出发，改坏一个输入，
再运行 `survey clean`。小型演示研究即合成演示研究，只是每个问卷导出文件只保留前 {rows} 份答卷
（`tests/demo_copy.py` 中的 `copy_small_demo`），因此表中的行数、条数按它计算。
改法见 `tests/bad_inputs/badinput_cases.py` 中与样例编号同名的函数。
以 root 身份运行时（CI）跳过 `unreadable_chmod`（chmod 000 对 root 无效），由
`directory_instead_of_file` 代替“无法读取的文件”。

- **出错（exit 2）**：程序停止，只输出一条简体中文错误信息（`错误：…`），写明文件、Excel 行号和列
  （适用时）；不显示 Python 调用栈；上一次的处理结果逐字节保持不变，也不留下临时文件夹。
- **提醒（exit 0）**：输入合法但不寻常，程序在标准错误输出 `注意：…` 后继续，正常写出结果。
- **正常（exit 0）**：合法输入，程序静默而正确地处理（测试另行核对结果，例如公式被转义）。

表中“信息”一栏是程序实际输出的文字：出错时为完整的错误信息（多行以 ⏎ 连接），提醒时为本样例新增的
`注意：` 行（演示数据本身就有的几条提醒不再重复）。研究文件夹的绝对路径写作 `<研究目录>`。
标 ★ 的样例通过真正的 `python -m survey clean` 子进程运行，其余在测试进程内调用
`survey.cli.main`（同一段代码，省去每个样例启动解释器的时间）。

"""

_EXPECT_ZH = {"error": "出错（exit 2）", "warn": "提醒（exit 0）", "ok": "正常（exit 0）"}


def _cell(text: str) -> str:
    text = text.replace("|", "\\|").replace("\r", "")
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return " ⏎ ".join(lines) if lines else "—"


TRAILER = """
## 不经过 survey clean 样例的恶意或异常输入（issue #11）

下面这些情况不能用“改坏一个输入再运行 survey clean”表示（配置、写入位置、报告运行、浏览器），
由各自的测试覆盖；本节随上表一起生成，内容写在 `tests/bad_inputs/badinput_table.py` 的 `TRAILER` 中。

| 情况 | 结果 | 测试 |
|---|---|---|
| `output_dir` / `figures_dir` / `reports_dir` 等于、包含或位于输入文件夹（含编码手册所在文件夹）之内，或经符号链接指向那里 | 读取配置时出错（exit 2），写明配置项和文件夹 | `tests/config/test_config_paths_guard.py::test_output_overlapping_raw_folder_refused`、`::test_output_symlinked_into_raw_refused`、`::test_codebook_folder_is_protected_too` |
| 输入文件与输出同名（如 `responses.csv`） | 原始文件保持不变 | `tests/config/test_config_paths_guard.py::test_issue_example_input_named_like_an_output_is_kept` |
| 运行中才出现的符号链接（输出文件或输出文件夹被换成指向原始数据的链接） | 写入时出错（exit 2），原始文件逐字节不变，不留半写的文件 | `tests/hardening/test_hardening_write_guard.py`（14 个测试） |
| `study.yaml` 中的路径离开研究文件夹（`../../etc/passwd`、绝对路径、指向外部的符号链接） | 出错（exit 2），写明配置项；`allow_outside_paths: true` 时允许 | `tests/config/test_config_paths_guard.py::test_dotdot_to_system_file_refused`、`::test_symlinked_folder_pointing_outside_refused`、`::test_allow_outside_paths_accepts_shared_drive` |
| `study.yaml` 或编码手册中的 YAML 别名炸弹、过深嵌套、过大的文件 | 1 秒内出错（exit 2），峰值内存约 115 MB（`benchmarks/bench_bombs.py`） | `tests/config/test_config_yaml_limits.py` |
| xlsx 压缩炸弹（工作表解压后超过上限或压缩比异常） | 解析前出错（exit 2），峰值内存约 123 MB | `tests/hardening/test_hardening_hostile_files.py::test_zip_bomb_peak_memory_is_bounded`、`::test_xlsx_absurd_compression_ratio_refused` |
| 读取上限可在 `study.yaml` 的 `limits:` 中调整 | 更小的上限拒绝默认可读的文件，信息写明配置项 | `tests/config/test_config_limits.py` |
| 磁盘已满、只读或其他写入错误 | 出错（exit 2），写明文件夹和所需空间，上一次的输出不变 | `tests/hardening/test_hardening_hostile_files.py::test_clean_on_a_full_disk_exits_2_outputs_untouched`、`::test_atomic_output_disk_full_while_moving_rolls_back` |
| 原始文件在清洗后被改动 | `survey verify` 报告“与 manifest 记录的 SHA-256 不同” | `tests/hardening/test_hardening_hostile_files.py::test_verify_reports_a_tampered_raw_xlsx_by_its_hash` |
| 座谈会发言、自由文本、支部名称、主题名、对标指标中的 `<script>`、`<img onerror>`、`<svg onload>`、`javascript:` 链接 | 报告中只显示为文字；Chromium 中（有无 CSP 都）不执行 | `tests/hardening/test_hardening_hostile_html.py` |
| `survey report` 在替换输出时被杀死（kill -9）或收到 SIGTERM | 留下旧的完整一套或新的完整一套；内核随主进程结束，连接文件不留在系统临时目录 | `tests/hardening/test_hardening_report_atomic.py` |
| 各种写法的身份证号、手机号、QQ/微信号、邮箱、IP、学号工号、带空格的姓名、“联系人张三”，写进数字列、警告文字、发言人列 | 不出现在任何处理结果、清单、图表和报告中 | `tests/hardening/test_hardening_leaks_determinism.py::test_every_spelling_reaches_no_output_and_counts_are_recorded` |
"""


def write_table(entries: list[dict], path: Path) -> None:
    """Write ``entries`` (one dict per case, as recorded by the corpus test) to ``path``."""
    order = {"error": 0, "warn": 1, "ok": 2}
    entries = sorted(entries, key=lambda e: (order.get(e["expect"], 9), e["id"]))
    counts = {k: sum(1 for e in entries if e["expect"] == k) for k in order}
    lines = [HEADER.replace("{rows}", str(SMALL_ROWS))]
    lines.append(
        f"共 {len(entries)} 个样例：出错 {counts['error']} 个，提醒 {counts['warn']} 个，"
        f"正常 {counts['ok']} 个。\n"
    )
    lines.append("| 编号 | 输入 | 结果 | 信息 |")
    lines.append("|---|---|---|---|")
    for e in entries:
        star = " ★" if e.get("cli") else ""
        title = e["title"] + (f"（{e['why']}）" if e.get("why") else "")
        lines.append(
            f"| `{e['id']}`{star} | {_cell(title)} | {_EXPECT_ZH[e['expect']]} | {_cell(e['message'])} |"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n" + TRAILER, encoding="utf-8")
