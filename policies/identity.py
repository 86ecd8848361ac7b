"""Who someone is, from an e-mail address: the form two addresses of one person share.

Self-approval is refused by comparing canonical forms, so the owner cannot approve their own model as
`Owner@Example.com`, `owner+x@example.com`, `owner@xn--exmple-cua.com` (Cyrillic `а`, written in punycode
because the spec's addresses are ASCII) or `owner@ｅxample.com`:

1. NFKC normalisation, then case folding (Unicode's caseless matching, UAX #15 and Unicode 15 §5.18);
2. the local part loses its `+tag` (sub-addressing, RFC 5233, honoured by Gmail, Outlook, Fastmail...);
3. each domain label in punycode (`xn--`, RFC 3492) is decoded, then the domain is folded as in 1;
4. letters that look alike across scripts are mapped to one skeleton (a subset of Unicode's
   confusables, UTS #39 `confusables.txt`: the Cyrillic and Greek letters that render as Latin ones),
   and a trailing dot of the domain is dropped.
"""

from __future__ import annotations

import codecs
import unicodedata

# UTS #39 confusables.txt, Cyrillic and Greek lowercase letters whose skeleton is one Latin letter.
_CONFUSABLES = str.maketrans(
    {
        "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "һ": "h", "і": "i", "ј": "j", "к": "k", "ӏ": "l",
        "м": "m", "п": "n", "о": "o", "р": "p", "ԛ": "q", "г": "r", "ѕ": "s", "т": "t", "ц": "u", "ѵ": "v",
        "ԝ": "w", "х": "x", "у": "y", "ᴢ": "z", "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k",
        "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ı": "i", "ɡ": "g", "ℓ": "l",
    }
)  # fmt: skip


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def _label(label: str) -> str:
    if label.startswith("xn--"):
        try:
            return codecs.decode(label[4:].encode("ascii"), "punycode")
        except (UnicodeError, ValueError):
            return label
    return label


def canonical_email(address: str) -> str:
    """The canonical form of an address (see the module docstring); two addresses of one mailbox share it."""
    folded = _fold(address.strip())
    local, at, domain = folded.rpartition("@")
    if not at:
        return folded.translate(_CONFUSABLES)
    local = local.split("+", 1)[0]
    domain = ".".join(_fold(_label(part)) for part in domain.rstrip(".").split("."))
    return f"{local}@{domain}".translate(_CONFUSABLES)


def same_person(a: str, b: str) -> bool:
    return canonical_email(a) == canonical_email(b)
