"""KServe: InferenceService (+ InferenceGraph for A/B), PrometheusRule, Grafana dashboard, CronJobs.

Rollouts use what KServe v0.20 really honours: `canaryTrafficPercent` splits traffic between the
latest and the previous ready revision, in Knative (serverless) mode only; blue-green deploys the new
revision at 0% with tag routing, then switches; A/B is an InferenceGraph Splitter over two
InferenceServices. KServe cannot mirror (shadow) traffic: a compile error names alternatives.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Decision, Document, Finding, Json, Options, Plan, Stack
from mlopsc.compiler.spec.typed import SecretRef
from mlopsc.compiler.spec.vocabulary import DeploymentMode, Protocol, ServingMode, Strategy
from mlopsc.targets.base import (
    Emission,
    FieldMapping,
    Resolution,
    artifact_uri,
    labels_for,
    refuse,
    resolved,
    warn,
)
from mlopsc.targets.capabilities import Capabilities
from mlopsc.targets.kserve.capabilities import CAPABILITIES
from mlopsc.targets.kserve.monitoring import dashboard, prometheus_rule
from mlopsc.targets.kserve.runtimes import RUNTIMES

if TYPE_CHECKING:
    from mlopsc.targets.kserve.crd import CrdValidator

ISVC_API = "serving.kserve.io/v1beta1"
GRAPH_API = "serving.kserve.io/v1alpha1"
STORAGE_SCHEMES = ("s3://", "gs://", "https://", "http://", "pvc://", "hf://", "oci://")
# KServe 0.16+ names the modes Knative (was Serverless) and Standard (was RawDeployment, the default).
MODE_ANNOTATION = {DeploymentMode.SERVERLESS: "Knative", DeploymentMode.RAW: "Standard"}
RAW_CPU_TARGET = 70


class KServe:
    name: ClassVar[str] = "kserve"
    title: ClassVar[str] = "KServe (Kubernetes)"
    code_prefix: ClassVar[str] = "KSV"
    capabilities: ClassVar[Capabilities] = CAPABILITIES
    mapping: ClassVar[tuple[FieldMapping, ...]] = (
        FieldMapping("metadata.name", "InferenceService metadata.name", "also names the PrometheusRule, dashboard"),
        FieldMapping("metadata.labels", "metadata.labels of every resource", "plus app.kubernetes.io/* and mlopsc-*"),
        FieldMapping("model.framework", "spec.predictor.model.modelFormat {name, version}", "KServe picks the runtime"),
        FieldMapping(
            "model.artifact.uri / mirrors.kserve", "spec.predictor.model.storageUri", "s3, gs, https, pvc, hf, oci"
        ),
        FieldMapping("model.artifact.digest", "annotation mlopsc.io/artifact-digest"),
        FieldMapping("serving.protocol", "spec.predictor.model.protocolVersion", "v1/v2/grpc-v1/grpc-v2 per runtime"),
        FieldMapping("serving.image", "spec.predictor.containers[0].image", "STORAGE_URI env carries the artifact"),
        FieldMapping("serving.env", "spec.predictor.model.env", "secrets as valueFrom.secretKeyRef"),
        FieldMapping("serving.resources", "spec.predictor.model.resources", "requests = limits; gpu as nvidia.com/gpu"),
        FieldMapping("serving.replicas (R002)", "spec.predictor.minReplicas / maxReplicas"),
        FieldMapping(
            "serving.scale.rps_per_replica",
            "spec.predictor.scaleMetric rps, scaleTarget",
            "serverless; raw mode scales on cpu 70%",
        ),
        FieldMapping("rollout canary / blue-green", "spec.predictor.canaryTrafficPercent", "serverless (Knative) only"),
        FieldMapping("rollout ab", "InferenceGraph Splitter weights over two InferenceServices"),
        FieldMapping("rollout shadow", "(refused: KSV005)", "KServe cannot mirror traffic"),
        FieldMapping("monitoring.capture / platforms.kserve.capture_destination", "spec.predictor.logger {mode, url}"),
        FieldMapping("monitoring.slo, drift, quality (R007)", "PrometheusRule alerts", "see the module docstring"),
        FieldMapping("serving.batch", "CronJob <name>-batch", "runs serving.batch.image"),
        FieldMapping("retraining.schedule", "CronJob <name>-retrain", "runs retraining.pipeline.image"),
        FieldMapping(
            "platforms.kserve.deployment_mode",
            "annotation serving.kserve.io/deploymentMode",
            "serverless -> Knative, raw -> Standard",
        ),
        FieldMapping("platforms.kserve.service_account", "spec.predictor.serviceAccountName"),
    )

    # --- resolve ----------------------------------------------------------------------------------------

    def resolve(self, plan: Plan) -> Resolution:
        spec = plan.spec
        platform = spec.platforms.kserve
        assert platform is not None
        findings: list[Finding] = []
        decisions: list[Decision] = []
        components: dict[str, str] = {"namespace": platform.namespace, "mode": platform.deployment_mode.value}
        online = spec.serving.mode.serves_online
        framework = spec.model.framework.name.value

        if online:
            if spec.serving.image:
                components["container"] = spec.serving.image
                decisions.append(
                    resolved(
                        self.name,
                        "kserve.container",
                        spec.serving.image,
                        "serving.image given: a custom predictor container",
                    )
                )
            else:
                runtime = RUNTIMES.get(framework)
                if runtime is None:
                    findings.append(
                        refuse(
                            "KSV001",
                            f"KServe has no serving runtime for framework `{framework}`",
                            ("model", "framework", "name"),
                            hint="give `serving.image` (a container that serves the model)",
                        )
                    )
                else:
                    version = runtime.rest if spec.serving.protocol is Protocol.REST else runtime.grpc
                    if version is None:
                        findings.append(
                            refuse(
                                "KSV002",
                                f"runtime {runtime.name} does not serve {spec.serving.protocol.value.upper()}",
                                ("serving", "protocol"),
                                ("protocol: rest", "a custom `serving.image`"),
                            )
                        )
                    else:
                        components.update(runtime=runtime.name, protocol=version, model_format=runtime.model_format)
                        decisions.append(
                            resolved(
                                self.name,
                                "kserve.runtime",
                                runtime.name,
                                f"ClusterServingRuntime for `{framework}`, protocol {version}",
                            )
                        )
            uri, where = artifact_uri(plan, self.name)
            if not uri.startswith(STORAGE_SCHEMES):
                findings.append(
                    refuse(
                        "KSV010",
                        f"KServe's storage initializer cannot read `{uri}`",
                        where,
                        hint="add `mirrors.kserve` with an s3://, gs://, https://, pvc://, hf:// or "
                        "oci:// copy of the same bytes",
                    )
                )
            capture = self._capture(plan)
            if capture is not None:
                url, path = capture
                if not url.startswith(("http://", "https://")):
                    findings.append(
                        refuse(
                            "KSV003",
                            f"KServe logs payloads to an HTTP URL, not `{url}`",
                            path,
                            hint="set `platforms.kserve.capture_destination` to the payload logger's "
                            "URL (for example a Knative broker or a logging service)",
                        )
                    )
                else:
                    components["capture_url"] = url
                    mon = spec.monitoring
                    if mon and mon.capture and mon.capture.sample_percent < 100:
                        findings.append(
                            warn(
                                "KSV004",
                                f"KServe's logger sends every request: it cannot sample "
                                f"{mon.capture.sample_percent:g}%",
                                ("monitoring", "capture", "sample_percent"),
                                "sample in the logger sink, or accept full capture",
                            )
                        )
        if spec.serving.resources and spec.serving.resources.gpu_type:
            findings.append(
                warn(
                    "KSV008",
                    "KServe requests `nvidia.com/gpu` only: `gpu_type` is not used here",
                    ("serving", "resources", "gpu_type"),
                    "pin the GPU model with the cluster's node labels",
                )
            )
        if spec.serving.mode.serves_batch:
            batch = spec.serving.batch
            image = (batch.image if batch else None) or spec.serving.image
            if image is None:
                findings.append(
                    refuse(
                        "KSV009",
                        "KServe has no managed batch scoring: a CronJob needs an image",
                        ("serving", "batch"),
                        hint="set `serving.batch.image` to a container that "
                        "reads INPUT_URI, scores with MODEL_URI and writes OUTPUT_URI",
                    )
                )
            else:
                components["batch_image"] = image
        if any(f.severity is Severity.ERROR for f in findings):
            return Resolution(None, tuple(findings))
        return Resolution(Stack(self.name, plan.environment, components, tuple(decisions)), tuple(findings))

    def _capture(self, plan: Plan) -> tuple[str, tuple[str | int, ...]] | None:
        platform = plan.spec.platforms.kserve
        assert platform is not None
        if platform.capture_destination:
            return platform.capture_destination, ("platforms", "kserve", "capture_destination")
        mon = plan.spec.monitoring
        if mon and mon.capture:
            return mon.capture.destination, ("monitoring", "capture", "destination")
        return None

    # --- emit -------------------------------------------------------------------------------------------

    def emit(self, plan: Plan, stack: Stack) -> Emission:
        spec = plan.spec
        platform = spec.platforms.kserve
        assert platform is not None
        ns = platform.namespace
        mode = platform.deployment_mode
        labels: dict[str, Json] = {
            **labels_for(plan),
            "app.kubernetes.io/name": plan.model_name,
            "app.kubernetes.io/managed-by": "mlopsc",
            "app.kubernetes.io/version": spec.model.version,
        }
        docs: list[Document] = []
        decisions: list[Decision] = []
        online = spec.serving.mode.serves_online
        rollout = plan.derived.rollout
        strategy = rollout.strategy
        previous = rollout.previous
        traffic = rollout.new.live_share
        if online:
            isvc, predictor, annotations = self._isvc(
                plan, stack, plan.model_name, spec.model.version, previous=False, labels=labels
            )
            # KServe's translation of a live split: canary and blue-green split between the latest and the
            # previous ready revision (canaryTrafficPercent); A/B is an InferenceGraph over two services.
            if previous is not None and rollout.live_split and strategy is not Strategy.AB:
                predictor["canaryTrafficPercent"] = traffic
                decisions.append(
                    resolved(
                        self.name,
                        "kserve.canaryTrafficPercent",
                        traffic,
                        f"{strategy}: {traffic}% to {spec.model.version}, the rest to the previous "
                        f"ready revision (must be {previous.version})",
                    )
                )
                if strategy is Strategy.BLUE_GREEN:
                    annotations["serving.kserve.io/enable-tag-routing"] = "true"
            if rollout.replaces is not None:  # the live version it replaces, all-at-once included
                annotations["mlopsc.io/previous-version"] = rollout.replaces
            docs.append(Document("inferenceservice.yaml", "InferenceService", "yaml", isvc))
            if previous is not None and rollout.live_split and strategy is Strategy.AB:
                old, _, _ = self._isvc(
                    plan,
                    stack,
                    f"{plan.model_name}-previous",
                    previous.version,
                    previous=True,
                    labels={**labels, "app.kubernetes.io/version": previous.version},
                )
                docs.append(Document("inferenceservice-previous.yaml", "InferenceService", "yaml", old))
                docs.append(Document("inferencegraph.yaml", "InferenceGraph", "yaml", self._splitter(plan, ns, labels)))
                decisions.append(
                    resolved(
                        self.name,
                        "kserve.inferencegraph",
                        f"{plan.model_name}-ab",
                        f"A/B: Splitter sends {traffic}% to {spec.model.version}, "
                        f"{previous.live_share}% to {previous.version}",
                    )
                )
            docs.append(
                Document("prometheusrule.yaml", "PrometheusRule", "yaml", prometheus_rule(plan, ns, mode, labels))
            )
            docs.append(Document("dashboard.yaml", "ConfigMap", "yaml", dashboard(plan, ns, mode, labels)))
            source = "Knative queue-proxy" if mode is DeploymentMode.SERVERLESS else "Istio telemetry"
            decisions.append(
                resolved(
                    self.name,
                    "kserve.metrics",
                    source,
                    f"latency and error alerts read {source} metrics ({MODE_ANNOTATION[mode]} mode); "
                    "drift and quality alerts read the mlopsc_feature_drift and "
                    "mlopsc_model_quality gauges of the drift detector",
                )
            )
        if "batch_image" in stack.components:
            docs.append(Document("cronjob-batch.yaml", "CronJob", "yaml", self._batch_job(plan, stack, labels)))
        retraining = spec.retraining
        if retraining and retraining.schedule:
            docs.append(Document("cronjob-retraining.yaml", "CronJob", "yaml", self._retrain_job(plan, labels)))
        if retraining and retraining.triggers:
            decisions.append(
                resolved(
                    self.name,
                    "kserve.retraining_trigger",
                    "alert action=retrain",
                    "drift/quality retraining is signalled by the alerts labelled action=retrain; "
                    "route them with Alertmanager to start the retraining job",
                )
            )
        names = sorted(d.name for d in docs)
        docs.append(
            Document(
                "kustomization.yaml",
                "Kustomization",
                "yaml",
                {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": list(names)},
            )
        )
        return Emission(tuple(docs), (), tuple(decisions))

    def _isvc(
        self, plan: Plan, stack: Stack, name: str, version: str, previous: bool, labels: dict[str, Json]
    ) -> tuple[dict[str, Json], dict[str, Json], dict[str, Json]]:
        """The InferenceService, its predictor and its annotations (the caller adds rollout fields)."""
        spec = plan.spec
        platform = spec.platforms.kserve
        assert platform is not None
        d = plan.derived
        mode = platform.deployment_mode
        uri, _ = artifact_uri(plan, self.name, previous=previous)
        container: dict[str, Json] = {}
        env = self._env(plan)
        if "container" in stack.components:
            container = {
                "name": "kserve-container",
                "image": stack.components["container"],
                "env": [*env, {"name": "STORAGE_URI", "value": uri}],
            }
            if spec.serving.resources:
                container["resources"] = _resources(plan)
        else:
            container = {
                "modelFormat": {"name": stack.components["model_format"], "version": spec.model.framework.version},
                "protocolVersion": stack.components["protocol"],
                "storageUri": uri,
            }
            if env:
                container["env"] = env
            if spec.serving.resources:
                container["resources"] = _resources(plan)
            if d.startup_timeout_s > 120 and spec.serving.protocol is Protocol.REST:
                ready = f"/v2/models/{name}/ready" if stack.components["protocol"] == "v2" else f"/v1/models/{name}"
                container["readinessProbe"] = {
                    "httpGet": {"path": ready},
                    "initialDelaySeconds": d.readiness_initial_delay_s,
                    "periodSeconds": 10,
                    "timeoutSeconds": 5,
                    "failureThreshold": max(3, math.ceil(d.startup_timeout_s / 10)),
                }
        predictor: dict[str, Json] = {"minReplicas": d.replicas_min, "maxReplicas": d.replicas_max}
        if mode is DeploymentMode.SERVERLESS:
            predictor.update(scaleMetric="rps", scaleTarget=max(1, int(d.rps_per_replica)))
            if d.startup_timeout_s > 120:
                predictor["annotations"] = {"serving.knative.dev/progress-deadline": f"{d.startup_timeout_s}s"}
        else:
            predictor.update(scaleMetric="cpu", scaleMetricType="Utilization", scaleTarget=RAW_CPU_TARGET)
        if platform.service_account:
            predictor["serviceAccountName"] = platform.service_account
        if "capture_url" in stack.components:
            predictor["logger"] = {"mode": "all", "url": stack.components["capture_url"]}
        if "container" in stack.components:
            predictor["containers"] = [container]
        else:
            predictor["model"] = container
        annotations: dict[str, Json] = {"serving.kserve.io/deploymentMode": MODE_ANNOTATION[mode]}
        digest = (
            d.rollout.previous.artifact.digest if previous and d.rollout.previous else d.rollout.new.artifact.digest
        )
        if digest:
            annotations["mlopsc.io/artifact-digest"] = digest
        if plan.registry is not None and not previous:
            from mlopsc.targets.kserve.registry import entry_annotations

            annotations.update(entry_annotations(plan.registry))
        isvc: dict[str, Json] = {
            "apiVersion": ISVC_API,
            "kind": "InferenceService",
            "metadata": {
                "name": name,
                "namespace": platform.namespace,
                "labels": dict(labels),
                "annotations": annotations,
            },
            "spec": {"predictor": predictor},
        }
        return isvc, predictor, annotations

    def _env(self, plan: Plan) -> list[Json]:
        spec = plan.spec
        out: list[Json] = []
        for var, value in sorted(spec.serving.env.items()):
            if isinstance(value, SecretRef):
                entry = spec.secrets[value.secret].kserve
                assert entry is not None
                ref = entry.secret_key_ref
                out.append({"name": var, "valueFrom": {"secretKeyRef": {"name": ref.name, "key": ref.key}}})
            else:
                out.append({"name": var, "value": value})
        return out

    def _splitter(self, plan: Plan, ns: str, labels: dict[str, Json]) -> Json:
        name = plan.model_name
        rollout = plan.derived.rollout
        assert rollout.previous is not None
        return {
            "apiVersion": GRAPH_API,
            "kind": "InferenceGraph",
            "metadata": {"name": f"{name}-ab", "namespace": ns, "labels": dict(labels)},
            "spec": {
                "nodes": {
                    "root": {
                        "routerType": "Splitter",
                        "steps": [
                            {"name": "new", "serviceName": name, "weight": rollout.new.live_share},
                            {
                                "name": "previous",
                                "serviceName": f"{name}-previous",
                                "weight": rollout.previous.live_share,
                            },
                        ],
                    }
                }
            },
        }

    def _batch_job(self, plan: Plan, stack: Stack, labels: dict[str, Json]) -> Json:
        spec = plan.spec
        batch = spec.serving.batch
        assert batch is not None
        platform = spec.platforms.kserve
        assert platform is not None
        uri, _ = artifact_uri(plan, self.name)
        env: list[Json] = [
            {"name": "INPUT_URI", "value": batch.input_uri},
            {"name": "OUTPUT_URI", "value": batch.output_uri},
            {"name": "MODEL_URI", "value": uri},
            {"name": "MODEL_VERSION", "value": spec.model.version},
        ]
        if spec.serving.mode is ServingMode.HYBRID:
            env.append(
                {"name": "PREDICT_URL", "value": f"http://{plan.model_name}.{platform.namespace}.svc.cluster.local"}
            )
        container: dict[str, Json] = {
            "name": "batch",
            "image": stack.components["batch_image"],
            "env": [*env, *self._env(plan)],
        }
        if batch.command:
            container["command"] = list(batch.command)
        if spec.serving.resources:
            container["resources"] = _resources(plan)
        return _cronjob(
            f"{plan.model_name}-batch", platform.namespace, batch.schedule, labels, container, platform.service_account
        )

    def _retrain_job(self, plan: Plan, labels: dict[str, Json]) -> Json:
        spec = plan.spec
        retraining = spec.retraining
        assert retraining is not None and retraining.schedule is not None
        platform = spec.platforms.kserve
        assert platform is not None
        container: dict[str, Json] = {
            "name": "retrain",
            "image": retraining.pipeline.image,
            "command": list(retraining.pipeline.command),
            "env": [
                {"name": "MODEL_NAME", "value": plan.model_name},
                {"name": "MODEL_VERSION", "value": spec.model.version},
                {"name": "MIN_IMPROVEMENT", "value": f"{retraining.promotion.min_improvement:g}"},
            ],
        }
        return _cronjob(
            f"{plan.model_name}-retrain",
            platform.namespace,
            retraining.schedule,
            labels,
            container,
            platform.service_account,
        )

    # --- check ------------------------------------------------------------------------------------------

    def check(self, documents: Sequence[Document], options: Options) -> tuple[Finding, ...]:
        if not options.kserve_crd:
            return ()
        validator = _validator(tuple(str(p) for p in options.kserve_crd))
        findings: list[Finding] = []
        for doc in documents:
            body = doc.body
            if isinstance(body, dict) and str(body.get("apiVersion", "")).startswith("serving.kserve.io/"):
                for issue in validator.validate(body):
                    findings.append(
                        Finding(
                            "KSV900",
                            Severity.ERROR,
                            f"{doc.name} does not validate against the KServe CRD: {issue.path}: {issue.message}",
                            ("platforms", "kserve"),
                            "the cluster's KServe version may not support this field",
                        )
                    )
        return tuple(findings)


@functools.lru_cache(maxsize=4)
def _validator(locations: tuple[str, ...]) -> CrdValidator:
    """CRDs are large (the InferenceService CRD parses in ~1 s): load them once per process."""
    from mlopsc.targets.kserve.crd import CrdValidator

    return CrdValidator.from_locations([Path(p) for p in locations])


def _resources(plan: Plan) -> Json:
    res = plan.spec.serving.resources
    assert res is not None
    cpu = f"{res.cpu:g}" if res.cpu >= 1 and float(res.cpu).is_integer() else f"{round(res.cpu * 1000)}m"
    memory = f"{res.memory_gb:g}Gi" if float(res.memory_gb).is_integer() else f"{round(res.memory_gb * 1024)}Mi"
    values: dict[str, Json] = {"cpu": cpu, "memory": memory}
    limits: dict[str, Json] = dict(values)
    if res.gpu:
        limits["nvidia.com/gpu"] = str(res.gpu)
    return {"requests": values, "limits": limits}


def _cronjob(
    name: str, ns: str, schedule: str, labels: dict[str, Json], container: dict[str, Json], service_account: str | None
) -> Json:
    pod: dict[str, Json] = {"restartPolicy": "Never", "containers": [container]}
    if service_account:
        pod["serviceAccountName"] = service_account
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name, "namespace": ns, "labels": dict(labels)},
        "spec": {
            "schedule": schedule,
            "timeZone": "Etc/UTC",
            "concurrencyPolicy": "Forbid",
            "jobTemplate": {
                "spec": {"backoffLimit": 2, "template": {"metadata": {"labels": dict(labels)}, "spec": pod}}
            },
        },
    }
