"""The metrics KServe alerts and dashboards may read: each with the component that exports it, per deployment mode.

An alert on a metric nothing exports never fires, so the PrometheusRule and the dashboard only name metrics of
this catalog (tests/test_kserve_metrics.py parses every rendered expression and holds it to the catalog).

Serverless (KServe "Knative" mode; KServe v0.20.0 pins Knative Serving 1.21.1 in `kserve-deps.env`): the
queue-proxy in front of every revision records the OpenTelemetry histogram `kn.serving.invocation.duration`
(unit `s`, attribute `http.response.status_code`; knative/serving `pkg/queue/request_metric.go`,
`NewAppRequestMetricsHandler`, since 1.19). knative/pkg's Prometheus exporter names it with suffixes
(`otlptranslator.UnderscoreEscapingWithSuffixes`, `observability/metrics/prometheus_enabled.go`), so Prometheus
stores `kn_serving_invocation_duration_seconds_{bucket,count,sum}`. The revision's identity (namespace,
configuration `<isvc>-predictor`, revision) is an OpenTelemetry *resource* (`res` in
`pkg/queue/sharedmain/otel.go`: `k8s.namespace.name`, `kn.configuration.name`, ...), which the exporter
publishes on `target_info`, not on each series (no `WithResourceAsConstantLabels`); so the expressions select the
revision through `target_info` joined `on (job, instance)`, the labels Prometheus gives every scraped series.
Knative exports these only when `config-observability` sets `request-metrics-protocol` (`prometheus`, or
OTLP into Prometheus's OTLP receiver, which keeps the same names and `target_info`); the default is `none`.

Raw (KServe "Standard" mode): no Knative, no queue-proxy. The model server's own `/metrics` (the port and path of
the runtime's `prometheus.kserve.io/port`/`path` annotations in `config/runtimes/`) is the producer:
- the KServe Python servers (sklearnserver, xgbserver, lgbserver, huggingfaceserver) export the histogram
  `request_predict_seconds` with label `model_name` (= the InferenceService name, `--model_name={{.Name}}`)
  (`python/kserve/kserve/metrics.py`, timed in `Model.__call__`, `python/kserve/kserve/model.py`); they count no
  errors, so raw mode on these runtimes has a latency alert and no error-rate alert;
- Triton (kserve-tritonserver, port 8002) exports the counters `nv_inference_request_success`,
  `nv_inference_request_failure` and `nv_inference_request_duration_us` (cumulative microseconds) per
  `model`, `version` (triton-inference-server/server `docs/user_guide/metrics.md`): an error ratio and a
  mean latency, no quantiles;
- TensorFlow Serving exports nothing unless started with `--monitoring_config_file` (the runtime does not),
  TorchServe's and custom containers' metrics are not known to mlopsc: no SLO alert, and a warning says so.
Raw-mode series are selected by the scrape's `namespace` and `pod` target labels (set by the Prometheus
Operator's PodMonitor/ServiceMonitor and by the `kubernetes-pods` job of the prometheus-community `prometheus`
Helm chart) and the Deployment's pod name prefix `<isvc>-predictor-` (KServe names the raw Deployment
`constants.PredictorServiceName`).

gRPC: the queue-proxy records the HTTP status (`semconv.HTTPResponseStatusCode(status)` in `ServeHTTP`), and
a gRPC server answers its errors with HTTP 200 and a `grpc-status` trailer, so serverless gRPC has a latency
alert and no error-rate alert (KSV031). The model servers count gRPC requests like REST ones (the KServe Python
servers time `Model.__call__` for both; Triton counts per model whatever the protocol).

Drift and quality: KServe computes neither, and nothing in a KServe install exports a drift or quality series, so
no alert is rendered for `monitoring.drift` / `monitoring.quality` (warning KSV030).
"""

from __future__ import annotations

from dataclasses import dataclass

from mlopsc.compiler.spec.vocabulary import DeploymentMode

KNATIVE = "Knative queue-proxy"
KSERVE_PYTHON = "KServe Python model server"
TRITON = "Triton server"
# Labels Prometheus gives every series it scrapes (job, instance), and the Kubernetes target labels of a pod
# scrape (namespace, pod) as the Prometheus Operator and the prometheus Helm chart's kubernetes-pods job set them.
SCRAPE_LABELS = ("job", "instance")
POD_SCRAPE_LABELS = ("job", "instance", "namespace", "pod")


@dataclass(frozen=True)
class Metric:
    name: str  # as Prometheus stores the series
    kind: str  # histogram bucket / counter / info
    unit: str
    labels: tuple[str, ...]  # labels the producer sets, plus the scrape's
    producer: str
    source: str  # the vendor file or page it comes from


_OTEL_SCOPE = ("otel_scope_name", "otel_scope_version", "otel_scope_schema_url")
_KN_SOURCE = "knative/serving v1.21.1 pkg/queue/request_metric.go (NewAppRequestMetricsHandler)"
_TARGET_INFO_LABELS = (
    "k8s_namespace_name",
    "k8s_pod_name",
    "k8s_container_name",
    "kn_service_name",
    "kn_configuration_name",
    "kn_revision_name",
    "service_name",
    "service_version",
    "service_instance_id",
    "telemetry_sdk_language",
    "telemetry_sdk_name",
    "telemetry_sdk_version",
)

