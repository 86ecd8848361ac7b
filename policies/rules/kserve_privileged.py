"""RND002: no privileged KServe containers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity, dotted
from mlopsc.compiler.ir import RenderedFile
from mlopsc.policies.base import FileFinding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.rules._kserve import components, containers, is_inference_service

DANGEROUS_CAPABILITIES = frozenset({"ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE"})
HOST_NAMESPACES = ("hostNetwork", "hostPID", "hostIPC")


class KServePrivileged(RuleInfo):
    id: ClassVar[str] = "RND002"
    title: ClassVar[str] = "No privileged KServe containers"
    description: ClassVar[str] = (
        "In every rendered KServe InferenceService, no container may run privileged "
        "(`securityContext.privileged: true`), allow privilege escalation "
        "(`securityContext.allowPrivilegeEscalation: true`) or add dangerous capabilities (ALL, SYS_ADMIN, "
        "NET_ADMIN, SYS_PTRACE, SYS_MODULE), and no component may share the node's network, PID or IPC namespace "
        "(`hostNetwork`, `hostPID`, `hostIPC`). A model server needs none of these; a compromised one with them "
        "owns the node. Checkov's Kubernetes checks do not look inside InferenceService resources."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    security: ClassVar[bool] = True

    def check_file(self, file: RenderedFile, ctx: PolicyContext) -> Iterator[FileFinding]:
        if not is_inference_service(file):
            return
        assert isinstance(file.body, dict)
        for path, component in components(file.body):
            for name in HOST_NAMESPACES:
                if component.get(name) is True:
                    yield FileFinding(f"{dotted(path)} shares the node's namespace ({name}: true)", (*path, name))
        for path, container in containers(file.body):
            context = container.get("securityContext")
            if not isinstance(context, Mapping):
                continue
            where = (*path, "securityContext")
            if context.get("privileged") is True:
                yield FileFinding(
                    f"container at {dotted(path)} runs privileged", (*where, "privileged"), "remove `privileged`"
                )
            if context.get("allowPrivilegeEscalation") is True:
                yield FileFinding(
                    f"container at {dotted(path)} allows privilege escalation",
                    (*where, "allowPrivilegeEscalation"),
                    "set `allowPrivilegeEscalation: false`",
                )
            caps = context.get("capabilities")
            added = caps.get("add") if isinstance(caps, Mapping) else None
            if isinstance(added, list):
                for i, cap in enumerate(added):
                    if isinstance(cap, str) and cap.upper().removeprefix("CAP_") in DANGEROUS_CAPABILITIES:
                        yield FileFinding(
                            f"container at {dotted(path)} adds capability {cap}",
                            (*where, "capabilities", "add", i),
                        )
