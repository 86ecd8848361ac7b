"""The real rendered Azure ML apply.sh, run against the fake `az` (tests/fakes/az.py), is the controller:
it must converge the workspace to what the rendered files declare, through a rollout's whole life.

For every azureml golden, apply.sh run on an empty workspace succeeds, leaves the endpoint's traffic
and mirror traffic as endpoint.yaml declares them, and a second run changes nothing. For the rollout
goldens (canary, blue-green, A/B, shadow), the lifecycle starts from the live version deployed on
its own, then applies the golden, each `mlopsc rollout next`, `promote` and `abort` (the real edits
of compiler/gitops/rollout.py), checking the traffic after each run, and the autoscale settings: a
deployment apply.sh retires takes its autoscale setting with it (none is left targeting a deleted
deployment) while every deployment still on the endpoint keeps the one it was given.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlopsc.compiler.gitops.rollout import plan_move
from mlopsc.targets.azureml.naming import deployment_name
from tests.azureml_workspace import Workspace, render
from tests.golden_cases import ROOT

GOLDEN = ROOT / "golden"
AZUREML_GOLDENS = sorted(p.name for p in GOLDEN.iterdir() if p.name.startswith("azureml-"))
ROLLOUTS = ("azureml-canary", "azureml-blue-green", "azureml-ab", "azureml-shadow-mirror")


def _expected_folders(case: str) -> list[tuple[str, dict[str, str]]]:
    """(environment, rendered azureml folder) of each expected tree of a golden."""
    out = []
    for folder in sorted((GOLDEN / case / "expected").glob("*/*/azureml")):
        files = {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file()}
        out.append((folder.parent.parent.name, files))
    return out


def _named_computes(doc: Any) -> tuple[str, ...]:
    """Every platforms.azureml.batch_compute of a spec (environment overrides included): made outside apply.sh."""
    if isinstance(doc, dict):
        own = (str(doc["batch_compute"]),) if "batch_compute" in doc else ()
        return own + tuple(n for v in doc.values() for n in _named_computes(v))
    if isinstance(doc, list):
        return tuple(n for v in doc for n in _named_computes(v))
    return ()


def _declared(files: dict[str, str]) -> tuple[str, dict[str, int], dict[str, int]]:
    endpoint = yaml.safe_load(files["endpoint.yaml"])
    return endpoint["name"], dict(endpoint.get("traffic") or {}), dict(endpoint.get("mirror_traffic") or {})


def _converged(ws: Workspace, files: dict[str, str]) -> None:
    name, traffic, mirror = _declared(files)
    endpoint = ws.endpoint(name)
    assert endpoint["traffic"] == traffic
    assert endpoint["mirror_traffic"] == {k: v for k, v in mirror.items() if v}


@pytest.mark.parametrize("case", AZUREML_GOLDENS)
def test_golden_apply_converges_and_a_second_run_changes_nothing(tmp_path: Path, case: str) -> None:
    spec = yaml.safe_load((GOLDEN / case / "mlops.yaml").read_text(encoding="utf-8"))
    for i, (environment, files) in enumerate(_expected_folders(case)):
        ws = Workspace(tmp_path / str(i), computes=_named_computes(spec))
        live = _live_name(spec)
        if live and "endpoint.yaml" in files and live in _declared(files)[1]:
            # a rollout: the live version was deployed by its own spec before
            seeded = ws.apply(render(yaml.safe_dump(_live_only(spec), sort_keys=False), environment=environment))
            assert seeded.returncode == 0, seeded.stderr
        first = ws.apply(files)
        assert first.returncode == 0, first.stderr
        if "endpoint.yaml" in files:
            _converged(ws, files)
        for name in (n for n in files if n.startswith("deployment-")):
            doc = yaml.safe_load(files[name])
            assert ws.endpoint(doc["endpoint_name"])["deployments"][doc["name"]]["spec"] == doc
        before = ws.resources()
        second = ws.apply(files)
        assert second.returncode == 0, second.stderr
        assert ws.resources() == before


# --------------------------------------------------------------------------------------------
# Lifecycle of a rollout
# --------------------------------------------------------------------------------------------


def _live_name(spec: dict[str, Any]) -> str:
    previous = (spec.get("rollout") or {}).get("previous")
    return deployment_name(previous["version"]) if previous else ""


def _live_only(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec of the live version as it was deployed before this rollout: its version, on its own."""
    live = copy.deepcopy(spec)
    previous = live["rollout"].pop("previous")
    live["model"]["version"] = previous["version"]
    live["model"]["artifact"] = previous["artifact"]
    live["rollout"] = {"strategy": "all-at-once"}
    # what the live version went through to get deployed is not this test's subject: no policy gates
    live["governance"] = {"level": "experimental", "risk": "low"}
    live.pop("approvals", None)
    for env in (live.get("environments") or {}).values():
        env.pop("governance", None)
        env.pop("rollout", None)
    return live


