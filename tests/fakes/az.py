"""A fake `az` (Azure CLI with the ml extension) for running the rendered apply.sh in the tests.

Installed on PATH as `az` by tests/azureml_workspace.py. It keeps the workspace in the JSON file
named by ``FAKE_AZ_STATE`` (models, online endpoints with ``traffic`` and ``mirror_traffic``,
deployments with their full spec and a digest of the code and build context they upload, batch
endpoints and deployments, schedules, role assignments, ARM deployments) and appends every
command to its ``log``. It implements the subcommands the rendered apply.sh uses and refuses what
Azure refuses, rule by rule:

- ``show`` of something absent: "ResourceNotFound", exit code 3 (azure-cli's ResourceNotFoundError);
  ``create`` of something present and ``update`` of something absent fail (exit 1).
- Traffic (how-to-safely-rollout-online-endpoints.md, "Allocate a small percentage of live traffic":
  "The total traffic percentage must sum to either 0% (to disable traffic) or 100%"; the traffic map
  names deployments of the endpoint (reference-yaml-endpoint-online.md: "Traffic ... the deployment
  names and percentages"), each 0..100.
- Mirror traffic (same page, "Test the deployment with mirrored traffic"): to only one deployment,
  at most 50%, and "a deployment can be configured to receive only live traffic or mirrored traffic,
  not both".
- ``az ml online-endpoint update`` changes only what it is given: a file without ``mirror_traffic`` (or
  ``--traffic`` alone) keeps the mirror, which is why the safe-rollout example turns mirroring off with
  an explicit ``--mirror-traffic "green=0"`` (azureml-examples cli/deploy-safe-rollout-online-endpoints.sh,
  reset_mirror_traffic).
- Deleting a deployment (same page, "Remove the old deployment"): "You cannot delete a deployment
  that has live traffic allocated to it"; a deployment that receives mirrored traffic is refused too
  (the endpoint would mirror to a deployment that no longer exists; inferred, not documented).
- A deployment's model must be a registered version (``azureml:<name>:<version>``) and its endpoint
  must exist (az ml online-deployment create, reference-yaml-deployment-managed-online.md).
- ``az ml online-deployment create --all-traffic`` sends 100% to the new deployment (how-to-safely-
  rollout, "Create the 'blue' deployment"); without it a new deployment has 0%.
- Compute clusters (reference-yaml-compute-aml.md; az ml compute create/show/update,
  how-to-create-attach-compute-cluster.md): ``create --file`` of an ``amlcompute`` needs ``name``
  (2-16 characters, a letter first, letters, digits, dashes), ``size`` and ``0 <= min_instances <=
  max_instances``; creating an existing cluster with another ``size`` fails (the VM size of a cluster
  cannot be changed: delete and recreate it); ``update`` changes only ``--min-instances``,
  ``--max-instances`` and ``--idle-time-before-scale-down``.
- A batch deployment's ``compute: azureml:<name>`` must be a cluster of the workspace
  (reference-yaml-deployment-batch.md, ``compute``: "Name of the compute target to execute the batch
  scoring jobs on"). Clusters made outside apply.sh are seeded with ``FAKE_AZ_COMPUTES`` (comma-separated
  names) when the state file is first created.
- Autoscale settings (``Microsoft.Insights/autoscalesettings``, REST "Autoscale Settings - Create Or
  Update", api-version 2022-10-01), created or updated in place by ``az deployment group create
  --template-file`` and kept in ``autoscale_settings`` with the deployment they target: the
  ``targetResourceUri`` (the template's ``resourceId(...onlineEndpoints/deployments, ws, endpoint,
  deployment)``) must name a deployment that exists (Azure Monitor validates the target on PUT: inferred,
  the page does not say it); 1 to 20 profiles ("A maximum of 20 profiles can be specified"), at most 10
  rules each, ``0 <= minimum <= default <= maximum`` (AutoscaleProfile.capacity); a second setting of
  another name on the same target is refused (one autoscale setting per resource: inferred). Deleting a
  deployment does not touch the settings that target it (nothing in Azure does): a retired deployment's
  setting stays behind, orphaned, unless apply.sh deletes it.
- ``az monitor autoscale show|delete --resource-group --name`` (azure-cli aaz
  monitor/autoscale/_show.py, _delete.py: no confirmation; 200 and 204 succeed, anything else fails).
  Whether ARM answers 204 or 404 for an absent setting is not documented: the fake takes the strict
  reading (ResourceNotFound, exit 3), so apply.sh must ask ``show`` first.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import yaml

FLAGS = {"--all-traffic", "--set-default", "--yes", "-y", "--no-wait", "--local"}
MAX_MIRROR = 50
AUTOSCALE_TYPE = "microsoft.insights/autoscalesettings"
MAX_AUTOSCALE_PROFILES = 20  # REST AutoscaleSettingResource.profiles
MAX_AUTOSCALE_RULES = 10  # REST AutoscaleProfile.rules
# the template's target: [resourceId('Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments',
# '<workspace>', '<endpoint>', '<deployment>')]
TARGET = re.compile(
    r"\[resourceId\('Microsoft\.MachineLearningServices/workspaces/onlineEndpoints/deployments', "
    r"'([^']+)', '([^']+)', '([^']+)'\)\]"
)


class AzError(Exception):
    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _parse(argv: list[str]) -> tuple[list[str], dict[str, str], set[str]]:
    words: list[str] = []
    options: dict[str, str] = {}
    flags: set[str] = set()
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in FLAGS:
            flags.add(arg)
            i += 1
        elif arg.startswith("-"):
            if i + 1 >= len(argv):
                raise AzError(f"argument {arg}: expected one argument", 2)
            # a repeated --set (the generic update argument) keeps every value, one per line
            options[arg] = f"{options[arg]}\n{argv[i + 1]}" if arg == "--set" and arg in options else argv[i + 1]
            i += 2
        elif options or flags:
            raise AzError(f"unrecognized arguments: {arg}", 2)
        else:
            words.append(arg)
            i += 1
    return words, options, flags


def _opt(options: dict[str, str], *names: str) -> str | None:
    for name in names:
        if name in options:
            return options[name]
    return None


def _digest_tree(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


class Workspace:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.state: dict[str, Any] = (
            json.loads(path.read_text(encoding="utf-8"))
            if path.exists()
            else {
                "models": {},
                "online_endpoints": {},
                "batch_endpoints": {},
                "schedules": {},
                "role_assignments": [],
                "arm_resources": {},
                "computes": {
                    name: {"name": name, "type": "amlcompute", "external": True}
                    for name in os.environ.get("FAKE_AZ_COMPUTES", "").split(",")
                    if name
                },
                "log": [],
            }
        )

    def save(self) -> None:
        self.path.write_text(json.dumps(self.state, indent=2, sort_keys=True), encoding="utf-8")

    # --- helpers ---------------------------------------------------------------------------------

    def _load(self, file: str) -> dict[str, Any]:
        path = Path(file)
        if not path.is_file():
            raise AzError(f"file {file} does not exist")
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(doc, dict):
            raise AzError(f"{file} is not a YAML mapping")
        return doc

    def _endpoint(self, name: str | None) -> dict[str, Any]:
        endpoint = self.state["online_endpoints"].get(name or "")
        if endpoint is None:
            raise AzError(f"ResourceNotFound: online endpoint {name} not found", 3)
        return endpoint  # type: ignore[no-any-return]

    def _deployment_record(self, file: str, doc: dict[str, Any]) -> dict[str, Any]:
        folder = Path(file).parent
        record: dict[str, Any] = {"spec": doc}
        code = (doc.get("code_configuration") or {}).get("code")
        if code:
            if not (folder / code).is_dir():
                raise AzError(f"code_configuration.code {code} is not a folder")
            record["code_digest"] = _digest_tree(folder / code)
        env = doc.get("environment")
        if isinstance(env, dict) and isinstance(env.get("build"), dict):
            context = folder / env["build"]["path"]
            if not (context / "Dockerfile").is_file():
                raise AzError(f"environment build context {context} has no Dockerfile")
            record["environment_digest"] = _digest_tree(context)
        model = str(doc.get("model", ""))
        if model.startswith("azureml:"):
            _, name, version = [*model.split(":"), "", ""][:3]
            if version not in self.state["models"].get(name, {}):
                raise AzError(f"model {model} is not registered in the workspace")
        return record

    @staticmethod
    def _check_traffic(endpoint: dict[str, Any], traffic: dict[str, int], mirror: dict[str, int]) -> None:
        deployments = endpoint["deployments"]
        for kind, values in (("traffic", traffic), ("mirror_traffic", mirror)):
            for name, value in values.items():
                if name not in deployments:
                    raise AzError(f"{kind}: deployment {name} does not exist in endpoint {endpoint['name']}")
                if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
                    raise AzError(f"{kind}.{name}: {value!r} is not a percentage")
        total = sum(traffic.values())
        if total not in (0, 100):
            raise AzError(f"traffic must sum to 0 or 100, not {total}")
        mirrored = {k: v for k, v in mirror.items() if v > 0}
        if len(mirrored) > 1:
            raise AzError(f"mirror traffic to more than one deployment: {sorted(mirrored)}")
        for name, value in mirrored.items():
            if value > MAX_MIRROR:
                raise AzError(f"mirror traffic {value}% to {name} is above the {MAX_MIRROR}% limit")
            if traffic.get(name, 0) > 0:
                raise AzError(f"deployment {name} cannot receive both live traffic and mirrored traffic")

    # --- commands ----------------------------------------------------------------------------------

    def run(self, words: list[str], options: dict[str, str], flags: set[str]) -> str:
        command = " ".join(words)
        handler = COMMANDS.get(command)
        if handler is None:
            raise AzError(f"'{command}' is not a command this fake az knows", 2)
        return handler(self, options, flags)

    def model_show(self, options: dict[str, str], flags: set[str]) -> str:
        name, version = _opt(options, "--name", "-n"), _opt(options, "--version", "-v")
        model = self.state["models"].get(name or "", {}).get(version or "")
        if model is None:
            raise AzError(f"ResourceNotFound: model {name}:{version}", 3)
        return json.dumps(model)

    def model_create(self, options: dict[str, str], flags: set[str]) -> str:
        file = _opt(options, "--file", "-f")
        doc = self._load(file) if file else {}
        name = _opt(options, "--name", "-n") or doc.get("name")
        version = str(_opt(options, "--version", "-v") or doc.get("version"))
        path = _opt(options, "--path", "-p") or doc.get("path")
        if not name or not version or not path:
            raise AzError("a model needs a name, a version and a path")
        versions = self.state["models"].setdefault(name, {})
        if version in versions:
            raise AzError(f"model {name}:{version} already exists: versions are immutable")
        versions[version] = {"name": name, "version": version, "path": path}
        return json.dumps(versions[version])

    def model_update(self, options: dict[str, str], flags: set[str]) -> str:
        """`az ml model update --set K=V ...`: a registered version's `stage` and `tags` can change, its
        `properties` cannot (azure-ai-ml `ModelSchema`; the model version REST resource's mutable fields)."""
        name, version = _opt(options, "--name", "-n"), _opt(options, "--version", "-v")
        model = self.state["models"].get(name or "", {}).get(version or "")
        if model is None:
            raise AzError(f"ResourceNotFound: model {name}:{version}", 3)
        for assignment in (options.get("--set") or "").splitlines():
            key, sep, value = assignment.partition("=")
            if not sep:
                raise AzError(f"--set {assignment}: expected KEY=VALUE", 2)
            if key == "stage":
                model["stage"] = value
            elif key.startswith("tags."):
                model.setdefault("tags", {})[key.removeprefix("tags.")] = value
            else:
                raise AzError(f"--set {key}: only stage and tags of a registered model version can change")
        return json.dumps(model)

    def endpoint_show(self, options: dict[str, str], flags: set[str]) -> str:
        endpoint = self._endpoint(_opt(options, "--name", "-n"))
        query = _opt(options, "--query")
        if query == "identity.principal_id":
            return str(endpoint["identity"]["principal_id"])
        if query == "id":
            return f"/subscriptions/fake/providers/Microsoft.MachineLearningServices/onlineEndpoints/{endpoint['name']}"
        if query is not None:
            raise AzError(f"query {query} is not one this fake az answers", 2)
        return json.dumps({k: endpoint[k] for k in ("name", "traffic", "mirror_traffic", "auth_mode")})

    def endpoint_create(self, options: dict[str, str], flags: set[str]) -> str:
        file = _opt(options, "--file", "-f")
        doc = self._load(file) if file else {}
        name = _opt(options, "--name", "-n") or doc.get("name")
        if not name:
            raise AzError("an endpoint needs a name")
        if name in self.state["online_endpoints"]:
            raise AzError(f"online endpoint {name} already exists")
        endpoint = {
            "name": name,
            "auth_mode": _opt(options, "--auth-mode") or doc.get("auth_mode", "key"),
            "identity": {"principal_id": hashlib.sha256(name.encode()).hexdigest()[:32]},
            "traffic": {},
            "mirror_traffic": {},
            "deployments": {},
            "spec": doc,
        }
        if doc.get("traffic") or doc.get("mirror_traffic"):
            self._check_traffic(endpoint, dict(doc.get("traffic") or {}), dict(doc.get("mirror_traffic") or {}))
        self.state["online_endpoints"][name] = endpoint
        return json.dumps({"name": name})

    def endpoint_update(self, options: dict[str, str], flags: set[str]) -> str:
        file = _opt(options, "--file", "-f")
        doc = self._load(file) if file else {}
        endpoint = self._endpoint(_opt(options, "--name", "-n") or doc.get("name"))
        traffic = dict(endpoint["traffic"])
        mirror = dict(endpoint["mirror_traffic"])
        if "traffic" in doc:
            traffic = dict(doc["traffic"] or {})
        if "mirror_traffic" in doc:
            mirror = dict(doc["mirror_traffic"] or {})
        for option, target in (("--traffic", traffic), ("--mirror-traffic", mirror)):
            value = _opt(options, option)
            if value is not None:
                target.clear()
                for pair in value.split():
                    key, _, number = pair.partition("=")
                    target[key] = int(number)
        self._check_traffic(endpoint, traffic, mirror)
        endpoint["traffic"] = dict(traffic)
        endpoint["mirror_traffic"] = {k: v for k, v in mirror.items() if v > 0}
        if doc:
            endpoint["spec"] = doc
        return json.dumps({"traffic": endpoint["traffic"], "mirror_traffic": endpoint["mirror_traffic"]})

    def deployment_show(self, options: dict[str, str], flags: set[str]) -> str:
        endpoint = self._endpoint(_opt(options, "--endpoint-name", "-e"))
        name = _opt(options, "--name", "-n")
        deployment = endpoint["deployments"].get(name or "")
        if deployment is None:
            raise AzError(f"ResourceNotFound: deployment {name} in {endpoint['name']}", 3)
        return json.dumps(deployment["spec"])

    def deployment_list(self, options: dict[str, str], flags: set[str]) -> str:
        endpoint = self._endpoint(_opt(options, "--endpoint-name", "-e"))
        query = _opt(options, "--query")
        names = sorted(endpoint["deployments"])
        if query is None:
            return json.dumps([endpoint["deployments"][n]["spec"] for n in names])
        # The one JMESPath form apply.sh asks: [?tags."<key>"=='<value>'].name
        match = re.fullmatch(r"\[\?tags\.\"([^\"]+)\"=='([^']*)'\]\.name", query)
        if match is None:
            raise AzError(f"query {query} is not one this fake az answers", 2)
        key, value = match.groups()
        found = [n for n in names if (endpoint["deployments"][n]["spec"].get("tags") or {}).get(key) == value]
        if _opt(options, "--output", "-o") == "tsv":
            return "\n".join(found)
        return json.dumps(found)

    def deployment_create(self, options: dict[str, str], flags: set[str]) -> str:
        file = _opt(options, "--file", "-f")
        if not file:
            raise AzError("--file is required")
        doc = self._load(file)
        endpoint = self._endpoint(_opt(options, "--endpoint-name", "-e") or doc.get("endpoint_name"))
        name = _opt(options, "--name", "-n") or doc.get("name")
        if not name:
            raise AzError("a deployment needs a name")
        if name in endpoint["deployments"]:
            raise AzError(f"deployment {name} already exists in {endpoint['name']}: use update")
        endpoint["deployments"][name] = self._deployment_record(file, doc)
        if "--all-traffic" in flags:
            endpoint["traffic"] = dict.fromkeys(endpoint["deployments"], 0) | {name: 100}
        else:
            endpoint["traffic"].setdefault(name, 0)
        return json.dumps({"name": name})

    def deployment_update(self, options: dict[str, str], flags: set[str]) -> str:
        file = _opt(options, "--file", "-f")
        if not file:
            raise AzError("--file is required")
        doc = self._load(file)
        endpoint = self._endpoint(_opt(options, "--endpoint-name", "-e") or doc.get("endpoint_name"))
        name = _opt(options, "--name", "-n") or doc.get("name")
        if name not in endpoint["deployments"]:
            raise AzError(f"ResourceNotFound: deployment {name} in {endpoint['name']}", 3)
        endpoint["deployments"][name] = self._deployment_record(file, doc)
        return json.dumps({"name": name})

    def deployment_delete(self, options: dict[str, str], flags: set[str]) -> str:
        endpoint = self._endpoint(_opt(options, "--endpoint-name", "-e"))
        name = _opt(options, "--name", "-n") or ""
        if name not in endpoint["deployments"]:
            raise AzError(f"ResourceNotFound: deployment {name} in {endpoint['name']}", 3)
        if endpoint["traffic"].get(name, 0) > 0:
            raise AzError(f"deployment {name} has {endpoint['traffic'][name]}% live traffic: set it to 0 first")
        if endpoint["mirror_traffic"].get(name, 0) > 0:
            raise AzError(f"deployment {name} receives mirrored traffic: set it to 0 first")
        del endpoint["deployments"][name]
        endpoint["traffic"].pop(name, None)
        endpoint["mirror_traffic"].pop(name, None)
        return ""

    def batch_endpoint_create(self, options: dict[str, str], flags: set[str]) -> str:
        doc = self._load(_opt(options, "--file", "-f") or "")
        self.state["batch_endpoints"].setdefault(doc["name"], {"spec": doc, "deployments": {}, "default": None})
        self.state["batch_endpoints"][doc["name"]]["spec"] = doc
        return json.dumps({"name": doc["name"]})

    def _batch_endpoint(self, name: str | None) -> dict[str, Any]:
        endpoint = self.state["batch_endpoints"].get(name or "")
        if endpoint is None:
            raise AzError(f"ResourceNotFound: batch endpoint {name}", 3)
        return endpoint  # type: ignore[no-any-return]

    def _check_compute(self, doc: dict[str, Any]) -> None:
        compute = str(doc.get("compute", ""))
        if compute.removeprefix("azureml:") not in self.state["computes"]:
            raise AzError(f"compute {compute} does not exist in the workspace")

    def compute_show(self, options: dict[str, str], flags: set[str]) -> str:
        compute = self.state["computes"].get(_opt(options, "--name", "-n") or "")
        if compute is None:
            raise AzError("ResourceNotFound: compute", 3)
        return json.dumps(compute)

    def compute_create(self, options: dict[str, str], flags: set[str]) -> str:
        doc = self._load(_opt(options, "--file", "-f") or "")
        name = str(doc.get("name", ""))
        if doc.get("type") != "amlcompute" or not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]{1,15}", name):
            raise AzError(f"invalid compute {name!r} of type {doc.get('type')!r}")
        low, high = int(doc.get("min_instances", 0)), int(doc.get("max_instances", 1))
        if not doc.get("size") or not 0 <= low <= high:
            raise AzError("a cluster needs a size and 0 <= min_instances <= max_instances")
        existing = self.state["computes"].get(name)
        if existing is not None and existing.get("size") != doc["size"]:
            raise AzError(f"the VM size of cluster {name} cannot be changed ({existing.get('size')} -> {doc['size']})")
        self.state["computes"][name] = doc
        return json.dumps({"name": name})

    def compute_update(self, options: dict[str, str], flags: set[str]) -> str:
        name = _opt(options, "--name", "-n") or ""
        compute = self.state["computes"].get(name)
        if compute is None:
            raise AzError(f"ResourceNotFound: compute {name}", 3)
        for option, key in (
            ("--min-instances", "min_instances"),
            ("--max-instances", "max_instances"),
            ("--idle-time-before-scale-down", "idle_time_before_scale_down"),
        ):
            if option in options:
                compute[key] = int(options[option])
        if not 0 <= int(compute.get("min_instances", 0)) <= int(compute.get("max_instances", 1)):
            raise AzError("min_instances must not exceed max_instances")
        return json.dumps(compute)

    def batch_deployment_show(self, options: dict[str, str], flags: set[str]) -> str:
        endpoint = self._batch_endpoint(_opt(options, "--endpoint-name", "-e"))
        deployment = endpoint["deployments"].get(_opt(options, "--name", "-n") or "")
        if deployment is None:
            raise AzError("ResourceNotFound: batch deployment", 3)
        return json.dumps(deployment["spec"])

    def batch_deployment_create(self, options: dict[str, str], flags: set[str]) -> str:
        file = _opt(options, "--file", "-f") or ""
        doc = self._load(file)
        endpoint = self._batch_endpoint(doc.get("endpoint_name"))
        self._check_compute(doc)
        if doc["name"] in endpoint["deployments"]:
            raise AzError(f"batch deployment {doc['name']} already exists")
        endpoint["deployments"][doc["name"]] = self._deployment_record(file, doc)
        if "--set-default" in flags:
            endpoint["default"] = doc["name"]
        return json.dumps({"name": doc["name"]})

    def batch_deployment_update(self, options: dict[str, str], flags: set[str]) -> str:
        file = _opt(options, "--file", "-f") or ""
        doc = self._load(file)
        endpoint = self._batch_endpoint(doc.get("endpoint_name"))
        self._check_compute(doc)
        if doc["name"] not in endpoint["deployments"]:
            raise AzError(f"ResourceNotFound: batch deployment {doc['name']}", 3)
        endpoint["deployments"][doc["name"]] = self._deployment_record(file, doc)
        return json.dumps({"name": doc["name"]})

    def schedule_show(self, options: dict[str, str], flags: set[str]) -> str:
        schedule = self.state["schedules"].get(_opt(options, "--name", "-n") or "")
        if schedule is None:
            raise AzError("ResourceNotFound: schedule", 3)
        return json.dumps(schedule)

    def schedule_create(self, options: dict[str, str], flags: set[str]) -> str:
        doc = self._load(_opt(options, "--file", "-f") or "")
        if doc["name"] in self.state["schedules"]:
            raise AzError(f"schedule {doc['name']} already exists")
        self.state["schedules"][doc["name"]] = doc
        return json.dumps({"name": doc["name"]})

    def schedule_update(self, options: dict[str, str], flags: set[str]) -> str:
        doc = self._load(_opt(options, "--file", "-f") or "")
        if doc["name"] not in self.state["schedules"]:
            raise AzError(f"ResourceNotFound: schedule {doc['name']}", 3)
        self.state["schedules"][doc["name"]] = doc
        return json.dumps({"name": doc["name"]})

    def keyvault_show(self, options: dict[str, str], flags: set[str]) -> str:
        name = _opt(options, "--name", "-n")
        return f"/subscriptions/fake/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/{name}"

    def role_assignment_create(self, options: dict[str, str], flags: set[str]) -> str:
        entry = {k: options.get(k) for k in ("--assignee-object-id", "--role", "--scope")}
        if entry not in self.state["role_assignments"]:
            self.state["role_assignments"].append(entry)
        return json.dumps(entry)

    def deployment_group_create(self, options: dict[str, str], flags: set[str]) -> str:
        template = Path(_opt(options, "--template-file", "-f") or "")
        if not template.is_file():
            raise AzError(f"template {template} does not exist")
        # Incremental mode (the default of `az deployment group create`): each resource of the
        # template is created or updated in place, keyed by its type and name. ARM validates the whole
        # template before it writes anything: check every resource first.
        resources = json.loads(template.read_text(encoding="utf-8")).get("resources", [])
        settings = [r for r in resources if str(r.get("type", "")).lower() == AUTOSCALE_TYPE]
        targets = {str(r.get("name")): self._autoscale_target(r) for r in settings}
        for resource in resources:
            if resource in settings:
                name = str(resource["name"])
                self._autoscale_settings()[name] = {"target": targets[name], "resource": resource}
            else:
                self.state["arm_resources"][f"{resource['type']}/{resource['name']}"] = resource
        return "{}"

    def _autoscale_settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = self.state.setdefault("autoscale_settings", {})
        return settings

    def _autoscale_target(self, resource: dict[str, Any]) -> dict[str, str]:
        """The deployment an autoscale setting targets, refused as Azure refuses it (module docstring)."""
        name = str(resource.get("name", ""))
        properties = resource.get("properties") or {}
        match = TARGET.fullmatch(str(properties.get("targetResourceUri", "")))
        if match is None:
            raise AzError(f"autoscale setting {name}: targetResourceUri is not an online deployment's resource id")
        workspace, endpoint, deployment = match.groups()
        scope = self.state.get("scope", {}).get("workspace")
        if scope not in (None, workspace) or deployment not in self.state["online_endpoints"].get(endpoint, {}).get(
            "deployments", {}
        ):
            raise AzError(
                f"autoscale setting {name}: the target resource {workspace}/{endpoint}/{deployment} was not found"
            )
        profiles = properties.get("profiles") or []
        if not 1 <= len(profiles) <= MAX_AUTOSCALE_PROFILES:
            raise AzError(f"autoscale setting {name}: 1 to {MAX_AUTOSCALE_PROFILES} profiles, not {len(profiles)}")
        for profile in profiles:
            capacity = profile.get("capacity") or {}
            low, default, high = (int(capacity.get(k, -1)) for k in ("minimum", "default", "maximum"))
            if not 0 <= low <= default <= high:
                raise AzError(f"autoscale setting {name}: capacity needs 0 <= minimum <= default <= maximum")
            if len(profile.get("rules") or []) > MAX_AUTOSCALE_RULES:
                raise AzError(f"autoscale setting {name}: at most {MAX_AUTOSCALE_RULES} rules per profile")
        target = {"workspace": workspace, "endpoint": endpoint, "deployment": deployment}
        for other, setting in self._autoscale_settings().items():
            if other != name and setting["target"] == target:
                raise AzError(f"autoscale setting {other} already targets {endpoint}/{deployment}")
        return target

    def autoscale_show(self, options: dict[str, str], flags: set[str]) -> str:
        name = _opt(options, "--name", "-n", "--autoscale-setting-name") or ""
        setting = self._autoscale_settings().get(name)
        if setting is None:
            raise AzError(f"ResourceNotFound: autoscale setting {name}", 3)
        return json.dumps(setting["resource"])

    def autoscale_delete(self, options: dict[str, str], flags: set[str]) -> str:
        name = _opt(options, "--name", "-n", "--autoscale-setting-name") or ""
        if name not in self._autoscale_settings():
            raise AzError(f"ResourceNotFound: autoscale setting {name}", 3)
        del self._autoscale_settings()[name]
        return ""


