"""What text the system takes in: no control characters in any field, and in a name nothing
invisible and nothing that turns the direction of the text.

A control character (``\\x07``, ``\\x0b``) cannot be written into an Excel file or much else and
means nothing to a reader; a direction override (U+202E) or a zero-width character makes one name
look like another ("张三" and "张\\u200b三" are two people to the registry and one on paper). So
forms, the API and the imports refuse them with a message saying which, before anything is kept;
``visible`` shows such characters as codes where text from outside must be recorded as it came
(a username tried at the login page goes into the security trail).
"""

import re
import unicodedata

NAME_FIELDS = frozenset({"name", "display_name", "short_name", "contact_person"})

# C0 and C1 controls but tab, line feed and carriage return (which a multi-line note may hold).
CONTROLS = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f"
# Marks and embeddings, overrides and isolates that change the direction of the text around them.
DIRECTION = "\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069"
# Unicode's format characters (category Cf: zero-width spaces and joiners, the soft hyphen, the
# byte order mark, tag characters…), listed as ranges so that checking needs no per-character loop.
FORMAT = (
    "\\u00ad\\u0600-\\u0605\\u061c\\u06dd\\u070f\\u0890\\u0891\\u08e2\\u180e\\u200b-\\u200f\\u202a-\\u202e"
    "\\u2060-\\u2064\\u2066-\\u206f\\ufeff\\ufff9-\\ufffb\\U000110bd\\U000110cd\\U00013430-\\U0001343f"
    "\\U0001bca0-\\U0001bca3\\U0001d173-\\U0001d17a\\U000e0001\\U000e0020-\\U000e007f"
)
# Letters that draw nothing (Hangul fillers, the blank Braille pattern): a name of them looks empty.
BLANK_LETTERS = "\\u115f\\u1160\\u2800\\u3164\\uffa0"
_IN_TEXT = re.compile(f"[{CONTROLS}{DIRECTION}]")
_IN_NAME = re.compile(f"[{CONTROLS}{FORMAT}{BLANK_LETTERS}\\t\\n\\r]")
_VISIBLE = re.compile(f"[{CONTROLS}{FORMAT}]")


def _code(char: str) -> str:
    return f"U+{ord(char):04X}"


def text_problem(value: str, *, name: bool = False) -> str | None:
    """Why ``value`` cannot be taken as text (``name``: as the name of a person or organization), or None."""
    found = (_IN_NAME if name else _IN_TEXT).search(value)
    if found is not None:
        char = found.group()
        if unicodedata.category(char) == "Cc":
            return f"含有不可见的控制字符（{_code(char)}），请删除后重新填写"
        if char in "\u061c\u200e\u200f" or "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
            return f"含有改变文字方向的不可见字符（{_code(char)}），请删除后重新填写"
        return f"含有不可见字符（{_code(char)}），请删除后重新填写"
    if name and value and not value.strip():
        return "不能只由空白组成"
    return None


def visible(value: str) -> str:
    """``value`` with every control and format character written as its code (for the record)."""
    return _VISIBLE.sub(lambda found: f"<{_code(found.group())}>", value)
