"""Vertex AI: REST request bodies (v1 JSON field names) for a Model, an Endpoint, a deployment, a
monitoring job, a batch prediction job and a retraining Schedule, plus the script that applies them.

Each JSON file maps to one Vertex AI v1 API type (`model.json` is a `Model`, `endpoint.json` an
`Endpoint`, `deploy-model.json` a `DeployModelRequest` body, `monitoring-job.json` a
`ModelDeploymentMonitoringJob`, `batch-prediction-job.json` a `BatchPredictionJob`,
`retraining-schedule.json` a `Schedule`); `apply.sh` and `README.md` create them in order. `apply.json`
holds every id, name, schedule and account `apply.sh` uses: the script reads them as data (`value KEY`),
so no spec value is part of its code (SECURITY.md, "Generated scripts").

**Names without placeholders.** The apply script creates the Model with `modelId` and the Endpoint with
`endpointId` `<name>-<environment>`, and deploys with `deployedModel.id` `1MMMmmmppp` (1, then major,
minor and patch on three digits: 2.1.0 is `1002001000`). So every body can name its peers when mlopsc
compiles: the deployment names `models/<id>@v2-1-0`, the traffic split and the monitoring job name the
previous version's DeployedModel (`rollout.previous.version` -> its id), and the monitoring job names
the endpoint `projects/P/locations/L/endpoints/<name>-<environment>`. The previous version must have
been deployed with the same scheme (by mlopsc, or with `--deployed-model-id`); the script checks it.

**Images.** Without `serving.image`, the framework picks a Vertex AI prebuilt prediction image
(sklearn, xgboost, tensorflow, pytorch). Those images exist only with a `:latest` tag; Vertex copies
the image into the Model version at upload, so a version never changes, but two uploads may differ:
a warning says so, and `serving.image` pinned by digest (or `serving.image_mirrors.vertex`) avoids it.
Other frameworks need `serving.image`. Images must be in Artifact Registry (`*-docker.pkg.dev`) or
Container Registry (`gcr.io`); an image elsewhere needs a mirror. Artifacts must be on Cloud Storage:
`model.artifact.mirrors.vertex` carries a `gs://` copy.

**Rollout.** Canary, blue-green and A/B are the `trafficSplit` of the deployment: `"0"` (the model being
deployed) gets `rollout.traffic`, the previous DeployedModel the rest; `apply.sh traffic N` moves the
split through `rollout.steps`. All-at-once sends 100% to the new model and undeploys the previous one.
Vertex endpoints cannot mirror traffic: shadow is refused.

**Drift.** Vertex measures Jensen-Shannon divergence (numerical features) and L-infinity distance
(categorical features), not PSI. The `investigate` threshold (the one a person acts on; Vertex charts
every feature's distribution without a threshold) is converted per feature: JS = PSI / (8 ln 2) and
L-inf = sqrt(PSI) / 2, the second-order equivalents of a small shift (see `targets/vertex/drift.py`).
Feature types come from `model.signature` (string and boolean are categorical, numbers numerical). A
training snapshot on BigQuery or a gs:// CSV/JSONL file also enables training-serving skew detection.

**Secrets.** Vertex cannot inject a secret into a prediction container: the Secret Manager resource
name goes in `<VAR>_SECRET`, and the container reads it with the deployment's service account
(`platforms.vertex.service_account`, which needs `roles/secretmanager.secretAccessor`).

Diagnostics:

| code | severity | when |
|---|---|---|
| VTX001 | error | no prebuilt prediction image for the framework, version or GPU, and no `serving.image` |
| VTX002 | error | `serving.image` is not in Artifact Registry or Container Registry, without `image_mirrors.vertex` |
| VTX003 | error | `retraining.pipeline.image` is not in Artifact Registry or Container Registry, without a mirror |
| VTX004 | error | the artifact is not on Cloud Storage (`gs://`), without `mirrors.vertex` |
| VTX005 | error | shadow rollout: Vertex endpoints cannot mirror traffic |
| VTX006 | error | unknown GPU type, or no machine type fits the resources |
| VTX007 | error | a secret used by `serving.env` has no `vertex` entry |
| VTX008 | error | `kms_key_name` is not a key name in the platform's region |
| VTX009 | error | the capture destination is not a BigQuery URI, or samples 0% |
| VTX010 | error | a batch input or output URI is neither `gs://` nor `bq://` |
| VTX011 | error | drift method ks or chi2: no conversion to Vertex's distances |
| VTX012 | error | a drift feature is missing from `model.signature` or has a type Vertex cannot measure |
| VTX013 | error | gRPC with a prebuilt image (they serve REST only) |
| VTX014 | error | fewer than 1 replica |
| VTX015 | error | a resource id or DeployedModel id cannot be formed (name too long, version part above 999) |
| VTX016 | error | `network` is not `projects/<number>/global/networks/<name>` |
| VTX017 | error | `monitoring.drift.sample_rate` is 0 |
| VTX018 | error | a prebuilt image needs the artifact's folder, not a file |
| VTX019 | error | `pipeline_root` is not a `gs://` folder |
| VTX020 | warning | a prebuilt image's tag is `:latest` (mutable) |
| VTX021 | warning | drift thresholds converted from PSI/JS to Vertex's distances |
| VTX022 | warning | `monitoring.quality` has no Vertex AI v1 monitor |
| VTX023 | warning | latency and error-rate SLO alerts are not rendered for Vertex AI |
| VTX024 | warning | `rollout.rollback.on`: Vertex AI does not roll back by itself |
| VTX025 | warning | `retraining.triggers` are not wired to monitoring alerts |
| VTX026 | warning | a secret is passed to a prebuilt image, or without a service account |
| VTX027 | warning | `serving.batch.image` / `command` are not used: Vertex batch runs the Model's container |
| VTX028 | warning | `serving.batch.schedule` without a service account for Cloud Scheduler |
| VTX029 | warning | batch-only serving: no endpoint to monitor or capture |
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Decision, Document, Finding, Json, Options, Plan, Stack
from mlopsc.compiler.source import Path_
from mlopsc.compiler.spec.vocabulary import Protocol, Strategy
from mlopsc.targets.base import (
    Emission,
    FieldMapping,
    Resolution,
    artifact_uri,
    image_for,
    refuse,
    resolved,
    warn,
)
from mlopsc.targets.capabilities import Capabilities
from mlopsc.targets.secrets import string_references
from mlopsc.targets.vertex import catalog, drift, naming
from mlopsc.targets.vertex.bodies import (
    batch_prediction_job,
    deploy_model_request,
    endpoint,
    model,
    retraining_schedule,
    traffic_split,
)
from mlopsc.targets.vertex.capabilities import CAPABILITIES
from mlopsc.targets.vertex.monitoring import monitoring_job
from mlopsc.targets.vertex.scripts import SETTINGS, apply_script, readme, settings

GCP_IMAGE = re.compile(r"^([a-z0-9-]+-docker\.pkg\.dev|([a-z]+\.)?gcr\.io)/")
KMS_KEY = re.compile(r"^projects/[^/]+/locations/(?P<location>[^/]+)/keyRings/[^/]+/cryptoKeys/[^/]+$")
NETWORK = re.compile(r"^projects/[0-9]+/global/networks/[a-z]([-a-z0-9]*[a-z0-9])?$")
BQ_TABLE = re.compile(r"^bq://[^./]+\.[^./]+\.[^./]+$")
BQ_DESTINATION = re.compile(r"^bq://[^./]+(\.[^./]+){0,2}$")
ARTIFACT_FILE = re.compile(
    r"\.(tar\.gz|tgz|zip|bst|pkl|joblib|pb|mar|pt|pth|onnx|json|bin|safetensors|h5|keras)$", re.IGNORECASE
)
DEFAULT_MACHINE = "n1-standard-2"
MONITOR_INTERVAL_S = 3600
IMAGE_ALTERNATIVES = (
    "copy the image to Artifact Registry and set `serving.image_mirrors.vertex`",
    "set `serving.image` to an image in `<region>-docker.pkg.dev` or `gcr.io`",
)


class Vertex:
    name: ClassVar[str] = "vertex"
    title: ClassVar[str] = "Vertex AI (Google Cloud)"
    code_prefix: ClassVar[str] = "VTX"
    capabilities: ClassVar[Capabilities] = CAPABILITIES
    mapping: ClassVar[tuple[FieldMapping, ...]] = (
        FieldMapping("metadata.name + environment", "modelId, endpointId `<name>-<env>`", "displayName too"),
        FieldMapping("metadata.labels, team", "labels of Model, Endpoint, jobs and PipelineJob"),
        FieldMapping("model.version", "Model.versionAliases `v<major>-<minor>-<patch>`; deployedModel.id 1MMMmmmppp"),
        FieldMapping("model.framework", "Model.containerSpec.imageUri", "Vertex prebuilt prediction image (:latest)"),
        FieldMapping("model.artifact.mirrors.vertex / uri", "Model.artifactUri", "gs:// only"),
        FieldMapping("model.artifact.digest, provenance.git_commit", "Model.versionDescription"),
        FieldMapping("governance.model_card.intended_use", "Model.description"),
        FieldMapping(
            "serving.image / image_mirrors.vertex", "Model.containerSpec.imageUri", "Artifact/Container Registry"
        ),
        FieldMapping("serving.env", "Model.containerSpec.env", "secrets as <VAR>_SECRET = Secret Manager name"),
        FieldMapping("serving.protocol: grpc", "Model.containerSpec.grpcPorts", "custom images only"),
        FieldMapping("serving.resources", "deployedModel.dedicatedResources.machineSpec", "smallest fitting type"),
        FieldMapping("serving.resources.gpu, gpu_type", "machineSpec.acceleratorType / acceleratorCount"),
        FieldMapping("serving.replicas (R002)", "dedicatedResources.minReplicaCount / maxReplicaCount"),
        FieldMapping("serving.replicas (autoscaling)", "dedicatedResources.autoscalingMetricSpecs", "CPU or GPU 60%"),
        FieldMapping("rollout canary / blue-green / ab (R005)", "DeployModelRequest.trafficSplit", '"0" = new model'),
        FieldMapping("rollout.steps", "apply.sh traffic <percent> (endpoints.patch trafficSplit)"),
        FieldMapping("rollout shadow", "(refused: VTX005)", "Vertex endpoints cannot mirror traffic"),
        FieldMapping(
            "monitoring.capture, platforms.vertex.capture_destination",
            "Endpoint.predictRequestResponseLoggingConfig",
            "bq:// destination, sample_percent / 100",
        ),
        FieldMapping(
            "monitoring.drift.thresholds.investigate (R007)",
            "monitoring-job driftThresholds.<feature>.value",
            "converted to JS / L-infinity",
        ),
        FieldMapping("monitoring.drift.sample_rate", "loggingSamplingStrategy.randomSampleConfig.sampleRate"),
        FieldMapping("monitoring.alerts.emails (else metadata.owner)", "modelMonitoringAlertConfig.emailAlertConfig"),
        FieldMapping("provenance.dataset_snapshot_uri (bq://, gs:// csv/jsonl)", "objectiveConfig.trainingDataset"),
        FieldMapping("monitoring.quality, monitoring.slo", "(warnings VTX022, VTX023)", "not Vertex monitors"),
        FieldMapping("serving.batch.input_uri / output_uri", "BatchPredictionJob.inputConfig / outputConfig"),
        FieldMapping("serving.batch.schedule", "Cloud Scheduler job (apply.sh) that POSTs the BatchPredictionJob"),
        FieldMapping("retraining.schedule", "Schedule.cron `TZ=Etc/UTC <cron>`"),
        FieldMapping("retraining.pipeline (+ mirrors.vertex)", "Schedule.createPipelineJobRequest.pipelineJob"),
        FieldMapping(
            "platforms.vertex.service_account", "deployedModel, BatchPredictionJob, PipelineJob serviceAccount"
        ),
        FieldMapping("platforms.vertex.kms_key_name", "encryptionSpec.kmsKeyName", "every resource that has one"),
        FieldMapping("platforms.vertex.network", "Endpoint.network, PipelineJob.network"),
        FieldMapping("platforms.vertex.pipeline_root", "pipelineJob.runtimeConfig.gcsOutputDirectory"),
    )

    # --- resolve ----------------------------------------------------------------------------------------

    def resolve(self, plan: Plan) -> Resolution:
        spec = plan.spec
        platform = spec.platforms.vertex
        assert platform is not None
        findings: list[Finding] = []
        decisions: list[Decision] = []
        components: dict[str, str] = {"project": platform.project, "region": platform.region}
        online = spec.serving.mode.serves_online
        batch = spec.serving.mode.serves_batch

        findings += self._ids(plan)
        machine = self._machine(plan, components, decisions, findings)
        self._image(plan, machine, components, decisions, findings)
        self._artifact(plan, components, findings)
        if online:
            findings += self._rollout(plan, decisions)
            self._capture(plan, components, decisions, findings)
        if batch:
            self._batch(plan, components, decisions, findings)
        self._monitoring(plan, online, components, decisions, findings)
        self._retraining(plan, components, decisions, findings)
        self._secrets(plan, components, decisions, findings)
        self._platform(plan, findings)
        if platform.service_account:
            decisions.append(
                resolved(
                    self.name,
                    "vertex.serviceAccount",
                    platform.service_account,
                    "runs the deployed model, batch jobs and retraining pipelines",
                )
            )
        if any(f.severity is Severity.ERROR for f in findings):
            return Resolution(None, tuple(findings))
        return Resolution(Stack(self.name, plan.environment, components, tuple(decisions)), tuple(findings))

    def _ids(self, plan: Plan) -> list[Finding]:
        found: list[Finding] = []
        rid = naming.resource_id(plan)
        if not naming.resource_id_valid(rid):
            found.append(
                refuse(
                    "VTX015",
                    f"`{rid}` (name-environment) is longer than the 63 characters of a Vertex AI model or endpoint id",
                    ("metadata", "name"),
                    ("a shorter `metadata.name`", "a shorter environment name"),
                )
            )
        versions: list[tuple[str, Path_]] = [(plan.spec.model.version, ("model", "version"))]
        if plan.spec.rollout.previous:
            versions.append((plan.spec.rollout.previous.version, ("rollout", "previous", "version")))
        for version, path in versions:
            if naming.version_too_large(version):
                found.append(
                    refuse(
                        "VTX015",
                        f"version {version}: a major, minor or patch number above 999 does not fit the "
                        "DeployedModel id scheme 1MMMmmmppp",
                        path,
                        hint="use version numbers up to 999",
                    )
                )
        return found

    def _machine(
        self, plan: Plan, components: dict[str, str], decisions: list[Decision], findings: list[Finding]
    ) -> catalog.MachineChoice | None:
        res = plan.spec.serving.resources
        if res is None:
            choice = catalog.MachineChoice(DEFAULT_MACHINE, None, 0)
            reason = "no serving.resources: Vertex AI's default prediction machine"
        else:
            try:
                choice = catalog.pick_machine(res.cpu, res.memory_gb, res.gpu, res.gpu_type if res.gpu else None)
            except catalog.CatalogError as exc:
                path = ("serving", "resources", "gpu_type") if res.gpu_type else ("serving", "resources")
                findings.append(refuse("VTX006", exc.message, path, exc.alternatives))
                return None
            reason = f"smallest machine with {res.cpu:g} vCPU, {res.memory_gb:g} GB" + (
                f" and {res.gpu} x {choice.accelerator_type}" if res.gpu else ""
            )
            if res.gpu_type and not res.gpu:
                findings.append(
                    warn(
                        "VTX006",
                        "`gpu_type` is set but `gpu` is 0: no accelerator is attached",
                        ("serving", "resources", "gpu_type"),
                        "set `gpu` to the number of GPUs per replica",
                    )
                )
        components["machine_type"] = choice.machine_type
        if choice.accelerator_type:
            components["accelerator_type"] = choice.accelerator_type
            components["accelerator_count"] = str(choice.accelerator_count)
        decisions.append(resolved(self.name, "vertex.machineSpec.machineType", choice.machine_type, reason))
        if choice.accelerator_type:
            decisions.append(
                resolved(
                    self.name,
                    "vertex.machineSpec.acceleratorType",
                    f"{choice.accelerator_count} x {choice.accelerator_type}",
                    "serving.resources.gpu and gpu_type (default NVIDIA_TESLA_T4)",
                )
            )
        return choice

    def _image(
        self,
        plan: Plan,
        machine: catalog.MachineChoice | None,
        components: dict[str, str],
        decisions: list[Decision],
        findings: list[Finding],
    ) -> None:
        spec = plan.spec
        platform = spec.platforms.vertex
        assert platform is not None
        image, where = image_for(plan, self.name, "serving")
        if image is not None:
            if not GCP_IMAGE.match(image):
                findings.append(
                    refuse(
                        "VTX002",
                        f"Vertex AI pulls serving images from Artifact Registry or Container Registry, not `{image}`",
                        where,
                        IMAGE_ALTERNATIVES,
                    )
                )
                return
            components.update(image=image, prebuilt="false")
            decisions.append(
                resolved(self.name, "vertex.containerSpec.imageUri", image, f"from `{'.'.join(map(str, where))}`")
            )
            if spec.serving.protocol is Protocol.GRPC:
                decisions.append(
                    resolved(self.name, "vertex.containerSpec.grpcPorts", 8080, "serving.protocol grpc: custom image")
                )
            return
        framework = spec.model.framework
        gpu = machine is not None and machine.accelerator_type is not None
        try:
            compatibility = framework.compatibility.value if framework.compatibility else None
            uri = catalog.prediction_image(framework.name.value, framework.version, platform.region, gpu, compatibility)
            choice = catalog.prediction_choice(framework.name.value, framework.version, gpu, compatibility)
        except catalog.CatalogError as exc:
            with_image = "set `serving.image_mirrors.vertex` (Vertex AI only) or `serving.image` to a serving container"
            findings.append(
                refuse(
                    "VTX001",
                    exc.message,
                    ("model", "framework"),
                    (with_image, "frameworks with prebuilt images: " + ", ".join(exc.alternatives)),
                )
            )
            return
        if spec.serving.protocol is Protocol.GRPC:
            findings.append(
                refuse(
                    "VTX013",
                    "Vertex AI prebuilt prediction images serve REST only",
                    ("serving", "protocol"),
                    ("`protocol: rest`", "a gRPC serving container in `serving.image`"),
                )
            )
        components.update(image=uri, prebuilt="true")
        decisions.append(
            resolved(
                self.name,
                "vertex.containerSpec.imageUri",
                uri,
                f"prebuilt prediction image ({'GPU' if gpu else 'CPU'}): {choice.rule}; only a :latest tag "
                "exists, Vertex copies the image into the Model version at upload",
            )
        )
        findings.append(
            warn(
                "VTX020",
                f"`{uri}` is a mutable tag: two uploads of this model may get different servers",
                ("model", "framework"),
                "pin `serving.image` by digest (or `serving.image_mirrors.vertex`) to upload the same server "
                "every time",
            )
        )

    def _artifact(self, plan: Plan, components: dict[str, str], findings: list[Finding]) -> None:
        uri, where = artifact_uri(plan, self.name)
        if not uri.startswith("gs://"):
            findings.append(
                refuse(
                    "VTX004",
                    f"Vertex AI reads model artifacts from Cloud Storage only, not `{uri}`",
                    where,
                    hint="add `model.artifact.mirrors.vertex: gs://...`, a copy of the same bytes",
                )
            )
            return
        if ARTIFACT_FILE.search(uri.rstrip("/")) and components.get("prebuilt") == "true":
            files = catalog.prebuilt_frameworks()[plan.spec.model.framework.name.value].artifact_files
            findings.append(
                refuse(
                    "VTX018",
                    f"a prebuilt image loads {' or '.join(files)} from the artifact's folder; `{uri}` is a file",
                    where,
                    hint="point the artifact (or `mirrors.vertex`) at the folder that holds the model file",
                )
            )
            return
        components["artifact_uri"] = uri

    def _rollout(self, plan: Plan, decisions: list[Decision]) -> list[Finding]:
        spec = plan.spec
        strategy = plan.derived.rollout.strategy
        previous = plan.derived.rollout.previous
        found: list[Finding] = []
        if strategy is Strategy.SHADOW:
            return []  # refused by the capability check (VTX005): nothing to translate
        split = traffic_split(plan)
        decisions.append(
            resolved(
                self.name,
                "vertex.trafficSplit",
                dict(split.items()),
                f"{strategy}: '0' is {spec.model.version} being deployed"
                + (
                    f", {naming.deployed_model_id(previous.version)} is {previous.version}"
                    if previous is not None and len(split) > 1
                    else ""
                ),
            )
        )
        if spec.rollout.rollback.on:
            found.append(
                warn(
                    "VTX024",
                    "Vertex AI does not roll a deployment back on "
                    + ", ".join(a.value for a in spec.rollout.rollback.on)
                    + " by itself",
                    ("rollout", "rollback", "on"),
                    "roll back with `apply.sh traffic 0` from your alerting (README: Rolling back)",
                )
            )
        return found

    def _capture(
        self, plan: Plan, components: dict[str, str], decisions: list[Decision], findings: list[Finding]
    ) -> None:
        spec = plan.spec
        platform = spec.platforms.vertex
        assert platform is not None
        capture = spec.monitoring.capture if spec.monitoring else None
        if platform.capture_destination:
            dest, path = platform.capture_destination, ("platforms", "vertex", "capture_destination")
        elif capture is not None:
            dest, path = capture.destination, ("monitoring", "capture", "destination")
        else:
            return
        if not BQ_DESTINATION.match(dest):
            findings.append(
                refuse(
                    "VTX009",
                    f"Vertex AI logs requests and responses to BigQuery, not `{dest}`",
                    path,
                    hint="set `platforms.vertex.capture_destination: bq://<project>.<dataset>[.<table>]`",
                )
            )
            return
        percent = capture.sample_percent if capture else 100.0
        if percent <= 0:
            findings.append(
                refuse(
                    "VTX009",
                    "a capture sampling 0% logs nothing: Vertex AI needs a rate in (0, 1]",
                    ("monitoring", "capture", "sample_percent"),
                    hint="remove `monitoring.capture` or raise `sample_percent`",
                )
            )
            return
        components.update(capture_uri=dest, capture_rate=f"{percent / 100:g}")
        decisions.append(
            resolved(
                self.name,
                "vertex.predictRequestResponseLoggingConfig",
                {"bigqueryDestination": dest, "samplingRate": float(f"{percent / 100:g}")},
                f"{percent:g}% of requests logged to BigQuery",
            )
        )

    def _batch(
        self, plan: Plan, components: dict[str, str], decisions: list[Decision], findings: list[Finding]
    ) -> None:
        spec = plan.spec
        batch = spec.serving.batch
        platform = spec.platforms.vertex
        assert platform is not None
        if batch is None:
            return  # the validate pass requires `serving.batch` for batch and hybrid
        for uri, key in ((batch.input_uri, "input_uri"), (batch.output_uri, "output_uri")):
            table_ok = BQ_TABLE.match(uri) if key == "input_uri" else BQ_DESTINATION.match(uri)
            if not (uri.startswith("gs://") or table_ok):
                findings.append(
                    refuse(
                        "VTX010",
                        f"Vertex AI batch prediction reads and writes Cloud Storage or BigQuery, not `{uri}`",
                        ("serving", "batch", key),
                        hint="a gs:// folder or file, or a BigQuery table bq://project.dataset.table",
                    )
                )
        if batch.image or batch.command:
            findings.append(
                warn(
                    "VTX027",
                    "Vertex AI batch prediction runs the Model's serving container: `serving.batch.image` and "
                    "`command` are not used",
                    ("serving", "batch", "image" if batch.image else "command"),
                    "remove them, or keep them for platforms without managed batch (KServe)",
                )
            )
        if not platform.service_account:
            findings.append(
                warn(
                    "VTX028",
                    "Cloud Scheduler needs a service account to start the batch job on "
                    f"`{batch.schedule}`: apply.sh will not schedule it",
                    ("platforms", "vertex", "service_account"),
                    "set `platforms.vertex.service_account` (needs roles/aiplatform.user)",
                )
            )
        else:
            components["batch_schedule"] = batch.schedule
            decisions.append(
                resolved(
                    self.name,
                    "vertex.batch.schedule",
                    batch.schedule,
                    "a BatchPredictionJob is one run: apply.sh creates a Cloud Scheduler job that POSTs "
                    "batch-prediction-job.json on this schedule (Etc/UTC)",
                )
            )

    def _monitoring(
        self,
        plan: Plan,
        online: bool,
        components: dict[str, str],
        decisions: list[Decision],
        findings: list[Finding],
    ) -> None:
        spec = plan.spec
        mon = spec.monitoring
        if mon is None:
            return
        if mon.quality is not None:
            findings.append(
                warn(
                    "VTX022",
                    f"Vertex AI v1 model monitoring has no {mon.quality.metric} (quality) monitor: it needs ground "
                    "truth the endpoint never sees",
                    ("monitoring", "quality"),
                    "compute the metric from the BigQuery request log joined with labels, in your retraining pipeline",
                )
            )
        if mon.slo.p95_latency_ms is not None or mon.slo.error_rate is not None:
            findings.append(
                warn(
                    "VTX023",
                    "latency and error-rate SLO alerts are Cloud Monitoring alert policies, which mlopsc does not "
                    "render for Vertex AI",
                    ("monitoring", "slo"),
                    "alert on aiplatform.googleapis.com/prediction/online/prediction_latencies and "
                    f"error_count (p95 above {plan.derived.latency_alert_ms or 0:g} ms, errors above "
                    f"{plan.derived.error_rate_alert:g})",
                )
            )
        if not online:
            if mon.drift is not None or mon.capture is not None:
                findings.append(
                    warn(
                        "VTX029",
                        "batch-only serving has no endpoint: Vertex AI model monitoring and request capture "
                        "apply to endpoints only",
                        ("monitoring", "drift" if mon.drift is not None else "capture"),
                        "monitor the batch outputs in BigQuery, or serve `hybrid`",
                    )
                )
            return
        if mon.drift is None:
            return
        d = mon.drift
        method = d.method.value
        if method not in drift.CONVERTIBLE:
            findings.append(
                refuse(
                    "VTX011",
                    f"{method} thresholds depend on sample sizes and the whole distribution: they cannot be "
                    "converted to Vertex AI's Jensen-Shannon / L-infinity distances",
                    ("monitoring", "drift", "method"),
                    ("`method: psi`", "`method: jensen-shannon`"),
                )
            )
            return
        if d.sample_rate <= 0:
            findings.append(
                refuse(
                    "VTX017",
                    "a drift sample rate of 0 analyses nothing: Vertex AI needs a rate in (0, 1]",
                    ("monitoring", "drift", "sample_rate"),
                    hint="raise `sample_rate` (0.1 samples one request in ten)",
                )
            )
        signature = {f.name: f.type.value for f in spec.model.signature.inputs} if spec.model.signature else {}
        features = list(d.features) or list(signature)
        if not features:
            findings.append(
                refuse(
                    "VTX012",
                    "Vertex AI drift needs feature names and types: there is no `model.signature`",
                    ("monitoring", "drift"),
                    hint="add `model.signature.inputs` with each feature's type",
                )
            )
            return
        threshold = plan.derived.drift_investigate
        converted: dict[str, float] = {}
        for index, feature in enumerate(features):
            path = ("monitoring", "drift", "features", index) if d.features else ("model", "signature")
            kind_name = signature.get(feature)
            if kind_name is None:
                findings.append(
                    refuse(
                        "VTX012",
                        f"drift feature `{feature}` is not an input of `model.signature`: its type is unknown",
                        path,
                        hint="add it to `model.signature.inputs`, or fix the name",
                    )
                )
                continue
            try:
                measure = catalog.drift_measure(kind_name)
            except catalog.CatalogError as exc:
                findings.append(
                    refuse(
                        "VTX012",
                        exc.message,
                        path,
                        hint=f"watch features of types {', '.join(exc.alternatives)}",
                    )
                )
                continue
            conv = drift.convert(method, threshold, measure.feature_kind)
            converted[feature] = conv.value
            decisions.append(
                resolved(
                    self.name,
                    f"vertex.driftThresholds.{feature}",
                    conv.value,
                    f"{kind_name} is {measure.feature_kind}: Vertex measures {measure.measure}; "
                    f"{conv.formula} (investigate threshold, see targets/vertex/drift.py)",
                )
            )
        if not converted:
            return
        components["drift"] = ",".join(f"{k}={v:g}" for k, v in converted.items())
        findings.append(
            warn(
                "VTX021",
                "Vertex AI measures drift with Jensen-Shannon divergence (numerical features) and L-infinity "
                f"distance (categorical features): the {method} investigate threshold {threshold:g} became "
                + ", ".join(f"{k} {v:g}" for k, v in converted.items()),
                ("monitoring", "drift", "thresholds"),
                "`mlopsc explain` shows each conversion; the monitor and retrain levels have no Vertex "
                "counterpart (Vertex charts every feature's distribution)",
            )
        )
        decisions.append(
            resolved(
                self.name,
                "vertex.monitorInterval",
                f"{MONITOR_INTERVAL_S}s",
                "the shortest interval Vertex AI model monitoring runs (it rounds up to whole hours)",
            )
        )
        snapshot = spec.model.provenance.dataset_snapshot_uri
        source = _training_source(snapshot)
        if source:
            components["skew_source"] = source
        decisions.append(
            resolved(
                self.name,
                "vertex.trainingPredictionSkewDetectionConfig",
                source or None,
                "training snapshot readable by Vertex: skew detection with the same thresholds"
                if source
                else "no bq:// or gs:// csv/jsonl `provenance.dataset_snapshot_uri`: drift only, no skew detection",
            )
        )

    def _retraining(
        self, plan: Plan, components: dict[str, str], decisions: list[Decision], findings: list[Finding]
    ) -> None:
        spec = plan.spec
        retraining = spec.retraining
        platform = spec.platforms.vertex
        assert platform is not None
        if retraining is None:
            return
        if retraining.triggers:
            findings.append(
                warn(
                    "VTX025",
                    "Vertex AI monitoring alerts do not start pipelines: retraining triggers "
                    + ", ".join(t.value for t in retraining.triggers)
                    + " are not wired",
                    ("retraining", "triggers"),
                    "route the alert's Pub/Sub notification channel to a function that runs the PipelineJob",
                )
            )
        if retraining.schedule is None:
            return
        image, where = image_for(plan, self.name, "retraining")
        assert image is not None
        if not GCP_IMAGE.match(image):
            findings.append(
                refuse(
                    "VTX003",
                    f"Vertex AI Pipelines pull images from Artifact Registry or Container Registry, not `{image}`",
                    where,
                    (
                        "copy the image to Artifact Registry and set `retraining.pipeline.mirrors.vertex`",
                        "set `retraining.pipeline.image` to an image in `<region>-docker.pkg.dev` or `gcr.io`",
                    ),
                )
            )
            return
        if platform.pipeline_root:
            root, reason = platform.pipeline_root, "platforms.vertex.pipeline_root"
            if not root.startswith("gs://"):
                findings.append(
                    refuse(
                        "VTX019",
                        f"pipeline outputs go to a Cloud Storage folder, not `{root}`",
                        ("platforms", "vertex", "pipeline_root"),
                        hint="a gs:// folder",
                    )
                )
                return
        else:
            artifact = components.get("artifact_uri")
            if artifact is None:
                return  # VTX004 already explains the artifact
            bucket = artifact[len("gs://") :].split("/", 1)[0]
            root = f"gs://{bucket}/mlopsc-pipelines/{plan.model_name}/{plan.environment}/"
            reason = "no platforms.vertex.pipeline_root: a folder in the bucket of the Vertex artifact"
        components.update(pipeline_image=image, pipeline_root=root.rstrip("/") + "/")
        decisions.append(resolved(self.name, "vertex.pipelineJob.runtimeConfig.gcsOutputDirectory", root, reason))
        decisions.append(
            resolved(
                self.name,
                "vertex.schedule.cron",
                f"TZ=Etc/UTC {retraining.schedule}",
                "retraining.schedule in UTC; one container task, caching off so every run retrains",
            )
        )

    def _secrets(
        self, plan: Plan, components: dict[str, str], decisions: list[Decision], findings: list[Finding]
    ) -> None:
        spec = plan.spec
        platform = spec.platforms.vertex
        assert platform is not None
        for var, ref in string_references(plan, self.name).items():  # a missing one is VTX007 (capabilities)
            decisions.append(
                resolved(
                    self.name,
                    f"vertex.env.{var}_SECRET",
                    ref,
                    "Vertex AI cannot inject secrets into prediction containers: the container reads this "
                    "Secret Manager version with the deployment's service account",
                )
            )
            problems = []
            if components.get("prebuilt") == "true":
                problems.append("the prebuilt prediction server does not read it")
            if not platform.service_account:
                problems.append("no `platforms.vertex.service_account` to grant roles/secretmanager.secretAccessor")
            if problems:
                findings.append(
                    warn(
                        "VTX026",
                        f"`{var}` is passed as `{var}_SECRET={ref}`: " + "; ".join(problems),
                        ("serving", "env", var),
                        "serve with a container (`serving.image`) that reads the secret at startup",
                    )
                )

    def _platform(self, plan: Plan, findings: list[Finding]) -> None:
        platform = plan.spec.platforms.vertex
        assert platform is not None
        if platform.kms_key_name is not None:
            match = KMS_KEY.match(platform.kms_key_name)
            if match is None or match.group("location") != platform.region:
                findings.append(
                    refuse(
                        "VTX008",
                        f"`{platform.kms_key_name}` is not a Cloud KMS key in {platform.region}",
                        ("platforms", "vertex", "kms_key_name"),
                        hint=f"projects/<project>/locations/{platform.region}/keyRings/<ring>/cryptoKeys/<key> "
                        "(Vertex AI needs the key in the resource's region)",
                    )
                )
        if platform.network is not None and not NETWORK.match(platform.network):
            findings.append(
                refuse(
                    "VTX016",
                    f"`{platform.network}` is not a VPC network name Vertex AI accepts",
                    ("platforms", "vertex", "network"),
                    hint="projects/<project number>/global/networks/<network>",
                )
            )

    # --- emit -------------------------------------------------------------------------------------------

    def emit(self, plan: Plan, stack: Stack) -> Emission:
        spec = plan.spec
        online = spec.serving.mode.serves_online
        batch = spec.serving.mode.serves_batch
        docs: list[Document] = [Document("model.json", "Model", "json", model(plan, stack))]
        if online:
            docs.append(Document("endpoint.json", "Endpoint", "json", endpoint(plan, stack)))
            docs.append(Document("deploy-model.json", "DeployModelRequest", "json", deploy_model_request(plan, stack)))
            if "drift" in stack.components:
                docs.append(
                    Document("monitoring-job.json", "ModelDeploymentMonitoringJob", "json", monitoring_job(plan, stack))
                )
        if batch:
            docs.append(
                Document("batch-prediction-job.json", "BatchPredictionJob", "json", batch_prediction_job(plan, stack))
            )
        if "pipeline_image" in stack.components:
            docs.append(Document("retraining-schedule.json", "Schedule", "json", retraining_schedule(plan, stack)))
        names = [d.name for d in docs]
        docs.append(Document(SETTINGS, "ApplySettings", "json", settings(plan, stack, names)))
        docs.append(Document("apply.sh", "ApplyScript", "text", apply_script(plan, stack, names)))
        docs.append(Document("README.md", "Readme", "text", readme(plan, stack, names)))
        return Emission(tuple(docs))

    def transition(self, before: Json, after: Json) -> tuple[str, ...]:
        return ()

    def check(self, documents: Sequence[Document], options: Options) -> tuple[Finding, ...]:
        return ()


def _training_source(uri: str | None) -> str:
    """The snapshot as a skew baseline Vertex reads: a BigQuery table or a gs:// CSV/JSONL file."""
    if uri is None:
        return ""
    if BQ_TABLE.match(uri):
        return uri
    if uri.startswith("gs://") and uri.endswith((".csv", ".jsonl")):
        return uri
    return ""