class Lifecycle:
    """One endpoint through a rollout's life: each stage renders a spec, runs its apply.sh twice (the second
    run must change nothing) and checks the workspace against the rendered endpoint.yaml."""

    def __init__(self, tmp_path: Path, case: str) -> None:
        self.ws = Workspace(tmp_path / "ws")
        self.source = (GOLDEN / case / "mlops.yaml").read_text(encoding="utf-8")
        self.spec_path = tmp_path / "repo" / "mlops.yaml"
        self.spec_path.parent.mkdir()
        self.spec_path.write_text(self.source, encoding="utf-8")
        self.since = 0  # log entries before this index belong to the live version's own deployment
        self.autoscaled: set[str] = set()  # deployments an autoscale.json was rendered for

    def apply(self, text: str) -> dict[str, str]:
        files = render(text)
        out = self.ws.apply(files)
        assert out.returncode == 0, out.stderr
        _converged(self.ws, files)
        self.check_autoscale(files)
        before = self.ws.resources()
        again = self.ws.apply(files)
        assert again.returncode == 0, again.stderr
        assert self.ws.resources() == before, "a second run changed the workspace"
        return files

    def check_autoscale(self, files: dict[str, str]) -> None:
        """No autoscale setting targets a deleted deployment; each deployment on the endpoint that was ever
        given one (by its own rollout's autoscale.json) still has it."""
        if "autoscale.json" in files:
            for resource in json.loads(files["autoscale.json"])["resources"]:
                self.autoscaled.add(resource["properties"]["targetResourceUri"].split("'")[-2])
        assert self.ws.orphaned_autoscale() == [], "a retired deployment's autoscale setting was left behind"
        endpoint, _, _ = _declared(files)
        present = set(self.deployments(endpoint))
        assert present & self.autoscaled <= set(self.ws.autoscale().values())

    def move(self, action: str) -> tuple[str, int]:
        edit = plan_move(self.spec_path, action, None, "mlops.yaml")  # type: ignore[arg-type]
        self.spec_path.write_text(edit.text, encoding="utf-8")
        return edit.text, edit.new

    def deployments(self, endpoint: str) -> dict[str, Any]:
        found: dict[str, Any] = self.ws.endpoint(endpoint)["deployments"]
        return found

    def updates_of(self, name: str) -> list[list[str]]:
        """Every command of the log that wrote deployment `name` (create, update or delete)."""
        return [
            e["argv"]
            for e in self.ws.state["log"][self.since :]
            if e["argv"][:2] == ["ml", "online-deployment"]
            and e["argv"][2] != "show"
            and (f"deployment-{name}.yaml" in e["argv"] or name in e["argv"])
        ]


def _start(tmp_path: Path, case: str) -> tuple[Lifecycle, str, str, str, dict[str, Any]]:
    """Deploy the live version on its own, then the golden; return the live deployment's record before."""
    life = Lifecycle(tmp_path, case)
    spec = yaml.safe_load(life.source)
    live_files = life.apply(yaml.safe_dump(_live_only(spec), sort_keys=False))
    endpoint, traffic, _ = _declared(live_files)
    (old,) = traffic
    before = copy.deepcopy(life.deployments(endpoint)[old])
    life.since = len(life.ws.state["log"])
    files = life.apply(life.source)
    _, traffic, _ = _declared(files)
    (new,) = set(traffic) - {old}
    return life, endpoint, old, new, before


def _next_version(text: str, version: str, strategy: str | None = None) -> str:
    """The spec of the next release: `version` rolled out beside the current new version, which becomes previous."""
    spec = yaml.safe_load(text)
    current = spec["model"]
    spec["rollout"]["previous"] = {"version": current["version"], "artifact": current["artifact"]}
    spec["model"]["version"] = version
    artifact = {k: v for k, v in current["artifact"].items() if k in ("uri", "mirrors")}
    spec["model"]["artifact"] = yaml.safe_load(yaml.safe_dump(artifact).replace(current["version"], version))
    spec["rollout"].pop("traffic", None)
    if strategy is not None:
        spec["rollout"]["strategy"] = strategy
    return yaml.safe_dump(spec, sort_keys=False)


