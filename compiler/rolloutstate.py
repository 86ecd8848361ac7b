"""The decided rollout: which versions are deployed, what share of traffic each answers or sees.

Rule R005 (``rules/rollout.py``) decides ``rollout.traffic``; ``rollout_state`` turns the spec and that
decision into one ``RolloutState`` in ``Derived.rollout``. Every target translates this state and never
decides it again; ``mlopsc rollout next|promote|abort``, ``diff`` and the PR summary read the same state.

The semantics (one place):

- ``traffic`` is where the rollout stands: the new version's *live* share (canary, blue-green, A/B),
  or its *mirrored* share for shadow (copies of requests; its responses are discarded and the previous
  version keeps answering 100% of live traffic).
- The previous version is deployed beside the new one whenever ``rollout.previous`` is set and the
  strategy is not all-at-once (at 100% it is kept deployed with no traffic, so a rollback is a traffic
  change, not a redeploy). All-at-once, or no previous version: the new version alone, at 100%.
- ``next()``: the first of ``rollout.steps`` above ``traffic``; ``promote()``: 100 (the previous
  version no longer serves); ``abort()``: 0 (all live traffic back on the previous version, the new one
  kept deployed with 0% so it can be looked at). A shadow rollout is not promoted by traffic (100%
  mirrored still answers nobody): promoting it is a strategy change, refused here with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from mlopsc.compiler.spec.vocabulary import RollbackAlarm, Strategy

if TYPE_CHECKING:
    from mlopsc.compiler.spec.typed import Mirrors, Spec

LIVE_SPLIT_STRATEGIES = (Strategy.CANARY, Strategy.BLUE_GREEN, Strategy.AB)


class Role(StrEnum):
    NEW = "new"
    PREVIOUS = "previous"


class RolloutRefused(Exception):
    """The move cannot be made; the message reads after the environment's name ("`prod` has no ...")."""


@dataclass(frozen=True)
class ServingArtifact:
    uri: str
    digest: str | None
    mirrors: Mirrors

    def location(self, platform: str) -> str:
        """What `platform` reads: its mirror when the spec gives one, else `uri`."""
        mirror: str | None = getattr(self.mirrors, platform)
        return mirror if mirror is not None else self.uri


@dataclass(frozen=True)
class ServingVersion:
    """One deployed version and its shares (percent, 0-100)."""

    role: Role
    version: str
    artifact: ServingArtifact
    live_share: int  # percent of live traffic it answers
    mirrored_share: int  # percent of live traffic copied to it (responses discarded)

    @property
    def serving(self) -> bool:
        """It answers or sees some traffic (a deployed version at 0% is kept for a rollback)."""
        return self.live_share > 0 or self.mirrored_share > 0


