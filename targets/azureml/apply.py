"""apply.sh and README.md: the exact ``az`` commands, in the order Azure accepts them, and the same in words.

Order: model version(s); the online endpoint, created without traffic; the Key Vault role for its
identity; the deployments; traffic (and mirror traffic) with ``az ml online-endpoint update``;
autoscale (an ARM deployment, after the deployments exist); the batch endpoint and deployment; the
monitor (it needs the deployment and its data collection); the retraining schedule.
Every ``create`` is guarded by ``show`` so that the script can run again on a live workspace.
Every value in the script is one shell word quoted by ``quoting.sh`` and every comment that names one
goes through ``quoting.comment`` (SECURITY.md, "Generated scripts"): nothing here quotes by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mlopsc.compiler.ir import Plan, Stack, required
from mlopsc.compiler.quoting import comment
from mlopsc.compiler.quoting import sh as q
from mlopsc.compiler.spec.typed import SecretRef
from mlopsc.targets.azureml.documents import AUTOSCALE_SUFFIX, CLUSTER_IDLE_SECONDS
from mlopsc.targets.azureml.stack import AzureMLStack
from mlopsc.targets.base import artifact_uri


def _vaults(plan: Plan) -> list[str]:
    spec = plan.spec
    names: set[str] = set()
    for value in spec.serving.env.values():
        if isinstance(value, SecretRef):
            url = spec.secrets[value.secret].azureml
            if url:
                names.add(url.removeprefix("https://").split(".", 1)[0])
    return sorted(names)


def _numbered(lines: list[str], marker: str, prefix: str) -> list[str]:
    """Number the steps that start with ``marker`` 1, 2, 3... in order (which steps exist depends on the plan)."""
    out: list[str] = []
    step = 0
    for line in lines:
        if line.startswith(marker):
            step += 1
            out.append(f"{prefix}{step}. {line[len(marker) :]}")
        else:
            out.append(line)
    return out


def _traffic_arg(values: Mapping[str, int]) -> str:
    return " ".join(f"{k}={v}" for k, v in values.items())


def apply_sh(
    plan: Plan,
    stack: Stack,
    files: Sequence[str],
    deployments: Sequence[tuple[str, str]],
    traffic: Mapping[str, int],
    mirror: Mapping[str, int],
) -> str:
    spec = plan.spec
    c = AzureMLStack.of(stack)
    endpoint = c.endpoint
    out = [
        "#!/usr/bin/env bash",
        comment(
            f"# Applies the Azure ML files of {plan.model_name} {spec.model.version} ({plan.environment}) in order."
        ),
        "# Needs: az (2.60+) with the ml extension, logged in with rights on the workspace and resource group.",
        "# Usage: ./apply.sh            create or update everything",
        *(
            ["#        ./apply.sh invoke-batch   run one batch scoring job (call it on the batch schedule)"]
            if c.batch_endpoint is not None
            else []
        ),
        "set -euo pipefail",
        'cd "$(dirname "$0")"',
        "",
        f"RESOURCE_GROUP={q(c.resource_group)}",
        f"WORKSPACE={q(c.workspace)}",
        'AZ_ML=(--resource-group "$RESOURCE_GROUP" --workspace-name "$WORKSPACE")',
        "",
    ]
    if c.batch_endpoint is not None:
        batch = spec.serving.batch
        assert batch is not None
        out += [
            "invoke_batch() {",
            f"  az ml batch-endpoint invoke --name {q(c.batch_endpoint)} --input {q(batch.input_uri)} "
            f'--input-type uri_folder --output-path {q(batch.output_uri)} "${{AZ_ML[@]}}"',
            "}",
            comment(f"# serving.batch.schedule (UTC): {batch.schedule}. Azure ML does not schedule batch endpoints;"),
            "# run this from a scheduler, e.g. crontab:",
            comment(f"#   {batch.schedule} /path/to/apply.sh invoke-batch"),
            'if [[ "${1:-}" == "invoke-batch" ]]; then',
            "  invoke_batch",
            "  exit 0",
            "fi",
            "",
        ]
    out += [
        "# #. The model version (versions are immutable: registered once).",
        f"if ! az ml model show --name {q(plan.model_name)} --version {q(spec.model.version)} "
        '"${AZ_ML[@]}" >/dev/null 2>&1; then',
        '  az ml model create --file model.yaml "${AZ_ML[@]}"',
        "fi",
    ]
    if plan.registry is not None:
        from mlopsc.targets.azureml.registry import stage_update

        out += stage_update(plan.model_name, spec.model.version, plan.registry)
    online = "endpoint.yaml" in files
    if online:
        out += [
            "",
            "# #. The online endpoint, without traffic (traffic can only name deployments that exist).",
            f'if ! az ml online-endpoint show --name {q(endpoint)} "${{AZ_ML[@]}}" >/dev/null 2>&1; then',
            f'  az ml online-endpoint create --name {q(endpoint)} --auth-mode key "${{AZ_ML[@]}}"',
            "fi",
        ]
        vaults = _vaults(plan)
        if vaults:
            out += [
                "",
                "# #. Secrets: the endpoint's system-assigned identity reads Key Vault (role Key Vault Secrets User).",
                f'PRINCIPAL_ID=$(az ml online-endpoint show --name {q(endpoint)} "${{AZ_ML[@]}}" '
                "--query identity.principal_id --output tsv)",
            ]
            for vault in vaults:
                out += [
                    f'az role assignment create --assignee-object-id "$PRINCIPAL_ID" '
                    f"--assignee-principal-type ServicePrincipal --role 'Key Vault Secrets User' "
                    f'--scope "$(az keyvault show --name {q(vault)} --query id --output tsv)"',
                ]
        *live, (name, _version) = deployments
        for old, old_version in live:
            out += [
                "",
                "# #. The live deployment: it must be on the endpoint already, and this rollout never changes it.",
                f"if ! az ml online-deployment show --name {q(old)} --endpoint-name {q(endpoint)} "
                '"${AZ_ML[@]}" >/dev/null 2>&1; then',
                "  echo "
                + q(
                    f"deployment {old} (the live version {old_version}) is not on endpoint {endpoint}: deploy "
                    f"{old_version} with its own spec first; this rollout creates only {name} and moves traffic"
                )
                + " >&2",
                "  exit 1",
                "fi",
            ]
        out += [
            "",
            "# #. The new version's deployment (created, or updated when it exists).",
            f"if az ml online-deployment show --name {q(name)} --endpoint-name {q(endpoint)} "
            '"${AZ_ML[@]}" >/dev/null 2>&1; then',
            f'  az ml online-deployment update --file {q(f"deployment-{name}.yaml")} "${{AZ_ML[@]}}"',
            "else",
            f'  az ml online-deployment create --file {q(f"deployment-{name}.yaml")} "${{AZ_ML[@]}}"',
            "fi",
        ]
        out += [
            "",
            comment(
                f"# #. Traffic: {_traffic_arg(traffic)}"
                + (f"; mirrored: {_traffic_arg(mirror)}" if any(mirror.values()) else "")
                + " (endpoint.yaml)."
            ),
            'az ml online-endpoint update --file endpoint.yaml "${AZ_ML[@]}"',
            "",
            "# #. Retire the deployments of this model that the endpoint no longer routes to (no traffic is left",
            "# on them; Azure refuses to delete one that has some), each with its autoscale setting",
            "# (autoscale.json's <endpoint>-<deployment>-autoscale), which deleting a deployment leaves behind.",
            "# The setting goes first: should the run stop in between, the next run still finds the deployment",
            "# and retires both.",
            "while IFS= read -r stale; do",
            '  case "$stale" in',
            f"    {'|'.join(q(n) for n, _ in deployments)}) ;;",
            "    ?*)",
            f'      autoscale={q(f"{endpoint}-")}"$stale"{q(AUTOSCALE_SUFFIX)}',
            '      if az monitor autoscale show --resource-group "$RESOURCE_GROUP" --name "$autoscale" '
            ">/dev/null 2>&1; then",
            '        az monitor autoscale delete --resource-group "$RESOURCE_GROUP" --name "$autoscale"',
            "      fi",
            f'      az ml online-deployment delete --name "$stale" --endpoint-name {q(endpoint)} --yes "${{AZ_ML[@]}}"',
            "      ;;",
            "  esac",
            f"done < <(az ml online-deployment list --endpoint-name {q(endpoint)} --query "
            + q(f"[?tags.\"mlopsc-model\"=='{plan.model_name}'].name")
            + ' --output tsv "${AZ_ML[@]}")',
        ]
        if "autoscale.json" in files:
            out += [
                "",
                "# #. Autoscale (Azure Monitor), after the deployments exist.",
                'az deployment group create --resource-group "$RESOURCE_GROUP" --template-file autoscale.json',
            ]
    if "compute.yaml" in files:
        cluster = required(c.batch_compute, "batch_compute")
        cluster_max = required(c.batch_cluster_max, "batch_cluster_max")
        # az ml compute create/update (azure-cli-extensions src/machinelearningservices, _compute.py): create
        # from the file once; an existing cluster gets its scale settings (a VM size is not changed in place).
        out += [
            "",
            "# #. Batch compute cluster (compute.yaml, AmlCompute): created once, then its scale settings updated.",
            f'if az ml compute show --name {q(cluster)} "${{AZ_ML[@]}}" >/dev/null 2>&1; then',
            f"  az ml compute update --name {q(cluster)} --min-instances 0 "
            f"--max-instances {q(cluster_max)} --idle-time-before-scale-down {q(str(CLUSTER_IDLE_SECONDS))} "
            '"${AZ_ML[@]}"',
            "else",
            '  az ml compute create --file compute.yaml "${AZ_ML[@]}"',
            "fi",
        ]
    if "batch-endpoint.yaml" in files:
        batch_endpoint = required(c.batch_endpoint, "batch_endpoint")
        out += [
            "",
            "# #. Batch: the endpoint, then its deployment as the default.",
            'az ml batch-endpoint create --file batch-endpoint.yaml "${AZ_ML[@]}"',
            f"if az ml batch-deployment show --name {q(c.deployment)} --endpoint-name {q(batch_endpoint)} "
            '"${AZ_ML[@]}" >/dev/null 2>&1; then',
            '  az ml batch-deployment update --file batch-deployment.yaml "${AZ_ML[@]}"',
            "else",
            '  az ml batch-deployment create --file batch-deployment.yaml --set-default "${AZ_ML[@]}"',
            "fi",
        ]
    for step, name, file in (
        ("Monitoring (needs the deployment and its data collection).", f"{endpoint}-monitor", "monitor.yaml"),
        (
            "Retraining on a schedule (creates retraining-pipeline.yaml's job).",
            f"{endpoint}-retraining",
            "retraining-schedule.yaml",
        ),
    ):
        if file in files:
            out += [
                "",
                comment(f"# #. {step}"),
                f'if az ml schedule show --name {q(name)} "${{AZ_ML[@]}}" >/dev/null 2>&1; then',
                f'  az ml schedule update --file {file} "${{AZ_ML[@]}}"',
                "else",
                f'  az ml schedule create --file {file} "${{AZ_ML[@]}}"',
                "fi",
            ]
    if "retraining-pipeline.yaml" in files and "retraining-schedule.yaml" not in files:
        out += [
            "",
            "# #. Retraining has no schedule: run it when a trigger fires with",
            '#   az ml job create --file retraining-pipeline.yaml "${AZ_ML[@]}"',
        ]
    out += _slo_comments(plan, stack, deployments, online)
    return "\n".join(_numbered(out, "# #. ", "# ")) + "\n"


def _slo_comments(plan: Plan, stack: Stack, deployments: Sequence[tuple[str, str]], online: bool) -> list[str]:
    spec = plan.spec
    mon = spec.monitoring
    if not online:
        return []
    endpoint = AzureMLStack.of(stack).endpoint
    lines: list[str] = []
    d = plan.derived
    if mon is not None and d.latency_alert_ms is not None:
        lines += [
            "",
            "# SLO alert (not applied automatically: choose the action group first):",
            f'#   az monitor metrics alert create --name {endpoint}-latency --resource-group "$RESOURCE_GROUP" \\',
            f'#     --scopes "$(az ml online-endpoint show --name {endpoint} "${{AZ_ML[@]}}" \\',
            '#       --query id --output tsv)" \\',
            f'#     --condition "avg RequestLatency_P95 > {d.latency_alert_ms:g}" '
            f"--window-size {d.latency_alert_minutes}m --evaluation-frequency 1m --action <action-group-id>",
        ]
    if len(deployments) > 1:
        old = deployments[0][0]
        new = deployments[-1][0]
        lines += [
            "",
            "# Roll back (Azure ML does not roll back by itself):",
            f'#   az ml online-endpoint update --name {endpoint} --traffic "{old}=100 {new}=0" "${{AZ_ML[@]}}"',
        ]
    return [comment(line) for line in lines]


def readme(
    plan: Plan,
    stack: Stack,
    files: Sequence[str],
    deployments: Sequence[tuple[str, str]],
    traffic: Mapping[str, int],
    mirror: Mapping[str, int],
) -> str:
    spec = plan.spec
    c = AzureMLStack.of(stack)
    uri, _ = artifact_uri(plan, "azureml")
    lines = [
        f"# {plan.model_name} {spec.model.version} on Azure ML ({plan.environment})",
        "",
        f"Workspace `{c.workspace}` in resource group `{c.resource_group}` ({c.region}). "
        "Run `./apply.sh` (Azure CLI with the `ml` extension); it does the steps below in this order and "
        "can run again.",
        "",
        "## Steps",
        "",
        f"#. Register the model `{plan.model_name}` version `{spec.model.version}` from `{uri}` (`model.yaml`).",
    ]
    if "endpoint.yaml" in files:
        split = ", ".join(f"`{k}` {v}%" for k, v in traffic.items())
        lines += [
            f"#. Create the managed online endpoint `{c.endpoint}` without traffic: traffic can only name "
            "deployments that exist.",
        ]
        vaults = _vaults(plan)
        if vaults:
            lines.append(
                "#. Grant the endpoint's system-assigned identity the `Key Vault Secrets User` role on "
                + ", ".join(f"`{v}`" for v in vaults)
                + ": secrets reach the deployment as `<VAR>_SECRET_URL` (the Key Vault URL, never the value) and "
                "the scoring code reads them at start with that identity."
            )
        *live, (new, new_version) = deployments
        lines += [
            f"#. Check that the live deployment `{old}` (model {v}) is on the endpoint: this rollout never changes "
            "it (it was deployed by its own rollout), and stops here when it is missing."
            for old, v in live
        ]
        sku = required(c.instance_type, "instance_type")
        lines.append(
            f"#. Create or update `deployment-{new}.yaml` (model {new_version}) on `{sku}` x "
            f"{c.instance_count}: the only deployment this rollout writes."
        )
        lines.append(
            f"#. Set traffic with `az ml online-endpoint update -f endpoint.yaml`: {split}"
            + "".join(
                f"; `{name}` receives a {share}% mirror (responses discarded)"
                for name, share in mirror.items()
                if share
            )
            + (
                "; no mirroring (mirror_traffic 0, which also stops an earlier shadow)"
                if not any(mirror.values())
                else ""
            )
            + "."
        )
        lines.append(
            "#. Delete the deployments of this model that the endpoint no longer routes to (none with traffic), "
            "each after its autoscale setting (`<endpoint>-<deployment>-autoscale`, when it has one): "
            "the version an all-at-once rollout replaced, or the previous version of an earlier rollout once a "
            "new one names another. After `rollout promote` the previous deployment stays at 0%, so rolling "
            "back is a traffic change."
        )
        if "autoscale.json" in files:
            lines.append(
                f"#. Deploy `autoscale.json` with `az deployment group create`: {c.instance_count} to "
                f"{plan.derived.replicas_max} instances of the new deployment on requests per minute per instance. "
                "Re-applying a deployment YAML resets its instance count until autoscale acts again."
            )
    if "batch-endpoint.yaml" in files:
        batch = spec.serving.batch
        assert batch is not None
        batch_endpoint, compute = (
            required(c.batch_endpoint, "batch_endpoint"),
            required(c.batch_compute, "batch_compute"),
        )
        lines.append(
            f"#. Create the batch endpoint `{batch_endpoint}` and its default deployment on the compute "
            f"cluster `{compute}`"
            + (
                f" (created first from `compute.yaml`: {c.instance_type}, 0 to {c.batch_cluster_max} nodes)"
                if "compute.yaml" in files
                else ""
            )
            + ". Azure ML does not schedule batch endpoints: run "
            f"`./apply.sh invoke-batch` on `{batch.schedule}` (UTC) from cron, a Logic App or Data Factory."
        )
    if "monitor.yaml" in files:
        lines.append(
            "#. Create the monitor schedule `monitor.yaml`: daily data drift on the collected inputs, alerting "
            "at the investigate and retrain thresholds."
        )
    if "retraining-schedule.yaml" in files:
        lines.append(
            "#. Create the retraining schedule `retraining-schedule.yaml`, which submits "
            "`retraining-pipeline.yaml` on its cron (UTC)."
        )
    elif "retraining-pipeline.yaml" in files:
        lines.append(
            "#. Retraining has no schedule: submit `retraining-pipeline.yaml` with `az ml job create` when a "
            "trigger fires (the drift-retrain alert of the monitor)."
        )
    lines += ["", "## Files", ""]
    lines += [f"- `{name}`" for name in sorted(files)]
    if any(name.startswith("score/") for name in files):
        lines += [
            "",
            "`score/` is uploaded as the deployments' `code_configuration`. The curated environment runs it with "
            "pandas and the framework; data collection needs `azureml-ai-monitoring` and Key Vault secrets "
            "`azure-identity` and `azure-keyvault-secrets`"
            + (
                ", which `environment/Dockerfile` adds to the curated image (Azure ML builds it on the first deploy)"
                if "environment/Dockerfile" in files
                else ""
            )
            + ". The script refuses to start when a configured collector or secret cannot be had, "
            "rather than serving without it.",
        ]
    return "\n".join(_numbered(lines, "#. ", "")) + "\n"
