"""Semantic diff of two renders: what changed per `<env>/<model>/<platform>`, in a reviewer's words.

Each rendered document is flattened to leaf paths (`spec.predictor.minReplicas`; list items keyed by
their `name`/`alert`/`id` when they have one: `rules[FraudDetectionLatencyHigh].expr`) and compared:

- traffic: when any field that carries the traffic split changed (KServe `canaryTrafficPercent`,
  InferenceGraph weights, SageMaker variant weights, Vertex `trafficSplit` and apply.json's
  `traffic_split`, Azure ML `traffic` /
  `mirror_traffic`) and the environment's derived traffic moved, the platform says it once:
  `canary 5% -> 25%`. A canary step is therefore exactly one line per platform.
- SageMaker's content-hashed names (EndpointConfigName, ModelName) are not reported: they change exactly
  when a reported field does; a variant's instance count that follows its share is part of the move;
- a small table of fields reviewers care about (replicas, instance counts and types, images,
  artifacts, thresholds, schedules, cpu/memory/gpu) gets a name: `instance count 2 -> 4`;
- resources added or removed: a file, a CloudFormation resource (`new alarm <AlarmName>`), a keyed
  list item (`new alert FraudDetectionDriftRetrain`);
- descriptions and summaries that restate values: only "wording of descriptions changed", and only
  when nothing else changed;
- anything else: `field a.b x -> y` (identical moves in several fields are said once, with a count);
  a text file (README, script) says how many lines changed, except when the traffic moved and every
  changed line speaks of a traffic share (a `%` or the word traffic): that is part of the move.

Headers (which name the spec's digest) and the JSON sidecar are ignored: they change with any edit.
The environment indexes (`<env>/kustomization.yaml`) follow the KServe folders and are not reported.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from mlopsc.compiler.gitops.tree import SIDECAR
from mlopsc.compiler.ir import Json, RenderedFile
from mlopsc.compiler.rolloutstate import RolloutState
from mlopsc.compiler.serialize import GENERATED_MARK

Seg = str
Leaves = dict[tuple[Seg, ...], Json]
ChangeKind = Literal["traffic", "field", "added", "removed"]
Status = Literal["new", "removed", "changed"]

LIST_KEYS = ("name", "alert", "record", "id", "displayName", "AlarmName", "VariantName")
TRAFFIC = re.compile(
    r"(^|\.)(canaryTrafficPercent|InitialVariantWeight|DesiredWeight|weight)$|(^|\.)(trafficSplit|traffic_split|traffic|mirror_traffic)(\.|$)"
)
FIELDS: tuple[tuple[re.Pattern[str], str, bool], ...] = tuple(
    (re.compile(pattern), label, with_context)
    for pattern, label, with_context in (
        (r"(^|\.)(minReplicas|minReplicaCount|min_instances|min_replicas|MinCapacity)$", "min replicas", False),
        (r"(^|\.)(maxReplicas|maxReplicaCount|max_instances|max_replicas|MaxCapacity)$", "max replicas", False),
        (r"(^|\.)InitialInstanceCount$", "instance count", True),
        (r"(^|\.)(instance_count|replicaCount)$", "instance count", False),
        (r"(^|\.)(InstanceType|machineType|instance_type|acceleratorType)$", "instance type", False),
        (r"(^|\.)(image|Image|imageUri|image_uri)$", "image", False),
        (r"(^|\.)(storageUri|ModelDataUrl|artifactUri|model_uri)$", "artifact", False),
        (r"(^|\.)(Threshold|threshold|thresholdValue)$", "threshold", True),
        (r"(^|\.)(scaleTarget|TargetValue)$", "scale target", False),
        (r"(^|\.)(schedule|cron|ScheduleExpression|expression)$", "schedule", True),
        (r"(^|\.)resources\.(limits|requests)\.cpu$|(^|\.)cpu$", "cpu", False),
        (r"(^|\.)resources\.(limits|requests)\.memory$", "memory", False),
        (r"nvidia\.com/gpu$|(^|\.)acceleratorCount$", "gpu", False),
        # the registry stage (compiler/registry.py) and each platform's translation of it
        (r"(^|\.)(stage|mlopsc-stage)$|(^|\.)registry\.mlopsc\.io/stage$|(^|\.)versionAliases\[1\]$", "stage", False),
        (r"(^|\.)(mlopsc-approved|registry\.mlopsc\.io/approved)$", "approved", False),
        (r"(^|\.)ModelApprovalStatus$", "model package approval", False),
        (r"(^|\.)ModelCardStatus$", "model card status", False),
    )
)
# Names that are a hash of their resource's content (SageMaker's immutable Model and EndpointConfig): they
# change exactly when a reported field does, so they are not a change of their own.
HASHED = re.compile(r"(^|\.)(EndpointConfigName|ModelName)$")
# A SageMaker variant's instance count follows its share (targets/sagemaker/rollout.py): part of a traffic move.
SIZED_BY_SHARE = re.compile(r"Variants\[[^\]]+\]\.InitialInstanceCount$")
# Prose that restates a value (alert descriptions): said only when nothing else changed.
PROSE = re.compile(r"(^|\.)(description|summary|AlarmDescription|ApprovalDescription|stage_reason)$")
PROSE_TEXT = "wording of descriptions changed"
PROMQL_THRESHOLD = re.compile(r"^(?P<head>.*?)(?P<op>[<>]=?)\s*(?P<value>-?[0-9.eE+-]+)\s*$", re.S)
CFN_KINDS = {
    "AWS::CloudWatch::Alarm": "alarm",
    "AWS::SageMaker::Endpoint": "endpoint",
    "AWS::SageMaker::EndpointConfig": "endpoint config",
    "AWS::SageMaker::Model": "model",
    "AWS::SageMaker::MonitoringSchedule": "monitoring schedule",
    "AWS::Events::Rule": "schedule rule",
    "AWS::ApplicationAutoScaling::ScalableTarget": "scaling target",
    "AWS::ApplicationAutoScaling::ScalingPolicy": "scaling policy",
}
STRATEGY_WORDS = {"canary": "canary", "blue-green": "blue-green", "shadow": "shadow (mirrored)", "ab": "A/B (B share)"}


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    text: str  # what a reviewer reads: "canary 5% -> 25%", "new alarm fraud-detection-latency"
    field: str = ""  # file and dotted path, for JSON consumers
    old: Json = None
    new: Json = None

    def to_json(self) -> dict[str, Json]:
        return {"kind": self.kind, "text": self.text, "field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class GroupDiff:
    environment: str
    model: str
    platform: str
    status: Status
    changes: tuple[Change, ...]
    files: tuple[str, ...]  # the files (relative to --out) that changed

    @property
    def key(self) -> str:
        return f"{self.environment}/{self.model}/{self.platform}"

    def summary(self) -> str:
        return ", ".join(c.text for c in self.changes)

    def line(self) -> str:
        return f"{self.key}: {self.summary()}"

    def to_json(self) -> dict[str, Json]:
        return {
            "environment": self.environment,
            "model": self.model,
            "platform": self.platform,
            "status": self.status,
            "summary": self.summary(),
            "changes": [c.to_json() for c in self.changes],
            "files": list(self.files),
        }


@dataclass(frozen=True)
class Traffic:
    """An environment's rollout as decided (Derived.rollout): strategy and percent on the new version."""

    strategy: str
    percent: int
    state: RolloutState | None = None  # the whole decided state: each version's live and mirrored share

    @classmethod
    def of(cls, state: RolloutState) -> Traffic:
        return cls(str(state.strategy), state.traffic, state)


