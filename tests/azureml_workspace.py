"""Run the real rendered Azure ML apply.sh against the fake `az` (tests/fakes/az.py) and read the workspace.

``Workspace(tmp_path)`` puts an ``az`` on PATH that runs tests/fakes/az.py with this interpreter and
keeps its state in one JSON file; ``apply(files)`` writes a rendered azureml folder (name -> text)
into a fresh directory and runs ``bash apply.sh`` there, as a user would after `mlopsc compile`.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from mlopsc.compiler.ir import Emitted, Options
from mlopsc.compiler.passes import run
from tests.golden_cases import TODAY

FAKE_AZ = Path(__file__).parent / "fakes" / "az.py"


def render(spec_text: str, name: str = "mlops.yaml", environment: str | None = None) -> dict[str, str]:
    """The azureml folder (relative name -> text) of one environment of a spec."""
    result = run(name, spec_text.encode(), Options(targets=("azureml",), today=TODAY))
    errors = [d for d in result.diagnostics if d.is_error]
    assert isinstance(result, Emitted) and not errors, [f"{d.code}: {d.message}" for d in result.diagnostics]
    folders: dict[str, dict[str, str]] = {}
    for f in result.files:
        folder, _, rel = f.path.partition("/azureml/")
        if rel and (environment is None or f.environment == environment):
            folders.setdefault(folder, {})[rel] = f.content
    assert len(folders) == 1, sorted(folders)
    return next(iter(folders.values()))


class Workspace:
    def __init__(self, root: Path, computes: tuple[str, ...] = ()) -> None:
        """``computes``: clusters that exist before apply.sh runs (made outside it, named by the spec)."""
        self.root = root
        self.computes = computes
        self.bin = root / "bin"
        self.bin.mkdir(parents=True)
        az = self.bin / "az"
        az.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} {shlex.quote(str(FAKE_AZ))} "$@"\n')
        az.chmod(0o755)
        self.state_file = root / "workspace.json"
        self.runs = 0

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}",
            "FAKE_AZ_STATE": str(self.state_file),
            "FAKE_AZ_COMPUTES": ",".join(self.computes),
        }

    def apply(self, files: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
        """Write the rendered folder to a fresh directory and run its apply.sh; never raises on failure."""
        self.runs += 1
        folder = self.root / f"run-{self.runs}"
        for rel, text in files.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        (folder / "apply.sh").chmod(0o755)
        return subprocess.run(
            ["bash", str(folder / "apply.sh"), *args],
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )

    def az(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["az", *argv], env=self.env(), capture_output=True, text=True, check=False)

    @property
    def state(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.state_file.read_text(encoding="utf-8"))
        return loaded

    def resources(self) -> dict[str, Any]:
        """The state without the command log: what a second run must leave unchanged."""
        return {k: v for k, v in self.state.items() if k != "log"}

    def endpoint(self, name: str) -> dict[str, Any]:
        endpoint: dict[str, Any] = self.state["online_endpoints"][name]
        return endpoint

    def autoscale(self) -> dict[str, str]:
        """Each autoscale setting of the workspace -> the deployment it targets."""
        settings: dict[str, Any] = self.state.get("autoscale_settings", {})
        return {name: setting["target"]["deployment"] for name, setting in settings.items()}

    def orphaned_autoscale(self) -> list[str]:
        """Autoscale settings whose target deployment no longer exists: left behind by a retirement."""
        endpoints = self.state["online_endpoints"]
        settings: dict[str, Any] = self.state.get("autoscale_settings", {})
        return sorted(
            name
            for name, setting in settings.items()
            if setting["target"]["deployment"]
            not in endpoints.get(setting["target"]["endpoint"], {}).get("deployments", {})
        )
