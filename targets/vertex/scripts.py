"""`apply.sh` and `README.md` of a Vertex AI folder: the REST calls that create the bodies, in order.

The script uses the REST API (curl with a `gcloud auth print-access-token` bearer token, jq) because
gcloud has no flags for several fields of the bodies (encryption key and version aliases of a Model,
request-response logging of an Endpoint...). Each step checks first and creates only what is missing
(Model version by alias, Endpoint by id, DeployedModel by id); the monitoring job and the retraining
Schedule, which have no user-chosen id, are found by display name and updated in place. Long-running
operations are polled until done, and a failed operation stops the script.

No value is written into the script's code: every id, name, cron and account it uses is in `apply.json`
beside it, read with `value KEY` (`jq`), and used only as a quoted word (SECURITY.md, "Generated
scripts"). The comments that name the model go through `quoting.comment`. A later step that needs a
value adds it to `settings()` and reads it the same way.
"""

from __future__ import annotations

from mlopsc.compiler.ir import Json, Plan, Stack
from mlopsc.compiler.quoting import comment
from mlopsc.targets.vertex import naming
from mlopsc.targets.vertex.bodies import traffic_split

MONITORING_MASK = (
    "modelDeploymentMonitoringObjectiveConfigs,modelDeploymentMonitoringScheduleConfig,"
    "loggingSamplingStrategy,modelMonitoringAlertConfig,labels"
)
SCHEDULE_MASK = "cron,maxConcurrentRunCount,createPipelineJobRequest"

SETTINGS = "apply.json"

_VALUE = r"""set -euo pipefail
cd "$(dirname "$0")"

# value KEY: the text of KEY in apply.json, which holds every value this script uses: values are read as
# data and used as quoted words, never written into its code. A missing key stops the script (always
# assign it to a variable first: set -e does not see a failure inside another command's arguments).
value() {
  jq -er --arg key "$1" '.[$key] | strings' apply.json || {
    echo "error: apply.json has no text value for $1" >&2
    exit 1
  }
}
"""

_PRELUDE = r"""
HOST="https://${REGION}-aiplatform.googleapis.com"
API="${HOST}/v1/projects/${PROJECT}/locations/${REGION}"
RESPONSE=$(mktemp)
REQUEST=$(mktemp)
trap 'rm -f "$RESPONSE" "$REQUEST"' EXIT

# call METHOD URL [BODY_FILE]: the response body lands in $RESPONSE; returns 0 on 2xx and 4 on 404,
# stops the script on any other status.
call() {
  local method=$1 url=$2 body=${3:-} status
  local args=(-sS -X "$method" -o "$RESPONSE" -w '%{http_code}'
    -H "Authorization: Bearer $(gcloud auth print-access-token)" -H "Content-Type: application/json")
  if [[ -n "$body" ]]; then args+=(--data-binary "@$body"); fi
  status=$(curl "${args[@]}" "$url")
  case "$status" in
    2??) return 0 ;;
    404) return 4 ;;
    *) echo "error: $method $url: HTTP $status" >&2; cat "$RESPONSE" >&2; exit 1 ;;
  esac
}

# wait_operation: poll the long-running operation in $RESPONSE until it is done; stop if it failed.
wait_operation() {
  local name
  name=$(jq -r '.name' "$RESPONSE")
  until jq -e '.done == true' "$RESPONSE" >/dev/null; do
    sleep 15
    call GET "${HOST}/v1/${name}"
  done
  if jq -e '.error != null' "$RESPONSE" >/dev/null; then
    echo "error: operation ${name} failed:" >&2
    jq '.error' "$RESPONSE" >&2
    exit 1
  fi
}

# deployed ID: true when the endpoint (already in $RESPONSE) has a DeployedModel with this id.
deployed() {
  jq -e --arg id "$1" '(.deployedModels // []) | any(.id == $id)' "$RESPONSE" >/dev/null
}

# display_filter NAME: the URL-encoded list filter display_name="NAME".
display_filter() {
  jq -rn --arg name "$1" '"display_name=\"\($name)\"" | @uri'
}
"""


def _previous(plan: Plan, files: list[str]) -> tuple[str | None, bool]:
    """The previous DeployedModel id when the traffic split names it; whether all-at-once undeploys it."""
    n = naming.names(plan)
    split = traffic_split(plan) if "deploy-model.json" in files else {}
    previous = n.previous_deployed_model_id if n.previous_deployed_model_id in split else None
    undeploy = "deploy-model.json" in files and plan.derived.rollout.retires is not None
    return previous, undeploy


