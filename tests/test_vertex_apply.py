"""The rendered Vertex AI `apply.sh` is the controller: run it against a fake Vertex AI REST API.

Each lifecycle compiles a spec, runs the real rendered `apply.sh` (bash, curl, jq; `gcloud` a stub that
prints a token) against `tests/vertex_fake.py`, moves the rollout with the real `mlopsc rollout`
(`plan_move` + `write`), recompiles and runs it again. After every run the endpoint's DeployedModels and
trafficSplit must be the rollout model's live shares (`plan.derived.rollout`: the versions Vertex keeps
deployed, `RolloutState.kept`), and a second run must send no mutating request.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from mlopsc.compiler.gitops.rollout import plan_move, write
from mlopsc.compiler.ir import Emitted, Options
from mlopsc.compiler.passes import run
from mlopsc.compiler.rolloutstate import RolloutState
from mlopsc.targets.vertex.naming import deployed_model_id, version_alias
from tests.fixed_clock import TODAY
from tests.vertex_fake import FakeVertex

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(
    shutil.which("jq") is None or shutil.which("curl") is None, reason="apply.sh needs curl and jq"
)
GCLOUD = '#!/usr/bin/env bash\n[[ "$1 $2" == "auth print-access-token" ]] && echo fake-token\n'


def _golden(name: str, drop_network: bool = True) -> str:
    text = (ROOT / "golden" / name / "mlops.yaml").read_text(encoding="utf-8")
    return re.sub(r"\n\s*network: .*", "", text) if drop_network else text


class Lifecycle:
    def __init__(self, tmp: Path, spec_text: str, fake: FakeVertex) -> None:
        self.tmp, self.fake = tmp, fake
        self.spec = tmp / "mlops.yaml"
        self.spec.write_text(spec_text, encoding="utf-8")
        self.bin = tmp / "bin"
        self.bin.mkdir()
        (self.bin / "gcloud").write_text(GCLOUD, encoding="utf-8")
        (self.bin / "gcloud").chmod(stat.S_IRWXU)
        self.out = tmp / "out"

    def compile(self) -> tuple[Path, RolloutState]:
        ir = run(str(self.spec), self.spec.read_bytes(), Options(targets=("vertex",), today=TODAY))
        assert isinstance(ir, Emitted), [d.message for d in ir.diagnostics]
        [plan] = list(ir.plans)
        if self.out.exists():
            shutil.rmtree(self.out)
        for f in ir.files:
            target = self.out / f.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(f.content, encoding="utf-8")
        [script] = list(self.out.rglob("vertex/apply.sh"))
        return script.parent, plan.derived.rollout

    def apply(self, folder: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": f"{self.bin}:{os.environ['PATH']}",
            "HOME": str(self.tmp),
            "MLOPSC_VERTEX_API": self.fake.base,
            "MLOPSC_VERTEX_POLL_SECONDS": "0",
            "LANG": "C.UTF-8",
        }
        done = subprocess.run(
            ["bash", str(folder / "apply.sh"), *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        if ok:
            assert done.returncode == 0, done.stdout + done.stderr
        return done

    def move(self, action: str) -> None:
        edit = plan_move(self.spec, action, None, "mlops.yaml")  # type: ignore[arg-type]
        write(edit)

    def set_version(self, version: str, previous: str) -> None:
        """A new release: `model.version` moves on, the version live until now becomes `rollout.previous`."""
        text = self.spec.read_text(encoding="utf-8")
        text = re.sub(r"(\n  version: )\S+", rf"\g<1>{version}", text, count=1)
        text = re.sub(r"(\n  previous:\n    version: )\S+", rf"\g<1>{previous}", text, count=1)
        text = re.sub(r"\n  traffic: \d+", "", text)
        self.spec.write_text(text, encoding="utf-8")


def _live(fake: FakeVertex, endpoint_id: str) -> tuple[set[str], dict[str, int]]:
    endpoint = fake.endpoint(endpoint_id)
    return {d["id"] for d in endpoint["deployedModels"]}, dict(endpoint["trafficSplit"])


def _expected(state: RolloutState) -> tuple[set[str], dict[str, int]]:
    kept = state.kept
    return {deployed_model_id(v.version) for v in kept}, {deployed_model_id(v.version): v.live_share for v in kept}


def _converged(life: Lifecycle, folder: Path, state: RolloutState) -> None:
    settings = json.loads((folder / "apply.json").read_text())
    life.fake.clear_log()
    life.apply(folder)
    assert _live(life.fake, settings["endpoint_id"]) == _expected(state)
    # idempotent: a second run reads, and changes nothing
    life.fake.clear_log()
    life.apply(folder)
    assert [(r.method, r.path) for r in life.fake.mutations()] == []
    assert _live(life.fake, settings["endpoint_id"]) == _expected(state)
    # the README's commands are the script's (at 100% it said `./apply.sh traffic 100`: exit 2)
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for command in sorted(set(re.findall(r"`\./apply\.sh([^`]*)`", readme))):
        life.apply(folder, *command.split())
    assert life.fake.mutations() == []


def _seed(fake: FakeVertex, folder: Path, state: RolloutState) -> None:
    """The previous release, live at 100% on the endpoint as mlopsc's earlier apply left it."""
    settings = json.loads((folder / "apply.json").read_text())
    endpoint = json.loads((folder / "endpoint.json").read_text())
    previous = state.replaces
    assert previous is not None
    model = fake.seed_model(settings["model_id"], version_alias(previous))
    fake.seed_endpoint(settings["endpoint_id"], endpoint, [(deployed_model_id(previous), model)])


