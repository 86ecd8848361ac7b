"""What a platform can do, as data (sqlglot dialects declare their flags the same way).

Each target class declares ``capabilities: ClassVar[Capabilities]``. Every flag names the vendor source it
comes from. ``compiler/passes/capabilities.py`` is the one place that compares the decided state (the
rollout model in ``Derived.rollout``, the replicas) with a target's table and reports what the platform
cannot do, with the ``Refusal`` declared here (code, message, alternatives); targets do not refuse these
on their own. ``mlopsc targets --capabilities`` prints the tables; ``docs/targets/capabilities.md`` is
generated from them.

A ``Refusal``'s message and alternatives are ``str.format`` templates over: ``strategy``, ``traffic``
(the decided ``rollout.traffic``), ``max`` (the flag's limit) and ``replicas_min``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.source import Path_
from mlopsc.compiler.spec.vocabulary import Strategy


@dataclass(frozen=True)
class Refusal:
    """What the one check reports when the decided state needs what a flag does not allow."""

    code: str  # the target's existing diagnostic code (stable)
    message: str
    path: Path_
    alternatives: tuple[str, ...] = ()
    hint: str = ""  # used instead of the alternatives when given
    severity: Severity = Severity.ERROR  # WARNING: the platform renders the nearest it can (e.g. a floor of 1)


@dataclass(frozen=True)
class Setting:
    """A platform setting a capability depends on: `path` into the spec must hold `value`."""

    path: tuple[str, ...]  # attribute path into the typed spec, e.g. ("platforms", "kserve", "deployment_mode")
    value: str
    refusal: Refusal


@dataclass(frozen=True)
class Flag:
    supported: bool
    source: str  # the vendor doc page or file the value comes from
    note: str = ""
    refusal: Refusal | None = None  # reported when the decided state needs it and `supported` is False


@dataclass(frozen=True)
class LiveSplit(Flag):
    """Live traffic divided between the new and the previous version."""

    granularity: int = 1  # percent steps the platform accepts
    min_share: int = 0  # smallest share above 0 a version may get
    requires: Setting | None = None  # a setting the split needs, for `requires_for` strategies
    requires_for: tuple[Strategy, ...] = ()


@dataclass(frozen=True)
class Mirroring(Flag):
    """A copy of live traffic sent to the new version (shadow), its responses discarded."""

    max_share: int = 0  # percent of live traffic that can be mirrored
    one_target_only: bool = True  # at most one version receives mirrored traffic
    over_max: Refusal | None = None  # reported when the decided mirrored share exceeds max_share


@dataclass(frozen=True)
class PrivateSplits(Flag):
    """Private networking together with a live split. When `supported` is False, the one check refuses a
    rollout that deploys two versions side by side (canary, blue-green, A/B with a previous version)
    while the spec setting at `network` (an attribute path into the typed spec) is set."""

    network: tuple[str, ...] = ()


@dataclass(frozen=True)
class SecretReferences(Flag):
    """How a container gets a secret: `secrets.<name>.<platform>` names it; `missing` is reported per
    serving.env variable whose secret has no reference for this platform (templates over `secret`, `var`)."""

    missing: Refusal | None = None


@dataclass(frozen=True)
class Capabilities:
    live_split: LiveSplit
    mirroring: Mirroring
    scale_to_zero: Flag  # `replicas.min: 0`; a WARNING refusal means "runs 1 instance" (Derived.instances_min)
    grpc: Flag
    private_splits: Flag  # private networking together with a live split
    batch: Flag
    schedules: Flag
    secrets: SecretReferences

    def rows(self) -> tuple[tuple[str, Flag], ...]:
        return (
            ("live split", self.live_split),
            ("mirroring (shadow)", self.mirroring),
            ("scale to zero", self.scale_to_zero),
            ("gRPC", self.grpc),
            ("private networking with splits", self.private_splits),
            ("batch", self.batch),
            ("schedules", self.schedules),
            ("secret references", self.secrets),
        )


def describe(flag: Flag) -> str:
    """One cell of the table: yes/no and the flag's limits."""
    out = "yes" if flag.supported else "no"
    extra: list[str] = []
    if isinstance(flag, LiveSplit) and flag.supported:
        extra.append(f"{flag.granularity}% steps")
        if flag.min_share:
            extra.append(f"min {flag.min_share}%")
        if flag.requires is not None:
            names = "/".join(str(s) for s in flag.requires_for)
            extra.append(f"{names} need `{'.'.join(flag.requires.path)}: {flag.requires.value}`")
    if isinstance(flag, Mirroring) and flag.supported:
        extra.append(f"max {flag.max_share}%")
        if flag.one_target_only:
            extra.append("one target")
    if flag.refusal is not None and not flag.supported:
        extra.append(("warning " if flag.refusal.severity is Severity.WARNING else "refused ") + flag.refusal.code)
    if isinstance(flag, Mirroring) and flag.over_max is not None:
        extra.append(f"above: {flag.over_max.code}")
    if isinstance(flag, SecretReferences) and flag.missing is not None:
        extra.append(f"missing: {flag.missing.code}")
    return out + (f" ({', '.join(extra)})" if extra else "")


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(tables: Sequence[tuple[str, str, Capabilities]]) -> str:
    """docs/targets/capabilities.md's body: one summary table, then each target's flags with sources."""
    names = [name for name, _, _ in tables]
    lines = [
        "| capability | " + " | ".join(f"`{n}`" for n in names) + " |\n",
        "|---|" + "---|" * len(names) + "\n",
    ]
    for i, (label, _) in enumerate(tables[0][2].rows()):
        lines.append(f"| {label} | " + " | ".join(_escape(describe(c.rows()[i][1])) for _, _, c in tables) + " |\n")
    for name, title, caps in tables:
        lines.append(f"\n## {title} (`{name}`)\n\n| capability | value | note | source |\n|---|---|---|---|\n")
        for label, flag in caps.rows():
            lines.append(f"| {label} | {_escape(describe(flag))} | {_escape(flag.note)} | {_escape(flag.source)} |\n")
    return "".join(lines)


def text(tables: Sequence[tuple[str, str, Capabilities]]) -> str:
    """`mlopsc targets --capabilities`: each target's flags, one line each, with the source."""
    out: list[str] = []
    for name, title, caps in tables:
        out.append(f"{name} ({title})")
        for label, flag in caps.rows():
            out.append(f"  {label:<32} {describe(flag)}")
            if flag.note:
                out.append(f"  {'':<32} {flag.note}")
            out.append(f"  {'':<32} source: {flag.source}")
    return "\n".join(out) + "\n"
