"""KServe: InferenceService (+ InferenceGraph for A/B), PrometheusRule, Grafana dashboard, CronJobs.

Rollouts use what KServe v0.20 really honours: `canaryTrafficPercent` splits traffic between the
latest and the previous ready revision, in Knative (serverless) mode only; blue-green deploys the new
revision at 0% with tag routing, then switches; A/B is an InferenceGraph Splitter over two
InferenceServices. KServe cannot mirror (shadow) traffic: a compile error names alternatives.

The predictor's `modelFormat.version` is the major the selected runtime declares (KServe matches it
exactly); targets/kserve/choose.py reproduces KServe v0.20.0's selection over the catalog (or the
cluster's runtimes with `--kserve-runtimes`, KSV013) and checks the artifact URI against what that
runtime loads (KSV011; an archive is unpacked by the storage initializer and must hold it, KSV012).

Batch (and the batch half of hybrid) without `serving.batch.image`: sklearn, xgboost and lightgbm run a generated
scorer inside their KServe runtime image, which holds KServe's model class (batch_scorer.py). The other frameworks'
runtimes (TensorFlow Serving, Triton, TorchServe, huggingfaceserver) hold no model class a script can call, so the
batch pod runs the runtime KServe selects for the spec, exactly as the InferenceService's predictor would run it
(image, args with `{{.Name}}` substituted, env, the torchserve defaults), as a Kubernetes native sidecar (an init
container with `restartPolicy: Always` and a readinessProbe on the runtime's readiness path) after KServe's storage
initializer (`kserve/storage-initializer:v0.20.0`, the model into the emptyDir `kserve-provision-location` at
/mnt/models); the main container, in the storage-initializer image (Python, kserve_storage, boto3,
google-cloud-storage), runs a generated stdlib client that waits for the runtime's readiness path (a runtime not
ready within the spec's startup timeout fails the Job), reads the rows, posts them to 127.0.0.1:8080 over v1
(`instances`) or v2 (`inputs` tensors shaped by the model's metadata), and uploads
`predictions-<version>.jsonl`; any server error fails the Job (batch_runtime.py and batch_client.py cite KServe
v0.20.0 rule by rule). Native sidecars need Kubernetes 1.29+ (the SidecarContainers feature, beta and on by default
since 1.29, GA in 1.33; KServe v0.20.0 builds against the 1.34 API, go.mod `k8s.io/api => v0.34.5`). Both
paths obey the runtime's artifact layout checks (KSV011/KSV012) and mount a pvc:// model (read-only, its path as the
subPath) as KServe mounts it; an oci:// model, which needs KServe's webhook, is KSV009 for the batch pod, as is a
framework version no KServe runtime serves. In hybrid mode the batch still scores through its own sidecar, never
through the live endpoint (PREDICT_URL is only passed on), so a nightly batch cannot eat the online SLO.
The sidecar comes from the default install's runtime; the CronJob's annotations `mlopsc.io/batch-runtime`,
`-model-format` and `-protocol` say which. With `--kserve-runtimes` (a folder with a kustomization.yaml is read as
kustomize builds it: its resources, images pinned) the cluster must select that same runtime for that format
(KSV013, also for a batch-only spec, which renders no InferenceService), and a cluster runtime running another
image is warning KSV037.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Decision, Document, Finding, Json, Options, Plan, Stack, required
from mlopsc.compiler.spec.typed import SecretRef
from mlopsc.compiler.spec.vocabulary import DeploymentMode, Protocol, ServingMode, Strategy
from mlopsc.targets.base import (
    Emission,
    FieldMapping,
    Resolution,
    artifact_uri,
    image_for,
    labels_for,
    refuse,
    resolved,
    warn,
)
from mlopsc.targets.capabilities import Capabilities
from mlopsc.targets.kserve import batch_client, batch_scorer
from mlopsc.targets.kserve.capabilities import CAPABILITIES
from mlopsc.targets.kserve.environments import NAMESPACE_MAX, namespace_for, retraining_here
from mlopsc.targets.kserve.metrics import signals
from mlopsc.targets.kserve.monitoring import dashboard, prometheus_rule
from mlopsc.targets.kserve.network import cluster_url, grpc_port, grpc_ports
from mlopsc.targets.kserve.stack import KServeStack

if TYPE_CHECKING:
    from mlopsc.targets.kserve.crd import CrdValidator
    from mlopsc.targets.kserve.runtimes import ServingRuntime
    from mlopsc.targets.runtimecatalog import ArtifactLayout

ISVC_API = "serving.kserve.io/v1beta1"
GRAPH_API = "serving.kserve.io/v1alpha1"
# The batch CronJob's sidecar: the runtime, modelFormat and protocol it was selected for (--kserve-runtimes checks them)
BATCH_RUNTIME = "mlopsc.io/batch-runtime"
BATCH_FORMAT = "mlopsc.io/batch-model-format"
BATCH_PROTOCOL = "mlopsc.io/batch-protocol"
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
        FieldMapping(
            "model.framework",
            "spec.predictor.model.modelFormat {name, version}",
            "version: the major the runtime declares; KServe selects the runtime (docs/runtimes.md)",
        ),
        FieldMapping(
            "model.artifact.uri / mirrors.kserve", "spec.predictor.model.storageUri", "s3, gs, https, pvc, hf, oci"
        ),
        FieldMapping("model.artifact.digest", "annotation mlopsc.io/artifact-digest"),
        FieldMapping(
            "serving.protocol",
            "spec.predictor.model.protocolVersion (+ ports: h2c)",
            "v1/v2/grpc-v1/grpc-v2 per runtime; gRPC: a container port named h2c on the runtime's gRPC port",
        ),
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
        FieldMapping(
            "rollout ab",
            "serverless: canaryTrafficPercent at `<name>`; raw: InferenceGraph `<name>-ab` over `<name>` (live, "
            "unchanged) and `<name>-candidate`",
        ),
        FieldMapping("rollout shadow", "(refused: KSV005)", "KServe cannot mirror traffic"),
        FieldMapping("monitoring.capture / platforms.kserve.capture_destination", "spec.predictor.logger {mode, url}"),
        FieldMapping(
            "monitoring.slo (R007)",
            "PrometheusRule alerts, Grafana dashboard",
            "only on metrics a component exports: see Metrics below (KSV031)",
        ),
        FieldMapping("monitoring.drift, quality", "(warning KSV030)", "KServe exports no drift or quality metric"),
        FieldMapping("retraining.triggers", "(warning KSV032)", "no alert to start the job"),
        FieldMapping(
            "serving.batch",
            "CronJob <name>-batch",
            "runs serving.batch.image, else (sklearn, xgboost, lightgbm) the runtime image with a generated "
            "scorer, else (pytorch, tensorflow, onnx, huggingface) the runtime KServe selects as a native sidecar "
            "after the storage initializer and a generated client; ConfigMap <name>-batch-scorer (KSV009, KSV035); "
            "hybrid: PREDICT_URL is <name>-predictor (raw) or <name> (serverless)",
        ),
        FieldMapping("retraining.schedule", "CronJob <name>-retrain", "runs retraining.pipeline.image"),
        FieldMapping(
            "platforms.kserve.deployment_mode",
            "annotation serving.kserve.io/deploymentMode",
            "serverless -> Knative, raw -> Standard",
        ),
        FieldMapping("platforms.kserve.service_account", "spec.predictor.serviceAccountName"),
        FieldMapping(
            "platforms.kserve.namespace, environments",
            "metadata.namespace of every resource",
            "the environment's own namespace if it writes one, else <namespace>-<env> (KSV033); "
            "no environments: as written",
        ),
        FieldMapping(
            "retraining (with environments)",
            "CronJob <name>-retrain",
            "a base retraining runs in production-level environments, elsewhere a note (KSV034)",
        ),
    )

    # --- resolve ----------------------------------------------------------------------------------------

    def resolve(self, plan: Plan) -> Resolution:
        spec = plan.spec
        platform = spec.platforms.kserve
        assert platform is not None
        findings: list[Finding] = []
        decisions: list[Decision] = []
        namespace, why = namespace_for(plan)
        stack = KServeStack(namespace, platform.deployment_mode.value)
        decisions.append(resolved(self.name, "kserve.namespace", namespace, why))
        if len(namespace) > NAMESPACE_MAX:
            findings.append(
                refuse(
                    "KSV033",
                    f"the namespace of environment `{plan.environment}`, `{namespace}`, is longer than "
                    f"{NAMESPACE_MAX} characters",
                    ("platforms", "kserve", "namespace"),
                    hint=f"set `environments.{plan.environment}.platforms.kserve.namespace` to a shorter name",
                )
            )
        online = spec.serving.mode.serves_online

        if online:
            image, image_path = image_for(plan, self.name, "serving")
            if image:
                stack = replace(stack, container=image)
                decisions.append(
                    resolved(
                        self.name,
                        "kserve.container",
                        image,
                        f"`{'.'.join(map(str, image_path))}` given: a custom predictor container",
                    )
                )
                if spec.serving.protocol is Protocol.GRPC:
                    decisions.append(
                        resolved(
                            self.name,
                            "kserve.grpc_port",
                            grpc_port(None),
                            "gRPC on the container port named h2c (KServe routes HTTP/2 only to such a port): "
                            "8081, the KServe model server's default; the container must listen there",
                        )
                    )
            else:
                stack, found = self._runtime(plan, stack, decisions)
                findings.extend(found)
                if spec.serving.protocol is Protocol.GRPC and stack.runtime is not None:
                    runtime_name = stack.runtime
                    decisions.append(
                        resolved(
                            self.name,
                            "kserve.grpc_port",
                            grpc_port(runtime_name),
                            f"gRPC on the container port named h2c (KServe routes HTTP/2 only to such a "
                            f"port): the port {runtime_name} serves gRPC on",
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
                    stack = replace(stack, capture_url=url)
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
        if online:
            findings.extend(self._monitoring_findings(plan, stack.runtime))
        if spec.retraining and spec.retraining.schedule:
            here, why = retraining_here(plan)
            if not here:
                findings.append(
                    Finding(
                        "KSV034",
                        Severity.NOTE,
                        f"retraining is not scheduled in `{plan.environment}`: {why}",
                        ("retraining", "schedule"),
                        f"write `environments.{plan.environment}.retraining` to schedule it here too",
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
        rollout = plan.derived.rollout
        if (
            online
            and rollout.previous is not None
            and rollout.live_split
            and rollout.strategy is Strategy.AB
            and platform.deployment_mode is not DeploymentMode.SERVERLESS
        ):
            findings.append(
                warn(
                    "KSV036",
                    f"in raw (Standard) mode the A/B split is the InferenceGraph `{plan.model_name}-ab`: clients "
                    f"calling `{plan.model_name}` keep getting {rollout.previous.version} only",
                    ("rollout", "strategy"),
                    f"point the clients that take part in the test at `{plan.model_name}-ab`, or use "
                    "`deployment_mode: serverless`, where the split is at the InferenceService's own URL",
                )
            )
        if spec.serving.mode.serves_batch:
            stack, found = self._resolve_batch(plan, stack, decisions)
            findings.extend(found)
        if any(f.severity is Severity.ERROR for f in findings):
            return Resolution(None, tuple(findings))
        return Resolution(Stack(self.name, plan.environment, stack, tuple(decisions)), tuple(findings))

    def _runtime(self, plan: Plan, stack: KServeStack, decisions: list[Decision]) -> tuple[KServeStack, list[Finding]]:
        """The runtime KServe will select (targets/kserve/choose.py) and the artifact layout it loads."""
        # imported here: the catalog and the selection model load when a runtime is resolved, not on import
        from mlopsc.targets.kserve.choose import NoKServeRuntime
        from mlopsc.targets.kserve.choose import choose as choose_runtime

        spec = plan.spec
        framework = spec.model.framework
        compatibility = framework.compatibility.value if framework.compatibility else None
        gpu = bool(spec.serving.resources and spec.serving.resources.gpu)
        try:
            choice = choose_runtime(
                framework.name.value, framework.version, compatibility, spec.serving.protocol is Protocol.GRPC, gpu
            )
        except NoKServeRuntime as exc:
            if exc.field == "protocol":
                return stack, [refuse("KSV002", exc.message, ("serving", "protocol"), hint=exc.hint)]
            return stack, [refuse("KSV001", exc.message, ("model", "framework", exc.field), hint=exc.hint)]
        stack = replace(
            stack,
            runtime=choice.runtime,
            protocol=choice.protocol,
            model_format=choice.format_name,
            model_format_version=choice.format_version,
        )
        decisions.append(resolved(self.name, "kserve.runtime", choice.runtime, choice.note))
        return stack, self._artifact_findings(plan, choice.artifact, choice.runtime)

    def _artifact_findings(
        self, plan: Plan, layout: ArtifactLayout, runtime: str, previous_too: bool = True
    ) -> list[Finding]:
        """The artifact URI (and the previous version's) against what the selected runtime loads (KSV011, KSV012)."""
        from mlopsc.targets.kserve.choose import archive_note, artifact_problem

        spec = plan.spec
        findings: list[Finding] = []
        for previous in (False, True) if previous_too and spec.rollout.previous is not None else (False,):
            uri, where = artifact_uri(plan, self.name, previous=previous)
            note = archive_note(uri, layout, runtime)
            if note is not None:
                findings.append(
                    warn(
                        "KSV012",
                        note,
                        where,
                        f"or point `{'.'.join(map(str, (*where[:-1], 'mirrors', 'kserve')))}` at the model "
                        f"itself, laid out as {layout.describe()}",
                    )
                )
            problem = artifact_problem(uri, layout, runtime)
            if problem is not None:
                findings.append(
                    refuse(
                        "KSV011",
                        problem,
                        where,
                        hint=f"point `{'.'.join(map(str, (*where[:-1], 'mirrors', 'kserve')))}` at the same model "
                        f"(same digest) laid out as {layout.describe()}",
                    )
                )
        return findings

    def _resolve_batch(
        self, plan: Plan, stack: KServeStack, decisions: list[Decision]
    ) -> tuple[KServeStack, list[Finding]]:
        """The batch CronJob's image: the user's; else, for sklearn, xgboost and lightgbm, the runtime image with a
        generated scorer (batch_scorer.py); else the runtime KServe selects, run as a native sidecar beside a
        generated client (batch_runtime.py, batch_client.py)."""
        spec = plan.spec
        batch = spec.serving.batch
        image = (batch.image if batch else None) or spec.serving.image
        if image is not None:
            return replace(stack, batch_image=image), []
        assert batch is not None  # the spec requires serving.batch with a batch or hybrid mode
        framework = spec.model.framework.name.value
        out: list[Finding] = []
        for field, uri, schemes in (
            ("input_uri", batch.input_uri, batch_scorer.INPUT_SCHEMES),
            ("output_uri", batch.output_uri, batch_scorer.OUTPUT_SCHEMES),
        ):
            if not uri.startswith(schemes):
                out.append(
                    refuse(
                        "KSV035",
                        f"the generated batch scorer cannot {'read' if field == 'input_uri' else 'write'} `{uri}`",
                        ("serving", "batch", field),
                        hint=f"use {', '.join(schemes)}, or set `serving.batch.image` to a container of your own",
                    )
                )
        scorer_image = batch_scorer.image(framework)
        if scorer_image is not None:
            from mlopsc.targets import runtimecatalog

            server = batch_scorer.runtime(framework)
            if server != stack.runtime:  # the scorer loads what that runtime loads (its model class)
                entry = next(e for e in runtimecatalog.entries("kserve", framework) if e.runtime == server)
                out.extend(self._artifact_findings(plan, entry.artifact, server, previous_too=False))
            uri, where = artifact_uri(plan, self.name)
            if uri.startswith("oci://"):
                out.append(
                    refuse(
                        "KSV009",
                        f"the generated scorer loads the model with KServe's Storage.download, which cannot read the "
                        f"OCI image `{uri}` (KServe's webhook mounts those; a CronJob's pod gets no webhook)",
                        where,
                        hint="add `mirrors.kserve` with an s3://, gs://, https://, hf:// or pvc:// copy of the same "
                        "bytes, or set `serving.batch.image`",
                    )
                )
            if not any(f.severity is Severity.ERROR for f in out):
                stack = replace(stack, batch_image=scorer_image, batch_scorer=framework)
                decisions.append(
                    resolved(
                        self.name,
                        "kserve.batch_image",
                        scorer_image,
                        f"no serving.batch.image: the {framework} runtime image runs a generated scorer "
                        "(ConfigMap <name>-batch-scorer) with KServe's own model class",
                    )
                )
            return stack, out
        return self._batch_sidecar(plan, stack, decisions, out)

    def _batch_sidecar(
        self, plan: Plan, stack: KServeStack, decisions: list[Decision], out: list[Finding]
    ) -> tuple[KServeStack, list[Finding]]:
        """The runtime KServe selects for the spec over REST, to run as the batch pod's sidecar (KSV009 if none)."""
        from mlopsc.targets.kserve.choose import NoKServeRuntime
        from mlopsc.targets.kserve.choose import choose as choose_runtime

        spec = plan.spec
        framework = spec.model.framework
        compatibility = framework.compatibility.value if framework.compatibility else None
        gpu = bool(spec.serving.resources and spec.serving.resources.gpu)
        try:
            choice = choose_runtime(framework.name.value, framework.version, compatibility, False, gpu)
        except NoKServeRuntime as exc:
            return stack, [
                refuse(
                    "KSV009",
                    f"KServe has no managed batch scoring and no runtime to score `{framework.name.value}` "
                    f"{framework.version} in: {exc.message}",
                    ("serving", "batch"),
                    hint="set `serving.batch.image` to a container that reads INPUT_URI, scores with MODEL_URI and "
                    "writes OUTPUT_URI",
                )
            ]
        if choice.runtime != stack.runtime:  # online resolution already checked the artifact for this runtime
            out.extend(self._artifact_findings(plan, choice.artifact, choice.runtime, previous_too=False))
        uri, where = artifact_uri(plan, self.name)
        if not spec.serving.mode.serves_online and not uri.startswith(STORAGE_SCHEMES):
            out.append(
                refuse(
                    "KSV010",
                    f"KServe's storage initializer cannot read `{uri}`",
                    where,
                    hint="add `mirrors.kserve` with an s3://, gs://, https://, pvc://, hf:// or oci:// copy of the "
                    "same bytes",
                )
            )
        if uri.startswith("oci://"):
            out.append(
                refuse(
                    "KSV009",
                    f"`{uri}` is mounted by KServe's webhook (a modelcar container or an OCI image volume: "
                    "InjectModelcar, storage_initializer_injector.go); a CronJob's pod gets no webhook, and the "
                    "storage initializer does not download OCI images",
                    where,
                    hint="add `mirrors.kserve` with an s3://, gs://, https://, hf:// or pvc:// copy of the same bytes, "
                    "or set `serving.batch.image`",
                )
            )
        if any(f.severity is Severity.ERROR for f in out):
            return stack, out
        stack = replace(
            stack,
            batch_image=batch_client.IMAGE,
            batch_runtime=choice.runtime,
            batch_protocol=choice.protocol,
            batch_format=f"{choice.format_name}:{choice.format_version}",
        )
        decisions.append(
            resolved(
                self.name,
                "kserve.batch_runtime",
                f"{choice.runtime} ({choice.protocol})",
                f"no serving.batch.image and no Python model class in the {choice.runtime} image: the batch pod runs "
                f"the runtime KServe selects ({choice.note}) as a native sidecar after KServe's storage initializer, "
                f"and a generated client (ConfigMap <name>-batch-scorer) sends the rows over {choice.protocol}",
            )
        )
        return stack, out

    def _monitoring_findings(self, plan: Plan, runtime: str | None) -> list[Finding]:
        """Warnings for what the spec monitors and no component of this deployment exports (metrics.py)."""
        spec = plan.spec
        platform = spec.platforms.kserve
        assert platform is not None
        mon = spec.monitoring
        out: list[Finding] = []
        for what, section in (("drift", mon.drift if mon else None), ("quality", mon.quality if mon else None)):
            if section is not None:
                out.append(
                    warn(
                        "KSV030",
                        f"KServe computes no {what} metric and nothing in a KServe install exports one: "
                        f"no {what} alert is rendered",
                        ("monitoring", what),
                        "run a detector that reads the captured payloads (spec.predictor.logger) and alerts on its "
                        "own metric, or monitor on SageMaker, Vertex AI or Azure ML, which compute it",
                    )
                )
        sig = signals(platform.deployment_mode, runtime, spec.serving.protocol is Protocol.GRPC)
        d = plan.derived
        missing = []
        if d.latency_alert_ms is not None and not sig.latency:
            missing.append("latency")
        if not sig.errors:
            missing.append("error-rate")
        if missing:
            who = f"runtime {runtime}" if runtime else "a custom container"
            where = (
                "in serverless mode over gRPC, the queue-proxy sees HTTP 200 for gRPC errors"
                if platform.deployment_mode is DeploymentMode.SERVERLESS
                else f"in raw (Standard) mode with {who}, no component exports a {' or '.join(missing)} metric "
                "mlopsc knows"
            )
            out.append(
                warn(
                    "KSV031",
                    f"{where}: no {' or '.join(missing)} alert is rendered",
                    ("monitoring", "slo") if mon else ("platforms", "kserve", "deployment_mode"),
                    "alert on the gRPC status codes your server or mesh exports"
                    if platform.deployment_mode is DeploymentMode.SERVERLESS
                    else "`deployment_mode: serverless` (Knative's queue-proxy measures every request), or alert on "
                    "the metrics your server exports",
                )
            )
        retraining = spec.retraining
        if retraining and retraining.triggers:
            out.append(
                warn(
                    "KSV032",
                    "retraining triggers "
                    + ", ".join(t.value for t in retraining.triggers)
                    + " are not wired on KServe: no drift or quality alert exists to start the job",
                    ("retraining", "triggers"),
                    "use `retraining.schedule`, or start the retraining CronJob from your own detector's alert",
                )
            )
        return out

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
        ks = KServeStack.of(stack)
        spec = plan.spec
        platform = spec.platforms.kserve
        assert platform is not None
        ns = ks.namespace
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
            # KServe's translation of a live split. In serverless mode every split strategy splits where clients
            # already call, `<name>`: canaryTrafficPercent between the latest and the previous ready revision
            # (pkg/apis/serving/v1beta1/component.go, CanaryTrafficPercent). In raw mode A/B needs an
            # InferenceGraph Splitter (pkg/apis/serving/v1alpha1/inference_graph.go); `<name>` then keeps serving
            # the live (previous) version unchanged, the new version runs beside it as `<name>-candidate`, and the
            # split is at `<name>-ab` (KSV036 tells the clients to move).
            graph = (
                previous is not None
                and rollout.live_split
                and strategy is Strategy.AB
                and mode is not DeploymentMode.SERVERLESS
            )
            if graph:
                assert previous is not None
                isvc, predictor, annotations = self._isvc(
                    plan,
                    stack,
                    plan.model_name,
                    previous.version,
                    previous=True,
                    labels={**labels, "app.kubernetes.io/version": previous.version},
                )
            else:
                isvc, predictor, annotations = self._isvc(
                    plan, stack, plan.model_name, spec.model.version, previous=False, labels=labels
                )
            if previous is not None and rollout.live_split and not graph:
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
            if rollout.replaces is not None and not graph:  # the live version it replaces, all-at-once included
                annotations["mlopsc.io/previous-version"] = rollout.replaces
            docs.append(Document("inferenceservice.yaml", "InferenceService", "yaml", isvc))
            if graph:
                assert previous is not None
                candidate, _, _ = self._isvc(
                    plan, stack, f"{plan.model_name}-candidate", spec.model.version, previous=False, labels=labels
                )
                docs.append(Document("inferenceservice-candidate.yaml", "InferenceService", "yaml", candidate))
                docs.append(Document("inferencegraph.yaml", "InferenceGraph", "yaml", self._splitter(plan, ns, labels)))
                decisions.append(
                    resolved(
                        self.name,
                        "kserve.inferencegraph",
                        f"{plan.model_name}-ab",
                        f"A/B: Splitter sends {traffic}% to {spec.model.version} ({plan.model_name}-candidate), "
                        f"{previous.live_share}% to {previous.version} ({plan.model_name}, unchanged)",
                    )
                )
            sig = signals(mode, ks.runtime, spec.serving.protocol is Protocol.GRPC)
            rule = prometheus_rule(plan, ns, mode, sig, labels)
            if rule is not None:
                docs.append(Document("prometheusrule.yaml", "PrometheusRule", "yaml", rule))
            board = dashboard(plan, ns, mode, sig, labels)
            if board is not None:
                docs.append(Document("dashboard.yaml", "ConfigMap", "yaml", board))
            decisions.append(
                resolved(
                    self.name,
                    "kserve.metrics",
                    sig.producer or "none",
                    f"SLO alerts read {sig.producer} ({MODE_ANNOTATION[mode]} mode)"
                    if sig.producer
                    else f"no component exports request metrics mlopsc knows ({MODE_ANNOTATION[mode]} mode): "
                    "no SLO alert",
                )
            )
        if ks.batch_image is not None:
            docs.append(Document("cronjob-batch.yaml", "CronJob", "yaml", self._batch_job(plan, stack, labels)))
        if ks.batch_scorer is not None or ks.batch_runtime is not None:
            script = batch_scorer.score_py(ks.batch_scorer) if ks.batch_scorer else batch_client.score_py()
            scorer: Json = {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": f"{plan.model_name}-batch-scorer", "namespace": ns, "labels": dict(labels)},
                "data": {"score.py": script},
            }
            docs.append(Document("configmap-batch-scorer.yaml", "ConfigMap", "yaml", scorer))
        retraining = spec.retraining
        if retraining and retraining.schedule:
            here, why = retraining_here(plan)
            decisions.append(resolved(self.name, "kserve.retraining", here, why))
            if here:
                docs.append(Document("cronjob-retraining.yaml", "CronJob", "yaml", self._retrain_job(plan, ns, labels)))
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
        ks = KServeStack.of(stack)
        spec = plan.spec
        platform = spec.platforms.kserve
        assert platform is not None
        d = plan.derived
        mode = platform.deployment_mode
        uri, _ = artifact_uri(plan, self.name, previous=previous)
        container: dict[str, Json] = {}
        env = self._env(plan)
        if ks.container is not None:
            container = {
                "name": "kserve-container",
                "image": ks.container,
                "env": [*env, {"name": "STORAGE_URI", "value": uri}],
            }
            if spec.serving.protocol is Protocol.GRPC:
                container["ports"] = grpc_ports(grpc_port(None))
            if spec.serving.resources:
                container["resources"] = _resources(plan)
        else:
            container = {
                "modelFormat": {
                    "name": required(ks.model_format, "model_format"),
                    "version": required(ks.model_format_version, "model_format_version"),
                },
                "protocolVersion": required(ks.protocol, "protocol"),
                "storageUri": uri,
            }
            if env:
                container["env"] = env
            if spec.serving.protocol is Protocol.GRPC:
                container["ports"] = grpc_ports(grpc_port(ks.runtime))
            if spec.serving.resources:
                container["resources"] = _resources(plan)
            if d.startup_timeout_s > 120 and spec.serving.protocol is Protocol.REST:
                ready = f"/v2/models/{name}/ready" if ks.protocol == "v2" else f"/v1/models/{name}"
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
        if ks.capture_url is not None:
            predictor["logger"] = {"mode": "all", "url": ks.capture_url}
        if ks.container is not None:
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
                "namespace": ks.namespace,
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
                            {"name": "new", "serviceName": f"{name}-candidate", "weight": rollout.new.live_share},
                            {"name": "previous", "serviceName": name, "weight": rollout.previous.live_share},
                        ],
                    }
                }
            },
        }

    def _batch_job(self, plan: Plan, stack: Stack, labels: dict[str, Json]) -> Json:
        ks = KServeStack.of(stack)
        spec = plan.spec
        batch = spec.serving.batch
        assert batch is not None
        platform = spec.platforms.kserve
        assert platform is not None
        mode = platform.deployment_mode
        ns = ks.namespace
        uri, _ = artifact_uri(plan, self.name)
        env: list[Json] = [
            {"name": "INPUT_URI", "value": batch.input_uri},
            {"name": "OUTPUT_URI", "value": batch.output_uri},
            {"name": "MODEL_URI", "value": uri},
            {"name": "MODEL_VERSION", "value": spec.model.version},
        ]
        if spec.serving.mode is ServingMode.HYBRID:
            env.append({"name": "PREDICT_URL", "value": cluster_url(plan.model_name, ns, mode)})
        container: dict[str, Json] = {
            "name": "batch",
            "image": required(ks.batch_image, "batch_image"),
            "env": [*env, *self._env(plan)],
        }
        if batch.command:
            container["command"] = list(batch.command)
        if spec.serving.resources:
            container["resources"] = _resources(plan)
        volumes: list[Json] = []
        if ks.batch_scorer is not None:
            features = [f.name for f in spec.model.signature.inputs] if spec.model.signature else []
            container_env: list[Json] = [
                *env,
                {"name": "MODEL_NAME", "value": plan.model_name},
                {"name": "FEATURES", "value": json.dumps(features)},
                *self._env(plan),
            ]
            container["env"] = container_env
            container["command"] = ["python", f"{batch_scorer.MOUNT}/score.py"]
            container["volumeMounts"] = [{"name": "scorer", "mountPath": batch_scorer.MOUNT, "readOnly": True}]
            volumes.append({"name": "scorer", "configMap": {"name": f"{plan.model_name}-batch-scorer"}})
            if uri.startswith("pvc://"):
                # the model class loads with Storage.download, which reads local paths but no pvc:// URI
                # (python/storage/kserve_storage/kserve_storage.py): mount the claim as KServe does, load from there
                from mlopsc.targets.kserve import batch_runtime

                _, model_volume, model_mount = batch_runtime.model_source(uri, [])
                container["volumeMounts"] = [
                    {"name": "scorer", "mountPath": batch_scorer.MOUNT, "readOnly": True},
                    model_mount,
                ]
                volumes.append(model_volume)
                local: Json = {"name": "MODEL_URI", "value": batch_runtime.MODEL_MOUNT}
                container["env"] = [
                    local if isinstance(e, dict) and e.get("name") == "MODEL_URI" else e for e in container_env
                ]
        init: list[Json] = []
        annotations: dict[str, Json] = {}
        if ks.batch_runtime is not None:
            init, volumes = self._batch_sidecar_pod(plan, ks, container, env, uri)
            # what `--kserve-runtimes` checks the sidecar against (_runtime_findings), and what an operator reads
            annotations = {
                BATCH_RUNTIME: ks.batch_runtime,
                BATCH_FORMAT: required(ks.batch_format, "batch_format"),
                BATCH_PROTOCOL: required(ks.batch_protocol, "batch_protocol"),
            }
        return _cronjob(
            f"{plan.model_name}-batch",
            ns,
            batch.schedule,
            labels,
            container,
            platform.service_account,
            volumes,
            init,
            annotations,
        )

    def _batch_sidecar_pod(
        self, plan: Plan, ks: KServeStack, container: dict[str, Json], env: list[Json], uri: str
    ) -> tuple[list[Json], list[Json]]:
        """The client container's env and command, and the init containers and volumes of the sidecar pod."""
        from mlopsc.targets.kserve import batch_runtime

        spec = plan.spec
        runtime = batch_runtime.BatchRuntime.find(
            spec.model.framework.name.value,
            required(ks.batch_runtime, "batch_runtime"),
            required(ks.batch_protocol, "batch_protocol"),
        )
        features = [f.name for f in spec.model.signature.inputs] if spec.model.signature else []
        user_env = self._env(plan)
        container["env"] = [
            *env,
            {"name": "MODEL_NAME", "value": plan.model_name},
            {"name": "FEATURES", "value": json.dumps(features)},
            {"name": "RUNTIME_URL", "value": batch_client.RUNTIME_URL},
            {"name": "PROTOCOL", "value": runtime.protocol},
            {"name": "BATCH_ROWS", "value": str(batch_client.BATCH_ROWS)},
            {"name": "READY_TIMEOUT_S", "value": str(plan.derived.startup_timeout_s)},
            *user_env,
        ]
        container["command"] = ["python", f"{batch_scorer.MOUNT}/score.py"]
        container["resources"] = {k: dict(v) for k, v in batch_runtime.STORAGE_INITIALIZER_RESOURCES.items()}
        container["volumeMounts"] = [{"name": "scorer", "mountPath": batch_scorer.MOUNT, "readOnly": True}]
        init, model_volume, model_mount = batch_runtime.model_source(uri, user_env)
        server, server_volumes = batch_runtime.server_container(
            runtime,
            plan.model_name,
            ks.namespace,
            user_env,
            _resources(plan) if spec.serving.resources else None,
            bool(spec.serving.resources and spec.serving.resources.gpu),
            model_mount,
        )
        volumes: list[Json] = [
            {"name": "scorer", "configMap": {"name": f"{plan.model_name}-batch-scorer"}},
            model_volume,
            *server_volumes,
        ]
        return [*init, server], volumes

    def _retrain_job(self, plan: Plan, ns: str, labels: dict[str, Json]) -> Json:
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
            ns,
            retraining.schedule,
            labels,
            container,
            platform.service_account,
        )

    # --- check ------------------------------------------------------------------------------------------

    def transition(self, before: Json, after: Json) -> tuple[str, ...]:
        return ()

    def check(self, documents: Sequence[Document], options: Options) -> tuple[Finding, ...]:
        findings: list[Finding] = list(_runtime_findings(documents, options))
        if not options.kserve_crd:
            return tuple(findings)
        validator = _validator(tuple(str(p) for p in options.kserve_crd))
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


