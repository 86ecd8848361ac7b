"""The one place where a value is written into generated code: a shell word, a comment, a Python literal.

A rendered script is executed (`apply.sh`, `score.py`), so a spec value or a path that reaches one must
never become code. The scripts read their values from the rendered files beside them (the Vertex
`apply.json`, read with `jq`; see SECURITY.md, "Generated scripts"); what still has to be written into a
script goes through exactly one of these functions, and nothing else in the targets quotes by hand:

- `sh(value)`: one shell word whatever the bytes (POSIX single quotes: `shlex.quote`); a newline or a
  quote inside stays inside the word.
- `comment(text)`: text that cannot end a one-line `#` comment of sh, Python or YAML: every character
  that some parser takes as a line break (`\\n`, `\\r`, and the `\\x0b \\x0c \\x1c-\\x1e \\x85 \\u2028
  \\u2029` of Python's `str.splitlines` and PyYAML's YAML 1.1) and every other control or format character
  is written as a `\\xNN`/`\\uNNNN` escape (`str.isprintable` keeps the rest, the space included).
- `html_comment(text)`: the same, and `>` escaped too, so that `-->` or `--!>` cannot close Markdown's
  `<!-- ... -->`.
- `py(value)`: a Python literal (a string, or a list of strings) of exactly `value`, in printable ASCII.

The tests in `tests/security/` run every rendered script with stub CLIs and hostile values.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence


def sh(value: str) -> str:
    """`value` as one shell word (single-quoted unless it is made only of safe characters)."""
    return shlex.quote(value)


def comment(text: str) -> str:
    """`text` safe inside a one-line sh, Python or YAML comment (see the module docstring)."""
    # str.isprintable is False for Cc, Cf, Zl, Zp, Cs, Co, Cn and every Zs but the space.
    return text if text.isprintable() else "".join(c if c.isprintable() else _escape(c) for c in text)


def html_comment(text: str) -> str:
    """`text` safe inside a one-line `<!-- ... -->` comment."""
    return comment(text).replace(">", _escape(">"))


def _escape(c: str) -> str:
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def py(value: str | Sequence[str]) -> str:
    """A Python literal whose value is exactly `value` (a string or a list of strings), in printable ASCII.

    JSON's string escapes mean the same in Python, except that JSON writes a character beyond U+FFFF as
    a surrogate pair, which Python reads as two characters: those values are written by `ascii()`.
    """
    items = [value] if isinstance(value, str) else list(value)
    if any(ord(c) > 0xFFFF for item in items for c in item):
        return ascii(value if isinstance(value, str) else items)
    return json.dumps(value if isinstance(value, str) else items)