CATALOG: dict[DeploymentMode, tuple[Metric, ...]] = {
    DeploymentMode.SERVERLESS: (
        Metric(
            "kn_serving_invocation_duration_seconds_bucket",
            "histogram bucket",
            "s",
            ("http_response_status_code", "le", *_OTEL_SCOPE, *SCRAPE_LABELS),
            KNATIVE,
            _KN_SOURCE,
        ),
        Metric(
            "kn_serving_invocation_duration_seconds_count",
            "histogram count",
            "requests",
            ("http_response_status_code", *_OTEL_SCOPE, *SCRAPE_LABELS),
            KNATIVE,
            _KN_SOURCE,
        ),
        Metric(
            "target_info",
            "info",
            "",
            (*_TARGET_INFO_LABELS, *SCRAPE_LABELS),
            KNATIVE,
            "knative/serving v1.21.1 pkg/queue/sharedmain/otel.go (res); OpenTelemetry Prometheus exporter target_info",
        ),
    ),
    DeploymentMode.RAW: (
        Metric(
            "request_predict_seconds_bucket",
            "histogram bucket",
            "s",
            ("model_name", "le", *POD_SCRAPE_LABELS),
            KSERVE_PYTHON,
            "kserve/kserve v0.20.0 python/kserve/kserve/metrics.py (PREDICT_HIST_TIME)",
        ),
        Metric(
            "request_predict_seconds_count",
            "histogram count",
            "requests",
            ("model_name", *POD_SCRAPE_LABELS),
            KSERVE_PYTHON,
            "kserve/kserve v0.20.0 python/kserve/kserve/metrics.py (PREDICT_HIST_TIME)",
        ),
        Metric(
            "nv_inference_request_success",
            "counter",
            "requests",
            ("model", "version", *POD_SCRAPE_LABELS),
            TRITON,
            "triton-inference-server/server docs/user_guide/metrics.md (Inference Request Metrics)",
        ),
        Metric(
            "nv_inference_request_failure",
            "counter",
            "requests",
            ("model", "version", *POD_SCRAPE_LABELS),
            TRITON,
            "triton-inference-server/server docs/user_guide/metrics.md (Inference Request Metrics)",
        ),
        Metric(
            "nv_inference_request_duration_us",
            "counter",
            "µs",
            ("model", "version", *POD_SCRAPE_LABELS),
            TRITON,
            "triton-inference-server/server docs/user_guide/metrics.md (Latencies: Counters)",
        ),
    ),
}

# Which runtimes export which raw-mode metrics (ClusterServingRuntime name -> producer).
RAW_PRODUCERS: dict[str, str] = {
    "kserve-sklearnserver": KSERVE_PYTHON,
    "kserve-xgbserver": KSERVE_PYTHON,
    "kserve-lgbserver": KSERVE_PYTHON,
    "kserve-huggingfaceserver": KSERVE_PYTHON,
    "kserve-tritonserver": TRITON,
}


@dataclass(frozen=True)
class Signals:
    """What the alerts of one deployment can measure: each flag true only when a producer exports it."""

    producer: str | None
    latency: bool
    latency_is_mean: bool
    errors: bool


def signals(mode: DeploymentMode, runtime: str | None, grpc: bool = False) -> Signals:
    if mode is DeploymentMode.SERVERLESS:
        # The queue-proxy records the HTTP status code; gRPC reports its errors in the `grpc-status` trailer of an
        # HTTP 200 response, so for gRPC the histogram counts no errors.
        return Signals(KNATIVE, latency=True, latency_is_mean=False, errors=not grpc)
    producer = RAW_PRODUCERS.get(runtime or "")
    if producer == KSERVE_PYTHON:
        return Signals(producer, latency=True, latency_is_mean=False, errors=False)
    if producer == TRITON:
        return Signals(producer, latency=True, latency_is_mean=True, errors=True)
    return Signals(None, latency=False, latency_is_mean=False, errors=False)


def docs_section() -> str:
    """The metrics table of docs/targets/kserve.md."""
    lines = [
        "## Metrics the alerts read\n\n",
        "The PrometheusRule and dashboard name only these series (tests/test_kserve_metrics.py holds every "
        "rendered expression to this table). What the cluster must do for them to exist:\n\n"
        "- serverless: Knative's `config-observability` sets `request-metrics-protocol` (`prometheus`, scraped on "
        "the queue-proxy's port 9091, or OTLP into Prometheus's OTLP receiver); its default is `none`. The "
        "revision's namespace and configuration are on `target_info` (an OpenTelemetry resource), so the "
        "expressions join it `on (job, instance)`.\n"
        "- raw: Prometheus scrapes the predictor pods' `/metrics` on the port of the runtime's "
        "`prometheus.kserve.io/port` annotation, with the `namespace` and `pod` target labels (a PodMonitor, or "
        "the `kubernetes-pods` job of the prometheus-community `prometheus` Helm chart).\n"
        "- drift and quality: no component exports them; no alert is rendered (KSV030).\n\n",
        "| mode | metric | kind | unit | labels | producer | source |\n|---|---|---|---|---|---|---|\n",
    ]
    for mode, metrics in CATALOG.items():
        for m in metrics:
            labels = ", ".join(f"`{label}`" for label in m.labels)
            lines.append(
                f"| {mode.value} | `{m.name}` | {m.kind} | {m.unit} | {labels} | {m.producer} | {m.source} |\n"
            )
    lines.append(
        "\nRaw-mode runtimes and their producer (others: no SLO alert, warning KSV031; serverless gRPC: no "
        "error-rate alert, the queue-proxy sees HTTP 200 for gRPC errors):\n\n"
    )
    for runtime, producer in RAW_PRODUCERS.items():
        lines.append(f"- `{runtime}`: {producer}\n")
    return "".join(lines)
