"""Resolve a plan for SageMaker: image, artifact, instance type, network isolation, rollout routing.

Every refusal names the spec field to change; every choice is recorded for `mlopsc explain`.
"""

from __future__ import annotations

import re

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Decision, Finding, Plan, Stack
from mlopsc.compiler.spec.vocabulary import Level
from mlopsc.targets.base import Resolution, artifact_uri, image_for, refuse, resolved, warn
from mlopsc.targets.sagemaker import catalog
from mlopsc.targets.sagemaker.naming import SAGEMAKER_LIMIT, SCHEDULER_LIMIT, too_long
from mlopsc.targets.sagemaker.rollout import shadow_refusal, variants
from mlopsc.targets.sagemaker.schedule import aws_cron
from mlopsc.targets.secrets import secret_vars as secret_vars_of
from mlopsc.targets.secrets import string_references

NAME = "sagemaker"
ECR = re.compile(r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/")
DEFAULT_INSTANCE = "ml.m5.large"


def secrets_of(plan: Plan) -> dict[str, str]:
    """Env var -> Secrets Manager ARN for every `{secret: ...}` of serving.env that has one."""
    return string_references(plan, NAME)


def capture_of(plan: Plan) -> tuple[str, tuple[str, ...], float] | None:
    """(destination, its spec path, sample percent) of data capture, or None."""
    platform = plan.spec.platforms.sagemaker
    assert platform is not None
    mon = plan.spec.monitoring
    sample = mon.capture.sample_percent if mon and mon.capture else 100.0
    if platform.capture_destination:
        return platform.capture_destination, ("platforms", "sagemaker", "capture_destination"), sample
    if mon and mon.capture:
        return mon.capture.destination, ("monitoring", "capture", "destination"), sample
    return None


def resolve(plan: Plan) -> Resolution:
    spec = plan.spec
    platform = spec.platforms.sagemaker
    assert platform is not None
    region = platform.region
    findings: list[Finding] = []
    decisions: list[Decision] = []
    components: dict[str, str] = {"region": region}
    mode = spec.serving.mode
    online = mode.serves_online
    gpu = spec.serving.resources.gpu if spec.serving.resources else 0

    # --- image ----------------------------------------------------------------------------------
    image, image_path = image_for(plan, NAME, "serving")
    if image is not None:
        if not ECR.match(image):
            findings.append(
                refuse(
                    "SGM002",
                    f"SageMaker pulls serving images from Amazon ECR only, not `{image}`",
                    image_path,
                    hint="add `serving.image_mirrors.sagemaker` with the same image (same digest) in ECR "
                    "(<account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:...)",
                )
            )
        else:
            components["image"] = image
            decisions.append(resolved(NAME, "sagemaker.image", image, f"given in `{'.'.join(map(str, image_path))}`"))
    else:
        framework = spec.model.framework
        compatibility = framework.compatibility.value if framework.compatibility else None
        try:
            uri = catalog.inference_image(framework.name.value, framework.version, region, gpu > 0, compatibility)
        except catalog.CatalogError as exc:
            findings.append(
                refuse(
                    "SGM001",
                    exc.message,
                    ("model", "framework"),
                    (
                        *(f"`{a}`" for a in exc.alternatives[:12]),
                        "`serving.image_mirrors.sagemaker` (an ECR image that serves the model on SageMaker only)",
                    ),
                )
            )
        else:
            components["image"] = uri
            choice = catalog.choose(framework.name.value, framework.version, gpu > 0, compatibility)
            reason = f"prebuilt SageMaker {'GPU' if gpu else 'CPU'} image in {region}: {choice.rule}"
            if choice.entry.runtime == "sagemaker-tritonserver":
                # Triton on SageMaker loads the unpacked model.tar.gz as a model repository and serves the
                # model SAGEMAKER_TRITON_DEFAULT_MODEL_NAME names (docs.aws.amazon.com/sagemaker/latest/dg/
                # triton.html; the SDK's sagemaker-tritonserver images).
                components["triton_model"] = spec.metadata.name
                reason += (
                    f"; the model.tar.gz must hold a Triton model repository with the model folder "
                    f"`{spec.metadata.name}/` (config.pbtxt, 1/model.onnx)"
                )
            decisions.append(resolved(NAME, "sagemaker.image", uri, reason))

    # --- artifacts --------------------------------------------------------------------------------
    # the previous version is a variant of the config whenever the rollout model deploys it (rollout.py)
    rollout = plan.derived.rollout
    needs_previous = online and rollout.previous is not None
    for previous in (False, True) if needs_previous else (False,):
        uri, where = artifact_uri(plan, NAME, previous=previous)
        if not uri.startswith("s3://"):
            base = "rollout.previous.artifact" if previous else "model.artifact"
            findings.append(
                refuse(
                    "SGM003",
                    f"SageMaker reads ModelDataUrl from S3 only, not `{uri}`",
                    where,
                    hint=f"add `{base}.mirrors.sagemaker` with an s3:// copy of the same bytes",
                )
            )
        elif not uri.endswith(".tar.gz"):
            findings.append(
                warn(
                    "SGM004",
                    f"SageMaker's prebuilt containers unpack a model.tar.gz; `{uri}` does not end in .tar.gz",
                    where,
                    "point at the model.tar.gz, or make sure the serving image reads what is there",
                )
            )

    # --- instance type ------------------------------------------------------------------------------
    res = spec.serving.resources
    if res is None:
        components["instance_type"] = DEFAULT_INSTANCE
        decisions.append(
            resolved(
                NAME, "sagemaker.instance_type", DEFAULT_INSTANCE, "no serving.resources: the general-purpose default"
            )
        )
    else:
        families: tuple[str, ...] = ()
        if res.gpu_type:
            family = catalog.GPU_FAMILIES.get(res.gpu_type)
            if family is None or res.gpu == 0:
                findings.append(
                    refuse(
                        "SGM005",
                        f"gpu_type `{res.gpu_type}` does not match a SageMaker GPU instance family"
                        if family is None
                        else "gpu_type is set but gpu is 0",
                        ("serving", "resources", "gpu_type"),
                        (*(f"`{k}`" for k in catalog.GPU_FAMILIES), "remove gpu_type"),
                    )
                )
            else:
                families = (family,)
        try:
            instance = catalog.pick_instance(res.cpu, res.memory_gb, res.gpu, region=region, families=families)
        except catalog.CatalogError as exc:
            findings.append(refuse("SGM005", exc.message, ("serving", "resources"), exc.alternatives))
        else:
            components["instance_type"] = instance
            spec_ = catalog.INSTANCE_TYPES[instance]
            decisions.append(
                resolved(
                    NAME,
                    "sagemaker.instance_type",
                    instance,
                    f"smallest hosting type in {region} with >= {res.cpu:g} vCPU, {res.memory_gb:g} GiB, {res.gpu} GPU "
                    f"({spec_.vcpu} vCPU, {spec_.memory_gib:g} GiB, {spec_.gpus} GPU); changing it later on an "
                    "autoscaled variant needs the scaling target deregistered first",
                )
            )
    components["instance_count"] = str(plan.derived.instances_min)

    # --- secrets and network isolation -----------------------------------------------------------------
    secret_vars = [var for var, _ in secret_vars_of(spec)]  # a missing ARN is SGM006 (capability check)
    isolation = platform.network_isolation
    if isolation is True and secret_vars:
        findings.append(
            refuse(
                "SGM008",
                f"with network isolation the container cannot call Secrets Manager to read {', '.join(secret_vars)}",
                ("platforms", "sagemaker", "network_isolation"),
                (
                    "`network_isolation: false` with `vpc_config` and a Secrets Manager VPC endpoint",
                    "leave `network_isolation` unset (the target turns it off for secrets)",
                    "bake the configuration into the image instead of a secret",
                ),
            )
        )
    elif isolation is None:
        isolation = not secret_vars
        if secret_vars:
            findings.append(
                warn(
                    "SGM007",
                    f"network isolation is off: the container reads {', '.join(secret_vars)} from Secrets Manager; "
                    "Checkov CKV_AWS_370 flags models without EnableNetworkIsolation",
                    ("platforms", "sagemaker"),
                    "set `vpc_config` with a Secrets Manager VPC endpoint to keep traffic private",
                )
            )
        decisions.append(
            resolved(
                NAME,
                "sagemaker.network_isolation",
                isolation,
                "serving.env references secrets: an isolated container cannot call Secrets Manager"
                if secret_vars
                else "no secrets: the container needs no network",
            )
        )
    components["network_isolation"] = "true" if isolation else "false"

    # --- KMS --------------------------------------------------------------------------------------------
    instance_type = components.get("instance_type", "")
    if platform.kms_key_id and catalog.has_local_storage(instance_type):
        findings.append(
            warn(
                "SGM014",
                f"{instance_type} has local NVMe storage: SageMaker rejects an EndpointConfig KmsKeyId there, so it is "
                "left out (the instance store is encrypted by the hardware); the key still encrypts data capture "
                "and monitoring",
                ("platforms", "sagemaker", "kms_key_id"),
                "pick resources that land on an EBS-only family (c5, m5, r5, p3) to use the key on the volume",
            )
        )
    if not platform.kms_key_id and spec.governance.level is Level.PRODUCTION:
        findings.append(
            warn(
                "SGM022",
                "no kms_key_id in production: endpoint volumes, captured data and monitoring output use AWS-managed "
                "keys (Checkov CKV_AWS_367/368 flag the data-quality job)",
                ("platforms", "sagemaker"),
                "set `platforms.sagemaker.kms_key_id`",
            )
        )

    # --- capture, drift ------------------------------------------------------------------------------------
    capture = capture_of(plan) if online else None
    if capture is not None:
        destination, path, sample = capture
        if not destination.startswith("s3://"):
            findings.append(
                refuse(
                    "SGM013",
                    f"SageMaker captures requests to S3 only, not `{destination}`",
                    path,
                    hint="set `platforms.sagemaker.capture_destination` to an s3:// folder",
                )
            )
        if not float(sample).is_integer():
            findings.append(
                warn(
                    "SGM023",
                    f"SageMaker samples whole percents: {sample:g}% is rounded to {round(sample)}%",
                    ("monitoring", "capture", "sample_percent"),
                )
            )
    mon = spec.monitoring
    if online and mon and mon.drift:
        if capture is None:
            findings.append(
                refuse(
                    "SGM015",
                    "SageMaker's drift monitor reads the endpoint's captured requests, but data capture is not set",
                    ("monitoring", "drift"),
                    ("add `monitoring.capture`", "set `platforms.sagemaker.capture_destination`"),
                )
            )
        try:
            components["monitor_image"] = catalog.model_monitor_image(region)
        except catalog.CatalogError as exc:
            findings.append(refuse("SGM017", exc.message, ("platforms", "sagemaker", "region"), exc.alternatives))

    # --- batch and retraining ----------------------------------------------------------------------------------
    batch = spec.serving.batch
    if mode.serves_batch and batch is not None:
        for field, uri in (("input_uri", batch.input_uri), ("output_uri", batch.output_uri)):
            if not uri.startswith("s3://"):
                findings.append(
                    refuse(
                        "SGM018",
                        f"SageMaker batch transform reads and writes S3 only, not `{uri}`",
                        ("serving", "batch", field),
                        hint="use s3:// locations",
                    )
                )
        findings.extend(_cron(batch.schedule, ("serving", "batch", "schedule"), components, "batch_cron"))
    retraining = spec.retraining
    if retraining is not None:
        train_image, train_path = image_for(plan, NAME, "retraining")
        if train_image is not None and not ECR.match(train_image):
            findings.append(
                refuse(
                    "SGM020",
                    f"SageMaker pulls training images from Amazon ECR only, not `{train_image}`",
                    train_path,
                    hint="add `retraining.pipeline.mirrors.sagemaker` with the same image in ECR",
                )
            )
        elif train_image is not None:
            components["training_image"] = train_image
        if retraining.schedule:
            findings.extend(_cron(retraining.schedule, ("retraining", "schedule"), components, "retraining_cron"))

    # --- rollout ------------------------------------------------------------------------------------------------
    if online:
        shadow = shadow_refusal(sum(v.shadow for v in variants(plan)))
        if shadow is not None:
            findings.append(shadow)

    # --- names -------------------------------------------------------------------------------------------------
    base = f"{plan.model_name}-{plan.environment}"
    names = [(base, SAGEMAKER_LIMIT, "endpoint / monitoring schedule")]
    if retraining and retraining.triggers:
        names.append((f"{base}-retrain-on-drift", SCHEDULER_LIMIT, "EventBridge rule"))
    if online and mon and mon.drift:
        names.append((f"{base}-drift", SAGEMAKER_LIMIT, "monitoring schedule"))
    for name, limit, what in names:
        problem = too_long(name, limit)
        if problem:
            findings.append(
                refuse(
                    "SGM012",
                    f"SageMaker {what} name {problem}",
                    ("metadata", "name"),
                    ("a shorter `metadata.name`", "a shorter environment name"),
                )
            )
            break

    if any(f.severity is Severity.ERROR for f in findings):
        return Resolution(None, tuple(findings))
    return Resolution(Stack(NAME, plan.environment, components, tuple(decisions)), tuple(findings))


def _cron(expr: str, path: tuple[str, ...], components: dict[str, str], key: str) -> list[Finding]:
    try:
        components[key] = aws_cron(expr)
    except ValueError as exc:
        return [
            refuse(
                "SGM019",
                f"EventBridge Scheduler cannot run this schedule: {exc}",
                path,
                ("restrict only one of day-of-month and day-of-week", "list the days instead of a step"),
            )
        ]
    return []
