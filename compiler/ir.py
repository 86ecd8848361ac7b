"""The frozen records passed between passes (see passes/__init__.py for the pipeline).

    Parsed --validate--> Validated --decide--> Decided --resolve--> Resolved --emit--> Emitted

Every record carries the compile ``Unit`` (the source file and the position of every node) and
the diagnostics of every pass so far; a pass that adds an error stops the pipeline.
Rules and targets report ``Finding``s with a path into the *effective* spec; ``Unit.diagnostic``
is the one place that turns a finding into a positioned ``Diagnostic``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar

from mlopsc.compiler.diagnostics import INTERNAL_ERROR, Diagnostic, Severity
from mlopsc.compiler.source import Path_, PositionMap, SourceFile, environment_path, locate

if TYPE_CHECKING:
    from mlopsc.compiler.registry import RegistryEntry
    from mlopsc.compiler.rolloutstate import RolloutState
    from mlopsc.compiler.spec.typed import Spec
    from mlopsc.compiler.spec.vocabulary import Strategy

_T = TypeVar("_T")

Json = None | bool | int | float | str | list["Json"] | dict[str, "Json"]


def _today() -> date:
    from mlopsc.compiler.clock import today

    return today()


@dataclass(frozen=True)
class Options:
    """What the user asked for on the command line; the same for every spec of a run."""

    targets: tuple[str, ...] = ()  # empty: every platform the spec configures
    environments: tuple[str, ...] = ()  # empty: every environment
    kserve_crd: tuple[Path, ...] = ()  # CRD files or folders to validate KServe output against
    kserve_runtimes: tuple[Path, ...] = ()  # the cluster's (Cluster)ServingRuntimes to check runtime selection
    today: date = field(default_factory=_today)  # approvals expire against this day (UTC, the run's clock)
    now: datetime | None = None  # the run's instant (UTC); None: `instant()` decides

    def instant(self) -> datetime:
        """The run's instant in UTC: `now` when given; else the clock's, when it falls on `today`; else the
        end of `today` (a caller that fixed only the day compares instants against that whole day)."""
        if self.now is not None:
            return self.now
        from datetime import UTC, time

        from mlopsc.compiler.clock import now

        current = now()
        return current if current.date() == self.today else datetime.combine(self.today, time(23, 59, 59), UTC)

    policy_file: Path | None = None  # --policy: org policy file; None: `.mlopsc/policy.yaml` found above each spec
    rendered_root: str = "rendered"  # --out: where rendered files are reported (policy findings in them)
    exclude: tuple[str, ...] = ()  # --exclude: folder patterns discovery does not search (reported)


@dataclass(frozen=True)
class Finding:
    """A problem found by a rule or target, located by a path into the effective spec."""

    code: str
    severity: Severity
    message: str
    path: Path_ = ()
    hint: str = ""


@dataclass(frozen=True)
class Unit:
    """One spec file being compiled."""

    source: SourceFile
    positions: PositionMap
    document: Mapping[str, object] | None = None  # as written, environments included (None: not a mapping)

    def crash(self, what: str, exc: BaseException) -> Diagnostic:
        """A rule, target or policy that raised: reported with the reserved code, never a traceback."""
        return self.diagnostic(
            Finding(
                INTERNAL_ERROR,
                Severity.ERROR,
                f"{what} crashed: {type(exc).__name__}: {exc}",
                (),
                "please report this with the spec that caused it",
            )
        )

    def diagnostic(self, finding: Finding, environment: str | None = None, at_key: bool = False) -> Diagnostic:
        """Position a finding: an environment's path maps back to where its value was written."""
        path = environment_path(finding.path, environment, self.positions) if environment else finding.path
        pos = locate(self.positions, path, prefer_key=at_key)
        declared = environment is not None and self.positions.has(("environments", environment))
        message = finding.message
        environments: tuple[str, ...] = ()
        if declared and environment is not None and path[:1] != ("environments",):
            environments = (environment,)  # a base value: say which environments it fails in
        return Diagnostic(
            file=self.source.path,
            line=pos.line,
            col=pos.col,
            end_col=pos.end_col,
            code=finding.code,
            severity=finding.severity,
            message=message,
            hint=finding.hint,
            path=finding.path,
            environments=environments,
        )


@dataclass(frozen=True)
class Parsed:
    unit: Unit
    document: Mapping[str, object]
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class Environment:
    """One environment's effective spec (base with the environment's overrides merged in)."""

    name: str
    spec: Spec
    document: Mapping[str, object]  # the merged plain document, as `explain` prints it
    # the environment's overrides as written; None when the spec declares no `environments`
    override: Mapping[str, object] | None = None


@dataclass(frozen=True)
class Validated:
    unit: Unit
    environments: tuple[Environment, ...]
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class DecisionInput:
    path: str
    value: Json
    line: int
    col: int


