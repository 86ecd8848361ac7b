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

import json

from mlopsc.compiler.ir import Json, Plan, Stack
from mlopsc.compiler.quoting import comment
from mlopsc.compiler.rolloutstate import RolloutRefused, RolloutState
from mlopsc.targets.vertex import naming
from mlopsc.targets.vertex.bodies import kept_split, traffic_split
from mlopsc.targets.vertex.stack import VertexStack

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
BASE=${MLOPSC_VERTEX_API:-"https://${REGION}-aiplatform.googleapis.com/v1"}
API="${BASE}/projects/${PROJECT}/locations/${REGION}"
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
    sleep "${MLOPSC_VERTEX_POLL_SECONDS:-15}"
    call GET "${BASE}/${name}"
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

# differing FIELDS FILE [LIST]: the comma-separated FIELDS whose value in FILE differs from the live
# resource in $RESPONSE (for a list answer, its first LIST element); a field absent from both is equal.
differing() {
  jq -r --slurpfile want "$2" --arg fields "$1" --arg list "${3:-}" \
    '(if $list == "" then . else (.[$list] // [])[0] end) as $live
     | [$fields | split(",")[] | select($live[.] != $want[0][.])] | join(",")' "$RESPONSE"
}

# display_filter NAME: the URL-encoded list filter display_name="NAME".
display_filter() {
  jq -rn --arg name "$1" '"display_name=\"\($name)\"" | @uri'
}
"""


def settings(plan: Plan, stack: Stack, files: list[str]) -> dict[str, Json]:
    """`apply.json`: every value `apply.sh` reads (with `value KEY`), as data, and no other."""
    vs = VertexStack.of(stack)
    spec = plan.spec
    platform = spec.platforms.vertex
    assert platform is not None
    n = naming.names(plan)
    out: dict[str, Json] = {
        "project": platform.project,
        "region": platform.region,
        "model_id": n.model_id,
        "alias": n.alias,
    }
    if "endpoint.json" in files:
        out["endpoint_id"] = n.endpoint_id
        out["deployed_model_id"] = n.deployed_model_id
        out["traffic_split"] = dict(kept_split(plan).items())
    if "monitoring-job.json" in files:
        out["monitoring_display_name"] = f"{n.endpoint_id}-monitoring"
    if "batch-prediction-job.json" in files and vs.batch_schedule is not None:
        out["scheduler_job"] = f"{n.model_id}-batch"
        out["batch_cron"] = vs.batch_schedule
        out["scheduler_service_account"] = platform.service_account or ""
    if "retraining-schedule.json" in files:
        out["retraining_display_name"] = f"{n.model_id}-retraining"
    if plan.registry is not None:
        out["stage"] = plan.registry.stage.value  # targets/vertex/registry.py: STAGE_STEP
    return out


ENDPOINT_FIELDS = "displayName,description,labels,predictRequestResponseLoggingConfig"
ENDPOINT_FIXED = "network,encryptionSpec"
DEPLOYED_FIELDS = "minReplicaCount,maxReplicaCount,autoscalingMetricSpecs"


def apply_script(plan: Plan, stack: Stack, files: list[str]) -> str:
    vs = VertexStack.of(stack)
    spec = plan.spec
    lines = [
        "#!/usr/bin/env bash",
        comment(
            f"# Makes the Vertex AI resources of {plan.model_name} {spec.model.version} ({plan.environment})"
            " match the files beside it:"
        ),
        "# each step reads the live resource, compares it with its body and creates, patches, deploys,",
        "# re-splits or undeploys only what differs, so a second run changes nothing.",
        "# Needs gcloud (logged in), curl and jq; reads its values from apply.json. Usage:",
        "#   ./apply.sh              converge everything (rollout moves: `mlopsc rollout`, then this)",
    ]
    if "batch-prediction-job.json" in files:
        lines.append("#   ./apply.sh batch-now    run the batch prediction job once")
    lines += [
        "# MLOPSC_VERTEX_API overrides the API base (default https://REGION-aiplatform.googleapis.com/v1),",
        "# MLOPSC_VERTEX_POLL_SECONDS the wait between polls of a long-running operation (default 15).",
    ]
    variables = {
        "PROJECT": "project",
        "REGION": "region",
        "MODEL_ID": "model_id",
        "ALIAS": "alias",
        "ENDPOINT_ID": "endpoint_id",
        "DEPLOYED_MODEL_ID": "deployed_model_id",
        "STAGE": "stage",
    }
    values = settings(plan, stack, files)
    lines.append(_VALUE)
    lines += [f"{variable}=$(value {key})" for variable, key in variables.items() if key in values]
    lines.append(_PRELUDE)
    steps: list[str] = ["model"]
    lines.append(
        """# Model version (models.upload): skipped when the alias exists (a version's fields do not change);
