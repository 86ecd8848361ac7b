"""RND003: secret-looking KServe env variables come from a Secret, never a plain value."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import RenderedFile
from mlopsc.policies.base import FileFinding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.rules._kserve import containers, is_inference_service
from mlopsc.policies.secret_scan import fingerprint, is_secret_key


class KServeEnvSecrets(RuleInfo):
    id: ClassVar[str] = "RND003"
    title: ClassVar[str] = "No plain env secrets in KServe"
    description: ClassVar[str] = (
        "In every rendered KServe InferenceService, an environment variable whose name looks like a secret "
        "(`*_PASSWORD`, `*_TOKEN`, `*_SECRET`, `*_API_KEY`...) must take its value from a Kubernetes Secret "
        "(`valueFrom.secretKeyRef`), never from a plain `value`, whatever that value looks like: a plain value "
        "is readable by anyone who can read the resource, and lands in GitOps repositories and `kubectl get -o "
        "yaml` output. In the spec, write `{secret: <name>}`. A value SEC001 already reported in the spec is "
        "not reported again for each environment's copy: one cause, one finding."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    security: ClassVar[bool] = True

    def check_file(self, file: RenderedFile, ctx: PolicyContext) -> Iterator[FileFinding]:
        if not is_inference_service(file):
            return
        assert isinstance(file.body, dict)
        for path, container in containers(file.body):
            env = container.get("env")
            if not isinstance(env, list):
                continue
            for i, item in enumerate(env):
                if not isinstance(item, Mapping):
                    continue
                name, value = item.get("name"), item.get("value")
                if not (isinstance(name, str) and isinstance(value, str) and value and is_secret_key(name)):
                    continue
                if fingerprint(value) not in ctx.spec_fingerprints:  # else SEC001 reported it in the spec
                    yield FileFinding(
                        f"env `{name}` looks like a secret but is set with a plain `value`",
                        (*path, "env", i, "value"),
                        f"write `{name}: {{secret: <name>}}` in serving.env, with a `secrets:` entry",
                        fingerprint(value),  # the value is a secret: masked wherever the line is quoted
                    )