@dataclass(frozen=True)
class SemanticDiff:
    base: str  # the ref compared against
    groups: tuple[GroupDiff, ...]
    notes: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [g.line() for g in self.groups] or [f"no rendered change against {self.base}"]
        return "\n".join([*lines, *(f"note: {n}" for n in self.notes)]) + "\n"

    def markdown(self) -> str:
        if not self.groups:
            body = [f"No rendered change against `{self.base}`."]
        else:
            body = []
            by_model: dict[tuple[str, str], list[GroupDiff]] = defaultdict(list)
            for g in self.groups:
                by_model[(g.model, g.environment)].append(g)
            for (model, env), groups in sorted(by_model.items()):
                body += [f"#### `{model}` in `{env}`", "", "| platform | what changes |", "|---|---|"]
                body += [f"| {g.platform} | {md_cell(g.summary())} |" for g in groups]
                body.append("")
        body += [f"> note: {md_cell(n)}" for n in self.notes]
        return "\n".join(body).rstrip("\n") + "\n"

    def to_json(self) -> str:
        data: dict[str, Json] = {
            "base": self.base,
            "groups": [g.to_json() for g in self.groups],
            "notes": list(self.notes),
        }
        return json.dumps(data, indent=2, sort_keys=True) + "\n"


def md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def semantic_diff(
    base: Iterable[RenderedFile],
    head: Iterable[RenderedFile],
    base_traffic: Mapping[tuple[str, str], Traffic],
    head_traffic: Mapping[tuple[str, str], Traffic],
    base_name: str,
    notes: tuple[str, ...] = (),
) -> SemanticDiff:
    """Compare two renders (file lists as `compile_paths` returns them) group by group."""
    old_groups = _groups(base)
    new_groups = _groups(head)
    out: list[GroupDiff] = []
    for key in sorted(set(old_groups) | set(new_groups)):
        env, model, platform = key
        old, new = old_groups.get(key, {}), new_groups.get(key, {})
        if not old:
            out.append(GroupDiff(env, model, platform, "new", _whole(new, "added"), _paths(key, new)))
            continue
        if not new:
            out.append(GroupDiff(env, model, platform, "removed", _whole(old, "removed"), _paths(key, old)))
            continue
        moved = _traffic_move(base_traffic.get((env, model)), head_traffic.get((env, model)))
        changes, files = _compare_group(key, old, new, moved)
        if changes:
            out.append(GroupDiff(env, model, platform, "changed", changes, files))
    return SemanticDiff(base_name, tuple(out), notes)


