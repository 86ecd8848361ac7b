"""The bad-input corpus: each case is a spec (a mutation of BASE, or raw bytes) and the one
diagnostic it must produce, with its exact code and position."""

from __future__ import annotations

from dataclasses import dataclass

BASE = """\
apiVersion: mlopsc/v1
kind: ModelDeployment
metadata:
  name: fraud-model
  owner: risk@example.com
model:
  type: classification
  framework: {name: xgboost, version: "1.7"}
  version: 1.0.0
  artifact:
    uri: s3://models/fraud/1.0.0/model.bst
    digest: sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
  signature:
    inputs: [{name: amount, type: double}]
    outputs: [{name: score, type: double}]
serving:
  mode: online
  env:
    TOKEN: {secret: api-token}
  resources: {cpu: 1, memory_gb: 2}
  scale: {rps: 100, latency_ms: 200}
monitoring:
  drift: {features: [amount]}
governance:
  level: staging
  risk: medium
platforms:
  kserve:
    namespace: fraud
    capture_destination: http://logger.monitoring
secrets:
  api-token:
    kserve: {secret_key_ref: {name: api, key: token}}
"""


@dataclass(frozen=True)
class Bad:
    id: str
    raw: bytes
    code: str
    line: int
    col: int
    message: str  # a fragment the message must contain
    env: tuple[str, ...] = ()


def mutate(old: str, new: str) -> bytes:
    assert old in BASE, old
    return BASE.replace(old, new, 1).encode()


BILLION_LAUGHS = b"a: &a [x, x, x, x, x, x, x, x, x, x]\n" + b"".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n".encode() for i in range(8)
)

ENV = "environments:\n  staging: {{}}\n  {}: {{}}\nsecrets:"


def with_labels(labels: str) -> bytes:
    return mutate("  owner: risk@example.com\n", f"  owner: risk@example.com\n  labels: {labels}\n")


def with_quality(metric: str) -> bytes:
    return mutate(
        "  drift: {features: [amount]}",
        f"  drift: {{features: [amount]}}\n  quality: {{metric: {metric}, baseline: 0.9}}",
    )


