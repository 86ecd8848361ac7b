"""A behaviour model of the metrics a KServe deployment's alerts and dashboards read.

An alert fires only if the series it names exist. `metrics.CATALOG` (targets/kserve/metrics.py) lists per
deployment mode the series some component exports, each with its producer and the vendor source it comes
from; this model reads every PromQL expression of a rendered PrometheusRule or dashboard, and reports each metric,
label matcher or grouping label that no producer of the mode sets, and selectors that do not watch the
InferenceService they belong to:
- serverless: Knative's queue-proxy is the Knative Service `<isvc>-predictor` (KServe creates the ksvc under
  `constants.PredictorServiceName`), so `target_info{kn_configuration_name}` must be `<isvc>-predictor` and
  `k8s_namespace_name` its namespace;
- raw: the predictor Deployment is `<isvc>-predictor` (same function), so the `pod` matcher must match that
  Deployment's pods (`<isvc>-predictor-<replicaset>-<pod>`) and no other InferenceService's, and `namespace` its
  namespace.

The PromQL reader is small and strict: a token it does not know fails the test rather than being skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mlopsc.compiler.spec.vocabulary import DeploymentMode
from mlopsc.targets.kserve.metrics import CATALOG, Metric

FUNCTIONS = {
    "rate",
    "irate",
    "increase",
    "histogram_quantile",
    "clamp_min",
    "clamp_max",
    "abs",
    "vector",
    "scalar",
    "absent",
}
AGGREGATIONS = {"sum", "max", "min", "avg", "count", "topk", "bottomk", "quantile"}
GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}
KEYWORDS = {"and", "or", "unless", "bool", "offset"}

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<duration>\[[0-9]+[smhdw]\])
  | (?P<number>[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)
  | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
  | (?P<op>=~|!~|!=|==|>=|<=|[-+*/^%<>=])
  | (?P<punct>[(){},])
  )""",
    re.VERBOSE,
)


@dataclass
class Selector:
    metric: str
    matchers: dict[str, tuple[str, str]] = field(default_factory=dict)  # label -> (op, value)


@dataclass
class Parsed:
    selectors: list[Selector]
    grouping: list[tuple[str, list[str]]]  # (by/on/..., labels)
    functions: list[str]


def tokens(expr: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    expr = expr.rstrip()
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            raise ValueError(f"PromQL reader: unknown token at {pos}: {expr[pos : pos + 20]!r}")
        kind = m.lastgroup
        assert kind is not None
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def _unquote(literal: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r"}.get(m.group(1), m.group(1)), literal[1:-1])


def parse(expr: str) -> Parsed:
    toks = tokens(expr)
    result = Parsed([], [], [])
    i = 0
    while i < len(toks):
        kind, text = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else ("", "")
        if kind == "ident" and text in GROUPING:
            if nxt != ("punct", "("):
                raise ValueError(f"`{text}` without a label list in {expr}")
            j = i + 2
            labels: list[str] = []
            while toks[j] != ("punct", ")"):
                if toks[j][0] == "ident":
                    labels.append(toks[j][1])
                j += 1
            result.grouping.append((text, labels))
            i = j + 1
            continue
        if kind == "ident" and (text in FUNCTIONS or text in AGGREGATIONS):
            result.functions.append(text)
            i += 1
            continue
        if kind == "ident" and text in KEYWORDS:
            i += 1
            continue
        if kind == "ident":
            if nxt == ("punct", "("):
                raise ValueError(f"unknown function `{text}` in {expr}")
            selector = Selector(text)
            i += 1
            if i < len(toks) and toks[i] == ("punct", "{"):
                i += 1
                while toks[i] != ("punct", "}"):
                    if toks[i] == ("punct", ","):
                        i += 1
                        continue
                    label, op, value = toks[i], toks[i + 1], toks[i + 2]
                    assert label[0] == "ident" and op[0] == "op" and value[0] == "string", (label, op, value)
                    selector.matchers[label[1]] = (op[1], _unquote(value[1]))
                    i += 3
                i += 1
            result.selectors.append(selector)
            continue
        i += 1
    return result


def catalog(mode: DeploymentMode) -> dict[str, Metric]:
    return {m.name: m for m in CATALOG[mode]}


def check_expression(expr: str, mode: DeploymentMode, isvc: str, namespace: str) -> list[str]:
    """What in this expression no producer of the mode exports, or does not select this InferenceService."""
    known = catalog(mode)
    parsed = parse(expr)
    problems: list[str] = []
    if not parsed.selectors:
        problems.append(f"no metric in {expr}")
    used: list[Metric] = []
    for sel in parsed.selectors:
        metric = known.get(sel.metric)
        if metric is None:
            problems.append(f"`{sel.metric}` has no producer in {mode.value} mode")
            continue
        used.append(metric)
        for label in sel.matchers:
            if label not in metric.labels:
                problems.append(f"`{sel.metric}` has no label `{label}` (its producer sets {metric.labels})")
    for how, labels in parsed.grouping:
        for label in labels:
            owners = [m for m in used if label in m.labels]
            if how in ("on", "ignoring") and len(owners) != len(used):
                problems.append(f"`{how} ({label})`: not a label of every metric joined")
            elif not owners:
                problems.append(f"`{how} ({label})`: no metric of the expression has it")
    buckets = any(m.name.endswith("_bucket") for m in used) and ("by", ["le"]) in parsed.grouping
    if "histogram_quantile" in parsed.functions and not buckets:
        problems.append("histogram_quantile over something that is not a histogram's buckets by `le`")
    problems += _watches(parsed, mode, isvc, namespace)
    return problems


def _watches(parsed: Parsed, mode: DeploymentMode, isvc: str, namespace: str) -> list[str]:
    problems: list[str] = []
    if mode is DeploymentMode.SERVERLESS:
        infos = [s for s in parsed.selectors if s.metric == "target_info"]
        if not infos:
            problems.append("queue-proxy series not joined with target_info: they carry no revision identity")
        for s in infos:
            if s.matchers.get("k8s_namespace_name") != ("=", namespace):
                problems.append(f"target_info not selected on namespace {namespace}: {s.matchers}")
            if s.matchers.get("kn_configuration_name") != ("=", f"{isvc}-predictor"):
                problems.append(f"target_info not selected on configuration {isvc}-predictor: {s.matchers}")
        return problems
    for s in parsed.selectors:
        if s.matchers.get("namespace") != ("=", namespace):
            problems.append(f"`{s.metric}` not selected on namespace {namespace}")
        op, pattern = s.matchers.get("pod", ("", ""))
        regex = re.compile(f"^(?:{pattern})$") if op == "=~" else None
        if regex is None or not regex.match(f"{isvc}-predictor-7d9f8b6c5d-x2k4q"):
            problems.append(f"`{s.metric}` does not select the pods of Deployment {isvc}-predictor")
        elif regex.match(f"{isvc}x-predictor-7d9f8b6c5d-x2k4q") or regex.match(f"{isvc}-transformer-7d9f8b6c5d-x2k4q"):
            problems.append(f"`{s.metric}` also selects pods of other workloads")
    return problems