def _groups(files: Iterable[RenderedFile]) -> dict[tuple[str, str, str], dict[str, RenderedFile]]:
    groups: dict[tuple[str, str, str], dict[str, RenderedFile]] = defaultdict(dict)
    for f in files:
        parts = f.path.split("/")
        if len(parts) == 4 and parts[3] != SIDECAR:
            groups[(parts[0], parts[1], parts[2])][parts[3]] = f
    return groups


def _paths(key: tuple[str, str, str], files: Mapping[str, RenderedFile]) -> tuple[str, ...]:
    return tuple(f"{'/'.join(key)}/{name}" for name in sorted(files))


def _whole(files: Mapping[str, RenderedFile], kind: ChangeKind) -> tuple[Change, ...]:
    word = "new" if kind == "added" else "removed"
    return tuple(Change(kind, f"{word} {_describe_file(f)}", name) for name, f in sorted(files.items()))


def _describe_file(f: RenderedFile) -> str:
    name = f.path.rsplit("/", 1)[-1]
    ident = _identity(f.body)
    return f"{f.kind} {ident}" if ident else f"{f.kind} ({name})"


def _identity(body: Json) -> str:
    if isinstance(body, dict):
        meta = body.get("metadata")
        if isinstance(meta, dict) and isinstance(meta.get("name"), str):
            return str(meta["name"])
        for key in ("displayName", "name"):
            if isinstance(body.get(key), str):
                return str(body[key])
    return ""


def _traffic_move(old: Traffic | None, new: Traffic | None) -> Change | None:
    if old is None or new is None or old.percent == new.percent:
        return None
    word = STRATEGY_WORDS.get(new.strategy, "traffic")
    if old.strategy != new.strategy:
        word = f"{old.strategy} -> {new.strategy}: traffic"
    return Change("traffic", f"{word} {old.percent}% -> {new.percent}%", "rollout.traffic", old.percent, new.percent)


def _compare_group(
    key: tuple[str, str, str],
    old: Mapping[str, RenderedFile],
    new: Mapping[str, RenderedFile],
    moved: Change | None,
) -> tuple[tuple[Change, ...], tuple[str, ...]]:
    changes: list[Change] = []
    files: list[str] = []
    traffic_touched = False
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        path = f"{'/'.join(key)}/{name}"
        if before is None and after is not None:
            changes.append(Change("added", f"new {_describe_file(after)}", name))
            files.append(path)
            continue
        if after is None and before is not None:
            changes.append(Change("removed", f"removed {_describe_file(before)}", name))
            files.append(path)
            continue
        assert before is not None and after is not None
        if isinstance(before.body, dict | list) and isinstance(after.body, dict | list):
            found, touched = _compare_bodies(name, before.body, after.body, moved is not None)
            traffic_touched |= touched
        else:
            found = _compare_text(name, before.content, after.content)
            if found and moved is not None and _only_traffic_lines(before.content, after.content):
                found, traffic_touched = [], True
        if _strip_header(before.content) != _strip_header(after.content):
            files.append(path)
        changes.extend(found)
    if moved is not None and traffic_touched:
        changes.insert(0, moved)
    if any(c.text != PROSE_TEXT for c in changes):
        changes = [c for c in changes if c.text != PROSE_TEXT]
    return tuple(_dedupe(changes)), tuple(files)


