"""Pinyin keys for searching names: full pinyin ("zhangsan") and initials ("zs").

pypinyin reads characters as words, and several common surnames read differently as surnames
(曾 zeng, not ceng; 单 shan, not dan). A roster search for "zgf" must find 曾国藩, so the surname
is read on its own (from the table below where it differs) and the given name separately.
"""

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Two-character surnames: the surname is read on its own, never run together with the given name.
COMPOUND_SURNAMES = frozenset(
    {"欧阳", "司马", "上官", "诸葛", "长孙", "万俟", "尉迟", "东方", "皇甫", "令狐"}
    | {"慕容", "司徒", "夏侯", "公孙", "端木", "宇文", "澹台", "独孤", "呼延", "轩辕"}
)
# Surnames whose reading differs from the character's most common reading.
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "曾": ("zeng",),
    "单": ("shan",),
    "解": ("xie",),
    "仇": ("qiu",),
    "朴": ("piao",),
    "查": ("zha",),
    "区": ("ou",),
    "乐": ("yue",),
    "覃": ("qin",),
    "缪": ("miao",),
    "盖": ("ge",),
    "繁": ("po",),
    "员": ("yun",),
    "种": ("chong",),
    "秘": ("bi",),
    "万俟": ("mo", "qi"),
    "尉迟": ("yu", "chi"),
    "长孙": ("zhang", "sun"),
}


@lru_cache(maxsize=4096)
def _surname(surname: str) -> tuple[str, ...]:
    return SURNAME_READINGS.get(surname) or _plain(surname)


@lru_cache(maxsize=65536)
def _plain(text: str) -> tuple[str, ...]:
    # Letters and digits in a name (rare, or a typo) pass through lower-cased.
    return tuple(s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, errors="default"))


@lru_cache(maxsize=65536)  # names repeat down a roster (an import asks for each)
def name_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a personal name, lower-case, without separators."""
    name = "".join(name.split())
    split = 2 if name[:2] in COMPOUND_SURNAMES else 1
    syllables = [s for s in (*_surname(name[:split]), *_plain(name[split:])) if s.isalnum()]
    return "".join(syllables), "".join(s[0] for s in syllables)
