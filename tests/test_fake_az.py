"""The fake `az` refuses what Azure ML refuses (each rule is cited in tests/fakes/az.py), so a rendered
apply.sh that passes against it does not rely on something the service would reject."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.azureml_workspace import Workspace

SCOPE = ("--resource-group", "rg", "--workspace-name", "ws")


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace(tmp_path)
    files = tmp_path / "files"
    (files / "score").mkdir(parents=True)
    (files / "score" / "score.py").write_text("def init():\n    pass\n", encoding="utf-8")
    assert (
        workspace.az(
            "ml", "model", "create", "--name", "m", "--version", "1", "--path", "azureml://x", *SCOPE
        ).returncode
        == 0
    )
    assert workspace.az("ml", "online-endpoint", "create", "--name", "ep", "--auth-mode", "key", *SCOPE).returncode == 0
    for name in ("blue", "green", "red"):
        doc = {
            "name": name,
            "endpoint_name": "ep",
            "model": "azureml:m:1",
            "code_configuration": {"code": "./score", "scoring_script": "score.py"},
        }
        (files / f"{name}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
        assert (
            workspace.az("ml", "online-deployment", "create", "--file", str(files / f"{name}.yaml"), *SCOPE).returncode
            == 0
        )
    return workspace


def _traffic(ws: Workspace, traffic: str = "", mirror: str | None = None) -> tuple[int, str]:
    argv = ["ml", "online-endpoint", "update", "--name", "ep", "--traffic", traffic, *SCOPE]
    if mirror is not None:
        argv += ["--mirror-traffic", mirror]
    out = ws.az(*argv)
    return out.returncode, out.stderr


def test_new_deployments_get_no_traffic_and_traffic_sums_to_100(ws: Workspace) -> None:
    assert ws.endpoint("ep")["traffic"] == {"blue": 0, "green": 0, "red": 0}
    assert _traffic(ws, "blue=90 green=20")[0] == 1
    assert "sum to 0 or 100" in _traffic(ws, "blue=90 green=20")[1]
    assert _traffic(ws, "blue=90 green=10")[0] == 0
    assert ws.endpoint("ep")["traffic"] == {"blue": 90, "green": 10}


def test_traffic_names_existing_deployments(ws: Workspace) -> None:
    code, err = _traffic(ws, "blue=50 purple=50")
    assert code == 1 and "purple does not exist" in err


@pytest.mark.parametrize(
    ("traffic", "mirror", "message"),
    [
        ("blue=100", "green=51", "above the 50% limit"),
        ("blue=100", "green=10 red=10", "more than one deployment"),
        ("blue=90 green=10", "green=10", "both live traffic and mirrored traffic"),
    ],
)
def test_mirror_limits(ws: Workspace, traffic: str, mirror: str, message: str) -> None:
    code, err = _traffic(ws, traffic, mirror)
    assert code == 1 and message in err
    assert _traffic(ws, "blue=100", "green=50")[0] == 0
    assert ws.endpoint("ep")["mirror_traffic"] == {"green": 50}


def test_a_deployment_with_traffic_cannot_be_deleted(ws: Workspace) -> None:
    assert _traffic(ws, "blue=100", "green=10")[0] == 0
    for name, fragment in (("blue", "live traffic"), ("green", "mirrored traffic")):
        out = ws.az("ml", "online-deployment", "delete", "--name", name, "--endpoint-name", "ep", "--yes", *SCOPE)
        assert out.returncode == 1 and fragment in out.stderr
    out = ws.az("ml", "online-deployment", "delete", "--name", "red", "--endpoint-name", "ep", "--yes", *SCOPE)
    assert out.returncode == 0 and set(ws.endpoint("ep")["deployments"]) == {"blue", "green"}


def test_show_of_something_absent_is_exit_3_and_create_twice_fails(ws: Workspace) -> None:
    out = ws.az("ml", "online-deployment", "show", "--name", "gold", "--endpoint-name", "ep", *SCOPE)
    assert out.returncode == 3 and "ResourceNotFound" in out.stderr
    out = ws.az("ml", "online-endpoint", "create", "--name", "ep", *SCOPE)
    assert out.returncode == 1 and "already exists" in out.stderr
    out = ws.az("ml", "model", "create", "--name", "m", "--version", "1", "--path", "azureml://y", *SCOPE)
    assert out.returncode == 1 and "immutable" in out.stderr


def test_a_deployment_needs_a_registered_model_and_its_workspace(ws: Workspace, tmp_path: Path) -> None:
    doc = {"name": "gold", "endpoint_name": "ep", "model": "azureml:m:2"}
    (tmp_path / "gold.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    out = ws.az("ml", "online-deployment", "create", "--file", str(tmp_path / "gold.yaml"), *SCOPE)
    assert out.returncode == 1 and "azureml:m:2 is not registered" in out.stderr
    out = ws.az("ml", "online-endpoint", "show", "--name", "ep", "--resource-group", "rg", "--workspace-name", "other")
    assert out.returncode == 1 and "not this workspace" in out.stderr


def _autoscale(tmp_path: Path, ws: Workspace, name: str, deployment: str, **capacity: int) -> tuple[int, str]:
    """Deploy an ARM template holding one autoscale setting on `deployment` of endpoint ep."""
    target = (
        "[resourceId('Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments', "
        f"'ws', 'ep', '{deployment}')]"
    )
    setting = {
        "type": "Microsoft.Insights/autoscalesettings",
        "name": name,
        "properties": {
            "enabled": True,
            "targetResourceUri": target,
            "profiles": [{"name": "default", "capacity": {"minimum": 1, "default": 1, "maximum": "3", **capacity}}],
        },
    }
    template = tmp_path / f"{name}.json"
    template.write_text(json.dumps({"resources": [setting]}), encoding="utf-8")
    out = ws.az("deployment", "group", "create", "--resource-group", "rg", "--template-file", str(template))
    return out.returncode, out.stderr


def test_autoscale_settings_are_kept_and_refused_as_azure_refuses(ws: Workspace, tmp_path: Path) -> None:
    assert _autoscale(tmp_path, ws, "ep-blue-autoscale", "blue") == (0, "")
    assert _autoscale(tmp_path, ws, "ep-blue-autoscale", "blue")[0] == 0  # incremental: updated in place
    assert ws.autoscale() == {"ep-blue-autoscale": "blue"}
    code, err = _autoscale(tmp_path, ws, "ep-gone-autoscale", "gone")
    assert code == 1 and "target resource ws/ep/gone was not found" in err
    code, err = _autoscale(tmp_path, ws, "another", "blue")
    assert code == 1 and "already targets ep/blue" in err
    code, err = _autoscale(tmp_path, ws, "ep-green-autoscale", "green", minimum=4)
    assert code == 1 and "minimum <= default <= maximum" in err
    show = ("monitor", "autoscale", "show", "--resource-group", "rg", "--name")
    delete = ("monitor", "autoscale", "delete", "--resource-group", "rg", "--name")
    assert ws.az(*show, "ep-blue-autoscale").returncode == 0
    assert ws.az(*show, "ep-green-autoscale").returncode == 3
    # deleting the deployment leaves its setting behind, orphaned: nothing in Azure deletes it
    gone = ws.az("ml", "online-deployment", "delete", "--name", "blue", "--endpoint-name", "ep", "--yes", *SCOPE)
    assert gone.returncode == 0, gone.stderr
    assert ws.orphaned_autoscale() == ["ep-blue-autoscale"]
    assert ws.az(*delete, "ep-blue-autoscale").returncode == 0
    assert ws.autoscale() == {} and ws.orphaned_autoscale() == []
    absent = ws.az(*delete, "ep-blue-autoscale")
    assert absent.returncode == 3 and "ResourceNotFound" in absent.stderr  # the strict reading: apply.sh shows first
