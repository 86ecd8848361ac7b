"""Environments applied to one cluster do not collide: a model of `kubectl apply` of every environment's KServe
folder into one cluster (an object is identified by apiVersion group, kind, namespace and name; a second apply of
the same identity overwrites the first), and retraining runs where the spec says it belongs."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.golden_cases import cases, render
from tests.kserve_specs import Combo, compile_text, spec_text

RETRAINING = (
    "retraining:\n"
    '  schedule: "0 2 * * 1"\n'
    "  pipeline: {image: registry.example.com/acme/train:1.0, command: [python, train.py]}\n"
)
LEVELS = "environments:\n  staging: {governance: {level: staging}}\n  production: {governance: {level: production}}\n"


def _spec(environments: str, retraining: str = "", namespace: str = "ml") -> str:
    text = spec_text(Combo("sklearn", "rest", "serverless", monitoring=False), namespace=namespace)
    return text + retraining + environments


def identities(files: list[Any]) -> list[tuple[str, str, str, str]]:
    out = []
    for f in files:
        body = f.body
        if f.platform != "kserve" or not isinstance(body, dict) or body.get("kind") == "Kustomization":
            continue
        api = str(body["apiVersion"])
        group = api.split("/", maxsplit=1)[0] if "/" in api else ""
        out.append((group, str(body["kind"]), str(body["metadata"]["namespace"]), str(body["metadata"]["name"])))
    return out


def collisions(files: list[Any]) -> list[tuple[str, str, str, str]]:
    return [k for k, n in Counter(identities(files)).items() if n > 1]


def _namespace(result: Any, name: str, environment: str = "default") -> str:
    return str(result.body(name, environment)["metadata"]["namespace"])


def test_environments_without_their_own_namespace_do_not_collide() -> None:
    result = compile_text(_spec("environments:\n  staging: {}\n  production: {}\n"))
    assert not result.errors(), result.errors()
    assert collisions(result.files) == []
    assert _namespace(result, "inferenceservice.yaml", "staging") == "ml-staging"
    assert _namespace(result, "inferenceservice.yaml", "production") == "ml-production"


def test_an_environment_that_writes_its_namespace_keeps_it() -> None:
    envs = "environments:\n  staging: {}\n  production: {platforms: {kserve: {namespace: ml}}}\n"
    result = compile_text(_spec(envs))
    assert _namespace(result, "inferenceservice.yaml", "production") == "ml"
    assert _namespace(result, "inferenceservice.yaml", "staging") == "ml-staging"
    assert collisions(result.files) == []


def test_environments_that_write_the_same_namespace_are_the_users_choice() -> None:
    envs = (
        "environments:\n  staging: {platforms: {kserve: {namespace: shared}}}\n"
        "  production: {platforms: {kserve: {namespace: shared}}}\n"
    )
    result = compile_text(_spec(envs))
    assert collisions(result.files)  # the model sees the overwrite: written explicitly, rendered as written


def test_no_environments_renders_the_namespace_as_written() -> None:
    assert _namespace(compile_text(_spec("")), "inferenceservice.yaml") == "ml"


def test_a_suffixed_namespace_too_long_is_refused() -> None:
    result = compile_text(_spec("environments:\n  staging: {}\n", namespace="n" * 60))
    (error,) = result.errors()
    assert error.code == "KSV033" and "environments.staging.platforms.kserve.namespace" in error.hint


def test_hybrid_batch_job_calls_its_own_environment() -> None:
    text = spec_text(Combo("sklearn", "rest", "raw", "hybrid", monitoring=False)) + "environments:\n  staging: {}\n"
    result = compile_text(text)
    job = result.body("cronjob-batch.yaml", "staging")
    container = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]  # type: ignore[index]
    url = next(e["value"] for e in container["env"] if e["name"] == "PREDICT_URL")
    assert url == "http://scorer-predictor.ml-staging.svc.cluster.local"
    assert _namespace(result, "cronjob-batch.yaml", "staging") == "ml-staging"


def test_base_retraining_runs_in_production_only_with_a_note_elsewhere() -> None:
    spec = _spec(LEVELS, RETRAINING)
    result = compile_text(spec, "staging")
    names = {f.path.rsplit("/", 1)[1] for f in result.files if f.environment == "staging"}
    assert "cronjob-retraining.yaml" not in names
    notes = [d for d in result.diagnostics if d.code == "KSV034"]
    assert len(notes) == 1 and notes[0].severity.value == "note"
    # production (level production) runs it; its policy errors (approval, provenance) are not this test's
    result = compile_text(spec, "production")
    assert _namespace(result, "cronjob-retraining.yaml", "production") == "ml-production"
    assert not [d for d in result.diagnostics if d.code.startswith("KSV")]
    # an environment that writes its own retraining runs it
    explicit = spec.replace(
        "  staging: {governance: {level: staging}}\n",
        '  staging: {governance: {level: staging}, retraining: {schedule: "0 4 * * 1"}}\n',
    )
    result = compile_text(explicit, "staging")
    assert _namespace(result, "cronjob-retraining.yaml", "staging") == "ml-staging"


def test_no_environments_keeps_the_retraining_schedule() -> None:
    result = compile_text(_spec("", RETRAINING))
    assert result.body("cronjob-retraining.yaml")["spec"]["schedule"] == "0 2 * * 1"  # type: ignore[index]


@pytest.mark.parametrize("case", [c for c in cases() if "environments" in c.spec.read_text()], ids=lambda c: c.name)
def test_golden_environments_do_not_collide(case: Any) -> None:
    _tree, files = render(case)
    assert collisions(files) == []