def settings(plan: Plan, stack: Stack, files: list[str]) -> dict[str, Json]:
    """`apply.json`: every value `apply.sh` reads (with `value KEY`), as data, and no other."""
    spec = plan.spec
    platform = spec.platforms.vertex
    assert platform is not None
    n = naming.names(plan)
    previous, undeploy_previous = _previous(plan, files)
    out: dict[str, Json] = {
        "project": platform.project,
        "region": platform.region,
        "model_id": n.model_id,
        "alias": n.alias,
    }
    if "endpoint.json" in files:
        out["endpoint_id"] = n.endpoint_id
        out["deployed_model_id"] = n.deployed_model_id
        if n.previous_deployed_model_id is not None and (previous or undeploy_previous):
            out["previous_deployed_model_id"] = n.previous_deployed_model_id
        if previous and plan.derived.rollout.replaces is not None:
            out["previous_version"] = plan.derived.rollout.replaces
    if "monitoring-job.json" in files:
        out["monitoring_display_name"] = f"{n.endpoint_id}-monitoring"
    if "batch-prediction-job.json" in files and "batch_schedule" in stack.components:
        out["scheduler_job"] = f"{n.model_id}-batch"
        out["batch_cron"] = stack.components["batch_schedule"]
        out["scheduler_service_account"] = platform.service_account or ""
    if "retraining-schedule.json" in files:
        out["retraining_display_name"] = f"{n.model_id}-retraining"
    if plan.registry is not None:
        out["stage"] = plan.registry.stage.value  # targets/vertex/registry.py: STAGE_STEP
    return out