def _retry_version(text: str, version: str) -> str:
    """The spec of another try after an abort: `version` replaces the aborted one beside the same live version."""
    spec = yaml.safe_load(text)
    current = spec["model"]
    spec["model"]["version"] = version
    artifact = {k: v for k, v in current["artifact"].items() if k in ("uri", "mirrors")}
    spec["model"]["artifact"] = yaml.safe_load(yaml.safe_dump(artifact).replace(current["version"], version))
    spec["rollout"].pop("traffic", None)
    return yaml.safe_dump(spec, sort_keys=False)


@pytest.mark.parametrize("case", ROLLOUTS)
def test_rollout_lifecycle_touches_only_the_new_deployment(tmp_path: Path, case: str) -> None:
    life, endpoint, old, new, live_before = _start(tmp_path, case)
    spec = yaml.safe_load(life.source)
    strategy = spec["rollout"]["strategy"]
    state = life.ws.endpoint(endpoint)
    share = spec["rollout"].get("traffic", (spec["rollout"].get("steps") or [0])[0])
    if strategy == "shadow":
        assert state["traffic"] == {old: 100, new: 0} and state["mirror_traffic"] == {new: share}
    else:
        assert state["traffic"] == {old: 100 - share, new: share}
    assert life.deployments(endpoint)[old] == live_before, "the rollout rewrote the live deployment"
    assert life.updates_of(old) == []
    # each `rollout next`, then `promote` (a shadow is promoted by a strategy change, as the model says)
    moves = ["next"] * (len(spec["rollout"].get("steps") or []) - 1)
    text = life.source
    for action in moves:
        text, target = life.move(action)
        life.apply(text)
        assert life.ws.endpoint(endpoint)["traffic"][new] == target
    if strategy == "shadow":
        promoted = yaml.safe_load(text)
        promoted["rollout"] = {**promoted["rollout"], "strategy": "blue-green", "traffic": 100}
        text = yaml.safe_dump(promoted, sort_keys=False)
    else:
        text, _ = life.move("promote")
    life.apply(text)
    state = life.ws.endpoint(endpoint)
    # promote: all traffic on the new version; the previous deployment is kept at 0% (rollback = traffic)
    assert state["traffic"] == {old: 0, new: 100} and state["mirror_traffic"] == {}
    assert life.deployments(endpoint)[old] == live_before
    assert life.updates_of(old) == []
    new_record = copy.deepcopy(life.deployments(endpoint)[new])
    # the next release: only its deployment is written, the one before the last is retired
    life.apply(_next_version(text, "9.0.0", "canary" if strategy == "shadow" else None))
    newer = deployment_name("9.0.0")
    assert set(life.deployments(endpoint)) == {new, newer}
    assert life.deployments(endpoint)[new] == new_record, "the next rollout rewrote the live deployment"
    assert [argv[2] for argv in life.updates_of(old)] == ["delete"]
    # the retired deployment's autoscale setting went with it; the live ones stay
    assert old not in life.ws.autoscale().values()
    assert set(life.ws.autoscale().values()) == life.autoscaled & {new, newer}


@pytest.mark.parametrize("case", ROLLOUTS)
def test_rollout_abort_returns_all_traffic_to_the_live_version(tmp_path: Path, case: str) -> None:
    life, endpoint, old, new, live_before = _start(tmp_path, case)
    text, target = life.move("abort")
    assert target == 0
    life.apply(text)
    state = life.ws.endpoint(endpoint)
    assert state["traffic"] == {old: 100, new: 0}
    assert state["mirror_traffic"] == {}
    assert set(life.deployments(endpoint)) == {old, new}  # the aborted version stays, at 0%, to be looked at
    assert life.deployments(endpoint)[old] == live_before
    assert set(life.ws.autoscale().values()) == life.autoscaled & {old, new}
    # another try after the abort retires the aborted version, and its autoscale setting
    life.apply(_retry_version(text, "9.0.0"))
    assert set(life.deployments(endpoint)) == {old, deployment_name("9.0.0")}
    assert new not in life.ws.autoscale().values()


