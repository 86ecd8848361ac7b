"""The commented starter spec that `mlopsc init` writes (a test compiles it), and where it goes."""

from __future__ import annotations

import re
from pathlib import Path

DEFAULT_NAME = "my-model"

STARTER = """\
# mlops.yaml: one model, how it serves, rolls out, is watched and governed.
# Reference: docs/spec.md. Check it with `mlopsc validate mlops.yaml`; render with `mlopsc compile mlops.yaml`.
apiVersion: mlopsc/v1
kind: ModelDeployment
metadata:
  name: my-model                    # 3-40 chars: lowercase letters, digits, '-'
  owner: you@example.com            # who answers for it in production
  team: data-science
  labels: {cost-center: "0000"}     # copied to every platform's labels or tags

model:
  type: classification              # classification|regression|clustering|ranking|generative|time-series|...
  framework: {name: sklearn, version: "1.5"}
  version: 0.1.0
  artifact:
    uri: s3://my-bucket/my-model/0.1.0/model.joblib
    # digest: sha256:<64 hex>       # required in production: `sha256sum model.joblib`

serving:
  mode: online                      # online|batch|hybrid
  resources: {cpu: 1, memory_gb: 2}
  scale:
    rps: 50                         # peak requests per second
    latency_ms: 200                 # p95 target

governance:
  level: experimental               # experimental|staging|production
  risk: low                         # low -> blue-green, medium -> canary, high -> shadow

platforms:                          # render for each platform listed here
  kserve:
    namespace: my-team
  # sagemaker: {region: us-east-1, execution_role_arn: "arn:aws:iam::123456789012:role/my-role"}
  # vertex: {project: my-project, region: us-central1}
  # azureml: {workspace: my-workspace, resource_group: my-rg, region: eastus}

# environments:                     # deep-merged over the sections above; one rendered tree each
#   staging: {governance: {level: staging}}
#   production: {governance: {level: production}}
"""


def starter(name: str = DEFAULT_NAME) -> str:
    """The starter spec, its model named `name` (a valid spec name: see `init_target`)."""
    return STARTER.replace(f"  name: {DEFAULT_NAME}        ", f"  name: {name:<{len(DEFAULT_NAME)}}        ", 1)


def init_target(given: str, cwd: Path) -> tuple[Path, str]:
    """The file `mlopsc init PATH` writes and the model name it gives, like other scaffolding tools:
    PATH is a folder (PATH/mlops.yaml) when it ends with `/`, is a folder, or has no extension."""
    from mlopsc.compiler.spec.patterns import NAME

    path = Path(given)
    folder = given.endswith(("/", "\\")) or path.is_dir() or (not path.suffix and not path.exists())
    target = path / "mlops.yaml" if folder else path
    parent = target.parent if target.parent != Path() else cwd
    candidate = parent.resolve().name if (folder or target.parent != Path()) else ""
    return target, candidate if re.match(NAME, candidate) else DEFAULT_NAME
