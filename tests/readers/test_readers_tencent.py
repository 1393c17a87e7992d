"""腾讯问卷 downloads are recognised and refused with a Chinese message (reader not yet built).

The fixtures follow ../shared/FORMATS.md: the older header (编号, 开始/结束答题时间, 答题时长,
地理位置…, rows ending in a trailing comma) and the newer one (用户类型, 用户标识, 昵称, IP, UA …,
an empty last column), UTF-8 with BOM as the platform writes CSV.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.errors import SurveyError
from survey.io.readers import read_path
from survey.io.readers.detect import detect_format

OLD = (
    "编号,开始答题时间,结束答题时间,答题时长,地理位置国家和地区,地理位置省,地理位置市,自定义字段,"
    "1.您的性别,2.您的党龄,\n"
    "1,2021-02-02 20:25:01,2021-02-02 20:26:58,117,中国,上海,上海,,A.男,12,\n"
)
NEW = (
    "编号,用户类型,用户标识,昵称,起始答题时间,开始答题时间,结束答题时间,答题时长,IP,UA,Referrer,"
    "1.您的性别,3.您的手机号：_填空1,\n"
    "7,微信,oAbC123,小王,,2025-09-03 08:00:00,2025-09-03 08:04:10,250,112.65.48.10,Mozilla/5.0,,"
    "A.男,\t13800138000,\n"
)


@pytest.mark.parametrize("text", [OLD, NEW], ids=["older", "newer"])
def test_detected_and_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "问卷_答卷数据.csv"
    path.write_bytes(text.encode("utf-8-sig"))
    assert detect_format(path) == "tencent"
    with pytest.raises(SurveyError) as info:
        read_path(path, None)
    message = str(info.value)
    assert "腾讯问卷" in message and path.name in message
    # the refusal must not echo the identifiers of the file it refuses
    assert "13800138000" not in message and "112.65.48.10" not in message
