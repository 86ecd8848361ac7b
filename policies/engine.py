"""Run every policy rule over one compiled spec; position, grade and waive what they find.

The `policy` pass (after `emit`) calls :func:`policy_pass`: it finds the org policy for the spec (or
takes `--policy`), builds a :class:`PolicyContext`, and adds the diagnostics of :func:`run_policies`
to the `Emitted` record. An error among them stops the write like any compile error.

Order: document rules (the spec as written), then spec rules per environment, then file rules per
rendered file, so that rendered-file secret findings can skip secrets already reported in the spec.
A rule that raises is reported as E900 at the spec, never a traceback.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mlopsc.compiler.diagnostics import INTERNAL_ERROR, Diagnostic, Severity, dotted
from mlopsc.compiler.ir import Emitted, Finding, Options, RenderedFile, Unit
from mlopsc.compiler.source import Path_, Pos, PositionMap
from mlopsc.policies.base import FileFinding, PolicyRule
from mlopsc.policies.base import Finding as PolicyFinding
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.orgpolicy import (
    WAIVER_UNUSED,
    LoadedPolicy,
    Waiver,
    find_policy,
    load_policy,
    nested_policy_errors,
)
from mlopsc.policies.walk import value_at

if TYPE_CHECKING:
    import yaml


@dataclass(frozen=True)
class _Raised:
    """A diagnostic with what waivers match against: its environment (None: the spec as a whole)."""

    diagnostic: Diagnostic
    environment: str | None
    rendered: str = ""  # the rendered file's path relative to --out, for file findings


def policy_pass(emitted: Emitted, options: Options) -> Emitted:
    from mlopsc.policies import RULE_IDS

    path = options.policy_file or find_policy(emitted.unit.source.path)
    loaded = load_policy(path, RULE_IDS, options.today)
    ctx = PolicyContext(emitted.unit, options, loaded, emitted.plans, emitted.stacks, emitted.files)
    nested = nested_policy_errors(emitted.unit.source.path)
    return replace(emitted, diagnostics=emitted.diagnostics + nested + run_policies(emitted, ctx))


def run_policies(emitted: Emitted, ctx: PolicyContext) -> tuple[Diagnostic, ...]:
    from mlopsc.policies import DOCUMENT_RULES, FILE_RULES, SPEC_RULES

    loaded = ctx.loaded
    if not loaded.usable:
        return loaded.diagnostics
    unit = emitted.unit
    raised: list[_Raised] = []
    crashes: list[Diagnostic] = []

    def crashed(rule: PolicyRule, exc: Exception) -> None:
        message = f"policy rule {rule.id} crashed: {type(exc).__name__}: {exc}"
        hint = "please report this with the spec that caused it"
        crashes.append(unit.diagnostic(Finding(INTERNAL_ERROR, Severity.ERROR, message, (), hint)))

    document = _raw_document(unit)
    for rule in DOCUMENT_RULES if document is not None else ():
        try:
            found = list(rule.check_document(document, ctx))  # type: ignore[arg-type]
        except Exception as exc:
            crashed(rule, exc)
            continue
        raised.extend(_Raised(_spec_diagnostic(unit, rule, f, None, ctx), _env_of(f.path)) for f in found)
    fingerprints = frozenset(r.diagnostic.fingerprint for r in raised if r.diagnostic.fingerprint.startswith("sha"))
    ctx = replace(ctx, spec_fingerprints=fingerprints)
    for plan in emitted.plans:
        for spec_rule in SPEC_RULES:
            try:
                found = list(spec_rule.check(plan, ctx))
            except Exception as exc:
                crashed(spec_rule, exc)
                continue
            env = plan.environment
            raised.extend(_Raised(_spec_diagnostic(unit, spec_rule, f, env, ctx), env) for f in found)
    for file in emitted.files:
        positions: list[_Positions] = []
        for file_rule in FILE_RULES:
            try:
                file_found = list(file_rule.check_file(file, ctx))
            except Exception as exc:
                crashed(file_rule, exc)
                continue
            for finding in file_found:
                diagnostic = _file_diagnostic(file_rule, finding, file, ctx, positions)
                raised.append(_Raised(diagnostic, file.environment, file.path))
    model = emitted.plans[0].model_name if emitted.plans else _model_name(document)
    environments = {p.environment for p in emitted.plans}
    return loaded.diagnostics + tuple(crashes) + _apply_waivers(raised, loaded, model, environments)


def _severity(rule: PolicyRule, ctx: PolicyContext) -> Severity:
    return ctx.policy.severity.get(rule.id, rule.default_severity)


def _spec_diagnostic(
    unit: Unit, rule: PolicyRule, finding: PolicyFinding, environment: str | None, ctx: PolicyContext
) -> Diagnostic:
    base = Finding(rule.id, _severity(rule, ctx), finding.message, finding.path, finding.hint)
    diagnostic = unit.diagnostic(base, environment, at_key=finding.at_key)
    where = environment or "*"
    path = dotted(finding.path)
    fingerprint = finding.fingerprint or _stable(rule.id, unit.source.path, where, path, finding.message)
    return replace(diagnostic, fingerprint=fingerprint)


def _file_diagnostic(
    rule: PolicyRule,
    finding: FileFinding,
    file: RenderedFile,
    ctx: PolicyContext,
    positions: list[_Positions],
) -> Diagnostic:
    """A finding in a rendered file, at the file's path under --out; line/col from the rendered text."""
    line = finding.line
    col = 1 if line else 0
    end_col = 0
    if not line and finding.path:
        if not positions:
            positions.append(_Positions(file))
        block = isinstance(value_at(file.body, finding.path), dict | list)
        pos = positions[0].nearest(finding.path, prefer_key=block)
        if pos is not None:
            line, col, end_col = pos.line, pos.col, pos.end_col
    display = f"{ctx.options.rendered_root.rstrip('/')}/{file.path}" if ctx.options.rendered_root else file.path
    return Diagnostic(
        file=display,
        line=line,
        col=col,
        end_col=end_col,
        code=rule.id,
        severity=_severity(rule, ctx),
        message=finding.message,
        hint=finding.hint,
        path=finding.path,
        fingerprint=finding.fingerprint or _stable(rule.id, file.path, dotted(finding.path), finding.message),
    )