def test_an_edit_of_the_new_version_updates_only_its_deployment(tmp_path: Path) -> None:
    life, endpoint, old, new, live_before = _start(tmp_path, "azureml-canary")
    edited = yaml.safe_load(life.source)
    edited["serving"]["resources"] = {"cpu": 8, "memory_gb": 32}
    before = life.deployments(endpoint)[new]["spec"]["instance_type"]
    life.apply(yaml.safe_dump(edited, sort_keys=False))
    after = life.deployments(endpoint)[new]["spec"]["instance_type"]
    assert before != after
    assert life.deployments(endpoint)[old] == live_before
    assert life.ws.endpoint(endpoint)["traffic"] == {old: 90, new: 10}


def test_all_at_once_replaces_the_live_version_and_retires_it(tmp_path: Path) -> None:
    life, endpoint, _, _, _ = _start(tmp_path, "azureml-canary")
    text, _ = life.move("promote")
    life.apply(text)
    life.apply(_next_version(text, "9.0.0", "all-at-once"))
    newer = deployment_name("9.0.0")
    assert set(life.deployments(endpoint)) == {newer}
    assert life.ws.endpoint(endpoint)["traffic"] == {newer: 100}
    assert life.autoscaled >= {newer} and set(life.ws.autoscale().values()) == {newer}


@pytest.mark.parametrize("case", ROLLOUTS)
def test_a_rollout_without_its_live_deployment_stops_before_writing(tmp_path: Path, case: str) -> None:
    ws = Workspace(tmp_path)
    source = (GOLDEN / case / "mlops.yaml").read_text(encoding="utf-8")
    out = ws.apply(render(source))
    assert out.returncode == 1
    old = _live_name(yaml.safe_load(source))
    assert f"deployment {old} (the live version" in out.stderr and "is not on endpoint" in out.stderr
    (endpoint,) = ws.state["online_endpoints"].values()
    assert endpoint["deployments"] == {} and endpoint["traffic"] == {}


# --------------------------------------------------------------------------------------------
# Batch without a named cluster: apply.sh creates the AmlCompute cluster first
# --------------------------------------------------------------------------------------------


def test_batch_without_a_cluster_creates_it_before_the_deployment(tmp_path: Path) -> None:
    spec = yaml.safe_load((GOLDEN / "azureml-batch" / "mlops.yaml").read_text(encoding="utf-8"))
    del spec["platforms"]["azureml"]["batch_compute"]
    spec["serving"]["replicas"] = {"min": 1, "max": 3}
    files = render(yaml.safe_dump(spec, sort_keys=False))
    compute = yaml.safe_load(files["compute.yaml"])
    ws = Workspace(tmp_path)  # an empty workspace: no cluster exists
    first = ws.apply(files)
    assert first.returncode == 0, first.stderr
    created = ws.state["computes"][compute["name"]]
    assert created == compute and created["size"] == "Standard_D4as_v4"  # cpu 4, memory_gb 16: the smallest SKU
    commands = [" ".join(e["argv"][:3]) for e in ws.state["log"]]
    assert commands.index("ml compute create") < commands.index("ml batch-deployment create")
    (batch,) = ws.state["batch_endpoints"].values()
    assert batch["deployments"][batch["default"]]["spec"]["compute"] == f"azureml:{compute['name']}"
    # a second run: the cluster exists, its scale settings are updated in place, nothing else changes
    before = ws.resources()
    second = ws.apply(files)
    assert second.returncode == 0, second.stderr
    assert ws.resources() == before
    assert "ml compute update" in [" ".join(e["argv"][:3]) for e in ws.state["log"]]


def test_a_batch_deployment_on_a_missing_cluster_fails_in_the_fake(tmp_path: Path) -> None:
    """The fake refuses what Azure refuses: without compute.yaml's step the deployment has no cluster."""
    spec = yaml.safe_load((GOLDEN / "azureml-batch" / "mlops.yaml").read_text(encoding="utf-8"))
    del spec["platforms"]["azureml"]["batch_compute"]
    files = render(yaml.safe_dump(spec, sort_keys=False))
    files["apply.sh"] = files["apply.sh"].replace('az ml compute create --file compute.yaml "${AZ_ML[@]}"', "true")
    ws = Workspace(tmp_path)
    out = ws.apply(files)
    assert out.returncode != 0 and "does not exist in the workspace" in out.stderr
