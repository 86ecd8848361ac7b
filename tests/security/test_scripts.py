"""Hostile spec values against every rendered script, run with stub CLIs in a scratch folder.

Three kinds of value:
- accepted and passed to a CLI (URIs): the script runs, nothing else runs, and the CLI receives exactly
  the spec's value as one argument;
- accepted free text that reaches rendered files but must never reach a script's code: every script
  still runs cleanly and nothing ran that the spec did not declare;
- refused by a strict pattern (service accounts, schedules): a positioned E1xx with a hint, no files.
And the Vertex script's values file, tampered with after rendering: the script still treats each value
as one word (defence in depth: the script itself never evaluates a value).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.security.harness import Outcome, render, run_everything, unexpected_calls, write_tree
from tests.security.specs import AZURE_BATCH, FULL, VERTEX_BATCH, setter, with_value

pytestmark = pytest.mark.skipif(shutil.which("jq") is None, reason="the scripts and stubs need jq")

PAYLOADS = [
    "$(touch${IFS}PWNED)",
    "`touch${IFS}PWNED`",
    "';touch${IFS}PWNED;'",
    '";touch${IFS}PWNED;"',
    ";touch${IFS}PWNED",
    "|touch${IFS}PWNED",
    "&&touch${IFS}PWNED",
    ">PWNED",
    "$IFS*",
    "\\';touch${IFS}PWNED;#",
]


def _clean(outcome: Outcome) -> None:
    assert outcome.pwned() == []
    failed = [(name, code, err[-400:]) for name, code, err in outcome.results if code != 0]
    assert failed == []
    assert unexpected_calls(outcome.calls) == []


def _after(call: list[str], flag: str) -> str:
    return call[call.index(flag) + 1]


# --- accepted URIs reach az as exactly one argument -------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_azure_batch_input_uri(tmp_path: Path, payload: str) -> None:
    uri = f"azureml://datastores/crm/paths/in/{payload}"
    rendered = render(with_value(AZURE_BATCH, setter("serving", "batch", "input_uri", value=uri)))
    assert rendered.errors == []
    outcome = run_everything(rendered.files, tmp_path)
    _clean(outcome)
    [invoke] = [c for c in outcome.calls if c[:4] == ["az", "ml", "batch-endpoint", "invoke"]]
    assert _after(invoke, "--input") == uri


@pytest.mark.parametrize("payload", PAYLOADS[:4], ids=range(4))
def test_azure_batch_output_uri(tmp_path: Path, payload: str) -> None:
    uri = f"azureml://datastores/crm/paths/out/{payload}"
    rendered = render(with_value(AZURE_BATCH, setter("serving", "batch", "output_uri", value=uri)))
    assert rendered.errors == []
    outcome = run_everything(rendered.files, tmp_path)
    _clean(outcome)
    [invoke] = [c for c in outcome.calls if c[:4] == ["az", "ml", "batch-endpoint", "invoke"]]
    assert _after(invoke, "--output-path") == uri


@pytest.mark.parametrize("payload", PAYLOADS[:5], ids=range(5))
def test_azure_previous_model_path(tmp_path: Path, payload: str) -> None:
    uri = f"azureml://datastores/models/paths/fraud/{payload}"
    spec = with_value(FULL, setter("rollout", "previous", "artifact", "mirrors", "azureml", value=uri))
    rendered = render(spec, targets=("azureml",))
    assert rendered.errors == []
    outcome = run_everything(rendered.files, tmp_path)
    _clean(outcome)
    creates = [c for c in outcome.calls if c[:4] == ["az", "ml", "model", "create"] and "--path" in c]
    assert [_after(c, "--path") for c in creates] == [uri]


# --- accepted free text never reaches a script's code -------------------------------------------------------

FREE_TEXT = [
    (("metadata", "team"), "risk$(touch${IFS}PWNED)"),
    (("metadata", "team"), "risk\ntouch PWNED\n"),
    (("model", "provenance", "training_run"), "mlflow:/runs/`touch${IFS}PWNED`"),
    (("serving", "env", "LOG_LEVEL"), "info$(touch${IFS}PWNED)"),
    (("serving", "env", "LOG_LEVEL"), "info\n' ; touch PWNED ; '"),
    (("serving", "env", "EXTRA"), '"""\nimport os; os.mkdir("PWNED")\n"""'),
    (("platforms", "sagemaker", "kms_key_id"), "alias/x$(touch${IFS}PWNED)"),
    (("governance", "model_card"), {"intended_use": "x\n$(touch PWNED)", "limitations": "`touch PWNED`"}),
]


@pytest.mark.parametrize("path,value", FREE_TEXT, ids=[f"{'.'.join(p)}-{i}" for i, (p, _) in enumerate(FREE_TEXT)])
def test_free_text_never_runs(tmp_path: Path, path: tuple[str, ...], value: object) -> None:
    rendered = render(with_value(FULL, setter(*path, value=value)))
    assert rendered.errors == []
    assert any(f.path.endswith(".sh") for f in rendered.files) and any(f.path.endswith(".py") for f in rendered.files)
    _clean(run_everything(rendered.files, tmp_path, deployed=("1002000000",)))


# --- commands: each element stays one argument --------------------------------------------------------------

COMMANDS = [
    ["python", "-m", "train", "--out", "$(touch PWNED)"],
    ["python", "a b", "'; touch PWNED; '", "`touch PWNED`"],
    ["python", "x\ntouch PWNED", "*", "${HOME}"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=range(len(COMMANDS)))
def test_azure_retraining_command_runs_exactly_the_declared_argv(tmp_path: Path, command: list[str]) -> None:
    """Azure ML runs a command job's `command` with a shell: the argv it gets must be the spec's list."""
    rendered = render(
        with_value(FULL, setter("retraining", "pipeline", "command", value=command)), targets=("azureml",)
    )
    assert rendered.errors == []
    [pipeline] = [f for f in rendered.files if f.path.endswith("retraining-pipeline.yaml")]
    body = yaml.safe_load(pipeline.content)
    [job] = body["jobs"].values()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stub = bin_dir / "python"
    stub.write_text('#!/usr/bin/env bash\nprintf \'%s\\0\' "$@" >"$STUB_LOG"\n', encoding="utf-8")
    stub.chmod(0o755)
    log = tmp_path / "argv.json"
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "STUB_LOG": str(log), "HOME": str(tmp_path)}
    subprocess.run(["bash", "-c", job["command"]], cwd=tmp_path, env=env, check=True)
    assert log.read_bytes().decode("utf-8").split("\0")[:-1] == command[1:]
    assert not list(tmp_path.rglob("PWNED"))


@pytest.mark.parametrize("command", COMMANDS, ids=range(len(COMMANDS)))
def test_exec_form_commands_are_the_declared_list(command: list[str]) -> None:
    """KServe, Vertex and SageMaker run the command in exec form (no shell): the list must arrive as written."""
    rendered = render(with_value(FULL, setter("retraining", "pipeline", "command", value=command)))
    assert rendered.errors == []
    found = set()
    for f in rendered.files:
        if f.body is None or isinstance(f.body, str):
            continue
        for candidate in _lists(f.body):
            if candidate == command:
                found.add(f.platform)
            assert candidate[:2] not in (["sh", "-c"], ["bash", "-c"], ["/bin/sh", "-c"])
    # the KServe CronJob, the Vertex pipeline spec, SageMaker's training step (ContainerEntrypoint, inside
    # the pipeline definition's JSON text)
    assert found == {"kserve", "vertex", "sagemaker"}


def _lists(node: object) -> list[list[object]]:
    if isinstance(node, str) and node.startswith("{"):
        try:
            return _lists(json.loads(node))
        except ValueError:
            return []
    if isinstance(node, dict):
        return [x for v in node.values() for x in _lists(v)]
    if isinstance(node, list):
        return [node, *(x for v in node for x in _lists(v))]
    return []


# --- refused: strict patterns with a positioned E1xx and a hint --------------------------------------------

SERVICE_ACCOUNTS = [
    "churn$(touch${IFS}PWNED)@acme.iam.gserviceaccount.com",
    "churn`touch${IFS}PWNED`@acme.iam.gserviceaccount.com",
    "churn@acme.iam.gserviceaccount.com\n",
    "churn@acme.iam.gserviceaccount.com;touch PWNED",
    "churn@acme.iam.gserviceaccount.com --verbosity=debug",
    "'churn'@acme.iam.gserviceaccount.com",
    "churn@example.com",
    "Churn@Acme.iam.gserviceaccount.com",
    "churn@acme.iam.gserviceaccount.com.evil.example",
]


@pytest.mark.parametrize("account", SERVICE_ACCOUNTS, ids=[ascii(a) for a in SERVICE_ACCOUNTS])
def test_service_account_must_be_a_google_service_account(account: str) -> None:
    rendered = render(with_value(VERTEX_BATCH, setter("platforms", "vertex", "service_account", value=account)))
    assert rendered.files == ()
    [error] = rendered.errors
    assert error.code.startswith("E1") and error.line == 1 and error.col > 1
    assert "is not a Google service account e-mail" in error.message
    assert "gcloud iam service-accounts list" in error.hint


@pytest.mark.parametrize(
    "account",
    [
        "churn-batch@acme-crm.iam.gserviceaccount.com",
        "123456789012-compute@developer.gserviceaccount.com",
        "acme-crm@appspot.gserviceaccount.com",
        "sa@my-project.example.com.iam.gserviceaccount.com",
    ],
)
def test_real_service_account_forms_are_accepted(tmp_path: Path, account: str) -> None:
    rendered = render(with_value(VERTEX_BATCH, setter("platforms", "vertex", "service_account", value=account)))
    assert rendered.errors == []
    outcome = run_everything(rendered.files, tmp_path)
    _clean(outcome)
    [create] = [c for c in outcome.calls if c[:5] == ["gcloud", "scheduler", "jobs", "create", "http"]]
    assert f"--oauth-service-account-email={account}" in create
    assert "--schedule=0 2 * * *" in create and "churn-batch-default-batch" in create


SCHEDULES = [
    "0 2 * *\n*",
    "0 2 * * *\n",
    "0 2 * * *\rtouch PWNED",
    "0 2 * * *\u2028",
    "0 2 * * 1\x0b",
    "0\t2 * * *",
    "0 2 * * *;touch PWNED",
    "@daily",
    "0 2 * * ²",
    "0 2 * * *\x85",
]


@pytest.mark.parametrize("schedule", SCHEDULES, ids=[ascii(s) for s in SCHEDULES])
@pytest.mark.parametrize(
    "field", [("serving", "batch", "schedule"), ("retraining", "schedule")], ids=["batch", "retrain"]
)
def test_schedule_is_one_line_of_cron(schedule: str, field: tuple[str, ...]) -> None:
    base = AZURE_BATCH if field[0] == "serving" else FULL
    rendered = render(with_value(base, setter(*field, value=schedule)))
    assert rendered.files == ()
    errors = rendered.errors
    assert errors and all(e.code.startswith("E1") and e.line == 1 and e.col > 1 for e in errors)
    assert all("\n" not in e.message and "\r" not in e.message for e in errors)
    assert all("five fields" in e.hint for e in errors if "cron" in e.message)


# --- the Vertex values file, tampered with: still one word each -----------------------------------------

TAMPERED = {
    "scheduler_service_account": "x$(touch PWNED)@p.iam.gserviceaccount.com",
    "batch_cron": "0 2 * * *\ntouch PWNED",
    "scheduler_job": "job; touch PWNED",
    "project": "p`touch PWNED`",
    "model_id": "m'$(touch PWNED)'",
    "alias": '"; touch PWNED; "',
}


@pytest.mark.parametrize("key", sorted(TAMPERED))
def test_vertex_script_treats_each_value_as_one_word(tmp_path: Path, key: str) -> None:
    rendered = render(VERTEX_BATCH)
    out = tmp_path / "tree"
    write_tree(rendered.files, out)
    [settings] = list(out.rglob("apply.json"))
    values = json.loads(settings.read_text())
    values[key] = TAMPERED[key]
    settings.write_text(json.dumps(values))
    files = tuple(
        f if not f.path.endswith("apply.json") else type(f)(**{**f.__dict__, "content": settings.read_text()})
        for f in rendered.files
    )
    outcome = run_everything(files, tmp_path / "run")
    assert outcome.pwned() == []
    assert unexpected_calls(outcome.calls) == []
    words = [arg for call in outcome.calls for arg in call]
    expected = {
        "scheduler_service_account": f"--oauth-service-account-email={TAMPERED[key]}",
        "batch_cron": f"--schedule={TAMPERED[key]}",
        "scheduler_job": TAMPERED[key],
    }.get(key)
    if expected is not None:
        assert expected in words
    else:  # in the REST URLs, as text
        assert any(TAMPERED[key] in arg for arg in words if arg.startswith("https://"))


# --- any accepted URI: generated ---------------------------------------------------------------------------

_URI_TAIL = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Zs", "Zl", "Zp"), blacklist_characters="\x00\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85"
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=25, deadline=None, database=None)
@given(tail=_URI_TAIL)
def test_any_accepted_input_uri_is_one_argument(tail: str) -> None:
    import tempfile

    uri = f"azureml://datastores/crm/paths/{tail}"
    rendered = render(with_value(AZURE_BATCH, setter("serving", "batch", "input_uri", value=uri)))
    if rendered.errors:  # outside the URI pattern: refused, so nothing renders
        assert rendered.files == ()
        return
    with tempfile.TemporaryDirectory() as scratch:
        outcome = run_everything(rendered.files, Path(scratch))
        _clean(outcome)
        [invoke] = [c for c in outcome.calls if c[:4] == ["az", "ml", "batch-endpoint", "invoke"]]
        assert _after(invoke, "--input") == uri


@pytest.mark.parametrize("key", ["scheduler_service_account", "batch_cron", "project"])
def test_vertex_script_stops_on_a_missing_value(tmp_path: Path, key: str) -> None:
    rendered = render(VERTEX_BATCH)
    files = []
    for original in rendered.files:
        f = original
        if f.path.endswith("apply.json"):
            values = json.loads(f.content)
            del values[key]
            files.append(replace(f, content=json.dumps(values)))
        else:
            files.append(f)
    outcome = run_everything(tuple(files), tmp_path)
    [(_, code, stderr)] = [r for r in outcome.results if r[0].endswith("apply.sh")]
    assert code != 0 and f"apply.json has no text value for {key}" in stderr
    assert not any(c[:4] == ["gcloud", "scheduler", "jobs", "create"] for c in outcome.calls)