class _Positions:
    """Where paths are written in one rendered file; the findings of a file share one instance.

    A YAML file the serialiser dumped from plain data is laid out without reading the text back
    (`compiler/dumppos.py`). Any other file is composed, once however many findings it has: a
    structured body (JSON, or YAML dumppos declines) has no tags or duplicate keys, so reading only
    the nodes along a finding's path gives the positions converting the whole tree would (at a
    fraction of the cost); a text body (a script read as YAML) is converted whole, so that its
    duplicate keys or tags still make it unreadable (no position).
    """

    def __init__(self, file: RenderedFile) -> None:
        self._file = file
        self._composed: tuple[yaml.Node, PositionMap | None] | None = None
        self._unreadable = False

    def nearest(self, path: Path_, prefer_key: bool = False) -> Pos | None:
        file = self._file
        if isinstance(file.body, dict | list) and file.path.endswith(".yaml"):
            from mlopsc.compiler.dumppos import positions

            laid_out = positions(file.content, file.body, path)
            if laid_out is not None:
                return laid_out.nearest(path, prefer_key=prefer_key)
        composed = self._compose()
        if composed is None:
            return None
        root, whole = composed
        if whole is not None:
            return whole.nearest(path, prefer_key=prefer_key)
        return _along(root, path).nearest(path, prefer_key=prefer_key)

    def _compose(self) -> tuple[yaml.Node, PositionMap | None] | None:
        """The file composed (JSON is read as YAML), and converted whole for a text body; None when it
        cannot be read."""
        from mlopsc.compiler.yamlnodes import YamlProblem, compose, to_python

        if self._composed is None and not self._unreadable:
            try:
                node = compose(self._file.content)
                if node is None:
                    self._unreadable = True
                else:
                    whole = None if isinstance(self._file.body, dict | list) else to_python(node)[1]
                    self._composed = (node, whole)
            except YamlProblem:
                self._unreadable = True
        return self._composed


