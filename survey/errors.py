"""The project's one error type and how it is shown to a research-group member.

Every problem with the user's input is raised as :class:`SurveyError`. The CLI prints
``SurveyError.message_zh()`` (Simplified Chinese, naming the file, the row as Excel shows it,
the column and what was expected) and exits non-zero without a traceback unless ``--debug``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def excel_column_letter(index: int) -> str:
    """Return Excel's column letter for a 0-based column index (0 -> ``A``, 26 -> ``AA``)."""
    if index < 0:
        raise ValueError("column index must be >= 0")
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class SurveyError(Exception):
    """A problem with the user's input, explained in Simplified Chinese.

    Parameters
    ----------
    problem
        What is wrong, in Simplified Chinese (one sentence).
    file
        The file the problem is in (as the user named it), if any.
    row
        The row number as Excel shows it (header row = 1), if any.
    column
        The column as the user sees it: header text, optionally with the Excel letter.
    expected
        What was expected instead, in Simplified Chinese.
    hint
        What the user can do about it, in Simplified Chinese.
    key
        For configuration files: the key path, e.g. ``questionnaire.files[2].path``.
    row_note
        How the row is counted, shown after the number; "" for text files such as YAML, where
        the row is simply the line number.
    """

    problem: str
    file: str | Path | None = None
    row: int | None = None
    column: str | None = None
    expected: str | None = None
    hint: str | None = None
    key: str | None = None
    row_note: str = "（Excel 中显示的行号）"

    def __post_init__(self) -> None:
        super().__init__(self.message_zh())

    def message_zh(self) -> str:
        """Return the full message shown to the user.

        Identifiers quoted in it (phone and ID numbers, e-mails, QQ/WeChat ids…) are replaced
        by ``[已隐去]`` (:func:`survey.clean.identifiers.scrub_message`), so that a message
        copied into a log, an issue or the manifest carries no personal data.
        """
        parts = [f"错误：{self.problem}"]
        if self.file is not None:
            parts.append(f"  文件：{self.file}")
        if self.key is not None:
            parts.append(f"  配置项：{self.key}")
        if self.row is not None:
            parts.append(f"  行：第 {self.row} 行{self.row_note}")
        if self.column is not None:
            parts.append(f"  列：{self.column}")
        if self.expected is not None:
            parts.append(f"  应为：{self.expected}")
        if self.hint is not None:
            parts.append(f"  建议：{self.hint}")
        return _scrub("\n".join(parts))

    def __str__(self) -> str:
        return self.message_zh()


class SurveyWarning(UserWarning):
    """Legal but odd input: the run goes on and the warning is logged.

    A text argument has its identifiers replaced by ``[已隐去]`` (as in
    :meth:`SurveyError.message_zh`).
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*(_scrub(a) if isinstance(a, str) else a for a in args))


def _scrub(text: str) -> str:
    # Imported on use: survey.clean imports this module.
    from survey.clean.identifiers import scrub_message

    return scrub_message(text)
