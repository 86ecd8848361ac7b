"""Azure ML: CLI v2 YAML for managed online endpoints, batch endpoints, monitoring and retraining.

Renders ``<env>/<model>/azureml/``, applied in order by the rendered ``apply.sh`` (``az ml ...``):
``model.yaml`` (the model version), ``endpoint.yaml`` (managed online endpoint: traffic, mirror
traffic), one ``deployment-<name>.yaml`` per live version, ``autoscale.json`` (Azure Monitor
autoscale, an ARM template) when ``replicas.max > replicas.min``, ``monitor.yaml`` (data drift),
``batch-endpoint.yaml`` + ``batch-deployment.yaml``, ``retraining-pipeline.yaml`` (+
``retraining-schedule.yaml`` when a schedule is given), ``score/score.py`` and
``score/batch_score.py`` (scoring code for the tabular frameworks), ``apply.sh`` and ``README.md``.

**Names.** Deployments are named for their version (``2.1.0`` -> ``v2-1-0``): stable, so traffic
keys and re-applies address the same deployment. Endpoint names must be unique per Azure region,
so they carry the environment: ``<model>-<env>`` (``-batch`` for the batch endpoint), shortened
with a hash above Azure's 32 characters.

**Rollout.** The shares are the decided rollout state (``plan.derived.rollout``): traffic always
sums to exactly 100. Canary, blue-green and A/B: the previous deployment answers ``100 - t``, the new
one ``t``; shadow: the previous one answers 100% and the new one gets ``mirror_traffic`` = t; Azure
caps mirroring at 50% (AML005). ``mirror_traffic`` names every routed deployment, 0 where nothing is
mirrored, so that an earlier shadow stops (after its abort, its promotion or the next release). A rollout creates
or updates **only the new version's deployment** (``deployment-<new>.yaml``) and then sets traffic on
the endpoint (how-to-safely-rollout-online-endpoints.md: blue-green as Azure documents it). The live
deployment is never rewritten: the spec describes only the new version's serving, so apply.sh
requires the live deployment to exist on the endpoint (deployed by its own rollout) and fails with
the reason otherwise. After traffic is set, apply.sh deletes the deployments of this model on the
endpoint that the rollout no longer routes to (the one all-at-once replaces; after ``promote``, the
previous deployment once the *next* rollout names another previous version), never one with
traffic. ``promote`` (100%) keeps the previous deployment at 0%, so a rollback is a traffic change
(the shared rollout model); ``abort`` (0%) keeps the new one at 0% to be looked at. All-at-once, or
no ``rollout.previous``: one deployment at 100. The endpoint is created without traffic, the
deployment next, and traffic is set last with ``az ml online-endpoint update`` (Azure refuses traffic
to deployments that do not exist yet).

**Compute.** ``instance_type`` is the smallest current SKU with at least the requested vCPUs and
memory and exactly the requested GPUs (catalog.pick_sku; unknown combinations are AML004 with the
SKUs that would fit); ``Standard_DS3_v2`` when the spec gives no resources. ``instance_count`` is
``replicas.min`` (at least 1: a managed deployment cannot run 0 instances, AML101). When
``replicas.max > replicas.min`` an ARM template creates an Azure Monitor autoscale setting for the
new version's deployment (the live one keeps the setting its own rollout made): scale out by one
when ``RequestsPerMinute`` per instance exceeds 70% of
``rps_per_replica x 60`` over 5 minutes, in by one below 30% over 10 minutes (requests, not CPU,
because the replica count itself is derived from requests per second). A deployment apply.sh retires
loses its setting (``<endpoint>-<deployment>-autoscale``) first, whether or not the current spec
autoscales: deleting a deployment leaves its setting behind, targeting nothing.

**Environment and scoring code.** sklearn, xgboost, lightgbm and tensorflow run on the curated environment of
their version (catalog.curated_environment, from targets/azureml/runtimes.json, under the
compatibility policy of docs/runtimes.md) with a rendered ``score/score.py`` (init loads the
model from ``AZUREML_MODEL_DIR``, run parses JSON rows in signature order) and
``WORKER_COUNT`` = ``max_concurrent_requests_per_instance`` = the vCPUs requested. When no curated
environment pins the version, ``score/conda.yaml`` pins it from PyPI (same major.minor) with the
inference server and what score.py imports, and the deployment's ``environment: {image, conda_file}``
has Azure ML build the environment from the minimal inference image. The curated environments lack
what score.py imports for data collection (``azureml-ai-monitoring``) and Key Vault secrets
(``azure-identity``, ``azure-keyvault-secrets``): when either is configured on a curated version, an
``environment/Dockerfile`` build context (``FROM`` the curated image of the same asset version, plus
exactly those packages at pinned versions, environment.py) replaces the curated reference. Either
way score.py raises at ``init()`` when a collector or a secret cannot be had, so a deployment never
serves without them. ONNX, PyTorch (TorchScript) and Hugging Face are always built from the minimal
image and score/conda.yaml (framework pin, plus onnxruntime / torch): no curated environment carries
pandas with them (catalog.CONDA_ONLY). ``custom`` needs ``serving.image`` or
``serving.image_mirrors.azureml`` (a custom container following the Azure ML inference server
convention: port 5001, ``/`` for liveness and readiness, ``/score``), else AML001 lists what works.
Images must be pullable by Azure ML: ACR or a public registry; an ECR image is AML002 naming
``serving.image_mirrors.azureml`` (AML008 for ``retraining.pipeline.mirrors.azureml``).

**Artifacts.** ``model.yaml`` path is ``artifact_uri(plan, "azureml")``: an ``azureml://``
datastore path or an ``https://<account>.blob.core.windows.net/`` URL; s3://, gs:// and others
are AML003 naming ``model.artifact.mirrors.azureml``. The previous version is neither registered
nor redeployed by a rollout: it is live, deployed by its own rollout.

**Probes and requests.** readiness ``initial_delay`` = ``readiness_initial_delay_s``, liveness
``initial_delay`` = ``startup_timeout_s`` (decision rule R004: larger models get longer
delays). ``request_timeout_ms`` = 10 x the p95 latency SLA (at least 1 s, at most Azure's
180 000 ms; 5 000 ms, Azure's default, without an SLA).

**Secrets.** Never values. ``VAR: {secret: s}`` becomes ``VAR_SECRET_URL`` = the Key Vault URL of
``secrets.s.azureml`` (which may carry no version); the scoring code reads it at start with the
endpoint's system-assigned managed identity, which needs the ``Key Vault Secrets User`` role on the
vault (``apply.sh`` grants it). A secret without an ``azureml`` entry is AML006.

**Data collection and monitoring.** ``data_collector`` collects ``model_inputs`` and
``model_outputs`` at ``sample_percent / 100`` (or ``drift.sample_rate`` when only drift is set) into
``platforms.azureml.capture_destination`` or ``monitoring.capture.destination`` (an ``azureml://``
path; others are AML009). ``monitor.yaml`` runs daily at 03:00 UTC with two ``data_drift``
signals, ``drift-investigate`` and ``drift-retrain``, each threshold translated to Azure's metric, units
and alert direction (drift.py, from azureml-assets' model-monitoring components): psi ->
``population_stability_index`` (the same statistic, alert above), jensen-shannon ->
``jensen_shannon_distance`` = sqrt(the spec's divergence in bits) (alert above; a threshold above 1 bit
could never fire, AML020), both for numerical and categorical features. ks and chi2 are refused
(AML020): Azure computes their p-values and alerts *below* the threshold, and a p-value for the spec's
statistic depends on the windows' row counts. Alerts go to
``monitoring.alerts.emails`` (the owner when empty). Model quality is not monitored (AML102): Azure
ML's model_performance signal needs ground-truth labels joined to the collected outputs, which the
spec does not describe. Data drift supports classification and regression models only (AML103).
Latency/error SLOs and automatic rollback are not Azure ML resources (AML106): ``apply.sh`` prints
the Azure Monitor alert commands.

**Batch.** A batch endpoint (``aad_token``, the only mode batch endpoints take) and a model batch
deployment on ``platforms.azureml.batch_compute`` with ``score/batch_score.py``. When the spec names no
cluster, ``compute.yaml`` renders one (``type: amlcompute``, the serving SKU, ``min_instances: 0`` so
it costs nothing idle, ``max_instances`` = replicas.max, naming.cluster_name) and ``apply.sh`` creates
it before the batch deployment (an existing one gets its scale settings updated; Azure does not
change a cluster's VM size in place). Azure ML does not schedule batch endpoints: ``apply.sh`` defines
``invoke_batch`` (``az ml batch-endpoint invoke``) for the cron of ``serving.batch.schedule`` to call
from a scheduler (AML104). Input and output must be Azure storage (AML010).

**Retraining.** ``retraining-pipeline.yaml`` (a pipeline job, one command step running
``retraining.pipeline.image`` and ``command`` on ``platforms.azureml.training_compute`` or serverless
``Standard_DS3_v2``) and, with ``retraining.schedule``, ``retraining-schedule.yaml`` (a cron job
schedule, UTC) that creates it.

**Tags.** ``labels_for(plan)`` on every resource; deployments add ``mlopsc-model-version``.

| code | severity | what |
|---|---|---|
| AML001 | error | framework with neither a rendered scoring script nor `serving.image` |
| AML002 | error | serving image Azure ML cannot pull (ECR) |
| AML003 | error | model artifact Azure ML cannot read (s3://, gs://, ...) |
| AML004 | error | no managed-endpoint SKU fits the resources (lists the valid SKUs) |
| AML005 | error | shadow mirror traffic above Azure's 50% cap |
| AML006 | error | secret without an `azureml` Key Vault reference |
| AML008 | error | retraining image Azure ML cannot pull (ECR) |
| AML009 | error | capture destination that is not Azure ML storage |
| AML010 | error | batch input/output that is not Azure storage |
| AML011 | error | batch scoring for a framework without a rendered batch script |
| AML012 | error | serving mode Azure ML does not host (edge, embedded) |
| AML013 | error | gRPC: managed online endpoints serve HTTPS only |
| AML014 | error | version neither curated nor pinnable by a conda file (not major.minor), no `serving.image` |
| AML020 | error | drift method or threshold Azure ML cannot evaluate as the spec declares (ks, chi2; JS above 1 bit) |
| AML101 | warning | `replicas.min: 0` deployed as 1 instance |
| AML102 | warning | model quality not monitored on Azure ML |
| AML103 | warning | data drift not monitored for this model type |
| AML104 | warning | batch schedule to be run by an external scheduler |
| AML105 | warning | `gpu_type` differs from the chosen SKU's GPU |
| AML106 | warning | SLO alerts / rollback not rendered as Azure resources |
| AML107 | warning | `serving.batch.image` / `command` not used (managed batch) |
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Decision, Document, Finding, Json, Options, Plan, Stack, required
from mlopsc.compiler.spec.typed import SecretRef
from mlopsc.compiler.spec.vocabulary import ServingMode
from mlopsc.targets.azureml import catalog, drift
from mlopsc.targets.azureml.apply import apply_sh, readme
from mlopsc.targets.azureml.capabilities import CAPABILITIES
from mlopsc.targets.azureml.documents import (
    MAX_REQUEST_TIMEOUT_MS,
    SCORE_DIR,
    TRAINING_INSTANCE_TYPE,
    autoscale_doc,
    batch_deployment_doc,
    batch_endpoint_doc,
    compute_doc,
    deployment_doc,
    endpoint_doc,
    model_doc,
    request_timeout_ms,
    retraining_pipeline_doc,
    retraining_schedule_doc,
)
from mlopsc.targets.azureml.environment import BUILD_DIR, dockerfile, missing_packages
from mlopsc.targets.azureml.monitor import monitor_doc
from mlopsc.targets.azureml.naming import cluster_name, deployment_name, endpoint_name
from mlopsc.targets.azureml.scoring import SCORING_FRAMEWORKS, batch_score_py, packages_needed, score_py
from mlopsc.targets.azureml.stack import AzureMLStack
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

DEFAULT_SKU = "Standard_DS3_v2"
ARTIFACT_SCHEMES = ("azureml://",)
PIPELINE_FILE = "retraining-pipeline.yaml"


def _azure_blob(uri: str) -> bool:
    return uri.startswith("https://") and ".blob.core.windows.net/" in uri


def _azure_storage(uri: str) -> bool:
    return uri.startswith(ARTIFACT_SCHEMES) or _azure_blob(uri)


def _ecr(image: str) -> bool:
    host = image.split("/", 1)[0]
    return ".dkr.ecr." in host and host.endswith(".amazonaws.com")


def _pinnable(framework: str, version: str) -> bool:
    """Whether a conda file can pin ``framework`` at ``version`` (major.minor at least)."""
    return not _conda_problem(framework, version)


def _conda_problem(framework: str, version: str) -> str:
    """Why no conda file can pin ``framework`` at ``version`` ("" when one can)."""
    try:
        catalog.conda_environment(framework, version, capture=False, secrets=False)
    except catalog.CatalogError as exc:
        return exc.message
    return ""


def _curated(plan: Plan) -> catalog.CuratedEnvironment:
    """The curated environment resolve chose (same arguments as in _environment)."""
    framework = plan.spec.model.framework
    compatibility = framework.compatibility
    return catalog.curated_environment(
        framework.name.value, framework.version, compatibility.value if compatibility else None
    )


class AzureML:
    name: ClassVar[str] = "azureml"
    title: ClassVar[str] = "Azure ML (managed online and batch endpoints, CLI v2)"
    code_prefix: ClassVar[str] = "AML"
    capabilities: ClassVar[Capabilities] = CAPABILITIES
    mapping: ClassVar[tuple[FieldMapping, ...]] = (
        FieldMapping("metadata.name + environment", "endpoint.yaml name", "<model>-<env>, unique per region"),
        FieldMapping("metadata.labels, team", "tags of every resource", "via labels_for"),
        FieldMapping("model.version", "model.yaml version; deployment name v<version>", "2.1.0 -> v2-1-0"),
        FieldMapping("model.artifact.uri / mirrors.azureml", "model.yaml path", "azureml:// or blob https (AML003)"),
        FieldMapping("model.artifact.digest, provenance", "model.yaml properties"),
        FieldMapping(
            "model.framework", "deployment environment (curated) + score/score.py", "sklearn/xgboost/lightgbm"
        ),
        FieldMapping("model.signature.inputs", "score.py FEATURES (column order)"),
        FieldMapping("serving.image / image_mirrors.azureml", "deployment environment.image + inference_config"),
        FieldMapping("serving.env", "deployment environment_variables", "secrets as <VAR>_SECRET_URL (Key Vault)"),
        FieldMapping("serving.resources", "deployment instance_type", "smallest fitting SKU (AML004)"),
        FieldMapping("serving.replicas.min (R002)", "deployment instance_count", "at least 1"),
        FieldMapping(
            "serving.replicas.max, scale.rps_per_replica", "autoscale.json (Microsoft.Insights/autoscalesettings)"
        ),
        FieldMapping("serving.scale.latency_ms", "request_settings.request_timeout_ms", "10 x SLA, max 180000"),
        FieldMapping("model.artifact.size_gb (R-artifact-size)", "liveness/readiness_probe.initial_delay"),
        FieldMapping("rollout canary / blue-green / ab", "endpoint.yaml traffic", "new deployment only; sums to 100"),
        FieldMapping("rollout shadow", "endpoint.yaml mirror_traffic", "at most 50 (AML005)"),
        FieldMapping("monitoring.capture / platforms.azureml.capture_destination", "deployment data_collector"),
        FieldMapping("monitoring.drift", "monitor.yaml data_drift signals drift-investigate, drift-retrain"),
        FieldMapping("monitoring.alerts.emails", "monitor.yaml alert_notification.emails"),
        FieldMapping("monitoring.quality, slo; rollout.rollback", "(warnings AML102, AML106)"),
        FieldMapping("serving.batch", "batch-endpoint.yaml + batch-deployment.yaml", "schedule via apply.sh (AML104)"),
        FieldMapping("platforms.azureml.batch_compute", "batch-deployment.yaml compute"),
        FieldMapping("retraining.pipeline", "retraining-pipeline.yaml (pipeline job)"),
        FieldMapping("retraining.schedule", "retraining-schedule.yaml (cron, UTC)"),
        FieldMapping("platforms.azureml.training_compute", "retraining-pipeline.yaml settings.default_compute"),
        FieldMapping("platforms.azureml.workspace, resource_group, region", "apply.sh -w/-g, autoscale location"),
    )

    # --- resolve ----------------------------------------------------------------------------------------

    def resolve(self, plan: Plan) -> Resolution:
        spec = plan.spec
        platform = spec.platforms.azureml
        assert platform is not None
        findings: list[Finding] = []
        decisions: list[Decision] = []
        mode = spec.serving.mode
        online = mode.serves_online
        batch = mode.serves_batch
        stack = AzureMLStack(
            workspace=platform.workspace,
            resource_group=platform.resource_group,
            region=platform.region,
            endpoint=endpoint_name(plan.model_name, plan.environment),
            deployment=deployment_name(spec.model.version),
            instance_count=str(plan.derived.instances_min),  # 0: AML101 (capability check)
        )
        decisions.append(
            resolved(
                self.name,
                "azureml.endpoint",
                stack.endpoint,
                "endpoint names are unique per Azure region: <model>-<environment>",
            )
        )
        if mode not in (ServingMode.ONLINE, ServingMode.BATCH, ServingMode.HYBRID):
            findings.append(
                refuse(
                    "AML012",
                    f"Azure ML hosts online and batch endpoints, not `{mode}` serving",
                    ("serving", "mode"),
                    ("`mode: online`", "`mode: batch`", "`mode: hybrid`"),
                )
            )
        stack = self._environment(plan, stack, findings, decisions, batch)
        uri, where = artifact_uri(plan, self.name)
        if _azure_storage(uri):
            stack = replace(stack, model_path=uri)
        else:
            findings.append(
                refuse(
                    "AML003",
                    f"Azure ML cannot read the model artifact `{uri}`",
                    where,
                    hint="add `model.artifact.mirrors.azureml` with an azureml://datastores/<store>/paths/... or "
                    "https://<account>.blob.core.windows.net/... copy of the same bytes",
                )
            )
        stack = self._sku(plan, stack, findings, decisions)
        if any(isinstance(v, SecretRef) for v in spec.serving.env.values()):
            decisions.append(
                resolved(
                    self.name,
                    "azureml.secrets",
                    "Key Vault via managed identity",
                    "each secret is passed as <VAR>_SECRET_URL (the Key Vault URL, never a value); the scoring "
                    "code reads it at start with the endpoint's system-assigned identity, which needs the "
                    "`Key Vault Secrets User` role on the vault (apply.sh grants it)",
                )
            )
        stack = self._capture(plan, stack, findings, decisions)
        stack = self._scoring_packages(plan, stack, decisions, online)
        if batch:
            stack = self._batch(plan, stack, findings, decisions)
        if spec.retraining is not None:
            image, path = image_for(plan, self.name, "retraining")
            assert image is not None
            if _ecr(image):
                findings.append(
                    refuse(
                        "AML008",
                        f"Azure ML cannot pull the retraining image `{image}` from Amazon ECR",
                        path,
                        hint="add `retraining.pipeline.mirrors.azureml` with the same image (same digest) in "
                        "Azure Container Registry (<registry>.azurecr.io)",
                    )
                )
            else:
                stack = replace(stack, retraining_image=image)
            if platform.training_compute:
                stack = replace(stack, training_compute=platform.training_compute)
            decisions.append(
                resolved(
                    self.name,
                    "azureml.training_compute",
                    platform.training_compute or f"serverless {TRAINING_INSTANCE_TYPE}",
                    "platforms.azureml.training_compute"
                    if platform.training_compute
                    else "no training_compute given: serverless compute of the default size",
                )
            )
        self._monitoring_warnings(plan, findings, decisions, online)
        if any(f.severity is Severity.ERROR for f in findings):
            return Resolution(None, tuple(findings))
        return Resolution(Stack(self.name, plan.environment, stack, tuple(decisions)), tuple(findings))

    def _environment(
        self,
        plan: Plan,
        stack: AzureMLStack,
        findings: list[Finding],
        decisions: list[Decision],
        batch: bool,
    ) -> AzureMLStack:
        spec = plan.spec
        framework = spec.model.framework.name.value
        version = spec.model.framework.version
        image, image_path = image_for(plan, self.name, "serving")
        curated: catalog.CuratedEnvironment | None = None
        problem = ""
        if framework in SCORING_FRAMEWORKS:
            try:
                compatibility = spec.model.framework.compatibility
                curated = catalog.curated_environment(
                    framework, version, compatibility.value if compatibility else None
                )
            except catalog.CatalogError as exc:
                problem = exc.message
        if curated is None and problem and image is None and _pinnable(framework, version):
            # No curated environment pins this version: Azure ML builds one from the minimal inference
            # image and a conda file pinning the framework's major.minor from PyPI (score/conda.yaml).
            stack = replace(stack, environment=catalog.conda_base())
            stack = replace(stack, conda_file=f"{SCORE_DIR}/conda.yaml")
            decisions.append(
                resolved(
                    self.name,
                    "azureml.environment",
                    f"{stack.environment} + {SCORE_DIR}/conda.yaml",
                    f"{problem}; Azure ML builds the environment at the first deployment from the minimal inference "
                    f"image (azureml-assets assets/inference/environments/minimal-py311-inference) and "
                    f"{SCORE_DIR}/conda.yaml, which pins {catalog.PIP_PACKAGES[framework]} {version} "
                    "(same major.minor) from PyPI",
                )
            )
            problem = ""
        elif curated is None and problem and image is None and framework in catalog.CONDA_PYTHON_FLOOR:
            problem = _conda_problem(framework, version)
        if curated is not None:
            stack = replace(stack, environment=curated.reference)
            decisions.append(
                resolved(
                    self.name,
                    "azureml.environment",
                    curated.reference,
                    f"curated environment for {framework} {version} ({curated.source}); "
                    f"scoring code rendered as {SCORE_DIR}/score.py",
                )
            )
        # serving.image, or serving.image_mirrors.azureml alone (this platform serves with that image)
        if image is not None:
            stack = replace(stack, environment=None)
            if _ecr(image):
                findings.append(
                    refuse(
                        "AML002",
                        f"Azure ML cannot pull `{image}` from Amazon ECR",
                        image_path,
                        hint="add `serving.image_mirrors.azureml` with the same image (same digest) in Azure "
                        "Container Registry (<registry>.azurecr.io) or a public registry",
                    )
                )
                return stack
            stack = replace(stack, image=image)
            decisions.append(
                resolved(
                    self.name,
                    "azureml.environment",
                    image,
                    "serving.image as a custom container; assumed to follow the Azure ML inference server "
                    "convention (port 5001, GET / for liveness and readiness, POST /score)",
                )
            )
        elif stack.environment is None:
            working = ", ".join(SCORING_FRAMEWORKS)
            findings.append(
                refuse(
                    "AML014" if problem else "AML001",
                    problem or f"Azure ML has no curated environment with rendered scoring code for `{framework}`",
                    ("model", "framework"),
                    (
                        f"a framework mlopsc renders scoring code for ({working}) at a curated version",
                        "`serving.image_mirrors.azureml` (Azure ML only) or `serving.image`: a container that serves "
                        "the model (Azure ML inference server convention)",
                    ),
                )
            )
        if batch and stack.environment is None and stack.image is not None:
            findings.append(
                refuse(
                    "AML011",
                    f"Azure ML batch scoring of `{framework}` needs a batch scoring script mlopsc does not render",
                    ("serving", "mode"),
                    (f"a framework with rendered scripts ({', '.join(SCORING_FRAMEWORKS)})", "`mode: online`"),
                )
            )
        return stack

    def _scoring_packages(
        self, plan: Plan, stack: AzureMLStack, decisions: list[Decision], online: bool
    ) -> AzureMLStack:
        """What score.py imports that the curated environment lacks: an environment/ build context adds it."""
        if stack.environment is None or stack.conda_file is not None:
            return stack  # a custom image carries what its own server imports; a conda file lists it already
        spec = plan.spec
        needed = packages_needed(
            capture=online and stack.capture_rate is not None,
            secrets=any(isinstance(v, SecretRef) for v in spec.serving.env.values()),
        )
        curated = _curated(plan)
        missing = missing_packages(curated, needed)
        if not missing:
            return stack
        stack = replace(stack, environment_build=BUILD_DIR)
        stack = replace(stack, environment_packages=" ".join(missing))
        decisions.append(
            resolved(
                self.name,
                "azureml.environment",
                f"{curated.pinned_image} + {', '.join(missing)}",
                f"the curated {curated.name} lacks what the scoring code imports ("
                + ", ".join(missing)
                + f"): {BUILD_DIR}/Dockerfile adds it (Azure builds the environment from that context); "
                "score.py refuses to start without it",
            )
        )
        return stack

    def _sku(self, plan: Plan, stack: AzureMLStack, findings: list[Finding], decisions: list[Decision]) -> AzureMLStack:
        resources = plan.spec.serving.resources
        if resources is None:
            stack = replace(stack, instance_type=DEFAULT_SKU)
            decisions.append(
                resolved(self.name, "azureml.instance_type", DEFAULT_SKU, "no serving.resources: Azure's example size")
            )
            return stack
        try:
            name = catalog.pick_sku(resources.cpu, resources.memory_gb, resources.gpu)
        except catalog.CatalogError as exc:
            findings.append(
                refuse(
                    "AML004",
                    exc.message,
                    ("serving", "resources"),
                    hint="valid SKUs: " + ", ".join(exc.alternatives[:12]) if exc.alternatives else "",
                )
            )
            return stack
        sku = catalog.sku(name)
        stack = replace(stack, instance_type=name)
        decisions.append(
            resolved(
                self.name,
                "azureml.instance_type",
                name,
                f"smallest current managed-endpoint SKU with >= {resources.cpu:g} vCPU, >= {resources.memory_gb:g} GiB "
                f"and exactly {resources.gpu} GPU: {sku.describe()}",
            )
        )
        wanted = resources.gpu_type
        if wanted and sku.gpu_model and sku.gpu_model.lower() not in wanted.lower():
            findings.append(
                warn(
                    "AML105",
                    f"`gpu_type: {wanted}` is not the {sku.gpu_model} of {name}, the smallest SKU that fits",
                    ("serving", "resources", "gpu_type"),
                    "raise cpu/memory to reach a SKU with that GPU, or drop gpu_type",
                )
            )
        return stack

    def _capture(
        self, plan: Plan, stack: AzureMLStack, findings: list[Finding], decisions: list[Decision]
    ) -> AzureMLStack:
        spec = plan.spec
        platform = spec.platforms.azureml
        assert platform is not None
        mon = spec.monitoring
        capture = mon.capture if mon else None
        drift = mon.drift if mon else None
        if capture is None and drift is None:
            return stack
        if capture is not None:
            stack = replace(stack, capture_rate=f"{capture.sample_percent / 100:g}")
            reason = f"monitoring.capture.sample_percent {capture.sample_percent:g}%"
        else:
            assert drift is not None
            stack = replace(stack, capture_rate=f"{drift.sample_rate:g}")
            reason = "monitoring.drift needs collected inputs: drift.sample_rate"
        path: tuple[str, ...]
        if platform.capture_destination:
            destination, path = platform.capture_destination, ("platforms", "azureml", "capture_destination")
        elif capture is not None:
            destination, path = capture.destination, ("monitoring", "capture", "destination")
        else:
            destination, path = "", ()
        if destination and not destination.startswith(ARTIFACT_SCHEMES):
            findings.append(
                refuse(
                    "AML009",
                    f"Azure ML data collection writes to a datastore, not `{destination}`",
                    path,
                    hint="set `platforms.azureml.capture_destination` to azureml://datastores/<store>/paths/<folder>/",
                )
            )
            return stack
        if destination:
            stack = replace(stack, capture_path=destination)
        decisions.append(
            resolved(
                self.name,
                "azureml.data_collector",
                f"model_inputs, model_outputs at {stack.capture_rate}",
                f"{reason}; written to {destination or 'the workspace blob store (Azure default path)'}; "
                "score.py collects them through azureml-ai-monitoring (a custom container must do so itself)",
            )
        )
        return stack

    def _batch(
        self, plan: Plan, stack: AzureMLStack, findings: list[Finding], decisions: list[Decision]
    ) -> AzureMLStack:
        spec = plan.spec
        platform = spec.platforms.azureml
        batch = spec.serving.batch
        assert platform is not None and batch is not None
        stack = replace(stack, batch_endpoint=endpoint_name(plan.model_name, plan.environment, "batch"))
        stack = replace(stack, batch_instances=str(plan.derived.instances_min))
        if platform.batch_compute is None:
            # No cluster named: render compute.yaml (AmlCompute of the serving SKU, 0 to replicas.max nodes)
            # and have apply.sh create it before the batch deployment.
            stack = replace(
                stack,
                batch_compute=cluster_name(plan.model_name, plan.environment),
                batch_cluster_max=str(max(plan.derived.replicas_max, plan.derived.instances_min, 1)),
            )
            decisions.append(
                resolved(
                    self.name,
                    "azureml.batch_compute",
                    f"{stack.batch_compute} (AmlCompute {stack.instance_type or '?'}, "
                    f"0-{stack.batch_cluster_max} nodes)",
                    "no platforms.azureml.batch_compute: compute.yaml renders a cluster of the serving SKU that "
                    "scales to zero when idle, up to the replica maximum; apply.sh creates it before the batch "
                    "deployment",
                )
            )
        else:
            stack = replace(stack, batch_compute=platform.batch_compute)
        for key, uri in (("input_uri", batch.input_uri), ("output_uri", batch.output_uri)):
            ok = uri.startswith("azureml://datastores/") if key == "output_uri" else _azure_storage(uri)
            if not ok:
                findings.append(
                    refuse(
                        "AML010",
                        f"Azure ML batch jobs cannot {'write' if key == 'output_uri' else 'read'} `{uri}`",
                        ("serving", "batch", key),
                        hint="override it for this environment with an azureml://datastores/<store>/paths/... URI"
                        + (" (or an https://<account>.blob.core.windows.net/ URL)" if key == "input_uri" else ""),
                    )
                )
        findings.append(
            warn(
                "AML104",
                f"Azure ML does not run batch endpoints on a schedule: `{batch.schedule}` must be run by a "
                "scheduler calling `invoke_batch` from apply.sh",
                ("serving", "batch", "schedule"),
                "cron, a Logic App recurrence or an Azure Data Factory trigger calling `az ml batch-endpoint invoke`",
            )
        )
        if batch.image or batch.command:
            findings.append(
                warn(
                    "AML107",
                    "Azure ML batch endpoints run the model with the rendered batch_score.py: "
                    "`serving.batch.image` / `command` are not used",
                    ("serving", "batch"),
                )
            )
        decisions.append(
            resolved(
                self.name,
                "azureml.batch",
                stack.batch_endpoint,
                f"batch endpoint (aad_token) with deployment {stack.deployment} on "
                f"{platform.batch_compute}, {stack.batch_instances} node(s) per job",
            )
        )
        return stack

    def _monitoring_warnings(
        self, plan: Plan, findings: list[Finding], decisions: list[Decision], online: bool
    ) -> None:
        spec = plan.spec
        mon = spec.monitoring
        if mon is None:
            return
        if mon.quality is not None:
            findings.append(
                warn(
                    "AML102",
                    f"model quality (`{mon.quality.metric}`) is not monitored on Azure ML: its model_performance "
                    "signal needs ground-truth labels joined to the collected outputs, which the spec does not name",
                    ("monitoring", "quality"),
                    "register the labelled outcomes as a data asset and add a model_performance signal to "
                    "monitor.yaml by hand, or compute quality in the retraining pipeline",
                )
            )
        if mon.drift is not None:
            if spec.model.type.value not in catalog.DRIFT_ML_TASKS:
                findings.append(
                    warn(
                        "AML103",
                        f"Azure ML data drift monitors classification and regression models, not "
                        f"`{spec.model.type}`: monitor.yaml is not rendered",
                        ("monitoring", "drift"),
                    )
                )
            elif online:
                self._drift(plan, findings, decisions)
        if online and (
            mon.slo.p95_latency_ms is not None or mon.slo.error_rate is not None or spec.rollout.rollback.on
        ):
            findings.append(
                warn(
                    "AML106",
                    "latency/error SLO alerts and automatic rollback are not Azure ML resources: apply.sh prints "
                    "the Azure Monitor alert commands and the rollback command",
                    ("monitoring", "slo"),
                )
            )

    def _drift(self, plan: Plan, findings: list[Finding], decisions: list[Decision]) -> None:
        """The investigate and retrain thresholds in Azure's metric, units and direction (drift.py)."""
        d = plan.derived
        assert plan.spec.monitoring is not None and plan.spec.monitoring.drift is not None
        method = plan.spec.monitoring.drift.method.value
        formulas: list[str] = []
        for level, threshold in (("investigate", d.drift_investigate), ("retrain", d.drift_retrain)):
            try:
                translation = drift.translate(method, threshold)
            except catalog.CatalogError as exc:
                where = ("method",) if method in drift.REFUSED else ("thresholds", level)
                findings.append(
                    refuse(
                        "AML020",
                        exc.message,
                        ("monitoring", "drift", *where),
                        exc.alternatives,
                    )
                )
                return
            formulas.append(f"{level}: {translation.formula}")
        metric = next(iter(drift.translate(method, d.drift_retrain).thresholds["numerical"]))
        decisions.append(
            resolved(
                self.name,
                "azureml.drift_metric",
                metric,
                f"{method} on Azure ML as {metric} for numerical and categorical features ("
                + "; ".join(formulas)
                + "); daily at 03:00 UTC; signals drift-investigate and drift-retrain alert by email",
            )
        )

    # --- emit -------------------------------------------------------------------------------------------

    def emit(self, plan: Plan, stack: Stack) -> Emission:
        spec = plan.spec
        tags = labels_for(plan)
        c = AzureMLStack.of(stack)
        docs: list[Document] = [Document("model.yaml", "model", "yaml", model_doc(plan, stack, tags))]
        decisions: list[Decision] = []
        online = spec.serving.mode.serves_online
        batch = c.batch_endpoint is not None
        new = c.deployment
        deployments: list[tuple[str, str]] = [(new, spec.model.version)]
        traffic: dict[str, int] = {new: 100}
        mirror: dict[str, int] = {}
        rollout = plan.derived.rollout
        previous = rollout.previous
        strategy = rollout.strategy
        share = rollout.traffic
        if online:
            if previous is not None:  # deployed beside the new version: the decided shares, old first
                old = deployment_name(previous.version)
                deployments.insert(0, (old, previous.version))
                traffic = {old: previous.live_share, new: rollout.new.live_share}
            # mirror_traffic is written for every routed deployment, 0 where nothing is mirrored: an endpoint
            # that mirrored before (a shadow, then its abort, promotion or next release) must stop, and Azure's
            # safe-rollout example stops it with an explicit 0 (azureml-examples cli/deploy-safe-rollout-online-
            # endpoints.sh, reset_mirror_traffic); azure-ai-ml drops the zeros before sending
            # (_online_endpoint_operations._strip_zeroes_from_traffic), so they never count as a mirror.
            mirror = dict.fromkeys(traffic, 0)
            if rollout.shadow:
                mirror[new] = rollout.new.mirrored_share
            decisions.append(
                resolved(
                    self.name,
                    "azureml.traffic",
                    {"traffic": dict(traffic), "mirror_traffic": dict(mirror)},
                    f"{strategy}: {share}% {'mirrored' if rollout.shadow else 'live'} on {spec.model.version}"
                    + (f", previous {previous.version}" if len(deployments) > 1 and previous else ""),
                )
            )
            docs.append(
                Document(
                    "endpoint.yaml", "managedOnlineEndpoint", "yaml", endpoint_doc(plan, stack, traffic, mirror, tags)
                )
            )
            # Only the new version's deployment is rendered: the live one was deployed by its own rollout
            # and a rollout never rewrites it (apply.sh checks that it exists and changes only traffic).
            for name, version in deployments[-1:]:
                docs.append(
                    Document(
                        f"deployment-{name}.yaml",
                        "managedOnlineDeployment",
                        "yaml",
                        deployment_doc(plan, stack, name, version, tags),
                    )
                )
            timeout = request_timeout_ms(plan)
            decisions.append(
                resolved(
                    self.name,
                    "azureml.request_timeout_ms",
                    timeout,
                    f"10 x the p95 latency SLA, between 1000 and Azure's {MAX_REQUEST_TIMEOUT_MS}"
                    if spec.serving.scale.latency_ms
                    else "no latency SLA: Azure's default",
                )
            )
            if plan.derived.replicas_max > int(c.instance_count):
                docs.append(
                    Document(
                        "autoscale.json",
                        "autoscaleSettings",
                        "json",
                        autoscale_doc(plan, stack, [new], tags),
                    )
                )
                decisions.append(
                    resolved(
                        self.name,
                        "azureml.autoscale",
                        f"{c.instance_count}-{plan.derived.replicas_max} instances",
                        "Azure Monitor autoscale on RequestsPerMinute per instance: out above 70%, in below 30% of "
                        f"rps_per_replica ({plan.derived.rps_per_replica:g}) x 60",
                    )
                )
            mon = spec.monitoring
            if mon and mon.drift and spec.model.type.value in catalog.DRIFT_ML_TASKS:
                docs.append(Document("monitor.yaml", "monitorSchedule", "yaml", monitor_doc(plan, stack, tags)))
        if c.environment is not None:
            features = [f.name for f in spec.model.signature.inputs] if spec.model.signature else []
            framework = spec.model.framework.name.value
            secrets = sorted(k for k, v in spec.serving.env.items() if isinstance(v, SecretRef))
            if c.conda_file is not None:
                conda = catalog.conda_environment(
                    framework, spec.model.framework.version, c.capture_rate is not None, bool(secrets)
                )
                docs.append(Document(c.conda_file, "condaEnvironment", "yaml", conda))
            if online:
                docs.append(
                    Document(
                        f"{SCORE_DIR}/score.py",
                        "text",
                        "text",
                        score_py(
                            plan.model_name,
                            spec.model.version,
                            framework,
                            features,
                            c.capture_rate is not None,
                            secrets,
                            spec.model.type.value,
                        ),
                    )
                )
            if batch:
                docs.append(
                    Document(
                        f"{SCORE_DIR}/batch_score.py",
                        "text",
                        "text",
                        batch_score_py(
                            plan.model_name, spec.model.version, framework, features, secrets, spec.model.type.value
                        ),
                    )
                )
            if c.environment_build is not None:
                curated = _curated(plan)
                docs.append(
                    Document(
                        f"{c.environment_build}/Dockerfile",
                        "text",
                        "text",
                        dockerfile(curated, required(c.environment_packages, "environment_packages").split()),
                    )
                )
        if batch:
            if c.batch_cluster_max is not None:
                docs.append(Document("compute.yaml", "amlCompute", "yaml", compute_doc(stack, tags)))
            docs.append(Document("batch-endpoint.yaml", "batchEndpoint", "yaml", batch_endpoint_doc(plan, stack, tags)))
            docs.append(
                Document(
                    "batch-deployment.yaml", "modelBatchDeployment", "yaml", batch_deployment_doc(plan, stack, tags)
                )
            )
        if spec.retraining is not None:
            docs.append(Document(PIPELINE_FILE, "pipelineJob", "yaml", retraining_pipeline_doc(plan, stack, tags)))
            if spec.retraining.schedule:
                docs.append(
                    Document(
                        "retraining-schedule.yaml",
                        "schedule",
                        "yaml",
                        retraining_schedule_doc(plan, stack, PIPELINE_FILE, tags),
                    )
                )
        names = [d.name for d in docs]
        docs.append(Document("apply.sh", "text", "text", apply_sh(plan, stack, names, deployments, traffic, mirror)))
        docs.append(Document("README.md", "text", "text", readme(plan, stack, names, deployments, traffic, mirror)))
        return Emission(tuple(docs), (), tuple(decisions))

    # --- check ------------------------------------------------------------------------------------------

    def transition(self, before: Json, after: Json) -> tuple[str, ...]:
        return ()

    def check(self, documents: Sequence[Document], options: Options) -> tuple[Finding, ...]:
        return ()