def _along(root: yaml.Node, path: Path_) -> PositionMap:
    """The positions `to_python` would record for `path` and each of its ancestors (all `nearest` reads)."""
    import yaml

    from mlopsc.compiler.yamlnodes import _span as span  # the same spans as to_python's

    keys: dict[Path_, Pos] = {}
    values: dict[Path_, Pos] = {(): span(root)}
    node: yaml.Node = root
    for end, part in enumerate(path, start=1):
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if str(key_node.value) == part:
                    keys[path[:end]] = span(key_node)
                    child = value_node
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        values[path[:end]] = span(child)
        node = child
    return PositionMap(keys=keys, values=values)


def _raw_document(unit: Unit) -> Mapping[str, object] | None:
    """The spec as written, environment blocks included (the IR keeps only merged environments)."""
    if unit.document is not None:
        return unit.document
    from mlopsc.compiler.yamlnodes import YamlProblem, compose, to_python

    try:
        node = compose(unit.source.text)
        document = to_python(node)[0] if node is not None else None
    except YamlProblem:
        return None
    return document if isinstance(document, Mapping) else None


def _model_name(document: Mapping[str, object] | None) -> str:
    metadata = document.get("metadata") if document else None
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return name if isinstance(name, str) else ""


def _env_of(path: Path_) -> str | None:
    """A path into the raw document names an environment when it is under `environments.<name>`."""
    if len(path) >= 2 and path[0] == "environments" and isinstance(path[1], str):
        return path[1]
    return None


def _stable(*parts: str) -> str:
    """A fingerprint that does not move with line numbers: rule, file, environment, path and message."""
    return "mlopsc:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


# --- waivers ------------------------------------------------------------------------------------------


def _apply_waivers(
    raised: list[_Raised], loaded: LoadedPolicy, model: str, environments: set[str]
) -> tuple[Diagnostic, ...]:
    out: list[Diagnostic] = []
    used: set[int] = set()
    for item in raised:
        diagnostic = item.diagnostic
        for index, waiver in loaded.waivers:
            if _matches(waiver, item, model):
                used.add(index)
                diagnostic = replace(diagnostic, suppressed=_justification(waiver))
                break
        out.append(diagnostic)
    if loaded.unit is not None:
        for index, waiver in loaded.waivers:
            in_scope = waiver.model == model and (waiver.environment == "*" or waiver.environment in environments)
            if in_scope and index not in used:
                base = Finding(
                    WAIVER_UNUSED,
                    Severity.WARNING,
                    f"waiver of {waiver.rule} for {waiver.model}/{waiver.environment}"
                    + (f" at `{waiver.path}`" if waiver.path else "")
                    + " matched no finding",
                    ("waivers", index),
                    "remove it, or correct its rule, environment or path",
                )
                out.append(loaded.unit.diagnostic(base))
    return tuple(out)


def _matches(waiver: Waiver, item: _Raised, model: str) -> bool:
    d = item.diagnostic
    if waiver.rule != d.code or waiver.model != model:
        return False
    if waiver.environment not in ("*", item.environment):
        return False
    if waiver.path is None:
        return True
    target = waiver.path.strip()
    if item.rendered and target in (item.rendered, d.file):
        return True
    path = d.dotted_path()
    return path == target or path.startswith((target + ".", target + "["))


def _justification(waiver: Waiver) -> str:
    return f"{waiver.reason} (owner {waiver.owner}, ticket {waiver.ticket}, expires {waiver.expires.isoformat()})"


def options_with_policy(options: Options, policy: str | None) -> Options:
    """The CLI's `--policy FILE`: an explicit policy file instead of the walk up from each spec."""
    return replace(options, policy_file=Path(policy)) if policy else options