CASES: tuple[Bad, ...] = (
    Bad("empty-file", b"", "E009", 0, 0, "empty"),
    Bad("only-comments", b"# nothing here\n", "E009", 0, 0, "empty"),
    Bad("not-yaml", b"apiVersion: mlopsc/v1\nmodel: [unclosed\n", "E003", 2, 8, "the `[` opened here is never closed"),
    Bad("not-utf8", b"apiVersion: mlopsc/v1\nname: caf\xe9\n", "E002", 2, 10, "not UTF-8"),
    Bad("bom", b"\xef\xbb\xbf" + BASE.encode(), "E002", 1, 1, "byte order mark"),
    Bad("binary", b"\x7fELF\x02\x01\x01\x00\x00\x00", "E002", 0, 0, "binary"),
    Bad("tab-indent", mutate("  owner: risk", "\towner: risk"), "E003", 5, 1, "not valid YAML"),
    Bad(
        "duplicate-key",
        mutate("  owner: risk@example.com\n", "  owner: risk@example.com\n  owner: x@y.io\n"),
        "E004",
        6,
        3,
        "duplicate key `owner`",
    ),
    Bad("list-root", b"- a\n- b\n", "E005", 1, 1, "is a list"),
    Bad("scalar-root", b"just a string\n", "E005", 1, 1, "single value"),
    Bad("several-documents", BASE.encode() + b"---\n" + BASE.encode(), "E006", 34, 1, "several YAML documents"),
    Bad(
        "python-tag",
        mutate("  team_placeholder", "")
        if False
        else mutate("  level: staging", "  level: !!python/object/apply:os.system [echo hi]"),
        "E007",
        25,
        10,
        "tag",
    ),
    Bad("billion-laughs", BILLION_LAUGHS, "E008", 1, 32, "expands to more than"),
    Bad("deep-nesting", b"a: " + b"[" * 100 + b"]" * 100 + b"\n", "E008", 1, 68, "nests deeper"),
    Bad("unknown-top-level", mutate("model:\n", "modle: {}\nmodel:\n"), "E101", 6, 1, "unknown field `modle`"),
    Bad(
        "unknown-nested", mutate("  scale: {rps", "  scael: {}\n  scale: {rps"), "E101", 21, 3, "unknown field `scael`"
    ),
    Bad("missing-owner", mutate("  owner: risk@example.com\n", ""), "E102", 3, 1, "missing required field `owner`"),
    Bad("wrong-type-rps", mutate("rps: 100", "rps: fast"), "E103", 21, 16, "must be a number"),
    Bad("quoted-number", mutate("cpu: 1,", 'cpu: "1",'), "E103", 20, 20, "must be a number"),
    Bad("bad-enum", mutate("type: classification", "type: classifier"), "E104", 7, 9, "is not one of"),
    Bad("bad-name", mutate("name: fraud-model", "name: Fraud_Model"), "E105", 4, 9, "3-40 characters"),
    Bad("bad-digest", mutate("digest: sha256:aaaa", "digest: md5:aaaa"), "E105", 12, 13, "sha256"),
    Bad("bad-semver", mutate("  version: 1.0.0", "  version: one"), "E105", 9, 12, "semantic version"),
    Bad(
        "bad-cron",
        mutate(
            "  drift: {features: [amount]}",
            "  drift: {features: [amount]}\nretraining:\n  schedule: '61 * * * *'\n"
            "  pipeline: {image: 'r.io/t@sha256:" + "b" * 64 + "', command: [t]}",
        ),
        "E105",
        25,
        13,
        "not a valid cron",
    ),
    Bad(
        "percent-range",
        mutate("monitoring:\n", "rollout: {traffic: 150}\nmonitoring:\n"),
        "E106",
        22,
        20,
        "out of range",
    ),
    Bad(
        "secret-ref-bad-name",
        mutate("{secret: api-token}", "{secret: ../x}"),
        "E105",
        19,
        21,
        "`../x` is not lowercase letters",
    ),
    Bad(
        "secret-unknown",
        mutate("{secret: api-token}", "{secret: api-tokn}"),
        "E107",
        19,
        21,
        "refers to secret `api-tokn`",
    ),
    Bad(
        "scale-empty", mutate("  scale: {rps: 100, latency_ms: 200}", "  scale: {}"), "E108", 21, 10, "at least one of"
    ),
    Bad("batch-without-batch", mutate("  mode: online", "  mode: batch"), "E109", 17, 9, "needs `serving.batch`"),
    Bad(
        "drift-feature",
        mutate("features: [amount]", "features: [amount, colour]"),
        "E110",
        23,
        30,
        "`colour` is not an input",
    ),
    Bad("unknown-env", BASE.encode(), "E111", 1, 1, "`production` is not defined", env=("production",)),
    Bad(
        "no-platforms",
        mutate(
            "platforms:\n  kserve:\n    namespace: fraud\n    capture_destination: http://logger.monitoring\n",
            "platforms: {}\n",
        ),
        "E113",
        27,
        12,
        "no platform",
    ),
    Bad(
        "env-override-type",
        mutate("secrets:", "environments:\n  staging: {serving: {scale: {rps: lots}}}\nsecrets:"),
        "E103",
        32,
        36,
        "must be a number",
    ),
    Bad(
        "env-bad-name",
        mutate("secrets:", "environments:\n  Prod: {}\nsecrets:"),
        "E105",
        32,
        3,
        "not a valid folder name",
    ),
    Bad("edge-mode", mutate("  mode: online", "  mode: edge"), "R000", 17, 9, "not served"),
    Bad("latency-too-tight", mutate("latency_ms: 200", "latency_ms: 30"), "R003", 21, 33, "below 50 ms"),
    Bad("production-incomplete", mutate("level: staging", "level: production"), "PRD009", 6, 1, "provenance"),
    Bad(
        "shadow-on-kserve",
        mutate(
            "monitoring:\n",
            "rollout:\n  strategy: shadow\n  previous: {version: 0.9.0, "
            "artifact: {uri: 's3://m/0.9.0'}}\nmonitoring:\n",
        ),
        "KSV005",
        23,
        13,
        "cannot mirror",
    ),
    Bad("custom-without-image", mutate("name: xgboost", "name: custom"), "KSV001", 8, 21, "no serving runtime"),
    Bad(
        "kserve-no-runtime-for-version",
        mutate('version: "1.7"}', 'version: "3.0"}'),
        "KSV001",
        8,
        39,
        "versions served: 1, 2",
    ),
    Bad(
        "kserve-artifact-layout",
        mutate("fraud/1.0.0/model.bst", "fraud/1.0.0/model.txt"),
        "KSV011",
        11,
        10,
        "loads a model file (model.bst, model.json), not `model.txt`",
    ),
    Bad(
        "capture-not-http",
        mutate("    capture_destination: http://logger.monitoring", "    capture_destination: s3://bucket/capture"),
        "KSV003",
        30,
        26,
        "HTTP URL",
    ),
    Bad(
        "steps-decrease",
        mutate("monitoring:\n", "rollout: {steps: [50, 10, 100]}\nmonitoring:\n"),
        "E106",
        22,
        23,
        "must increase",
    ),
    Bad(
        "replicas-inverted",
        mutate("  scale: {rps", "  replicas: {min: 5, max: 2}\n  scale: {rps"),
        "E106",
        21,
        19,
        "above replicas.max",
    ),
    # --- hostile input (issue 8): escapes from --out, control characters, look-alikes, injection -------
    Bad("name-dotdot", mutate("name: fraud-model", "name: ../../etc"), "E105", 4, 9, "`../../etc` is not 3-40"),
    Bad("name-absolute", mutate("name: fraud-model", "name: /etc/cron.d/x"), "E105", 4, 9, "`/etc/cron.d/x`"),
    Bad("name-escape-char", mutate("name: fraud-model", 'name: "fraud\\emodel"'), "E105", 4, 9, "is not 3-40"),
    Bad("name-trailing-newline", mutate("name: fraud-model", 'name: "fraud-model\\n"'), "E105", 4, 9, "is not 3-40"),
    Bad("name-raw-control-char", mutate("name: fraud-model", "name: fraud\x07model"), "E003", 4, 14, "U+0007"),
    Bad("name-lookalike", mutate("name: fraud-model", "name: fr\u0430ud-model"), "E105", 4, 9, "is not 3-40"),
    Bad("env-name-dotdot", mutate("secrets:", ENV.format("..")), "E105", 33, 3, "`..` is not a valid folder"),
    Bad("env-name-absolute", mutate("secrets:", ENV.format("/etc")), "E105", 33, 3, "`/etc` is not a valid"),
    Bad("env-name-newline", mutate("secrets:", ENV.format('"prod\\n"')), "E105", 33, 3, "not a valid folder"),
    Bad("env-name-lookalike", mutate("secrets:", ENV.format("\u0455taging")), "E105", 33, 3, "not a valid folder"),
    Bad("env-name-empty", mutate("secrets:", ENV.format('""')), "E105", 33, 3, "not a valid folder"),
    Bad("label-cfn-intrinsic", with_labels("{team: '{\"Fn::GetAtt\": [a, b]}'}"), "E105", 6, 18, "label value"),
    Bad("label-cfn-sub", with_labels("{team: '${AWS::AccountId}'}"), "E105", 6, 18, "label value"),
    Bad("label-key-injection", with_labels("{'a\"}: x': v}"), "E105", 6, 12, "label key"),
    Bad(
        "env-var-name-shell",
        mutate("{secret: api-token}", "{secret: api-token}\n    'A=B; rm -rf /': x"),
        "E105",
        20,
        5,
        "environment variable name",
    ),
    Bad("quality-metric-promql", with_quality("'f1\"} or vector(1) #'"), "E105", 24, 21, "metric name"),
    Bad("quality-metric-template", with_quality("'{{ $value }}'"), "E105", 24, 21, "metric name"),
    Bad(
        "drift-feature-promql",
        mutate(
            "  signature:\n    inputs: [{name: amount, type: double}]\n    outputs: [{name: score, type: double}]\n", ""
        ).replace(b"features: [amount]", b"features: ['a\"} or vector(1) #']"),
        "E105",
        20,
        22,
        "feature name",
    ),
    Bad("namespace-traversal", mutate("namespace: fraud", "namespace: ../kube-system"), "E105", 29, 16, "Kubernetes"),
    Bad("label-value-dash-edges", with_labels("{team: -x-}"), "E105", 6, 18, "starting and ending"),
    # found by the fuzzer: AWS tags (CloudWatch alarms) refuse empty values, so labels may not be empty
    Bad("label-value-empty", with_labels("{team: ''}"), "E105", 6, 18, "label value"),
    # a tab where YAML wants spaces: said in words, with the fix
    Bad("yaml-tab-indent", mutate("  owner: risk", "\towner: risk"), "E003", 5, 1, "a tab character; YAML indents"),
    # an unclosed `[` / `{` / quote: reported at its opener (the parser gives up on a later line)
    Bad("yaml-unclosed-bracket", with_labels("[a, b"), "E003", 6, 11, "the `[` opened here is never closed"),
    Bad("yaml-unclosed-brace", with_labels("{team: a"), "E003", 6, 11, "the `{` opened here is never closed"),
    # found by the fuzzer: Kubernetes label names end with a letter or digit (`a_` rendered an invalid label)
    Bad("label-key-trailing-underscore", with_labels("{a_: x}"), "E105", 6, 12, "ending with a letter or digit"),
    Bad("label-key-trailing-dash", with_labels("{cost-: x}"), "E105", 6, 12, "ending with a letter or digit"),
    Bad("over-size-limit", b"a: b\n" * 200_001, "E010", 0, 0, "a spec may be at most 1,000,000"),
)
