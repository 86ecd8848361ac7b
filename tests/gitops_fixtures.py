"""Specs and git helpers for the GitOps tests: the quick-start spec narrowed to KServe."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GIT_ENV = {
    "GIT_AUTHOR_NAME": "mlopsc tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "mlopsc tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def kserve_spec(traffic: int = 5) -> str:
    """The root mlops.yaml with only its KServe platform (the approval does not expire in these tests)."""
    text = (ROOT / "mlops.yaml").read_text(encoding="utf-8")
    for platform in ("sagemaker", "vertex", "azureml"):
        text = re.sub(rf"\n  {platform}:\n(    .*\n)+", "\n", text, count=1)
    text = rebind(text)  # fewer platforms, fewer capture destinations: another deployment subject
    return text.replace("  traffic: 5  ", f"  traffic: {traffic}  ", 1)


def rebind(text: str, environment: str = "production") -> str:
    """The spec with its approval of `environment` re-bound to the environment's deployment subject (what
    `mlopsc approve` would write), for fixtures that edit what runs."""
    from mlopsc.compiler.ir import Options, Validated
    from mlopsc.compiler.passes import run
    from mlopsc.policies.subject import subject_digest

    ir = run("mlops.yaml", text.encode(), Options(environments=(environment,)), until="validate")
    assert isinstance(ir, Validated), [d.message for d in ir.diagnostics]
    digest = subject_digest(ir.environments[0].spec, environment)
    block = text.index("  approvals:")
    return text[:block] + re.sub(r"(\n      digest: )sha256:[0-9a-f]{64}", rf"\g<1>{digest}", text[block:], count=1)


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    return path


def commit_all(path: Path, message: str = "change") -> str:
    git(path, "add", "-A")
    git(path, "commit", "-q", "--allow-empty", "-m", message)
    return git(path, "rev-parse", "HEAD").strip()


def rebind_all(text: str) -> str:
    """The spec with every approval re-bound to its environment's deployment subject (wherever the
    approval is written: the base `governance` or an environment's), for fixtures that change what runs."""
    from mlopsc.compiler.ir import Options, Validated
    from mlopsc.compiler.passes import run
    from mlopsc.policies.subject import subject_digest

    ir = run("mlops.yaml", text.encode(), Options(), until="validate")
    assert isinstance(ir, Validated), [d.message for d in ir.diagnostics]
    subjects = {env.name: subject_digest(env.spec, env.name) for env in ir.environments}
    parts = re.split(r"(?m)^(?=\s*- environment: )", text)
    for i, part in enumerate(parts):
        env = re.match(r"\s*- environment: ([a-z0-9-]+)", part)
        if env and env.group(1) in subjects:
            parts[i] = re.sub(r"(\n\s+digest: )sha256:[0-9a-f]{64}", rf"\g<1>{subjects[env.group(1)]}", part, count=1)
    return "".join(parts)
