"""A fake Vertex AI v1 REST API on 127.0.0.1: the calls a rendered `apply.sh` makes, with Vertex's rules.

`FakeVertex` is a context manager: it serves on a free port of 127.0.0.1 from a thread, and stops itself
after `lifetime` seconds even if a test forgets to (so a hung script cannot keep it alive). `base` is
what the script reads from `MLOPSC_VERTEX_API`. Every request is logged (`requests`, `mutations()`).

Each rule cites the REST reference page it reproduces (https://cloud.google.com/vertex-ai/docs/reference/rest/v1/):

- `projects.locations.models/upload`: `{modelId | parentModel, model}`; a long-running operation whose
  response names the model and its `modelVersionId`. A version is addressed `models/ID@ALIAS` or
  `models/ID@VERSION` (`projects.locations.models/get`, "name": "...models/{model}@2 or @golden");
  `versionAliases` are unique within a model (`Model.version_aliases`: "A new version alias will be
  rejected if it's already used by another version").
- `projects.locations.models/mergeVersionAliases`: `{versionAliases}` on `models/ID@VERSION`; `-name` removes
  an alias; an alias another version holds moves to this one (model-registry/model-alias, "Some
  considerations for using aliases": "applying an existing alias used by another version removes it from
  that version"); not a long-running operation: the response is the version.
- `projects.locations.endpoints/create`: `endpointId` query parameter; an existing id is ALREADY_EXISTS.
- `projects.locations.endpoints/deployModel`: `deployedModel.id` 1-10 characters of `[0-9]`, unique on the
  endpoint (`DeployedModel.id`); the model must exist; `trafficSplit` "0" names the model being deployed,
  replaces the endpoint's split when given and must add up to 100; left empty, the endpoint's split is not
  updated (`DeployModelRequest.traffic_split`).
- `projects.locations.endpoints/undeployModel`: the `trafficSplit` given overwrites the endpoint's first;
  "A DeployedModel will be successfully undeployed only if it doesn't have any traffic assigned to it when
  this method executes, or if this field unassigns any traffic to it"; the last one leaves the split
  empty (`UndeployModelRequest.traffic_split`).
- `projects.locations.endpoints/mutateDeployedModel`: only `dedicatedResources.minReplicaCount`,
  `maxReplicaCount` and `autoscalingMetricSpecs` may change ("Updatable fields").
- `projects.locations.endpoints/patch`: `updateMask` is required and the response is the Endpoint (not an
  operation). `Endpoint.traffic_split`: keys are DeployedModel ids of this endpoint, values add up to 100
  ("If a DeployedModel's ID is not listed in this map, then it receives no traffic"), empty when nothing
  is deployed. `network` and `encryptionSpec` are set at creation only (the reference lists no update for
  them, and hashicorp/terraform-provider-google marks both `ForceNew` in
  google/services/vertexai/resource_vertex_ai_endpoint.go): a mask naming them is INVALID_ARGUMENT here.
- Private services access endpoints (`network` set) serve one model: "Only support one model per private
  endpoint. This is different from a public Vertex AI endpoint where you can split traffic across
  multiple models deployed to one endpoint" (https://cloud.google.com/vertex-ai/docs/predictions/using-private-endpoints).
- Long-running operations (`projects.locations.operations/get`): every create, deploy, undeploy, mutate
  and upload answers `done: false` first and is done on the first poll, so a script that does not poll
  goes on before the change happened (the change is applied when the operation completes).
- `modelDeploymentMonitoringJobs` and `schedules`: list with `filter=display_name="..."`, create, patch
  with an `updateMask`.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

JsonObj = dict[str, Any]
MUTATING = ("POST", "PATCH", "DELETE", "PUT")
_DEPLOYED_ID = re.compile(r"^[0-9]{1,10}$")
ENDPOINT_MUTABLE = {"displayName", "description", "labels", "predictRequestResponseLoggingConfig", "trafficSplit"}
ENDPOINT_IMMUTABLE = {"network", "encryptionSpec"}
DEPLOYED_MUTABLE = {
    "dedicatedResources.minReplicaCount",
    "dedicatedResources.maxReplicaCount",
    "dedicatedResources.autoscalingMetricSpecs",
}


class ApiError(Exception):
    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: JsonObj | None


@dataclass
class State:
    parent: str
    models: dict[str, list[JsonObj]] = field(default_factory=dict)  # model id -> its versions
    endpoints: dict[str, JsonObj] = field(default_factory=dict)
    operations: dict[str, JsonObj] = field(default_factory=dict)
    pending: dict[str, Callable[[], JsonObj]] = field(default_factory=dict)
    monitoring: list[JsonObj] = field(default_factory=list)
    schedules: list[JsonObj] = field(default_factory=list)
    counter: int = 0

    def next_id(self) -> str:
        self.counter += 1
        return str(self.counter)


class FakeVertex:
    def __init__(self, project: str, region: str, lifetime: float = 300.0) -> None:
        self.state = State(f"projects/{project}/locations/{region}")
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.lifetime = lifetime
        self.server: ThreadingHTTPServer | None = None
        self.timer: threading.Timer | None = None

    # --- the test's side ------------------------------------------------------------------------------

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> FakeVertex:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, answer = fake.handle(self.command, self.path, raw, self.headers.get("Authorization"))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.timer = threading.Timer(self.lifetime, self.server.shutdown)
        self.timer.daemon = True
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.server is not None and self.timer is not None
        self.timer.cancel()
        self.server.shutdown()
        self.server.server_close()

    def mutations(self) -> list[Request]:
        return [r for r in self.requests if r.method in MUTATING]

    def clear_log(self) -> None:
        self.requests.clear()

    def endpoint(self, endpoint_id: str) -> JsonObj:
        return self.state.endpoints[endpoint_id]

    def seed_model(self, model_id: str, alias: str) -> str:
        """A model version uploaded before (the previous version): returns its resource name with alias."""
        self._upload({"modelId": model_id, "model": {"displayName": model_id, "versionAliases": [alias]}})()
        return f"{self.state.parent}/models/{model_id}@{alias}"

    def model(self, name: str) -> JsonObj:
        """The model version `ID@ALIAS` or `ID@VERSION` as the API holds it."""
        version = self._version(name)
        assert version is not None, name
        return copy.deepcopy(version)

    def seed_endpoint(self, endpoint_id: str, body: JsonObj, deployed: list[tuple[str, str]]) -> None:
        """An endpoint as a previous release left it: `deployed` (id, model) pairs, the first at 100%."""
        self._create_endpoint(endpoint_id, body)()
        endpoint = self.state.endpoints[endpoint_id]
        for i, (deployed_id, model) in enumerate(deployed):
            endpoint["deployedModels"].append({"id": deployed_id, "model": model, "dedicatedResources": {}})
            endpoint["trafficSplit"][deployed_id] = 100 if i == 0 else 0

    # --- the API's side ------------------------------------------------------------------------------

    def handle(self, method: str, raw_path: str, raw: bytes, auth: str | None) -> tuple[int, JsonObj]:
        url = urllib.parse.urlsplit(raw_path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        path = urllib.parse.unquote(url.path)
        with self.lock:
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                return 400, _error(400, "INVALID_ARGUMENT", "request body is not JSON")
            self.requests.append(Request(method, path, query, body))
            if auth != "Bearer fake-token":
                return 401, _error(401, "UNAUTHENTICATED", "no bearer token")
            try:
                return 200, self._route(method, path, query, body)
            except ApiError as e:
                return e.status, _error(e.status, e.reason, e.message)

    def _route(self, method: str, path: str, query: dict[str, str], body: JsonObj | None) -> JsonObj:
        parent = f"/v1/{self.state.parent}"
        if method == "GET" and path.startswith("/v1/") and "/operations/" in path:
            return self._poll(path.removeprefix("/v1/"))
        if not path.startswith(parent + "/"):
            raise ApiError(404, "NOT_FOUND", f"unknown parent in {path}")
        rest = path.removeprefix(parent + "/")
        collection, _, name = rest.partition("/")
        verb = ""
        if ":" in (name or collection):
            if name:
                name, _, verb = name.partition(":")
            else:
                collection, _, verb = collection.partition(":")
        if collection == "models":
            if method == "POST" and verb == "upload" and not name:
                return self._operation(self._upload(_need(body)))
            if method == "GET" and name and not verb:
                return self._get_model(name)
            if method == "POST" and name and verb == "mergeVersionAliases":
                return self._merge_aliases(name, _need(body))
        if collection == "endpoints":
            if method == "POST" and not name and not verb:
                return self._operation(self._create_endpoint(query.get("endpointId", ""), _need(body)))
            if method == "GET" and name and not verb:
                return copy.deepcopy(self._endpoint(name))
            if method == "PATCH" and name and not verb:
                return self._patch_endpoint(name, query.get("updateMask", ""), _need(body))
            if method == "POST" and verb == "deployModel":
                return self._operation(self._deploy(name, _need(body)))
            if method == "POST" and verb == "undeployModel":
                return self._operation(self._undeploy(name, _need(body)))
            if method == "POST" and verb == "mutateDeployedModel":
                return self._operation(self._mutate(name, _need(body)))
        if collection in ("modelDeploymentMonitoringJobs", "schedules"):
            return self._listed(collection, method, name, query, body)
        raise ApiError(404, "NOT_FOUND", f"{method} {path} is not implemented by the fake")

    # long-running operations: done on the first poll; the change happens then
    def _operation(self, apply: Callable[[], JsonObj]) -> JsonObj:
        name = f"{self.state.parent}/operations/{self.state.next_id()}"
        self.state.pending[name] = apply
        self.state.operations[name] = {"name": name, "done": False}
        return dict(self.state.operations[name])

    def _poll(self, name: str) -> JsonObj:
        if name not in self.state.operations:
            raise ApiError(404, "NOT_FOUND", f"operation {name}")
        apply = self.state.pending.pop(name, None)
        if apply is not None:
            try:
                self.state.operations[name] = {"name": name, "done": True, "response": apply()}
            except ApiError as e:
                self.state.operations[name] = {
                    "name": name,
                    "done": True,
                    "error": {"code": e.status, "message": e.message},
                }
        return dict(self.state.operations[name])

    # models
    def _upload(self, body: JsonObj) -> Callable[[], JsonObj]:
        model = _need(body.get("model"))
        if "parentModel" in body:
            model_id = str(body["parentModel"]).rsplit("/", 1)[-1]
            if model_id not in self.state.models:
                raise ApiError(404, "NOT_FOUND", f"parentModel {body['parentModel']}")
        else:
            model_id = str(body.get("modelId", ""))
            if model_id in self.state.models:
                raise ApiError(409, "ALREADY_EXISTS", f"model {model_id} exists: upload a version with parentModel")
        aliases = list(model.get("versionAliases", []))
        for version in self.state.models.get(model_id, []):
            if set(aliases) & set(version["versionAliases"]):
                raise ApiError(400, "INVALID_ARGUMENT", f"alias {aliases} is used by another version")

        def apply() -> JsonObj:
            versions = self.state.models.setdefault(model_id, [])
            version = {**copy.deepcopy(model), "versionId": str(len(versions) + 1), "versionAliases": aliases}
            version["name"] = f"{self.state.parent}/models/{model_id}"
            versions.append(version)
            return {"model": version["name"], "modelVersionId": version["versionId"]}

        return apply

    def _version(self, name: str) -> JsonObj | None:
        model_id, _, ref = name.partition("@")
        versions = self.state.models.get(model_id)
        if not versions:
            return None
        if not ref:
            return versions[-1]
        return next((v for v in versions if ref in v["versionAliases"] or ref == v["versionId"]), None)

    def _get_model(self, name: str) -> JsonObj:
        version = self._version(name)
        if version is None:
            raise ApiError(404, "NOT_FOUND", f"model {name}")
        return copy.deepcopy(version)

    def _merge_aliases(self, name: str, body: JsonObj) -> JsonObj:
        version = self._version(name)
        if version is None:
            raise ApiError(404, "NOT_FOUND", f"model {name}")
        model_id = name.partition("@")[0]
        for alias in [str(a) for a in body.get("versionAliases", [])]:  # type: ignore[union-attr]
            if alias.startswith("-"):
                version["versionAliases"] = [a for a in version["versionAliases"] if a != alias[1:]]
                continue
            for other in self.state.models.get(model_id, []):
                if other is not version:
                    other["versionAliases"] = [a for a in other["versionAliases"] if a != alias]
            if alias not in version["versionAliases"]:
                version["versionAliases"].append(alias)
        return copy.deepcopy(version)

    # endpoints
    def _endpoint(self, endpoint_id: str) -> JsonObj:
        if endpoint_id not in self.state.endpoints:
            raise ApiError(404, "NOT_FOUND", f"endpoint {endpoint_id}")
        return self.state.endpoints[endpoint_id]

    def _create_endpoint(self, endpoint_id: str, body: JsonObj) -> Callable[[], JsonObj]:
        if not endpoint_id:
            raise ApiError(400, "INVALID_ARGUMENT", "endpointId is required by this script's create")
        if endpoint_id in self.state.endpoints:
            raise ApiError(409, "ALREADY_EXISTS", f"endpoint {endpoint_id}")

        def apply() -> JsonObj:
            endpoint = {k: copy.deepcopy(v) for k, v in body.items() if k not in ("deployedModels", "trafficSplit")}
            endpoint.update(name=f"{self.state.parent}/endpoints/{endpoint_id}", deployedModels=[], trafficSplit={})
            self.state.endpoints[endpoint_id] = endpoint
            return copy.deepcopy(endpoint)

        return apply

    def _check_split(self, split: object, ids: set[str]) -> dict[str, int]:
        if not isinstance(split, dict):
            raise ApiError(400, "INVALID_ARGUMENT", "trafficSplit is a map")
        out: dict[str, int] = {}
        for key, value in split.items():
            if key not in ids:
                raise ApiError(
                    400, "INVALID_ARGUMENT", f"trafficSplit key {key} is not a DeployedModel of the endpoint"
                )
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
                raise ApiError(400, "INVALID_ARGUMENT", f"trafficSplit[{key}] must be an integer percent")
            out[key] = value
        if ids and sum(out.values()) != 100:
            raise ApiError(400, "INVALID_ARGUMENT", f"trafficSplit must add up to 100, not {sum(out.values())}")
        if not ids and out:
            raise ApiError(400, "INVALID_ARGUMENT", "trafficSplit must be empty when nothing is deployed")
        return out

    def _patch_endpoint(self, endpoint_id: str, mask: str, body: JsonObj) -> JsonObj:
        endpoint = self._endpoint(endpoint_id)
        if not mask:
            raise ApiError(400, "INVALID_ARGUMENT", "updateMask is required")
        paths = [_camel(p) for p in mask.split(",")]
        for path in paths:
            if path in ENDPOINT_IMMUTABLE:
                raise ApiError(400, "INVALID_ARGUMENT", f"{path} is immutable")
            if path not in ENDPOINT_MUTABLE:
                raise ApiError(400, "INVALID_ARGUMENT", f"{path} cannot be updated")
        if "trafficSplit" in paths:
            ids = {d["id"] for d in endpoint["deployedModels"]}
            body["trafficSplit"] = self._check_split(body.get("trafficSplit", {}), ids)
        for path in paths:
            if path in body:
                endpoint[path] = copy.deepcopy(body[path])
            else:
                endpoint.pop(path, None)
        return copy.deepcopy(endpoint)

    def _deploy(self, endpoint_id: str, body: JsonObj) -> Callable[[], JsonObj]:
        endpoint = self._endpoint(endpoint_id)
        deployed = dict(_need(body.get("deployedModel")))
        deployed_id = str(deployed.get("id", ""))
        if not _DEPLOYED_ID.match(deployed_id):
            raise ApiError(400, "INVALID_ARGUMENT", f"DeployedModel.id {deployed_id!r}: 1-10 characters of [0-9]")
        ids = {d["id"] for d in endpoint["deployedModels"]}
        if deployed_id in ids:
            raise ApiError(409, "ALREADY_EXISTS", f"DeployedModel {deployed_id} is on the endpoint")
        if endpoint.get("network") and ids:
            raise ApiError(400, "FAILED_PRECONDITION", "a private endpoint serves one model")
        model = str(deployed.get("model", ""))
        if not model.startswith(self.state.parent + "/models/") or self._version(model.rsplit("/", 1)[-1]) is None:
            raise ApiError(404, "NOT_FOUND", f"model {model}")
        split = body.get("trafficSplit") or {}
        renamed = {(deployed_id if k == "0" else k): v for k, v in split.items()}
        checked = self._check_split(renamed, ids | {deployed_id}) if split else {}
        if split and "0" not in split:
            raise ApiError(400, "INVALID_ARGUMENT", 'trafficSplit names the model being deployed "0"')

        def apply() -> JsonObj:
            endpoint["deployedModels"].append(copy.deepcopy(deployed))
            if split:
                endpoint["trafficSplit"] = checked
            elif not ids:
                endpoint["trafficSplit"] = {deployed_id: 100}
            return {"deployedModel": {"id": deployed_id}}

        return apply

    def _undeploy(self, endpoint_id: str, body: JsonObj) -> Callable[[], JsonObj]:
        endpoint = self._endpoint(endpoint_id)
        deployed_id = str(body.get("deployedModelId", ""))
        ids = {d["id"] for d in endpoint["deployedModels"]}
        if deployed_id not in ids:
            raise ApiError(404, "NOT_FOUND", f"DeployedModel {deployed_id}")
        split = endpoint["trafficSplit"]
        if "trafficSplit" in body:
            split = self._check_split(body["trafficSplit"], ids)
        if split.get(deployed_id, 0) != 0:
            raise ApiError(400, "FAILED_PRECONDITION", f"DeployedModel {deployed_id} still has traffic")

        def apply() -> JsonObj:
            endpoint["deployedModels"] = [d for d in endpoint["deployedModels"] if d["id"] != deployed_id]
            remaining = {k: v for k, v in split.items() if k != deployed_id}
            endpoint["trafficSplit"] = remaining if endpoint["deployedModels"] else {}
            return {}

        return apply

    def _mutate(self, endpoint_id: str, body: JsonObj) -> Callable[[], JsonObj]:
        endpoint = self._endpoint(endpoint_id)
        wanted = _need(body.get("deployedModel"))
        mask = str(body.get("updateMask", ""))
        paths = [_camel(p) for p in mask.split(",") if p]
        if not paths or any(p not in DEPLOYED_MUTABLE for p in paths):
            raise ApiError(400, "INVALID_ARGUMENT", f"updateMask {mask!r}: updatable are {sorted(DEPLOYED_MUTABLE)}")
        [target] = [d for d in endpoint["deployedModels"] if d["id"] == wanted.get("id")] or [None]
        if target is None:
            raise ApiError(404, "NOT_FOUND", f"DeployedModel {wanted.get('id')}")

        def apply() -> JsonObj:
            resources = target.setdefault("dedicatedResources", {})
            for path in paths:
                key = path.split(".", 1)[1]
                given = wanted.get("dedicatedResources", {})
                if key in given:
                    resources[key] = copy.deepcopy(given[key])
                else:
                    resources.pop(key, None)
            return {"deployedModel": copy.deepcopy(target)}

        return apply

    # monitoring jobs and schedules: found by display name, created, patched
    def _listed(self, collection: str, method: str, name: str, query: dict[str, str], body: JsonObj | None) -> JsonObj:
        items = self.state.monitoring if collection == "modelDeploymentMonitoringJobs" else self.state.schedules
        if method == "GET" and not name:
            match = re.fullmatch(r'display_name="(.*)"', query.get("filter", ""))
            found = [copy.deepcopy(i) for i in items if match is None or i.get("displayName") == match.group(1)]
            return {collection: found} if found else {}
        if method == "POST" and not name:
            item = {**copy.deepcopy(_need(body)), "name": f"{self.state.parent}/{collection}/{self.state.next_id()}"}
            items.append(item)
            return copy.deepcopy(item)
        if method == "PATCH" and name:
            [item] = [i for i in items if i["name"].endswith(f"/{name}")] or [None]
            if item is None:
                raise ApiError(404, "NOT_FOUND", name)
            given = _need(body)
            for path in (_camel(p) for p in str(query.get("updateMask", "")).split(",")):
                if path in given:
                    item[path] = copy.deepcopy(given[path])
            if collection == "schedules":
                return copy.deepcopy(item)
            return self._operation(lambda: copy.deepcopy(item))
        raise ApiError(404, "NOT_FOUND", f"{method} {collection}/{name}")


def _camel(path: str) -> str:
    """A field mask path as the JSON names it: `traffic_split` and `trafficSplit` are the same field
    (google.protobuf.FieldMask's JSON mapping writes lowerCamelCase; the servers take either)."""
    return ".".join(re.sub(r"_([a-z])", lambda m: m.group(1).upper(), part) for part in path.split("."))


def _need(value: object) -> JsonObj:
    if not isinstance(value, dict):
        raise ApiError(400, "INVALID_ARGUMENT", "a JSON object is required")
    return value


def _error(status: int, reason: str, message: str) -> JsonObj:
    return {"error": {"code": status, "status": reason, "message": message}}
