"""The one redaction point: nothing mlopsc prints shows a secret, whichever pass found the problem.

Every command routes what it prints through :func:`redact` (diagnostics, and the sources their text
quotes) or :meth:`Redactor.text` (the other outputs: `explain`, `diff`): the diagnostic's message, hint,
path, file name and waiver text, the echoed source line, and so every field of the text, json, sarif and
github formats. It does not rely on the policy pass having run (a spec that fails validation never gets
there) nor on the code that wrote the message: it masks

* every secret of the sources the diagnostics are about: each string (and number) of the YAML document
  is given to the secret scanner with the key it sits under (`policies/secret_scan.py`: known token
  formats anywhere, any literal under a strong secret-looking key, random-looking literals under weak
  ones), as are mapping keys; a source that is not YAML is read line by line (`KEY: value`, `KEY=value`);
* wherever such a secret appears in a printed text, whole, truncated (a message quotes the first 57
  characters of a value) or line by line (a PEM block quoted one line at a time);
* whatever the scanner finds in the printed text itself (a token built by a message from parts).

In messages a secret becomes ``****``; in an echoed source line each of its characters becomes ``*``, so
the caret under it still points at the right column. Secrets shorter than 4 characters are masked in
echoed lines where they stand (`DB_PASSWORD: abc`), never in message text (`1` would mask every count).
The file on disk is not touched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from mlopsc.compiler.diagnostics import Diagnostic
from mlopsc.compiler.source import SourceFile

MASK = "****"
_MIN_SECRET = 4  # shorter secrets are masked in quoted source lines only (as whole words), never in messages
_ANCHOR = 8  # a secret this long or longer is also masked when only its first characters are quoted
_PAIR = re.compile(r"""^\s*(?:-\s+)?["']?([A-Za-z0-9_.-]+)["']?\s*[:=]\s*(.*?)\s*$""")
_MAX_NODES = 200_000


def redact(
    diagnostics: Sequence[Diagnostic],
    sources: Mapping[str, SourceFile],
    rendered: Mapping[str, SourceFile] | None = None,
    known: Mapping[str, frozenset[str]] | None = None,
) -> tuple[list[Diagnostic], dict[str, SourceFile]]:
    """The diagnostics as they may be printed, and the sources their text output quotes (masked copies,
    keyed by the masked file names).

    `sources`: the specs (and policy files) the diagnostics are about, read for secrets; `known`: the
    secrets of some of them, gathered where their document was at hand (the driver does, in the process
    that compiled the spec, with :func:`secrets_in_document`), so they are not read again. `rendered`:
    rendered files diagnostics point at; their values come from the specs, so they are not read, but
    their quoted lines are masked like the others."""
    if not diagnostics:
        return [], {}
    named = {d.file for d in diagnostics}
    redactor = run_redactor(diagnostics, sources, known)
    quotable = {**(rendered or {}), **sources}
    lines: dict[str, set[int]] = {}
    for d in diagnostics:
        if d.line:
            lines.setdefault(d.file, set()).add(d.line)
    masked_sources = {
        redactor.text(name): redactor.source(quotable[name], lines.get(name, set()))
        for name in named
        if name in quotable
    }
    return [redactor.diagnostic(d) for d in diagnostics], masked_sources


def run_redactor(
    diagnostics: Sequence[Diagnostic], sources: Mapping[str, SourceFile], known: Mapping[str, frozenset[str]] | None
) -> Redactor:
    """A redactor for everything a run prints: the `known` secrets of its specs, and those of the other
    sources a diagnostic names (read here). A spec without diagnostics holds nothing the scanner finds
    (it would be a SEC001 finding), so it is not read."""
    found: set[str] = set()
    for secrets in (known or {}).values():
        found.update(secrets)  # a message may quote another spec's value (E115 names the other spec)
    for name in sorted({d.file for d in diagnostics} - set(known or {})):
        if name in sources:
            found.update(secrets_of(sources[name].text))
    return Redactor(found)


class Redactor:
    """Masks the secrets it was given, and whatever the scanner finds, in any text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        variants: set[str] = set()
        tiny: set[str] = set()
        for secret in secrets:
            for form in (secret, secret.replace("\n", "\\n"), *secret.splitlines()):
                variant = form.strip()
                if len(variant) >= _MIN_SECRET:
                    variants.add(variant)
                elif variant:
                    tiny.add(variant)
        self._tiny = _words(tiny)  # echoed lines only: in messages they would mask counts and names
        self._long = sorted((s for s in variants if len(s) >= _ANCHOR), key=lambda s: (-len(s), s))
        short = {s for s in variants if len(s) < _ANCHOR}
        self._short = _words(short)

    @classmethod
    def of_sources(cls, sources: Iterable[SourceFile]) -> Redactor:
        found: set[str] = set()
        for source in sources:
            found.update(secrets_of(source.text))
        return cls(found)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where secrets are in ``text``: merged, sorted spans."""
        from mlopsc.policies.secret_scan import secret_spans

        spans = [(s, e) for _, s, e in secret_spans(text)] if text else []
        for secret in self._long:
            anchor = secret[:_ANCHOR]
            at = text.find(anchor)
            while at >= 0:
                n = _ANCHOR
                while n < len(secret) and at + n < len(text) and text[at + n] == secret[n]:
                    n += 1
                spans.append((at, at + n))
                at = text.find(anchor, at + n)
        if self._short is not None:
            spans.extend(m.span() for m in self._short.finditer(text))
        return _merge(spans)

    def text(self, text: str) -> str:
        """``text`` with each secret replaced by ``****``."""
        if not text:
            return text
        spans = self.spans(text)
        if not spans:
            return text
        out, last = [], 0
        for start, end in spans:
            out.append(text[last:start])
            out.append(MASK)
            last = end
        out.append(text[last:])
        return "".join(out)

    def line(self, text: str) -> str:
        """``text`` with each character of a secret replaced by ``*`` (same length: carets stay right).

        A quoted line also has its own `KEY: value` / `KEY=value` judged by the scanner, so a secret too
        short to be masked by its text (`DB_PASSWORD: abc`) is masked where it stands."""
        spans = self.spans(text)
        if self._tiny is not None:
            spans = _merge(spans + [m.span() for m in self._tiny.finditer(text)])
        m = _PAIR.match(text)
        if m:
            from mlopsc.policies.secret_scan import secret_spans

            value = m.group(2)
            bare = value.strip("\"'")
            offset = m.start(2) + value.index(bare) if bare else 0
            spans = _merge(spans + [(offset + s, offset + e) for _, s, e in secret_spans(bare, m.group(1))])
        for start, end in spans:
            text = text[:start] + "*" * (end - start) + text[end:]
        return text

    def source(self, source: SourceFile, quoted: set[int] | None = None) -> SourceFile:
        """A copy of ``source`` whose lines are masked (only the `quoted` line numbers, when given: the
        others are never printed), for quoting under a diagnostic."""
        lines = source.text.splitlines(keepends=True)
        for i in range(1, len(lines) + 1) if quoted is None else sorted(n for n in quoted if n <= len(lines)):
            line = lines[i - 1]
            body = line.rstrip("\r\n")
            lines[i - 1] = self.line(body) + line[len(body) :]
        masked = "".join(lines)
        if masked == source.text:
            return source
        return SourceFile.from_text(self.text(source.path), masked)

    def diagnostic(self, d: Diagnostic) -> Diagnostic:
        path = tuple(self.text(p) if isinstance(p, str) else p for p in d.path)
        return replace(
            d,
            file=self.text(d.file),
            message=self.text(d.message),
            hint=self.text(d.hint),
            path=path,
            suppressed=self.text(d.suppressed),
            environments=tuple(self.text(e) for e in d.environments),
        )


def _words(words: set[str]) -> re.Pattern[str] | None:
    """A regex for any of `words` standing as a whole word (longest first), None for none."""
    if not words:
        return None
    ordered = sorted(words, key=lambda s: (-len(s), s))
    return re.compile(r"(?<![A-Za-z0-9_])(?:" + "|".join(map(re.escape, ordered)) + r")(?![A-Za-z0-9_])")


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        elif end > start:
            out.append((start, end))
    return out


_COLLECTED: dict[str, frozenset[str]] = {}


def secrets_in_document(document: object) -> frozenset[str]:
    """Every secret the scanner finds in a parsed spec document (each string and number with its key,
    and mapping keys): what :func:`secrets_of` finds in its text, without composing it again."""
    from mlopsc.policies.secret_scan import secret_spans
    from mlopsc.policies.walk import keyed_strings

    return frozenset(value[s:e] for key, value in keyed_strings(document) for _, s, e in secret_spans(value, key))


def secrets_of(text: str) -> frozenset[str]:
    """Every secret the scanner finds in a source's text: as YAML (values graded by their keys), else line
    by line; and in the whole text (a PEM block over several lines). Remembered per text."""
    known = _COLLECTED.get(text)
    if known is not None:
        return known
    from mlopsc.policies.secret_scan import secret_spans

    found: set[str] = set()

    def add(value: str, key: str | None) -> None:
        found.update(value[s:e] for _, s, e in secret_spans(value, key))

    if not _yaml_secrets(text, add):
        for line in text.splitlines():
            m = _PAIR.match(line)
            if m:
                add(m.group(2).strip("\"'"), m.group(1))
            add(line, None)
        add(text, None)  # a key block over several lines (YAML gives a block scalar as one value)
    result = _COLLECTED[text] = frozenset(found)
    if len(_COLLECTED) > 1024:
        _COLLECTED.clear()
    return result


def _yaml_secrets(text: str, add: object) -> bool:
    """Walk the YAML node graph (composed, not constructed: every scalar keeps its written text, numbers
    included; each node once, so an alias bomb costs nothing). False when the text is not YAML."""
    import yaml

    from mlopsc.compiler.yamlnodes import MemoLoader  # libyaml's composer, memoised tags: as the parse pass

    assert callable(add)
    try:
        roots = list(yaml.compose_all(text, Loader=MemoLoader))
    except (yaml.YAMLError, RecursionError, ValueError):
        return False
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, str | None]] = [(root, None) for root in roots if root is not None]
    while stack and len(seen) < _MAX_NODES:
        node, key = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if isinstance(node.value, str) and node.value:
                add(node.value, key)
        elif isinstance(node, yaml.SequenceNode):
            previous: str | None = None
            for item in node.value:
                flag = previous if previous and previous.startswith("-") and "=" not in previous else None
                stack.append((item, flag or key))
                previous = item.value if isinstance(item, yaml.ScalarNode) else None
        elif isinstance(node, yaml.MappingNode):
            pairs = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
            name = pairs.get("name")
            pair_name = name.value if isinstance(name, yaml.ScalarNode) and "value" in pairs else None
            for k, v in node.value:
                child_key = k.value if isinstance(k, yaml.ScalarNode) and isinstance(k.value, str) else None
                if child_key is not None:
                    add(child_key, None)
                else:
                    stack.append((k, None))
                stack.append((v, pair_name if child_key == "value" and pair_name else child_key))
    return True