def _runtime_findings(documents: Sequence[Document], options: Options) -> list[Finding]:
    """With --kserve-runtimes: each rendered predictor must get a runtime from the cluster's runtimes, as
    KServe selects one (targets/kserve/runtimes.py)."""
    if not options.kserve_runtimes:
        return []
    from mlopsc.targets.kserve import runtimes

    cluster = _cluster_runtimes(tuple(str(p) for p in options.kserve_runtimes))
    findings: list[Finding] = []
    for doc in documents:
        body = doc.body
        if isinstance(body, dict) and body.get("kind") == "CronJob":
            findings.extend(_batch_sidecar_findings(doc.name, body, cluster))
        if not isinstance(body, dict) or body.get("kind") != "InferenceService":
            continue
        spec = body.get("spec")
        predictor = spec.get("predictor") if isinstance(spec, dict) else None
        model = predictor.get("model") if isinstance(predictor, dict) else None
        if not isinstance(model, dict):
            continue  # a custom container: no runtime to select
        fmt = model.get("modelFormat")
        assert isinstance(fmt, dict)
        name, version = str(fmt.get("name")), fmt.get("version")
        protocol = model.get("protocolVersion")
        runtime = model.get("runtime")
        chosen = runtimes.select(
            cluster,
            name,
            str(version) if version is not None else None,
            str(protocol) if protocol else None,
            str(runtime) if runtime else None,
        )
        if chosen is None:
            offered = "; ".join(r.describe() for r in cluster) or "none"
            findings.append(
                Finding(
                    "KSV013",
                    Severity.ERROR,
                    f"{doc.name}: no runtime of --kserve-runtimes serves modelFormat {name}:{version} over "
                    f"{protocol or 'v1'}",
                    ("model", "framework"),
                    f"the cluster's runtimes and the formats they support: {offered}; install a runtime that "
                    "declares this format (or `serving.image_mirrors.kserve`)",
                )
            )
    return findings