def apply_script(plan: Plan, stack: Stack, files: list[str]) -> str:
    spec = plan.spec
    n = naming.names(plan)
    split = traffic_split(plan) if "deploy-model.json" in files else {}
    previous, undeploy_previous = _previous(plan, files)
    values = settings(plan, stack, files)
    lines = [
        "#!/usr/bin/env bash",
        comment(
            f"# Creates the Vertex AI resources of {plan.model_name} {spec.model.version} ({plan.environment})"
            " in order;"
        ),
        "# every step checks first, so running it again changes nothing that is already there.",
        "# Needs gcloud (logged in), curl and jq; reads its values from apply.json. Usage:",
        "#   ./apply.sh              create or update everything",
    ]
    if previous:
        lines.append(
            comment(
                f"#   ./apply.sh traffic N    N% to {n.deployed_model_id}, the rest to {n.previous_deployed_model_id}"
            )
        )
    if "batch-prediction-job.json" in files:
        lines.append("#   ./apply.sh batch-now    run the batch prediction job once")
    variables = {
        "PROJECT": "project",
        "REGION": "region",
        "MODEL_ID": "model_id",
        "ALIAS": "alias",
        "ENDPOINT_ID": "endpoint_id",
        "DEPLOYED_MODEL_ID": "deployed_model_id",
        "PREVIOUS_DEPLOYED_MODEL_ID": "previous_deployed_model_id",
        "PREVIOUS_VERSION": "previous_version",
        "STAGE": "stage",
    }
    lines.append(_VALUE)
    lines += [f"{variable}=$(value {key})" for variable, key in variables.items() if key in values]
    lines.append(_PRELUDE)
    steps: list[str] = ["model"]
    lines.append(
        """# Model version (models.upload): skipped when the alias exists; a new version of an existing model
#    goes under parentModel.
step_model() {
  if call GET "$API/models/${MODEL_ID}@${ALIAS}"; then
    echo "model ${MODEL_ID}@${ALIAS}: exists"
    return
  fi
  if call GET "$API/models/${MODEL_ID}"; then
    jq --arg parent "projects/${PROJECT}/locations/${REGION}/models/${MODEL_ID}" \\
      '{parentModel: $parent, model: .}' model.json >"$REQUEST"
  else
    jq --arg id "$MODEL_ID" '{modelId: $id, model: .}' model.json >"$REQUEST"
  fi
  call POST "$API/models:upload" "$REQUEST"
  wait_operation
  echo "model ${MODEL_ID}@${ALIAS}: uploaded"
}
"""
    )
    if "stage" in values:
        from mlopsc.targets.vertex.registry import STAGE_STEP

        steps.append("stage")
        lines.append(STAGE_STEP)
    if "endpoint.json" in files:
        steps += ["endpoint", "deploy"]
        lines.append(
            """# Endpoint (endpoints.create with endpointId): skipped when it exists.
step_endpoint() {
  if call GET "$API/endpoints/${ENDPOINT_ID}"; then
    echo "endpoint ${ENDPOINT_ID}: exists"
    return
  fi
  call POST "$API/endpoints?endpointId=${ENDPOINT_ID}" endpoint.json
  wait_operation
  echo "endpoint ${ENDPOINT_ID}: created"
}
"""
        )
        check_previous = (
            f"""  if ! deployed "$PREVIOUS_DEPLOYED_MODEL_ID"; then
    echo "error: {split[previous]}% goes to DeployedModel $PREVIOUS_DEPLOYED_MODEL_ID ($PREVIOUS_VERSION):" \\
      "it is not on the endpoint (README.md, Ids)" >&2
    exit 1
  fi
"""
            if previous
            else ""
        )
        undeploy = (
            """  call GET "$API/endpoints/${ENDPOINT_ID}"
  if deployed "$PREVIOUS_DEPLOYED_MODEL_ID"; then
    jq -n --arg id "$PREVIOUS_DEPLOYED_MODEL_ID" '{deployedModelId: $id}' >"$REQUEST"
    call POST "$API/endpoints/${ENDPOINT_ID}:undeployModel" "$REQUEST"
    wait_operation
    echo "deployed model ${PREVIOUS_DEPLOYED_MODEL_ID}: undeployed (all-at-once)"
  fi
"""
            if undeploy_previous
            else ""
        )
        lines.append(
            f"""# DeployedModel (endpoints.deployModel with deployedModel.id): skipped when the id is on the endpoint.
#    The body's trafficSplit replaces the endpoint's: {comment(_split_words(split))}.
step_deploy() {{
  call GET "$API/endpoints/${{ENDPOINT_ID}}"
  if deployed "$DEPLOYED_MODEL_ID"; then
    echo "deployed model ${{DEPLOYED_MODEL_ID}}: exists"
  else
{_indent(check_previous)}    call POST "$API/endpoints/${{ENDPOINT_ID}}:deployModel" deploy-model.json
    wait_operation
    echo "deployed model ${{DEPLOYED_MODEL_ID}}: deployed"
  fi
{undeploy}}}
"""
        )
    if "monitoring-job.json" in files:
        steps.append("monitoring")
        lines.append(
            f"""# Model monitoring job (one per endpoint, found by display name): created, or updated in place.
step_monitoring() {{
  local job name filter
  name=$(value monitoring_display_name)
  filter=$(display_filter "$name")
  call GET "$API/modelDeploymentMonitoringJobs?filter=${{filter}}"
  job=$(jq -r '(.modelDeploymentMonitoringJobs // [])[0].name // empty' "$RESPONSE")
  if [[ -n "$job" ]]; then
    call PATCH "${{HOST}}/v1/${{job}}?updateMask={MONITORING_MASK}" monitoring-job.json
    wait_operation
    echo "monitoring job ${{job}}: updated"
  else
    call POST "$API/modelDeploymentMonitoringJobs" monitoring-job.json
    echo "monitoring job $(jq -r '.name' "$RESPONSE"): created"
  fi
}}
"""
        )
    if "batch-prediction-job.json" in files:
        if "batch_schedule" in stack.components:
            steps.append("batch")
            lines.append(
                """# Batch prediction on a schedule: a Cloud Scheduler job POSTs batch-prediction-job.json
#    (a BatchPredictionJob is one run). Created, or updated in place.
step_batch() {
  local job cron account
  job=$(value scheduler_job)
  cron=$(value batch_cron)
  account=$(value scheduler_service_account)
  local common=(--project="$PROJECT" --location="$REGION" --schedule="$cron"
    --time-zone=Etc/UTC --uri="$API/batchPredictionJobs" --http-method=POST
    --message-body-from-file=batch-prediction-job.json
    --oauth-service-account-email="$account")
  if gcloud scheduler jobs describe "$job" --project="$PROJECT" --location="$REGION" >/dev/null 2>&1; then
    gcloud scheduler jobs update http "$job" "${common[@]}" --update-headers=Content-Type=application/json
  else
    gcloud scheduler jobs create http "$job" "${common[@]}" --headers=Content-Type=application/json
  fi
  echo "batch schedule ${job}: ${cron} (Etc/UTC)"
}
"""
            )
        lines.append(
            """batch_now() {
  call POST "$API/batchPredictionJobs" batch-prediction-job.json
  echo "batch prediction job $(jq -r '.name' "$RESPONSE"): started"
}
"""
        )
    if "retraining-schedule.json" in files:
        steps.append("retraining")
        lines.append(
            f"""# Retraining Schedule (found by display name): created, or updated in place.
step_retraining() {{
  local schedule name filter
  name=$(value retraining_display_name)
  filter=$(display_filter "$name")
  call GET "$API/schedules?filter=${{filter}}"
  schedule=$(jq -r '(.schedules // [])[0].name // empty' "$RESPONSE")
  if [[ -n "$schedule" ]]; then
    call PATCH "${{HOST}}/v1/${{schedule}}?updateMask={SCHEDULE_MASK}" retraining-schedule.json
    echo "schedule ${{schedule}}: updated"
  else
    call POST "$API/schedules" retraining-schedule.json
    echo "schedule $(jq -r '.name' "$RESPONSE"): created"
  fi
}}
"""
        )
    if previous:
        lines.append(
            """# traffic N: N% to this version, the rest to the previous one (endpoints.patch trafficSplit).
traffic() {
  local percent=${1:-}
  if ! [[ "$percent" =~ ^[0-9]+$ ]] || ((percent > 100)); then
    echo "usage: $0 traffic <0-100>" >&2
    exit 2
  fi
  jq -n --arg new "$DEPLOYED_MODEL_ID" --arg old "$PREVIOUS_DEPLOYED_MODEL_ID" --argjson p "$percent" \\
    '{trafficSplit: {($new): $p, ($old): (100 - $p)}}' >"$REQUEST"
  call PATCH "$API/endpoints/${ENDPOINT_ID}?updateMask=traffic_split" "$REQUEST"
  echo "endpoint ${ENDPOINT_ID}: ${percent}% to ${DEPLOYED_MODEL_ID}"
}
"""
        )
    case = ["", 'case "${1:-apply}" in', "  apply)"]
    case += [f"    step_{step}" for step in steps]
    case.append("    ;;")
    if previous:
        case += ['  traffic) traffic "${2:-}" ;;']
    if "batch-prediction-job.json" in files:
        case += ["  batch-now) batch_now ;;"]
    usage = "|".join(
        ["apply"]
        + (["traffic N"] if previous else [])
        + (["batch-now"] if "batch-prediction-job.json" in files else [])
    )
    case += [f'  *) echo "usage: $0 [{usage}]" >&2; exit 2 ;;', "esac", ""]
    return "\n".join(lines) + "\n".join(case)