CASES = {
    # spec, the moves after the first deploy (each followed by a converging run)
    "canary": ("vertex-canary", ["next", "promote"]),
    "blue-green": ("vertex-blue-green", ["promote"]),
    "ab": ("vertex-ab", ["promote"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_lifecycle(tmp_path: Path, case: str) -> None:
    golden, moves = CASES[case]
    with FakeVertex(*_project(golden)) as fake:
        life = Lifecycle(tmp_path, _golden(golden), fake)
        folder, state = life.compile()
        _seed(fake, folder, state)
        # first deploy: the new version beside the live one, at the decided share
        _converged(life, folder, state)
        for action in moves:
            life.move(action)
            folder, moved = life.compile()
            assert moved != state
            state = moved
            _converged(life, folder, state)
        # promoted: only the new version is left
        assert len(state.kept) == 1 and state.kept[0].live_share == 100
        # a new version, then abort: all traffic back on the version promoted above
        promoted = state.new.version
        major, minor, patch = (int(p) for p in promoted.split(".")[:3])
        life.set_version(f"{major}.{minor}.{patch + 1}", promoted)
        folder, state = life.compile()
        _converged(life, folder, state)
        assert deployed_model_id(f"{major}.{minor}.{patch + 1}") in _live(fake, _endpoint(folder))[0]
        life.move("abort")
        folder, state = life.compile()
        _converged(life, folder, state)
        _, split = _live(fake, _endpoint(folder))
        assert split[deployed_model_id(promoted)] == 100
        # a changed endpoint setting is patched with an update mask, then nothing more
        text = life.spec.read_text(encoding="utf-8")
        life.spec.write_text(re.sub(r"(\n  team: )(\S+)", r"\1\2-two", text, count=1), encoding="utf-8")
        folder, state = life.compile()
        life.fake.clear_log()
        life.apply(folder)
        patches = [r for r in fake.mutations() if r.method == "PATCH" and "/endpoints/" in r.path]
        assert [p.query["updateMask"] for p in patches] == ["labels"]
        assert str(fake.endpoint(_endpoint(folder))["labels"]["team"]).endswith("-two")
        _converged(life, folder, state)


def _endpoint(folder: Path) -> str:
    return str(json.loads((folder / "apply.json").read_text())["endpoint_id"])


def _project(golden: str) -> tuple[str, str]:
    text = (ROOT / "golden" / golden / "mlops.yaml").read_text(encoding="utf-8")
    project = re.search(r"\n    project: (\S+)", text)
    region = re.search(r"\n    region: (\S+)", text)
    assert project and region
    return project.group(1), region.group(1)


def _first_deploy(tmp_path: Path, fake: FakeVertex, golden: str) -> tuple[Lifecycle, Path]:
    life = Lifecycle(tmp_path, _golden(golden), fake)
    folder, state = life.compile()
    _seed(fake, folder, state)
    life.apply(folder)
    assert _live(fake, _endpoint(folder)) == _expected(state)
    return life, folder


def test_rollout_next_moves_the_live_split(tmp_path: Path) -> None:
    """Once the canary was deployed, `rollout next` changed nothing live: deployModel was skipped."""
    with FakeVertex(*_project("vertex-canary")) as fake:
        life, folder = _first_deploy(tmp_path, fake, "vertex-canary")
        life.move("next")
        folder, state = life.compile()
        life.apply(folder)
        assert state.traffic == 50
        assert _live(fake, _endpoint(folder))[1] == {"1003004000": 50, "1003003001": 50}


def test_changed_endpoint_setting_is_patched(tmp_path: Path) -> None:
    """An existing endpoint was skipped: changed labels or request-response logging were never applied."""
    with FakeVertex(*_project("vertex-canary")) as fake:
        life, folder = _first_deploy(tmp_path, fake, "vertex-canary")
        text = life.spec.read_text(encoding="utf-8")
        text = text.replace("sample_percent: 25", "sample_percent: 50").replace("team: credit", "team: lending")
        life.spec.write_text(text, encoding="utf-8")
        folder, _ = life.compile()
        fake.clear_log()
        life.apply(folder)
        endpoint = fake.endpoint(_endpoint(folder))
        assert endpoint["labels"]["team"] == "lending"
        assert endpoint["predictRequestResponseLoggingConfig"]["samplingRate"] == 0.5
        [patch] = [r for r in fake.mutations() if r.method == "PATCH" and "/endpoints/" in r.path]
        assert patch.query["updateMask"] == "labels,predictRequestResponseLoggingConfig"


def test_changed_encryption_key_stops_with_the_reason(tmp_path: Path) -> None:
    """`encryptionSpec` cannot be patched: the script says so instead of skipping it silently."""
    with FakeVertex(*_project("vertex-canary")) as fake:
        life, folder = _first_deploy(tmp_path, fake, "vertex-canary")
        text = life.spec.read_text(encoding="utf-8").replace("cryptoKeys/credit", "cryptoKeys/credit-2")
        life.spec.write_text(text, encoding="utf-8")
        folder, _ = life.compile()
        fake.clear_log()
        done = life.apply(folder, ok=False)
        assert done.returncode == 1
        assert "encryptionSpec differ from endpoint.json" in done.stderr and "delete it" in done.stderr
        assert [r for r in fake.mutations() if "/endpoints/" in r.path] == []


def test_second_run_changes_nothing(tmp_path: Path) -> None:
    """Every run re-patched the monitoring job with its whole update mask."""
    with FakeVertex(*_project("vertex-canary")) as fake:
        life, folder = _first_deploy(tmp_path, fake, "vertex-canary")
        fake.clear_log()
        life.apply(folder)
        assert fake.mutations() == []


def test_readme_commands_are_the_scripts(tmp_path: Path) -> None:
    """Promoted (100%), the README said `./apply.sh traffic 100`, which the script refused (usage, exit 2)."""
    with FakeVertex(*_project("vertex-canary")) as fake:
        life, folder = _first_deploy(tmp_path, fake, "vertex-canary")
        life.move("promote")
        folder, _ = life.compile()
        readme = (folder / "README.md").read_text(encoding="utf-8")
        commands = sorted(set(re.findall(r"`\./apply\.sh([^`]*)`", readme)))
        assert commands
        for command in commands:
            life.apply(folder, *command.split())
        assert "mlopsc rollout abort" in readme


def _call(fake: FakeVertex, method: str, path: str, body: object = None) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(
        f"{fake.base}/projects/p/locations/r/{path}",
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": "Bearer fake-token", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_fake_holds_vertex_rules() -> None:
    """The fake refuses what Vertex AI refuses, so a script that breaks a rule fails the lifecycle tests."""
    with FakeVertex("p", "r") as fake:
        model = fake.seed_model("m", "v1-0-0")
        fake.seed_endpoint("e", {"displayName": "e"}, [("1001000000", model)])
        fake.seed_endpoint("private", {"displayName": "p", "network": "projects/1/global/networks/n"}, [])
        deployed = {"id": "1002000000", "model": model, "dedicatedResources": {"minReplicaCount": 1}}
        refused = [
            ("PATCH", "endpoints/e?updateMask=trafficSplit", {"trafficSplit": {"1001000000": 90}}),  # sum 100
            ("PATCH", "endpoints/e?updateMask=trafficSplit", {"trafficSplit": {"7": 100}}),  # a deployed id
            ("PATCH", "endpoints/e?updateMask=network", {"network": "projects/1/global/networks/x"}),  # immutable
            ("PATCH", "endpoints/e", {"labels": {}}),  # updateMask required
            ("POST", "endpoints/e:undeployModel", {"deployedModelId": "1001000000"}),  # still has traffic
            ("POST", "endpoints/e:deployModel", {"deployedModel": {**deployed, "id": "x1"}}),  # 1-10 digits
            ("POST", "endpoints/e:deployModel", {"deployedModel": {**deployed, "id": "1001000000"}}),  # taken
            ("POST", "endpoints/e:deployModel", {"deployedModel": deployed, "trafficSplit": {"0": 50}}),
        ]
        for method, path, body in refused:
            status, answer = _call(fake, method, path, body)
            assert status >= 400, (method, path, answer)
        # private services access endpoint: one model
        status, operation = _call(fake, "POST", "endpoints/private:deployModel", {"deployedModel": deployed})
        assert status == 200
        assert _call(fake, "GET", "operations/" + str(operation["name"]).rsplit("/", 1)[-1])[1]["done"] is True
        second = {"deployedModel": {**deployed, "id": "1003000000"}}
        assert _call(fake, "POST", "endpoints/private:deployModel", second)[0] == 400
        # an operation changes nothing until it is polled
        status, operation = _call(fake, "POST", "endpoints/e:deployModel", {"deployedModel": deployed})
        assert status == 200 and operation["done"] is False
        assert {d["id"] for d in fake.endpoint("e")["deployedModels"]} == {"1001000000"}


def test_abort_after_promote_names_the_missing_version(tmp_path: Path) -> None:
    """Promoted, the previous DeployedModel was undeployed; an abort then needs it back: the script stops
    before any change and says which DeployedModel to deploy again."""
    with FakeVertex(*_project("vertex-canary")) as fake:
        life, folder = _first_deploy(tmp_path, fake, "vertex-canary")
        life.move("promote")
        folder, _ = life.compile()
        life.apply(folder)
        life.move("abort")
        folder, _ = life.compile()
        fake.clear_log()
        done = life.apply(folder, ok=False)
        assert done.returncode == 1
        assert "DeployedModel 1003003001, which is not on the endpoint" in done.stderr
        assert fake.mutations() == []
        assert _live(fake, _endpoint(folder)) == ({"1003004000"}, {"1003004000": 100})


def test_changed_replicas_are_mutated_in_place(tmp_path: Path) -> None:
    """The same version with other replica bounds: mutateDeployedModel with the fields that differ."""
    with FakeVertex(*_project("vertex-canary")) as fake:
        life, folder = _first_deploy(tmp_path, fake, "vertex-canary")
        text = life.spec.read_text(encoding="utf-8")
        old = "scale: {rps: 400, latency_ms: 120}"
        life.spec.write_text(text.replace(old, old + "\n  replicas: {min: 3, max: 8}"), encoding="utf-8")
        folder, _ = life.compile()
        fake.clear_log()
        life.apply(folder)
        [mutate] = [r for r in fake.mutations() if r.path.endswith(":mutateDeployedModel")]
        assert mutate.body is not None
        assert mutate.body["updateMask"] == "dedicatedResources.minReplicaCount,dedicatedResources.maxReplicaCount"
        [deployed] = [d for d in fake.endpoint(_endpoint(folder))["deployedModels"] if d["id"] == "1003004000"]
        assert (
            deployed["dedicatedResources"]["minReplicaCount"],
            deployed["dedicatedResources"]["maxReplicaCount"],
        ) == (3, 8)
        fake.clear_log()
        life.apply(folder)
        assert fake.mutations() == []
