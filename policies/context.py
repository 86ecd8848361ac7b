"""What a policy rule may read besides its plan or file: the run's options, the org policy, the stacks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlopsc.compiler.ir import Options, Plan, RenderedFile, Stack, Unit
from mlopsc.policies.orgpolicy import DEFAULT, LoadedPolicy, PolicySettings


@dataclass(frozen=True)
class PolicyContext:
    unit: Unit
    options: Options
    loaded: LoadedPolicy = DEFAULT
    plans: tuple[Plan, ...] = ()
    stacks: tuple[Stack, ...] = ()
    files: tuple[RenderedFile, ...] = ()
    spec_fingerprints: frozenset[str] = frozenset()  # secrets already reported in the spec itself

    @property
    def policy(self) -> PolicySettings:
        return self.loaded.policy

    @property
    def policy_folder(self) -> Path | None:
        """Where relative paths of the policy file (allowed_signers) are resolved from."""
        folder = self.loaded.folder
        return folder.parent if folder is not None and folder.name == ".mlopsc" else folder

    def stacks_for(self, environment: str) -> tuple[Stack, ...]:
        return tuple(s for s in self.stacks if s.environment == environment)

    def plan_for(self, environment: str) -> Plan | None:
        return next((p for p in self.plans if p.environment == environment), None)
