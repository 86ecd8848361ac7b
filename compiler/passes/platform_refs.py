"""Platform-side secret resolution outside `secrets:` is refused (E117).

Some platforms resolve a reference written in a resource into the secret's plaintext *in that resource*:

* CloudFormation dynamic references, `{{resolve:secretsmanager:...}}`, `{{resolve:ssm-secure:...}}`,
  `{{resolve:ssm:...}}`: CloudFormation substitutes the value when it creates the resource, so a
  SageMaker Model's `Environment` would hold the plaintext, shown by DescribeModel and the console
  (AWS CloudFormation User Guide, "Get values stored in other services using dynamic references":
  "we strongly recommend against including dynamic references ... in resource properties that are
  part of a resource's primary identifier" and the value may be visible in the resource).
* Azure Key Vault references, `@Microsoft.KeyVault(SecretUri=...)` / `(VaultName=...;SecretName=...)`:
  App Service / Functions syntax, resolved into app settings; Azure ML does not resolve it at all, so
  the literal text would reach the container.
* Kubernetes dependent variables, `$(NAME)` where `NAME` is an env var of the spec backed by a secret:
  the kubelet expands it into `command`/`args`/`env` (Kubernetes API reference, Container `args`:
  "Variable references $(VAR_NAME) are expanded using the container's environment"), putting the
  secret on a command line every process on the node can read (`/proc/*/cmdline`).

The spec's own mechanism is `{secret: name}` with a `secrets:` entry per platform, rendered as each
platform's secret injection; those entries may hold store references, so `secrets:` is not scanned here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Finding
from mlopsc.compiler.source import Path_

CODE = "E117"
_RESOLVE = re.compile(r"\{\{\s*resolve\s*:\s*([A-Za-z0-9-]+)", re.IGNORECASE)
_KEY_VAULT = re.compile(r"@Microsoft\.KeyVault\s*\(", re.IGNORECASE)
_DEPENDENT = re.compile(r"(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
_HINT = (
    "use `{secret: <name>}` with an entry under `secrets:` naming the store for each platform "
    "(a Secrets Manager ARN, projects/*/secrets/*, a Key Vault secret URL, a Kubernetes Secret key)"
)


def platform_secret_references(document: Mapping[str, object]) -> list[Finding]:
    secret_vars = _secret_env_names(document)
    out: list[Finding] = []
    for path, value in _strings(document, ()):
        if path[:1] == ("secrets",) or not ("{{" in value or "@" in value or "$(" in value):
            continue  # the substring test first: this runs on every string of every spec (pre-commit)
        m = _RESOLVE.search(value)
        if m:
            out.append(
                Finding(
                    CODE,
                    Severity.ERROR,
                    f"a CloudFormation dynamic reference (`{{{{resolve:{m.group(1)}:...}}}}`) is resolved by "
                    "CloudFormation into the resource itself: the secret's plaintext would be stored in it",
                    path,
                    _HINT,
                )
            )
        elif _KEY_VAULT.search(value):
            out.append(
                Finding(
                    CODE,
                    Severity.ERROR,
                    "an `@Microsoft.KeyVault(...)` reference is App Service syntax: Azure ML does not resolve it, "
                    "and where it is resolved the plaintext lands in the resource's settings",
                    path,
                    _HINT,
                )
            )
        else:
            names = [n for n in _DEPENDENT.findall(value) if n in secret_vars]
            if names and path[:2] != ("serving", "env") and path[2:4] != ("serving", "env"):
                out.append(
                    Finding(
                        CODE,
                        Severity.ERROR,
                        f"`$({names[0]})` would be expanded by Kubernetes into this value: `{names[0]}` holds a "
                        "secret, which would then be on a command line any process on the node can read",
                        path,
                        "read the secret from the environment variable inside the program "
                        "(the `{secret: name}` entry and its "
                        "`secrets:` reference already put it there), not from the command line",
                    )
                )
    return out


def _secret_env_names(document: Mapping[str, object]) -> set[str]:
    blocks: list[object] = [document.get("serving")]
    envs = document.get("environments")
    if isinstance(envs, Mapping):
        blocks.extend(e.get("serving") for e in envs.values() if isinstance(e, Mapping))
    names: set[str] = set()
    for serving in blocks:
        env = serving.get("env") if isinstance(serving, Mapping) else None
        if isinstance(env, Mapping):
            names.update(str(k) for k, v in env.items() if isinstance(v, Mapping) and "secret" in v)
    return names


def _strings(node: object, path: Path_) -> Iterator[tuple[Path_, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, Mapping):
        for k, v in node.items():
            yield from _strings(v, (*path, str(k)))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _strings(item, (*path, i))