COMMANDS = {
    "ml model show": Workspace.model_show,
    "ml model create": Workspace.model_create,
    "ml model update": Workspace.model_update,
    "ml online-endpoint show": Workspace.endpoint_show,
    "ml online-endpoint create": Workspace.endpoint_create,
    "ml online-endpoint update": Workspace.endpoint_update,
    "ml online-deployment show": Workspace.deployment_show,
    "ml online-deployment list": Workspace.deployment_list,
    "ml online-deployment create": Workspace.deployment_create,
    "ml online-deployment update": Workspace.deployment_update,
    "ml online-deployment delete": Workspace.deployment_delete,
    "ml batch-endpoint create": Workspace.batch_endpoint_create,
    "ml batch-deployment show": Workspace.batch_deployment_show,
    "ml batch-deployment create": Workspace.batch_deployment_create,
    "ml batch-deployment update": Workspace.batch_deployment_update,
    "ml compute show": Workspace.compute_show,
    "ml compute create": Workspace.compute_create,
    "ml compute update": Workspace.compute_update,
    "ml schedule show": Workspace.schedule_show,
    "ml schedule create": Workspace.schedule_create,
    "ml schedule update": Workspace.schedule_update,
    "keyvault show": Workspace.keyvault_show,
    "role assignment create": Workspace.role_assignment_create,
    "deployment group create": Workspace.deployment_group_create,
    "monitor autoscale show": Workspace.autoscale_show,
    "monitor autoscale delete": Workspace.autoscale_delete,
}
READ_ONLY = {"show", "list"}