def _compare_text(name: str, before: str, after: str) -> list[Change]:
    old, new = _strip_header(before).splitlines(), _strip_header(after).splitlines()
    if old == new:
        return []
    changed = sum(1 for a, b in zip(old, new, strict=False) if a != b) + abs(len(old) - len(new))
    return [Change("field", f"{name}: {changed} line{'s' if changed != 1 else ''} changed", name)]


def _only_traffic_lines(before: str, after: str) -> bool:
    """Whether every changed line of a text file (a README, a script) speaks of a traffic share."""
    old, new = _strip_header(before).splitlines(), _strip_header(after).splitlines()
    changed = [
        line
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
        if tag != "equal"
        for line in (*old[i1:i2], *new[j1:j2])
    ]
    return bool(changed) and all("%" in line or "traffic" in line.lower() for line in changed)


def _strip_header(text: str) -> str:
    """The text without mlopsc's header (first line, or second after a `#!` line): it names the digest."""
    lines = text.split("\n")
    return "\n".join(line for i, line in enumerate(lines) if not (i < 2 and GENERATED_MARK in line))


def _compare_bodies(name: str, before: Json, after: Json, traffic_moved: bool) -> tuple[list[Change], bool]:
    old, new = flatten(before), flatten(after)
    old_prefixes, new_prefixes = _prefixes(old), _prefixes(new)
    changes: list[Change] = []
    touched = False
    sides: tuple[tuple[Leaves, set[tuple[Seg, ...]], ChangeKind], ...] = (
        (new, old_prefixes, "added"),
        (old, new_prefixes, "removed"),
    )
    for leaves, other, kind in sides:
        for entity in _entities(leaves, other):
            dotted = _dotted(entity)
            if traffic_moved and TRAFFIC.search(dotted):
                touched = True
                continue
            changes.append(Change(kind, _entity_text(entity, leaves, kind), f"{name}:{dotted}"))
    for path in sorted(set(old) & set(new)):
        if old[path] == new[path]:
            continue
        dotted = _dotted(path)
        if traffic_moved and (TRAFFIC.search(dotted) or SIZED_BY_SHARE.search(dotted)):
            touched = True
            continue
        if HASHED.search(dotted):
            continue
        if PROSE.search(dotted):
            changes.append(Change("field", PROSE_TEXT, f"{name}:{dotted}", old[path], new[path]))
            continue
        changes.append(_field_change(name, path, old[path], new[path]))
    return changes, touched


def flatten(body: Json, prefix: tuple[Seg, ...] = ()) -> Leaves:
    """Leaf paths of a document; list items keyed by their name-like field when every item has one."""
    out: Leaves = {}
    if isinstance(body, dict):
        if not body:
            out[prefix] = {}
        for key, value in body.items():
            out.update(flatten(value, (*prefix, str(key))))
    elif isinstance(body, list):
        if not body:
            out[prefix] = []
        id_key = _list_key(body)
        for index, item in enumerate(body):
            seg = f"[{item[id_key]}]" if id_key is not None and isinstance(item, dict) else f"[{index}]"
            out.update(flatten(item, (*prefix, seg)))
    else:
        out[prefix] = body
    return out


def _list_key(items: list[Json]) -> str | None:
    for key in LIST_KEYS:
        values = [item.get(key) for item in items if isinstance(item, dict)]
        if (
            len(values) == len(items)
            and all(isinstance(v, str) for v in values)
            and len(set(map(str, values))) == len(values)
        ):
            return key
    return None


def _prefixes(leaves: Leaves) -> set[tuple[Seg, ...]]:
    return {path[:i] for path in leaves for i in range(len(path) + 1)}


