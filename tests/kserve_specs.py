"""Generated KServe specs for the behaviour-model matrices: framework x protocol x deployment mode x serving
mode, each compiled the way the CLI compiles it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from mlopsc.compiler.diagnostics import Diagnostic
from mlopsc.compiler.ir import Emitted, Options, RenderedFile, Stack
from mlopsc.compiler.passes import run
from tests.fixed_clock import TODAY

# A framework version, and an artifact each runtime loads (file or model folder).
FRAMEWORKS: dict[str, tuple[str, str]] = {
    "sklearn": ("1.5", "s3://acme-models/m/1.0.0/model.joblib"),
    "xgboost": ("2.1", "s3://acme-models/m/1.0.0/model.bst"),
    "lightgbm": ("4.5", "s3://acme-models/m/1.0.0/model.bst"),
    "tensorflow": ("2.15", "s3://acme-models/m/1.0.0/saved_model/"),
    "pytorch": ("1.13", "s3://acme-models/m/1.0.0/torchserve/"),
    "onnx": ("1.16", "s3://acme-models/m/1.0.0/repository/"),
    "huggingface": ("4.44", "s3://acme-models/m/1.0.0/hf-model/"),
    "custom": ("1.0", "s3://acme-models/m/1.0.0/model.bin"),
}
PROTOCOLS = ("rest", "grpc")
MODES = ("serverless", "raw")
SERVING = ("online", "hybrid")


@dataclass(frozen=True)
class Combo:
    framework: str
    protocol: str
    mode: str
    serving: str = "online"
    monitoring: bool = True

    @property
    def id(self) -> str:
        return f"{self.framework}-{self.protocol}-{self.mode}-{self.serving}"


def combos() -> list[Combo]:
    return [Combo(*c) for c in itertools.product(FRAMEWORKS, PROTOCOLS, MODES, SERVING)]


def spec_text(combo: Combo, namespace: str = "ml", extra: str = "") -> str:
    version, uri = FRAMEWORKS[combo.framework]
    image = "  image: registry.example.com/acme/server:1.0\n" if combo.framework == "custom" else ""
    batch = (
        "  batch:\n"
        '    schedule: "0 3 * * *"\n'
        "    input_uri: s3://acme-data/in/\n"
        "    output_uri: s3://acme-data/out/\n"
        "    image: registry.example.com/acme/batch:1.0\n"
        if combo.serving == "hybrid"
        else ""
    )
    monitoring = (
        "monitoring:\n"
        "  slo: {p95_latency_ms: 250, error_rate: 0.01}\n"
        "  drift: {method: psi, features: [age, income]}\n"
        "  quality: {metric: auc, baseline: 0.9}\n"
        if combo.monitoring
        else ""
    )
    return (
        "apiVersion: mlopsc/v1\n"
        "kind: ModelDeployment\n"
        "metadata: {name: scorer, owner: ds@example.com}\n"
        "model:\n"
        "  type: classification\n"
        f'  framework: {{name: {combo.framework}, version: "{version}"}}\n'
        "  version: 1.0.0\n"
        f"  artifact: {{uri: {uri}}}\n"
        "serving:\n"
        f"  mode: {combo.serving}\n"
        f"  protocol: {combo.protocol}\n"
        f"{image}"
        "  resources: {cpu: 1, memory_gb: 2}\n"
        "  scale: {rps: 20, latency_ms: 300}\n"
        f"{batch}"
        f"{monitoring}"
        "governance: {level: experimental, risk: low}\n"
        "rollout: {strategy: all-at-once}\n"
        "platforms:\n"
        "  kserve:\n"
        f"    namespace: {namespace}\n"
        f"    deployment_mode: {combo.mode}\n"
        f"{extra}"
    )


@dataclass(frozen=True)
class Compiled:
    diagnostics: list[Diagnostic]
    files: list[RenderedFile]
    stacks: list[Stack]

    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    def body(self, name: str, environment: str = "default") -> dict[str, object]:
        for f in self.files:
            if f.path.endswith(f"/kserve/{name}") and f.environment == environment:
                assert isinstance(f.body, dict)
                return f.body
        raise AssertionError(f"{name} not rendered for {environment}: {[f.path for f in self.files]}")


def compile_text(text: str, *environments: str) -> Compiled:
    ir = run("mlops.yaml", text.encode(), Options(targets=("kserve",), environments=environments, today=TODAY))
    if isinstance(ir, Emitted):
        return Compiled(list(ir.diagnostics), [f for f in ir.files if f.platform == "kserve"], list(ir.stacks))
    return Compiled(list(ir.diagnostics), [], [])