def _batch_sidecar_findings(name: str, body: dict[str, Json], cluster: Sequence[ServingRuntime]) -> list[Finding]:
    """With --kserve-runtimes: the batch pod's sidecar is the runtime the cluster selects, with its image.

    The sidecar is rendered from the default install's runtime (the catalog); a batch-only spec renders no
    InferenceService, so this is the only check of its runtime against the cluster's."""
    from mlopsc.targets.kserve import runtimes
    from mlopsc.targets.kserve.batch_runtime import SERVER_CONTAINER, release_image

    metadata = body.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    if not isinstance(annotations, dict) or BATCH_RUNTIME not in annotations:
        return []  # the user's image or the in-image scorer: no sidecar
    rendered = str(annotations[BATCH_RUNTIME])
    fmt_name, _, fmt_version = str(annotations[BATCH_FORMAT]).partition(":")
    protocol = str(annotations[BATCH_PROTOCOL])
    chosen = runtimes.select(cluster, fmt_name, fmt_version or None, protocol)
    where = ("serving", "batch")
    hint = "set `serving.batch.image` to a container that scores with your own server"
    if chosen is None:
        offered = "; ".join(r.describe() for r in cluster) or "none"
        return [
            Finding(
                "KSV013",
                Severity.ERROR,
                f"{name}: no runtime of --kserve-runtimes serves modelFormat {fmt_name}:{fmt_version} over "
                f"{protocol} for the batch pod's sidecar",
                where,
                f"the cluster's runtimes and the formats they support: {offered}; install a runtime that declares "
                f"this format, or {hint[0].lower()}{hint[1:]}",
            )
        ]
    if chosen.name != rendered:
        return [
            Finding(
                "KSV013",
                Severity.ERROR,
                f"{name}: the batch pod runs the default install's `{rendered}` as its sidecar, but on the cluster of "
                f"--kserve-runtimes KServe selects `{chosen.name}` for {fmt_name}:{fmt_version} over {protocol}",
                where,
                f"{hint}, or give `{rendered}` the higher priority for {fmt_name} on the cluster",
            )
        ]
    job: Any = body["spec"]  # _cronjob's shape: the pod is rendered by this module
    pod = job["jobTemplate"]["spec"]["template"]["spec"]
    sidecar = next(c for c in pod["initContainers"] if c["name"] == SERVER_CONTAINER)
    image = str(sidecar["image"]).removesuffix("-gpu")
    if chosen.image is not None and release_image(chosen.image) != image:
        return [
            Finding(
                "KSV037",
                Severity.WARNING,
                f"{name}: the batch sidecar runs `{image}` (the default install's `{rendered}`), the cluster's "
                f"`{rendered}` runs `{chosen.image}`: batch and online scoring may differ",
                where,
                f"{hint}, or align the cluster's runtime with KServe's default install",
            )
        ]
    return []