def _entities(leaves: Leaves, other: set[tuple[Seg, ...]]) -> list[tuple[Seg, ...]]:
    """The outermost paths that exist on this side only (a resource, a list item, a field)."""
    found: set[tuple[Seg, ...]] = set()
    for path in leaves:
        for i in range(len(path)):
            if path[: i + 1] not in other:
                found.add(path[: i + 1])
                break
    return sorted(found)


def _entity_text(entity: tuple[Seg, ...], leaves: Leaves, kind: str) -> str:
    word = "new" if kind == "added" else "removed"
    if len(entity) == 2 and entity[0] == "Resources":
        rtype = leaves.get((*entity, "Type"))
        label = CFN_KINDS.get(str(rtype), str(rtype) if rtype else "resource")
        name = leaves.get((*entity, "Properties", "AlarmName")) or entity[1]
        return f"{word} {label} {name}"
    last = entity[-1]
    if last.startswith("[") and not last[1:-1].isdigit():
        container = entity[-2] if len(entity) > 1 else "item"
        label = "alert" if (*entity, "alert") in leaves else _singular(container)
        return f"{word} {label} {last[1:-1]}"
    value = leaves.get(entity)
    if kind == "added" and entity in leaves:
        return f"new field {_dotted(entity)} = {_show(value)}"
    return f"{word} field {_dotted(entity)}"


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _field_change(name: str, path: tuple[Seg, ...], old: Json, new: Json) -> Change:
    dotted = _dotted(path)
    field = f"{name}:{dotted}"
    context = _context(path)
    if path and path[-1] == "expr" and isinstance(old, str) and isinstance(new, str):
        a, b = PROMQL_THRESHOLD.match(old), PROMQL_THRESHOLD.match(new)
        if a and b and a["head"] == b["head"] and a["op"] == b["op"]:
            return Change("field", f"{context} threshold {a['value']} -> {b['value']}", field, old, new)
        return Change("field", f"{context} expression changed", field, old, new)
    for pattern, label, with_context in FIELDS:
        if pattern.search(dotted):
            text = f"{context} {label}" if with_context and context else label
            return Change("field", f"{text} {_show(old)} -> {_show(new)}", field, old, new)
    return Change("field", f"field {dotted} {_show(old)} -> {_show(new)}", field, old, new)


def _context(path: tuple[Seg, ...]) -> str:
    """The name of the thing a field belongs to: a keyed list item, or a CloudFormation resource."""
    for i in range(len(path) - 2, -1, -1):
        seg = path[i]
        if seg.startswith("[") and not seg[1:-1].isdigit():
            if i > 0 and path[i - 1].endswith("Variants"):  # a SageMaker variant, keyed by its VariantName
                return f"variant {seg[1:-1]}"
            return f"alert {seg[1:-1]}" if path[-1] == "expr" else seg[1:-1]
    if len(path) > 2 and path[0] == "Resources":
        return path[1]
    return ""


def _dedupe(changes: list[Change]) -> list[Change]:
    """Say a change once: identical texts merge; one generic move in many fields gets a count."""
    seen: dict[str, Change] = {}
    generic: dict[tuple[str, str], list[Change]] = defaultdict(list)
    order: list[str | tuple[str, str]] = []
    for c in changes:
        if c.text.startswith("field ") and c.kind == "field":
            pair = (json.dumps(c.old, sort_keys=True), json.dumps(c.new, sort_keys=True))
            if pair not in generic:
                order.append(pair)
            generic[pair].append(c)
        elif c.text not in seen:
            seen[c.text] = c
            order.append(c.text)
    out: list[Change] = []
    for item in order:
        if isinstance(item, str):
            out.append(seen[item])
            continue
        group = generic[item]
        first = group[0]
        if len(group) == 1:
            out.append(first)
        else:
            where = first.field.split(":", 1)[-1]
            text = f"{_show(first.old)} -> {_show(first.new)} in {len(group)} fields ({where}, ...)"
            out.append(Change("field", text, first.field, first.old, first.new))
    return out


def _dotted(path: tuple[Seg, ...]) -> str:
    out = ""
    for seg in path:
        out += seg if seg.startswith("[") or not out else f".{seg}"
    return out


def _show(value: Json) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "none"
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= 60 else text[:57] + "..."
