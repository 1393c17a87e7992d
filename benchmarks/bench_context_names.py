"""Recall of the identifier detector on names given only by context (no member list).

Run: ``.venv/bin/python benchmarks/bench_context_names.py``. Builds a planted corpus of
sentences in which a name follows a cue word (联系人, 负责人, 姓名：, 找, 给, 问), with common,
rare and compound surnames, one- and two-character given names, and ASCII / full-width spaces
between the characters, scrubs each with :func:`survey.clean.identifiers.detector` (no roster)
and prints the recall per cue and per surname kind. Also prints how many control sentences
(the same cues followed by ordinary words) were changed.
"""

from __future__ import annotations

import itertools
from collections import Counter

from survey.clean.identifiers import detector

SURNAMES = {
    "常见": "王李张刘陈杨黄赵周吴",
    "少见": "邝佘眭禤",
    "复姓": ["欧阳", "司马", "诸葛", "上官"],
}
GIVEN = ["伟", "芳", "建国", "秀英", "明", "海燕", "志强", "丽"]
CUES = ["联系人{n}老师很负责", "负责人{n}说过", "姓名：{n}", "有事找{n}", "请给{n}打电话", "可以问{n}"]
SPACES = ["", " ", "\u3000"]
CONTROLS = ["联系人已确定", "负责人不在", "有事找组织", "请给支部打电话", "可以问一下", "姓名：未填"]


def main() -> None:
    """Print recall by cue, surname kind and spacing, and the control false-positive count."""
    scrub = detector().scrub
    hits: Counter[tuple[str, str]] = Counter()
    total: Counter[tuple[str, str]] = Counter()
    for kind, surnames in SURNAMES.items():
        for surname, given, cue, space in itertools.product(surnames, GIVEN, CUES, SPACES):
            name = surname + given
            spelled = space.join(name)
            out, _ = scrub(cue.format(n=spelled))
            found = spelled not in out and name not in out
            for key in ((kind, "all"), ("cue", cue.split("{")[0]), ("space", repr(space))):
                total[key] += 1
                hits[key] += found
    for key in sorted(total):
        print(f"{key[0]:>6} {key[1]:<10} {hits[key]:>5}/{total[key]:<5} {hits[key] / total[key]:.3f}")
    changed = sum(scrub(c)[0] != c for c in CONTROLS)
    print(f"controls changed: {changed}/{len(CONTROLS)}")


if __name__ == "__main__":
    main()