def _scope(workspace: Workspace, words: list[str], options: dict[str, str]) -> None:
    """Every command addresses the same resource group (and workspace, for `az ml`) as the first one."""
    group = _opt(options, "--resource-group", "-g")
    name = _opt(options, "--workspace-name", "-w")
    if words[:1] == ["ml"] and (group is None or name is None):
        raise AzError("az ml needs --resource-group and --workspace-name (no defaults are configured)", 2)
    seen = workspace.state.setdefault("scope", {})
    for key, value in (("resource_group", group), ("workspace", name)):
        if value is not None and seen.setdefault(key, value) != value:
            raise AzError(f"{key} {value} is not this workspace's {seen[key]}")


def main(argv: list[str]) -> int:
    workspace = Workspace(Path(os.environ["FAKE_AZ_STATE"]))
    words: list[str] = []
    try:
        words, options, flags = _parse(argv)
        _scope(workspace, words, options)
        output = workspace.run(words, options, flags)
    except AzError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        if words[-1:] not in (["show"], ["list"]):
            workspace.state["log"].append({"argv": argv, "error": str(exc)})
            workspace.save()
        return exc.code
    if words[-1] not in READ_ONLY:
        workspace.state["log"].append({"argv": argv})
    workspace.save()
    if output:
        print(output)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
