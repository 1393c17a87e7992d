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
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