@dataclass(frozen=True)
class RolloutState:
    """Where a rollout stands; `versions` are the versions to deploy, the new one first."""

    strategy: Strategy
    versions: tuple[ServingVersion, ...]
    steps: tuple[int, ...]
    traffic: int  # the new version's live share, or its mirrored share for shadow
    rollback_on: tuple[RollbackAlarm, ...]
    replaces: str | None = None  # the live version before this rollout (`rollout.previous.version`), deployed or not

    # --- what a platform translates ----------------------------------------------------------------------

    @property
    def new(self) -> ServingVersion:
        return self.versions[0]

    @property
    def previous(self) -> ServingVersion | None:
        """The previous version when it is deployed (set, and the strategy is not all-at-once)."""
        return self.versions[1] if len(self.versions) > 1 else None

    @property
    def retires(self) -> str | None:
        """The live version this rollout takes out of service at once (all-at-once with a previous version):
        a platform that keeps versions deployed undeploys it."""
        return self.replaces if self.previous is None else None

    @property
    def live_split(self) -> bool:
        """Live traffic is divided between the two versions: the previous one is deployed and the new
        one answers less than all of it (0 included: blue-green before its switch, an aborted canary)."""
        return self.previous is not None and self.strategy in LIVE_SPLIT_STRATEGIES and self.new.live_share < 100

    @property
    def mirrored(self) -> tuple[ServingVersion, ...]:
        """The versions that receive a copy of live traffic (the shadow at a share above 0)."""
        return tuple(v for v in self.versions if v.mirrored_share > 0)

    @property
    def shadow(self) -> bool:
        """A shadow rollout with a live previous version (traffic may be mirrored, 0% included)."""
        return self.strategy is Strategy.SHADOW and self.previous is not None

    @property
    def kept(self) -> tuple[ServingVersion, ...]:
        """The versions a platform that bills every deployed replica keeps deployed (Vertex AI's
        DeployedModels): those that answer or see traffic, and blue-green's new version waiting at 0%
        for its switch. A version idle otherwise is taken out: the previous one once promoted (100%),
        the new one once aborted (0%, canary or A/B). Their live shares add up to 100."""
        return tuple(
            v for v in self.versions if v.serving or (v.role is Role.NEW and self.strategy is Strategy.BLUE_GREEN)
        )

    @property
    def later_steps(self) -> tuple[int, ...]:
        """`rollout.steps` above where the rollout stands."""
        return tuple(s for s in self.steps if s > self.traffic)

    def live_shares(self) -> dict[Role, int]:
        return {v.role: v.live_share for v in self.versions}

    # --- moves (pure: each returns the moved state) ------------------------------------------------------

    def at(self, traffic: int) -> RolloutState:
        """The same rollout standing at `traffic` (the new version's live, or mirrored, share)."""
        return replace(self, traffic=traffic, versions=_shares(self.strategy, self.new, self.previous, traffic))

    def next(self) -> RolloutState:
        self._movable()
        if not self.steps:
            raise RolloutRefused("has no `rollout.steps` to move along")
        later = self.later_steps
        if not later:
            raise RolloutRefused(
                f"is at {self.traffic}%, the last of its steps {list(self.steps)}: "
                "`mlopsc rollout promote` ends the rollout"
            )
        return self.at(later[0])

    def promote(self) -> RolloutState:
        self._movable()
        if self.strategy is Strategy.SHADOW:
            raise RolloutRefused(
                "is a shadow rollout: the new version answers nobody however much traffic is mirrored to it, so "
                "it is promoted by a strategy change (`rollout.strategy: blue-green` with `traffic: 100`, or "
                "`canary` to shift live traffic gradually), not by `rollout promote`"
            )
        return self.at(100)

    def abort(self) -> RolloutState:
        self._movable()
        return self.at(0)

    def _movable(self) -> None:
        if self.strategy is Strategy.ALL_AT_ONCE:
            raise RolloutRefused("rolls out all-at-once: there is no traffic to move")
        if self.previous is None:
            raise RolloutRefused("has no `rollout.previous`: there is no live version to shift traffic from")


def _shares(
    strategy: Strategy, new: ServingVersion, previous: ServingVersion | None, traffic: int
) -> tuple[ServingVersion, ...]:
    if previous is None:
        return (replace(new, live_share=100, mirrored_share=0),)
    if strategy is Strategy.SHADOW:
        return (
            replace(new, live_share=0, mirrored_share=traffic),
            replace(previous, live_share=100, mirrored_share=0),
        )
    return (
        replace(new, live_share=traffic, mirrored_share=0),
        replace(previous, live_share=100 - traffic, mirrored_share=0),
    )


def rollout_state(spec: Spec, strategy: Strategy, traffic: int) -> RolloutState:
    """The state R001 (strategy) and R005 (traffic) decided for this spec."""
    artifact = spec.model.artifact
    new = ServingVersion(
        Role.NEW, spec.model.version, ServingArtifact(artifact.uri, artifact.digest, artifact.mirrors), 100, 0
    )
    given = spec.rollout.previous
    previous = None
    if given is not None and strategy is not Strategy.ALL_AT_ONCE:
        old = given.artifact
        previous = ServingVersion(Role.PREVIOUS, given.version, ServingArtifact(old.uri, old.digest, old.mirrors), 0, 0)
    return RolloutState(
        strategy=strategy,
        versions=_shares(strategy, new, previous, traffic),
        steps=tuple(spec.rollout.steps),
        traffic=traffic,
        rollback_on=tuple(spec.rollout.rollback.on),
        replaces=given.version if given is not None else None,
    )