def readme(plan: Plan, stack: Stack, files: list[str]) -> str:
    spec = plan.spec
    platform = spec.platforms.vertex
    assert platform is not None
    n = naming.names(plan)
    api = f"https://{platform.region}-aiplatform.googleapis.com/v1/{n.parent}"
    kinds = {
        "model.json": "`Model` (body of `models.upload`, wrapped as `{modelId|parentModel, model}`)",
        "endpoint.json": "`Endpoint` (body of `endpoints.create`)",
        "deploy-model.json": "`DeployModelRequest` (body of `endpoints.deployModel`)",
        "monitoring-job.json": "`ModelDeploymentMonitoringJob`",
        "batch-prediction-job.json": "`BatchPredictionJob`",
        "retraining-schedule.json": "`Schedule` (creates a `PipelineJob` on each run)",
    }
    out = [
        f"# {plan.model_name} {spec.model.version} on Vertex AI ({plan.environment})",
        "",
        f"Project `{platform.project}`, region `{platform.region}`. Run `./apply.sh` (needs `gcloud` logged in, "
        "`curl` and `jq`); it checks each resource first and creates only what is missing, so it is safe to run "
        "again.",
        "",
        "| file | Vertex AI v1 type |",
        "|---|---|",
        *[f"| `{f}` | {kinds[f]} |" for f in files],
        f"| `{SETTINGS}` | the ids, names and schedule `apply.sh` reads (`value KEY`), "
        "so no value is part of its code |",
        "",
        "## Ids",
        "",
        f"- Model `{n.model_id}` (`modelId`), this version aliased `{n.alias}`: `{n.model_version}`.",
    ]
    if "endpoint.json" in files:
        out += [
            f"- Endpoint `{n.endpoint_id}` (`endpointId`): `{n.endpoint}`.",
            f"- DeployedModel id `{n.deployed_model_id}`: `1`, then major, minor and patch of {spec.model.version} "
            "on three digits each. The previous version's id follows the same rule"
            + (
                f": {spec.rollout.previous.version} is `{n.previous_deployed_model_id}`. If it was deployed "
                "another way, redeploy it with `gcloud ai endpoints deploy-model ... "
                f"--deployed-model-id={n.previous_deployed_model_id}` first."
                if spec.rollout.previous
                else "."
            ),
        ]
    out += ["", "## What apply.sh calls, in order", "", f"`API={api}`; long-running operations are polled.", ""]
    step = 1
    out += [
        f"{step}. `GET $API/models/{n.model_id}@{n.alias}`; if 404: `POST $API/models:upload` with "
        f'`{{"modelId": "{n.model_id}", "model": <model.json>}}` (or `"parentModel": "{n.model}"` when the model '
        "exists).",
    ]
    if plan.registry is not None:
        from mlopsc.targets.vertex.registry import stage_readme

        out.append(stage_readme(n.model_id, n.alias, plan.registry.stage.value))
    if "endpoint.json" in files:
        split = traffic_split(plan)
        out += [
            f"{step + 1}. `GET $API/endpoints/{n.endpoint_id}`; if 404: "
            f"`POST $API/endpoints?endpointId={n.endpoint_id}` with endpoint.json.",
            f"{step + 2}. `GET $API/endpoints/{n.endpoint_id}`; unless `deployedModels[].id` has "
            f"`{n.deployed_model_id}`: `POST $API/endpoints/{n.endpoint_id}:deployModel` with deploy-model.json "
            f"({_split_words(split)}).",
        ]
        step += 2
        if n.previous_deployed_model_id and plan.derived.rollout.retires is not None:
            step += 1
            out.append(
                f"{step}. All-at-once: `POST $API/endpoints/{n.endpoint_id}:undeployModel` with "
                f'`{{"deployedModelId": "{n.previous_deployed_model_id}"}}` when it is deployed.'
            )
    if "monitoring-job.json" in files:
        step += 1
        out.append(
            f'{step}. `GET $API/modelDeploymentMonitoringJobs?filter=display_name="{n.endpoint_id}-monitoring"`; '
            f"`PATCH` the job found (`updateMask={MONITORING_MASK}`) or `POST $API/modelDeploymentMonitoringJobs` "
            "with monitoring-job.json. It names the endpoint and the DeployedModel ids, so it comes after the "
            "deployment."
        )
    if "batch-prediction-job.json" in files:
        step += 1
        if "batch_schedule" in stack.components:
            out.append(
                f"{step}. `gcloud scheduler jobs create http {n.model_id}-batch` (or `update http` when it exists) "
                f'`--schedule="{stack.components["batch_schedule"]}" --time-zone=Etc/UTC '
                f"--uri=$API/batchPredictionJobs --http-method=POST --message-body-from-file=batch-prediction-job.json "
                f"--oauth-service-account-email={platform.service_account}`. `./apply.sh batch-now` runs it once "
                "(`POST $API/batchPredictionJobs`)."
            )
        else:
            out.append(
                f"{step}. Not scheduled (no `platforms.vertex.service_account` for Cloud Scheduler): "
                "`./apply.sh batch-now` runs `POST $API/batchPredictionJobs` with batch-prediction-job.json once."
            )
    if "retraining-schedule.json" in files:
        step += 1
        out.append(
            f'{step}. `GET $API/schedules?filter=display_name="{n.model_id}-retraining"`; `PATCH` the schedule '
            f"found (`updateMask={SCHEDULE_MASK}`) or `POST $API/schedules` with retraining-schedule.json."
        )
    rollout = plan.derived.rollout
    if "endpoint.json" in files and rollout.previous is not None:
        steps = list(rollout.later_steps) or [100]
        out += [
            "",
            "## Moving the rollout",
            "",
            f"Now: {rollout.traffic}% on {spec.model.version}. Next steps (`rollout.steps`), each after the "
            "monitors stay green:",
            "",
            *[
                f"- `./apply.sh traffic {s}` (`PATCH $API/endpoints/{n.endpoint_id}?updateMask=traffic_split` with "
                f'`{{"trafficSplit": {{"{n.deployed_model_id}": {s}, "{n.previous_deployed_model_id}": {100 - s}}}}}`)'
                for s in steps
            ],
            "",
            f"At 100%, retire the previous version: `POST $API/endpoints/{n.endpoint_id}:undeployModel` with "
            f'`{{"deployedModelId": "{n.previous_deployed_model_id}"}}`.',
            "",
            "## Rolling back",
            "",
            f"`./apply.sh traffic 0` sends everything back to {rollout.previous.version}; then undeploy "
            f"`{n.deployed_model_id}` the same way. Vertex AI does not roll back on alarms by itself.",
        ]
    out.append("")
    return "\n".join(out)


def _split_words(split: dict[str, int]) -> str:
    return ", ".join(f"{percent}% to {'the new model' if key == '0' else key}" for key, percent in split.items())


def _indent(text: str) -> str:
    return "".join(f"  {line}\n" if line else "\n" for line in text.splitlines())