#    a new version of an existing model goes under parentModel.
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

        if "endpoint.json" not in files:
            steps.append("stage")
        lines.append(STAGE_STEP)
    if "endpoint.json" in files:
        # the stage moves after the endpoint converged: a run that stops there has changed no alias
        steps += ["endpoint", "deploy", *(["stage"] if "stage" in values else [])]
        lines.append(
            f"""# Endpoint (endpoints.create with endpointId, or endpoints.patch): the fields of endpoint.json that
#    differ from the live endpoint are patched with an updateMask naming them; network and
#    encryptionSpec are set only when an endpoint is created, so a change there stops the script.
step_endpoint() {{
  local mask fixed
  if ! call GET "$API/endpoints/${{ENDPOINT_ID}}"; then
    call POST "$API/endpoints?endpointId=${{ENDPOINT_ID}}" endpoint.json
    wait_operation
    echo "endpoint ${{ENDPOINT_ID}}: created"
    return
  fi
  fixed=$(differing {ENDPOINT_FIXED} endpoint.json)
  if [[ -n "$fixed" ]]; then
    echo "error: endpoint ${{ENDPOINT_ID}}: ${{fixed}} differ from endpoint.json, and Vertex AI sets them only" \\
      "when an endpoint is created: undeploy its models, delete it (gcloud ai endpoints delete), run again" >&2
    exit 1
  fi
  mask=$(differing {ENDPOINT_FIELDS} endpoint.json)
  if [[ -z "$mask" ]]; then
    echo "endpoint ${{ENDPOINT_ID}}: up to date"
    return
  fi
  call PATCH "$API/endpoints/${{ENDPOINT_ID}}?updateMask=${{mask}}" endpoint.json
  echo "endpoint ${{ENDPOINT_ID}}: patched ${{mask}}"
}}

# object KEY: the JSON object at KEY in apply.json, passed on only as jq data (--argjson), never as code.
object() {{
  jq -ce --arg key "$1" '.[$key] | objects' apply.json || {{
    echo "error: apply.json has no object value for $1" >&2
    exit 1
  }}
}}

SPLIT=$(object traffic_split)

# listed ID: true when ID is a key of apply.json's traffic_split.
listed() {{
  jq -e --arg id "$1" 'has($id)' <<<"$SPLIT" >/dev/null
}}

# DeployedModels and trafficSplit: apply.json's traffic_split is the endpoint's split once applied
#    ({comment(_split_words(kept_split(plan)))}). Deploys this version when it is
#    listed and missing (deploy-model.json, whose trafficSplit sets the shares at once), changes its
#    replica counts in place (mutateDeployedModel), undeploys every DeployedModel not listed (the
#    request's trafficSplit takes its traffic away first), then patches the split if it still differs.
step_deploy() {{
  local missing mask id extra
  call GET "$API/endpoints/${{ENDPOINT_ID}}"
  # only this version is deployed from these files: another one the split gives traffic must be there
  missing=$(jq -r --argjson split "$SPLIT" --arg new "$DEPLOYED_MODEL_ID" \\
    '[$split | to_entries[] | select(.key != $new and .value > 0) | .key] - [(.deployedModels // [])[].id]
     | join(" ")' "$RESPONSE")
  if [[ -n "$missing" ]]; then
    echo "error: traffic_split sends traffic to DeployedModel ${{missing}}, which is not on the endpoint:" \\
      "deploy that version again with its id (README.md, Ids), or ship a new version" >&2
    exit 1
  fi
  if listed "$DEPLOYED_MODEL_ID" && ! deployed "$DEPLOYED_MODEL_ID"; then
    call POST "$API/endpoints/${{ENDPOINT_ID}}:deployModel" deploy-model.json
    wait_operation
    echo "deployed model ${{DEPLOYED_MODEL_ID}}: deployed"
    call GET "$API/endpoints/${{ENDPOINT_ID}}"
  fi
  if deployed "$DEPLOYED_MODEL_ID"; then
    mask=$(jq -r --slurpfile want deploy-model.json --arg id "$DEPLOYED_MODEL_ID" --arg fields {DEPLOYED_FIELDS} \\
      '(.deployedModels[] | select(.id == $id) | .dedicatedResources // {{}}) as $live
       | ($want[0].deployedModel.dedicatedResources // {{}}) as $body
       | [$fields | split(",")[] | select(($body[.] != null or . != "autoscalingMetricSpecs") and $live[.] != $body[.])
          | "dedicatedResources." + .] | join(",")' "$RESPONSE")
    if [[ -n "$mask" ]]; then
      jq --arg mask "$mask" '{{deployedModel: .deployedModel, updateMask: $mask}}' deploy-model.json >"$REQUEST"
      call POST "$API/endpoints/${{ENDPOINT_ID}}:mutateDeployedModel" "$REQUEST"
      wait_operation
      echo "deployed model ${{DEPLOYED_MODEL_ID}}: mutated ${{mask}}"
      call GET "$API/endpoints/${{ENDPOINT_ID}}"
    fi
  fi
  mapfile -t extra < <(jq -r --argjson split "$SPLIT" \\
    '(.deployedModels // [])[].id | select(. as $id | $split | has($id) | not)' "$RESPONSE")
  for id in "${{extra[@]}}"; do
    jq -n --arg id "$id" --argjson split "$SPLIT" '{{deployedModelId: $id, trafficSplit: $split}}' >"$REQUEST"
    call POST "$API/endpoints/${{ENDPOINT_ID}}:undeployModel" "$REQUEST"
    wait_operation
    echo "deployed model ${{id}}: undeployed"
  done
  call GET "$API/endpoints/${{ENDPOINT_ID}}"
  if jq -e --argjson split "$SPLIT" \\
    '((.trafficSplit // {{}}) | with_entries(select(.value != 0))) == ($split | with_entries(select(.value != 0)))' \\
    "$RESPONSE" >/dev/null; then
    echo "endpoint ${{ENDPOINT_ID}}: traffic split up to date"
    return
  fi
  jq -n --argjson split "$SPLIT" '{{trafficSplit: $split}}' >"$REQUEST"
  call PATCH "$API/endpoints/${{ENDPOINT_ID}}?updateMask=trafficSplit" "$REQUEST"
  echo "endpoint ${{ENDPOINT_ID}}: traffic split $(jq -c '.trafficSplit' "$RESPONSE")"
}}
"""
        )
    if "monitoring-job.json" in files:
        steps.append("monitoring")
        lines.append(
            f"""# Model monitoring job (one per endpoint, found by display name): created, or the fields that differ
#    patched in place.
step_monitoring() {{
  local job name filter mask
  name=$(value monitoring_display_name)
  filter=$(display_filter "$name")
  call GET "$API/modelDeploymentMonitoringJobs?filter=${{filter}}"
  job=$(jq -r '(.modelDeploymentMonitoringJobs // [])[0].name // empty' "$RESPONSE")
  if [[ -z "$job" ]]; then
    call POST "$API/modelDeploymentMonitoringJobs" monitoring-job.json
    echo "monitoring job $(jq -r '.name' "$RESPONSE"): created"
    return
  fi
  mask=$(differing {MONITORING_MASK} monitoring-job.json modelDeploymentMonitoringJobs)
  if [[ -z "$mask" ]]; then
    echo "monitoring job ${{job}}: up to date"
    return
  fi
  call PATCH "${{BASE}}/${{job}}?updateMask=${{mask}}" monitoring-job.json
  wait_operation
  echo "monitoring job ${{job}}: patched ${{mask}}"
}}
"""
        )
    if "batch-prediction-job.json" in files:
        if vs.batch_schedule is not None:
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
            f"""# Retraining Schedule (found by display name): created, or the fields that differ patched in place.
step_retraining() {{
  local schedule name filter mask
  name=$(value retraining_display_name)
  filter=$(display_filter "$name")
  call GET "$API/schedules?filter=${{filter}}"
  schedule=$(jq -r '(.schedules // [])[0].name // empty' "$RESPONSE")
  if [[ -z "$schedule" ]]; then
    call POST "$API/schedules" retraining-schedule.json
    echo "schedule $(jq -r '.name' "$RESPONSE"): created"
    return
  fi
  mask=$(differing {SCHEDULE_MASK} retraining-schedule.json schedules)
  if [[ -z "$mask" ]]; then
    echo "schedule ${{schedule}}: up to date"
    return
  fi
  call PATCH "${{BASE}}/${{schedule}}?updateMask=${{mask}}" retraining-schedule.json
  echo "schedule ${{schedule}}: patched ${{mask}}"
}}
"""
        )
    case = ["", 'case "${1:-apply}" in', "  apply)"]
    case += [f"    step_{step}" for step in steps]
    case.append("    ;;")
    if "batch-prediction-job.json" in files:
        case += ["  batch-now) batch_now ;;"]
    usage = "|".join(["apply"] + (["batch-now"] if "batch-prediction-job.json" in files else []))
    case += [f'  *) echo "usage: $0 [{usage}]" >&2; exit 2 ;;', "esac", ""]
    return "\n".join(lines) + "\n".join(case)