@functools.lru_cache(maxsize=4)
def _cluster_runtimes(locations: tuple[str, ...]) -> tuple[ServingRuntime, ...]:
    from mlopsc.targets.kserve.runtimes import load

    return load([Path(p) for p in locations])


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
    name: str,
    ns: str,
    schedule: str,
    labels: dict[str, Json],
    container: dict[str, Json],
    service_account: str | None,
    volumes: list[Json] | None = None,
    init_containers: list[Json] | None = None,
    annotations: dict[str, Json] | None = None,
) -> Json:
    pod: dict[str, Json] = {"restartPolicy": "Never", "containers": [container]}
    if init_containers:
        pod["initContainers"] = init_containers
    if volumes:
        pod["volumes"] = volumes
    if service_account:
        pod["serviceAccountName"] = service_account
    metadata: dict[str, Json] = {"name": name, "namespace": ns, "labels": dict(labels)}
    if annotations:
        metadata["annotations"] = dict(annotations)
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": metadata,
        "spec": {
            "schedule": schedule,
            "timeZone": "Etc/UTC",
            "concurrencyPolicy": "Forbid",
            "jobTemplate": {
                "spec": {"backoffLimit": 2, "template": {"metadata": {"labels": dict(labels)}, "spec": pod}}
            },
        },
    }
