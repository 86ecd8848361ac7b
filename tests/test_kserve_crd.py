"""Strict CRD validation: the KServe sample corpus, hand-made mutations, and CRD loading.

The corpus and CRDs come from ``../shared`` (absent from a user's fresh clone: those tests
skip); the loading tests build small CRDs of their own in ``tmp_path``.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
import yaml

from mlopsc.targets.kserve.crd import CrdLoadError, CrdValidator, SchemaIssue

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
KSERVE_CRDS = SHARED / "schemas" / "kserve-v0.20.0"
PROMETHEUS_CRDS = SHARED / "schemas" / "prometheus-operator-v0.82.2"
SAMPLES = SHARED / "samples" / "kserve-v0.20.0"

needs_shared = pytest.mark.skipif(
    not (KSERVE_CRDS.is_dir() and PROMETHEUS_CRDS.is_dir() and SAMPLES.is_dir()),
    reason=f"../shared (KServe v0.20.0 CRDs and samples) not found at {SHARED.resolve()}",
)

ISVC = ("serving.kserve.io/v1beta1", "InferenceService")
IG = ("serving.kserve.io/v1alpha1", "InferenceGraph")

# Documents of the corpus that fail, with every issue path. The README names the causes:
# fields KServe removed (`alibi`, `custom`) and `nodeName` put under `spec`. The four alibi
# samples also give `cpu: 0.1`, a float where the CRD wants an integer or a quantity string
# (the API server refuses it too).
EXPECTED_FAILURES: dict[str, list[str]] = {
    "explanation_alibi_cifar10_cifar10.yaml": [
        "spec.explainer.alibi",
        "spec.predictor.tensorflow.resources.requests.cpu",
    ],
    "explanation_alibi_income_income.yaml": [
        "spec.explainer.alibi",
        "spec.predictor.sklearn.resources.requests.cpu",
    ],
    "explanation_alibi_moviesentiment_moviesentiment.yaml": [
        "spec.explainer.alibi",
        "spec.predictor.sklearn.resources.requests.cpu",
    ],
    "explanation_alibi_moviesentiment_moviesentiment2.yaml": [
        "spec.explainer.alibi",
        "spec.predictor.sklearn.resources.requests.cpu",
    ],
    "rollout-strategy_rollout-strategy-example.yaml": ["spec.transformer.custom"],
    "v1beta1_torchserve_v1_bloom_bloom-560m.yaml": ["spec.nodeName"],
}


@pytest.fixture(scope="module")
def validator() -> CrdValidator:
    if not (KSERVE_CRDS.is_dir() and PROMETHEUS_CRDS.is_dir()):
        pytest.skip(f"../shared CRDs not found at {SHARED.resolve()}")
    return CrdValidator.from_locations([KSERVE_CRDS, PROMETHEUS_CRDS])


def _corpus() -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """Every mapping document of the samples with its file name, and the files that are not YAML."""
    documents: list[tuple[str, dict[str, Any]]] = []
    not_yaml: list[str] = []
    for file in sorted(SAMPLES.iterdir()):
        try:
            loaded = list(yaml.load_all(file.read_text(encoding="utf-8"), Loader=yaml.SafeLoader))
        except yaml.YAMLError:
            not_yaml.append(file.name)
            continue
        documents.extend((file.name, doc) for doc in loaded if isinstance(doc, dict))
    return documents, not_yaml


def _paths(issues: list[SchemaIssue]) -> list[str]:
    return [issue.path for issue in issues]


# --- the sample corpus ----------------------------------------------------------------


@needs_shared
def test_kserve_sample_corpus(validator: CrdValidator) -> None:
    documents, not_yaml = _corpus()
    # `{username}` placeholders: these files do not parse, and are skipped.
    assert len(not_yaml) == 9, not_yaml

    isvc_passed, failed = 0, {}
    for name, doc in documents:
        if (doc.get("apiVersion"), doc.get("kind")) != ISVC:
            continue
        issues = validator.validate(doc)
        if issues:
            assert name not in failed, f"{name}: a second failing document"
            failed[name] = _paths(issues)
        else:
            isvc_passed += 1
    assert failed == EXPECTED_FAILURES
    assert isvc_passed == 84

    # The README's count, 88 pass and 6 fail, is every serving.kserve.io document of the
    # corpus: the 90 InferenceServices above plus the 4 InferenceGraphs, which all pass.
    kserve_docs = [doc for _, doc in documents if str(doc.get("apiVersion")).startswith("serving.kserve.io/")]
    outcomes = [not validator.validate(doc) for doc in kserve_docs]
    assert (outcomes.count(True), outcomes.count(False)) == (88, 6)


@needs_shared
def test_failure_messages_name_the_removed_fields(validator: CrdValidator) -> None:
    documents = dict(_corpus()[0])
    issues = validator.validate(documents["v1beta1_torchserve_v1_bloom_bloom-560m.yaml"])
    assert issues == [SchemaIssue("spec.nodeName", "unknown field 'nodeName'", ("spec", "nodeName"))]


@needs_shared
def test_kinds(validator: CrdValidator) -> None:
    assert validator.kinds() == frozenset(
        {
            ISVC,
            IG,
            ("serving.kserve.io/v1alpha1", "ServingRuntime"),
            ("serving.kserve.io/v1alpha1", "ClusterServingRuntime"),
            ("monitoring.coreos.com/v1", "PrometheusRule"),
        }
    )


# --- InferenceService mutations ---------------------------------------------------------

VALID_ISVC: dict[str, Any] = {
    "apiVersion": "serving.kserve.io/v1beta1",
    "kind": "InferenceService",
    "metadata": {
        "name": "fraud-detector",
        "namespace": "fraud",
        "labels": {"app.kubernetes.io/name": "fraud-detector", "team": "risk"},
        "annotations": {"serving.kserve.io/deploymentMode": "Knative"},
    },
    "spec": {
        "predictor": {
            "serviceAccountName": "fraud-isvc",
            "minReplicas": 1,
            "maxReplicas": 4,
            "scaleMetric": "concurrency",
            "scaleTarget": 10,
            "canaryTrafficPercent": 10,
            "timeout": 60,
            "logger": {"mode": "all", "url": "http://payload-logger.monitoring.svc.cluster.local"},
            "model": {
                "modelFormat": {"name": "sklearn", "version": "1"},
                "protocolVersion": "v2",
                "storageUri": "s3://models/fraud/3",
                "resources": {
                    "requests": {"cpu": "500m", "memory": "1Gi"},
                    "limits": {"cpu": 1, "memory": "2Gi"},
                },
                "env": [
                    {"name": "LOG_LEVEL", "value": "info"},
                    {
                        "name": "FEATURE_STORE_TOKEN",
                        "valueFrom": {"secretKeyRef": {"name": "feature-store", "key": "token"}},
                    },
                ],
                "readinessProbe": {"httpGet": {"path": "/v2/health/ready", "port": 8080}},
            },
        }
    },
}


def _mutated(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    doc = copy.deepcopy(VALID_ISVC)
    change(doc)
    return doc


def _predictor(doc: dict[str, Any]) -> dict[str, Any]:
    predictor: dict[str, Any] = doc["spec"]["predictor"]
    return predictor


@needs_shared
def test_valid_inference_service_passes(validator: CrdValidator) -> None:
    assert validator.validate(VALID_ISVC) == []


MUTATIONS: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    (
        "unknown field in predictor",
        lambda d: _predictor(d).update(gpuCount=2),
        "spec.predictor.gpuCount",
        "unknown field 'gpuCount'",
    ),
    (
        "misspelled field suggests the right one",
        lambda d: _predictor(d).update(minReplica=1),
        "spec.predictor.minReplica",
        "unknown field 'minReplica'; did you mean 'minReplicas'?",
    ),
    (
        "minReplicas as a string",
        lambda d: _predictor(d).update(minReplicas="1"),
        "spec.predictor.minReplicas",
        "expected integer, got string '1'",
    ),
    (
        "scaleMetric outside its enum",
        lambda d: _predictor(d).update(scaleMetric="gpu"),
        "spec.predictor.scaleMetric",
        "'gpu' is not one of ['cpu', 'memory', 'concurrency', 'rps']",
    ),
    (
        "logger mode outside its enum",
        lambda d: _predictor(d)["logger"].update(mode="everything"),
        "spec.predictor.logger.mode",
        "'everything' is not one of ['all', 'request', 'response']",
    ),
    (
        "unknown field deep in a list item",
        lambda d: _predictor(d)["model"]["env"][1]["valueFrom"].update(secretRef={"name": "x"}),
        "spec.predictor.model.env.1.valueFrom.secretRef",
        "unknown field 'secretRef'; did you mean 'secretKeyRef'?",
    ),
    (
        "float quantity",
        lambda d: _predictor(d)["model"]["resources"]["limits"].update(cpu=0.5),
        "spec.predictor.model.resources.limits.cpu",
        "expected integer or string, got number 0.5",
    ),
    (
        "missing required env name",
        lambda d: _predictor(d)["model"]["env"][0].pop("name"),
        "spec.predictor.model.env.0",
        "'name' is a required property",
    ),
    (
        "unknown field in metadata",
        lambda d: d["metadata"].update(label={"a": "b"}),
        "metadata.label",
        "unknown field 'label'; did you mean 'labels'?",
    ),
    (
        "label value not a string",
        lambda d: d["metadata"]["labels"].update(team=True),
        "metadata.labels.team",
        "expected string, got boolean True",
    ),
    (
        "unknown top-level field",
        lambda d: d.update(specs={}),
        "specs",
        "unknown field 'specs'; did you mean 'spec'?",
    ),
    (
        "predictor missing",
        lambda d: d["spec"].pop("predictor"),
        "spec",
        "'predictor' is a required property",
    ),
]


@needs_shared
@pytest.mark.parametrize(
    ("change", "path", "message"),
    [pytest.param(change, path, message, id=name) for name, change, path, message in MUTATIONS],
)
def test_inference_service_mutation_fails_at_its_path(
    validator: CrdValidator, change: Callable[[dict[str, Any]], None], path: str, message: str
) -> None:
    issues = validator.validate(_mutated(change))
    assert [(i.path, i.message) for i in issues] == [(path, message)]


@needs_shared
def test_quantity_pattern_and_name_rules(validator: CrdValidator) -> None:
    def change(doc: dict[str, Any]) -> None:
        _predictor(doc)["model"]["resources"]["limits"]["cpu"] = "lots"
        doc["metadata"]["name"] = "Fraud_Detector"

    assert _paths(validator.validate(_mutated(change))) == [
        "metadata.name",
        "spec.predictor.model.resources.limits.cpu",
    ]


@needs_shared
def test_canary_traffic_percent_bounds_in_spec_canary(validator: CrdValidator) -> None:
    doc = copy.deepcopy(VALID_ISVC)
    # In spec.canary[].predictor the CRD requires model.name, unlike spec.predictor.model.
    doc["spec"]["canary"] = [{"trafficPercent": 101, "predictor": {"model": {"modelFormat": {"name": "sklearn"}}}}]
    issues = validator.validate(doc)
    assert [(i.path, i.message) for i in issues] == [
        ("spec.canary.0.predictor.model", "'name' is a required property"),
        ("spec.canary.0.trafficPercent", "101 is greater than the maximum of 100"),
    ]
    doc["spec"]["canary"][0]["trafficPercent"] = 100
    doc["spec"]["canary"][0]["predictor"]["model"]["name"] = "kserve-container"
    assert validator.validate(doc) == []


@needs_shared
def test_issues_are_sorted_with_numeric_list_indexes(validator: CrdValidator) -> None:
    doc = copy.deepcopy(VALID_ISVC)
    env = [{"name": f"V{i}", "value": "x"} for i in range(12)]
    env[10]["value"] = 10  # type: ignore[assignment]
    env[2]["value"] = 2  # type: ignore[assignment]
    _predictor(doc)["model"]["env"] = env
    _predictor(doc)["zzz"] = 1
    doc["metadata"]["labels"]["team"] = 3
    issues = validator.validate(doc)
    assert _paths(issues) == [
        "metadata.labels.team",
        "spec.predictor.model.env.2.value",
        "spec.predictor.model.env.10.value",
        "spec.predictor.zzz",
    ]
    assert issues[1].location == ("spec", "predictor", "model", "env", 2, "value")
    assert validator.validate(doc) == issues


@needs_shared
def test_accepts_read_only_mappings_and_tuples(validator: CrdValidator) -> None:
    doc = copy.deepcopy(VALID_ISVC)
    _predictor(doc)["model"]["env"] = tuple(_predictor(doc)["model"]["env"])
    assert validator.validate(MappingProxyType(doc)) == []


@needs_shared
def test_unknown_kind_names_the_known_kinds(validator: CrdValidator) -> None:
    unknown_group = validator.validate({"apiVersion": "sources.knative.dev/v1beta1", "kind": "KafkaSource"})
    assert len(unknown_group) == 1
    assert unknown_group[0].path == "apiVersion"
    assert "serving.kserve.io/v1beta1 InferenceService" in unknown_group[0].message
    assert "monitoring.coreos.com/v1 PrometheusRule" in unknown_group[0].message

    wrong_version = validator.validate({"apiVersion": "serving.kserve.io/v1alpha1", "kind": "InferenceService"})
    assert [i.path for i in wrong_version] == ["kind"]


# --- InferenceGraph ---------------------------------------------------------------------

SPLITTER: dict[str, Any] = {
    "apiVersion": "serving.kserve.io/v1alpha1",
    "kind": "InferenceGraph",
    "metadata": {"name": "fraud-split"},
    "spec": {
        "nodes": {
            "root": {
                "routerType": "Splitter",
                "steps": [
                    {"serviceName": "fraud-v3", "weight": 90},
                    {"serviceName": "fraud-v4", "weight": 10},
                ],
            }
        }
    },
}


@needs_shared
def test_inference_graph_splitter(validator: CrdValidator) -> None:
    assert validator.validate(SPLITTER) == []

    misspelled = copy.deepcopy(SPLITTER)
    step = misspelled["spec"]["nodes"]["root"]["steps"][1]
    step["wieght"] = step.pop("weight")
    assert [(i.path, i.message) for i in validator.validate(misspelled)] == [
        ("spec.nodes.root.steps.1.wieght", "unknown field 'wieght'; did you mean 'weight'?")
    ]

    bad_router = copy.deepcopy(SPLITTER)
    bad_router["spec"]["nodes"]["root"]["routerType"] = "Split"
    assert _paths(validator.validate(bad_router)) == ["spec.nodes.root.routerType"]


# --- PrometheusRule ---------------------------------------------------------------------

RULE: dict[str, Any] = {
    "apiVersion": "monitoring.coreos.com/v1",
    "kind": "PrometheusRule",
    "metadata": {"name": "fraud-detector-alerts", "namespace": "fraud", "labels": {"release": "prometheus"}},
    "spec": {
        "groups": [
            {
                "name": "fraud-detector",
                "interval": "1m",
                "partial_response_strategy": "Warn",
                "rules": [
                    {
                        "alert": "FraudDetectorLatencyHigh",
                        "expr": "histogram_quantile(0.99, rate(latency_bucket[5m])) > 0.25",
                        "for": "10m",
                        "labels": {"severity": "page"},
                        "annotations": {"summary": "p99 latency above 250ms"},
                    }
                ],
            }
        ]
    },
}


@needs_shared
def test_prometheus_rule(validator: CrdValidator) -> None:
    assert validator.validate(RULE) == []

    unknown = copy.deepcopy(RULE)
    unknown["spec"]["groups"][0]["rules"][0]["severity"] = "page"
    assert _paths(validator.validate(unknown)) == ["spec.groups.0.rules.0.severity"]

    wrong_type = copy.deepcopy(RULE)
    wrong_type["spec"]["groups"][0]["limit"] = "ten"
    assert [(i.path, i.message) for i in validator.validate(wrong_type)] == [
        ("spec.groups.0.limit", "expected integer, got string 'ten'")
    ]

    # `^(?i)(abort|warn)?$` is RE2 syntax that Python 3.11 refuses as written.
    bad_strategy = copy.deepcopy(RULE)
    bad_strategy["spec"]["groups"][0]["partial_response_strategy"] = "retry"
    assert _paths(validator.validate(bad_strategy)) == ["spec.groups.0.partial_response_strategy"]

    bad_duration = copy.deepcopy(RULE)
    bad_duration["spec"]["groups"][0]["rules"][0]["for"] = "10 minutes"
    assert _paths(validator.validate(bad_duration)) == ["spec.groups.0.rules.0.for"]


# --- the strict rewrite on small CRDs of our own ----------------------------------------


def _crd(schema: dict[str, Any], *, kind: str = "Widget", versions: tuple[str, ...] = ("v1",)) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{kind.lower()}s.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"kind": kind, "plural": f"{kind.lower()}s"},
            "scope": "Namespaced",
            "versions": [
                {"name": v, "served": True, "storage": i == 0, "schema": {"openAPIV3Schema": schema}}
                for i, v in enumerate(versions)
            ],
        },
    }


WIDGET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"type": "object"},
        "spec": {
            "type": "object",
            "properties": {
                "port": {
                    "anyOf": [{"type": "integer"}, {"type": "string"}],
                    "x-kubernetes-int-or-string": True,
                },
                "mode": {"type": "string", "pattern": "^(?i)(fast|slow)$"},
                "note": {"type": "string", "nullable": True},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                "open": {
                    "type": "object",
                    "properties": {"a": {"type": "string"}},
                    "x-kubernetes-preserve-unknown-fields": True,
                },
                "tags": {"type": "object", "additionalProperties": {"type": "string"}},
                # A property named like a keyword must stay a property.
                "properties": {"type": "string"},
            },
        },
    },
}


def _write(path: Path, *docs: object) -> Path:
    path.write_text(yaml.safe_dump_all(docs), encoding="utf-8")
    return path


def _widget(spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": spec}


def test_strict_rewrite(tmp_path: Path) -> None:
    crd_file = _write(tmp_path / "widget.yaml", _crd(WIDGET_SCHEMA))
    validator = CrdValidator.from_locations([crd_file])
    good = _widget(
        {
            "port": "http",
            "mode": "FAST",
            "note": None,
            "free": {"anything": [1, 2]},
            "open": {"a": "x", "b": 1},
            "tags": {"k": "v"},
            "properties": "x",
        }
    )
    assert validator.validate(good) == []
    assert validator.validate(_widget({"port": 8080})) == []
    bad = _widget({"port": 1.5, "mode": "medium", "tags": {"k": 1}, "extra": 1, "properties": 1})
    assert _paths(validator.validate(bad)) == [
        "spec.extra",
        "spec.mode",
        "spec.port",
        "spec.properties",
        "spec.tags.k",
    ]
    null_mode = _widget({"mode": None})
    assert [(i.path, i.message) for i in validator.validate(null_mode)] == [
        ("spec.mode", "expected string, got null None")
    ]


def test_folder_multi_document_and_lists(tmp_path: Path) -> None:
    folder = tmp_path / "crds"
    (folder / "nested").mkdir(parents=True)
    _write(
        folder / "a.yaml",
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}},
        _crd(WIDGET_SCHEMA),
    )
    _write(
        folder / "nested" / "b.yml",
        {
            "apiVersion": "v1",
            "kind": "List",
            "items": [_crd(WIDGET_SCHEMA, kind="Gadget", versions=("v1", "v2"))],
        },
    )
    (folder / "README.md").write_text("not a CRD, not read\n", encoding="utf-8")
    unserved = _crd(WIDGET_SCHEMA, kind="Gizmo")
    unserved["spec"]["versions"][0]["served"] = False
    _write(folder / "c.yaml", unserved)
    validator = CrdValidator.from_locations([folder, folder / "a.yaml"])  # the same CRD twice is fine
    assert validator.kinds() == frozenset(
        {("example.com/v1", "Widget"), ("example.com/v1", "Gadget"), ("example.com/v2", "Gadget")}
    )


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        pytest.param(lambda p: p / "missing.yaml", "no such file or folder", id="missing"),
        pytest.param(lambda p: _text(p / "bad.yaml", "a: [1,\n"), "not valid YAML", id="not-yaml"),
        pytest.param(
            lambda p: _write(p / "cm.yaml", {"apiVersion": "v1", "kind": "ConfigMap"}),
            "no served CustomResourceDefinition version found",
            id="no-crd",
        ),
        pytest.param(lambda p: _folder(p / "empty"), "no served CustomResourceDefinition", id="empty-folder"),
        pytest.param(
            lambda p: _write(p / "old.yaml", {**_crd(WIDGET_SCHEMA), "apiVersion": "apiextensions.k8s.io/v1beta1"}),
            "only apiextensions.k8s.io/v1",
            id="v1beta1-crd",
        ),
        pytest.param(
            lambda p: _write(p / "broken.yaml", {**_crd(WIDGET_SCHEMA), "spec": {"group": "example.com"}}),
            "lacks spec.group, spec.names.kind or spec.versions",
            id="malformed",
        ),
        pytest.param(
            lambda p: _write(p / "re2.yaml", _crd({"type": "string", "pattern": "^\\pL+$"})),
            "is not a Python regular expression",
            id="re2-only-pattern",
        ),
        pytest.param(
            lambda p: _write(
                p / "twice.yaml",
                _crd(WIDGET_SCHEMA),
                _crd({"type": "object", "properties": {"x": {"type": "string"}}}),
            ),
            "already defined differently",
            id="conflict",
        ),
    ],
)
def test_load_errors(tmp_path: Path, setup: Callable[[Path], Path], message: str) -> None:
    location = setup(tmp_path)
    with pytest.raises(CrdLoadError, match=message):
        CrdValidator.from_locations([location])


def test_no_location() -> None:
    with pytest.raises(CrdLoadError, match="no CRD location given"):
        CrdValidator.from_locations([])


def _text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def test_import_does_not_load_jsonschema() -> None:
    code = "import sys, mlopsc.targets.kserve.crd; print('jsonschema' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