@dataclass(frozen=True)
class Decision:
    """What a decision rule (or a target's resolver) decided, from which inputs, and why."""

    rule: str
    field: str  # dotted name of what was decided, e.g. "serving.replicas.max"
    value: Json
    reason: str
    inputs: tuple[DecisionInput, ...] = ()
    kind: Literal["default", "derived", "assumption", "resolved", "mapping"] = "derived"


@dataclass(frozen=True)
class Derived:
    """Values the decision rules derive; targets read these, never re-derive them."""

    strategy: Strategy
    replicas_min: int
    replicas_max: int
    rps_per_replica: float
    startup_timeout_s: int  # how long a replica may take to load the model
    readiness_initial_delay_s: int
    latency_alert_ms: float | None  # p95 above this for latency_alert_minutes pages/alerts
    latency_alert_minutes: int
    error_rate_alert: float
    error_rate_page: float
    drift_monitor: float
    drift_investigate: float
    drift_retrain: float
    quality_investigate_drop: float
    quality_retrain_drop: float
    traffic: int  # percent on the new version (mirrored percent for shadow); == rollout.traffic
    rollout: RolloutState  # the versions to deploy and each one's live and mirrored share (rolloutstate.py)

    @property
    def instances_min(self) -> int:
        """The replica floor where a platform runs at least one instance (`replicas.min: 0` is refused or
        warned about by the capability check, passes/capabilities.py, before a target reads this)."""
        return max(1, self.replicas_min)


@dataclass(frozen=True)
class Plan:
    """One environment, decided: the spec, what the rules derived, and the record of why."""

    environment: str
    spec: Spec
    derived: Derived
    decisions: tuple[Decision, ...]
    document: Mapping[str, object]
    # the environment's overrides as written; None when the spec declares no `environments` (see Environment)
    override: Mapping[str, object] | None = None
    registry: RegistryEntry | None = None  # attached by the emit pass (registryfiles.attach), read by targets

    @property
    def model_name(self) -> str:
        return self.spec.metadata.name


@dataclass(frozen=True)
class Decided:
    unit: Unit
    plans: tuple[Plan, ...]
    options: Options
    diagnostics: tuple[Diagnostic, ...] = ()


class TargetStack(Protocol):
    """A target's own resolved components (a frozen dataclass per target, e.g. targets/kserve/stack.py): emit
    reads its typed attributes; `explain`, the IR printer and policies iterate `items()`."""

    def items(self) -> Iterable[tuple[str, str]]: ...


class StackItems:
    """`items()` for a target's frozen stack dataclass: each field that is set, as (name, value), in field order."""

    def items(self) -> Iterator[tuple[str, str]]:
        for name, value in vars(self).items():  # a dataclass's __init__ sets the fields in their order
            if value is not None:
                yield name, str(value)


def typed_stack(stack: Stack, kind: type[_T]) -> _T:
    """The target's own typed stack inside `stack` (each target's stack class has an `of` calling this)."""
    if not isinstance(stack.typed, kind):
        raise AssertionError(f"{stack.target}: expected a {kind.__name__}, got {type(stack.typed).__name__}")
    return stack.typed


def required(value: str | None, name: str) -> str:
    """A component resolve sets on every stack it returns (a stack is only returned without errors)."""
    if value is None:
        raise AssertionError(f"resolve returned a stack without `{name}`")
    return value


@dataclass(frozen=True)
class Stack:
    """What a target resolved for one plan: its typed components (`typed`), each recorded as a decision."""

    target: str
    environment: str
    typed: TargetStack  # e.g. KServeStack(namespace=..., runtime=...): the target's own frozen dataclass
    decisions: tuple[Decision, ...] = ()

    def items(self) -> Iterable[tuple[str, str]]:
        """The components as (name, value) pairs, for `explain`, the IR printer and policies."""
        return self.typed.items()


@dataclass(frozen=True)
class Resolved:
    unit: Unit
    plans: tuple[Plan, ...]
    stacks: tuple[Stack, ...]
    options: Options
    diagnostics: tuple[Diagnostic, ...] = ()


Format = Literal["yaml", "json", "text"]


@dataclass(frozen=True)
class Document:
    """One file a target renders, as data: the emit pass serialises it with the generated header."""

    name: str  # file name inside the platform folder, e.g. "inferenceservice.yaml"
    kind: str  # what it is, e.g. "InferenceService", "CloudFormation", "Model"
    format: Format
    body: Json  # for format "text": a str


@dataclass(frozen=True)
class RenderedFile:
    path: str  # posix, relative to --out: <env>/<model>/<platform>/<name>
    content: str
    platform: str
    environment: str
    model: str
    kind: str
    body: Json = None  # the data before serialisation, for validators and tests


@dataclass(frozen=True)
class Emitted:
    unit: Unit
    plans: tuple[Plan, ...]
    stacks: tuple[Stack, ...]
    files: tuple[RenderedFile, ...]
    options: Options
    diagnostics: tuple[Diagnostic, ...] = ()