def readme(plan: Plan, stack: Stack, files: list[str]) -> str:
    vs = VertexStack.of(stack)
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
        "`curl` and `jq`): Vertex AI has no controller of its own, so the script is one. It reads each resource, "
        "compares it with its file and creates, patches, deploys, re-splits or undeploys only what differs; "
        "running it again changes nothing.",
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
        kept = kept_split(plan)
        deploys = (
            f"unless `deployedModels[].id` has `{n.deployed_model_id}`: "
            f"`POST $API/endpoints/{n.endpoint_id}:deployModel` with deploy-model.json "
            f"({_split_words(traffic_split(plan))}); when its replica counts differ from deploy-model.json: "
            f"`POST $API/endpoints/{n.endpoint_id}:mutateDeployedModel` "
            f"(`updateMask=dedicatedResources.<field>,...`)"
            if n.deployed_model_id in kept
            else f"this version is not kept: `{n.deployed_model_id}` is not deployed"
        )
        out += [
            f"{step + 1}. `GET $API/endpoints/{n.endpoint_id}`; if 404: "
            f"`POST $API/endpoints?endpointId={n.endpoint_id}` with endpoint.json; else `PATCH` it with "
            f"`updateMask=` the fields of `{ENDPOINT_FIELDS}` that differ. `network` and `encryptionSpec` are set "
            "only at creation: if they differ, the script stops and says so.",
            f"{step + 2}. `GET $API/endpoints/{n.endpoint_id}`; {deploys}.",
            f"{step + 3}. Every other DeployedModel: `POST $API/endpoints/{n.endpoint_id}:undeployModel` with "
            f'`{{"deployedModelId": <id>, "trafficSplit": {json.dumps(kept)}}}`; then, if the endpoint\'s '
            f"`trafficSplit` is not {_json(kept)} (`traffic_split` in apply.json): "
            f"`PATCH $API/endpoints/{n.endpoint_id}?updateMask=trafficSplit`.",
        ]
        step += 3
    if "monitoring-job.json" in files:
        step += 1
        out.append(
            f'{step}. `GET $API/modelDeploymentMonitoringJobs?filter=display_name="{n.endpoint_id}-monitoring"`; '
            f"`PATCH` the job found (`updateMask=` the fields of `{MONITORING_MASK}` that differ, if any) or "
            "`POST $API/modelDeploymentMonitoringJobs` "
            "with monitoring-job.json. It names the endpoint and the DeployedModel ids, so it comes after the "
            "deployment."
        )
    if "batch-prediction-job.json" in files:
        step += 1
        if vs.batch_schedule is not None:
            out.append(
                f"{step}. `gcloud scheduler jobs create http {n.model_id}-batch` (or `update http` when it exists) "
                f'`--schedule="{vs.batch_schedule}" --time-zone=Etc/UTC '
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
            f"found (`updateMask=` the fields of `{SCHEDULE_MASK}` that differ, if any) or `POST $API/schedules` with "
            "retraining-schedule.json."
        )
    rollout = plan.derived.rollout
    if "endpoint.json" in files and rollout.previous is not None:
        out += [
            "",
            "## Moving the rollout",
            "",
            f"Now: {rollout.traffic}% on {spec.model.version}. The rollout moves in Git, never by hand: "
            "`mlopsc rollout next` (the next of `rollout.steps`), `promote` (100%) or `abort` (0%) edits "
            "`rollout.traffic` in mlops.yaml; compile, review, merge, and `./apply.sh` makes the endpoint match "
            "(a split changed by hand is put back on the next run). Each move, and the endpoint it gives:",
            "",
            *_moves(rollout),
            "",
            "Vertex AI does not roll back on alarms by itself: `mlopsc rollout abort` is the rollback.",
        ]
    out.append("")
    return "\n".join(out)


def _moves(rollout: RolloutState) -> list[str]:
    """One line per move of the rollout model, with the DeployedModels and split `apply.sh` leaves."""
    out = []
    for action in ("next", "promote", "abort"):
        try:
            moved = {"next": rollout.next, "promote": rollout.promote, "abort": rollout.abort}[action]()
        except RolloutRefused as exc:
            out.append(f"- `mlopsc rollout {action}`: refused (this environment {exc}).")
            continue
        split = {naming.deployed_model_id(v.version): v.live_share for v in moved.kept}
        gone = [naming.deployed_model_id(v.version) for v in moved.versions if v not in moved.kept]
        retired = f"; `{'`, `'.join(gone)}` undeployed" if gone else ""
        out.append(f"- `mlopsc rollout {action}` ({moved.traffic}%): trafficSplit {_json(split)}{retired}.")
    return out


def _json(split: dict[str, int]) -> str:
    return "`" + json.dumps(split) + "`"


def _split_words(split: dict[str, int]) -> str:
    return ", ".join(f"{percent}% to {'the new model' if key == '0' else key}" for key, percent in split.items())
