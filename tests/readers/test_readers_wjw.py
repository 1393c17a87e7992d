"""问卷网 files are recognised and refused with a Chinese message (reader not yet built)."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.errors import SurveyError
from survey.io.readers import read_path
from survey.io.readers.detect import detect_format

HEADER = "序号,提交时间,答题时长,IP,Q1,Q2_A1,Q2_A2,start,finish\n"
ROW = "1,2024-05-01 10:00:00,120,1.2.3.4,1,1,0,2024-05-01 09:58:00,2024-05-01 10:00:00\n"


def _write(path: Path) -> Path:
    path.write_bytes((HEADER + ROW).encode("gbk"))
    return path


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("All_Data_Readable.csv", "wjw_text"), ("All_Data_Original.csv", "wjw_code"), ("x.csv", "wjw_code")],
)
def test_detected(tmp_path: Path, name: str, fmt: str) -> None:
    assert detect_format(_write(tmp_path / name)) == fmt


def test_refused_in_chinese(tmp_path: Path) -> None:
    path = _write(tmp_path / "All_Data_Original.csv")
    with pytest.raises(SurveyError) as info:
        read_path(path, None)
    assert "问卷网" in str(info.value)
