"""Base specs for the hostile cases: each case swaps one value or adds one field."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

VERTEX_BATCH = """\
apiVersion: mlopsc/v1
kind: ModelDeployment
metadata:
  name: churn-batch
  owner: crm-ml@example.com
  team: crm
model:
  type: classification
  framework: {name: sklearn, version: "1.5"}
  version: 2.0.0
  artifact:
    uri: gs://acme-models/churn/2.0.0/
serving:
  mode: batch
  resources: {cpu: 4, memory_gb: 16}
  scale: {data_volume_gb: 40}
  replicas: {min: 2, max: 6}
  batch:
    schedule: "0 2 * * *"
    input_uri: gs://acme-data/churn/to-score/customers.csv
    output_uri: bq://acme-crm.churn_scores
governance:
  level: staging
  risk: low
platforms:
  vertex:
    project: acme-crm
    region: us-central1
    service_account: churn-batch@acme-crm.iam.gserviceaccount.com
"""

AZURE_BATCH = """\
apiVersion: mlopsc/v1
kind: ModelDeployment
metadata:
  name: churn-scorer
  owner: crm-ml@example.com
model:
  type: classification
  framework: {name: sklearn, version: "1.5"}
  version: 2.0.0
  artifact:
    uri: azureml://datastores/models/paths/churn/2.0.0/
serving:
  mode: batch
  resources: {cpu: 4, memory_gb: 16}
  scale: {data_volume_gb: 40}
  batch:
    schedule: "0 2 * * *"
    input_uri: azureml://datastores/crm/paths/churn/to-score/
    output_uri: azureml://datastores/crm/paths/churn/scored/
governance:
  level: staging
  risk: low
platforms:
  azureml:
    workspace: crm-ml
    resource_group: rg-crm
    region: westus2
    batch_compute: cpu-cluster
"""

# Everything at once: online canary with a previous version, monitoring, retraining, secrets,
# on all four platforms (staging, no approvals needed).
FULL = """\
apiVersion: mlopsc/v1
kind: ModelDeployment
metadata:
  name: fraud-detection
  owner: risk-ml@example.com
  team: risk
model:
  type: classification
  framework: {name: xgboost, version: "1.7"}
  version: 2.1.0
  artifact:
    uri: s3://acme-models/fraud-detection/2.1.0/model.tar.gz
    mirrors:
      vertex: gs://acme-models/fraud-detection/2.1.0/
      azureml: azureml://datastores/models/paths/fraud-detection/2.1.0/
  signature:
    inputs:
      - {name: amount, type: double}
      - {name: merchant_category, type: string}
    outputs:
      - {name: fraud_probability, type: double}
serving:
  mode: online
  env:
    LOG_LEVEL: info
    FEATURE_STORE_TOKEN: {secret: feature-store-token}
  resources: {cpu: 2, memory_gb: 4}
  scale: {rps: 50, latency_ms: 150}
rollout:
  strategy: canary
  steps: [5, 25, 50, 100]
  traffic: 5
  previous:
    version: 2.0.0
    artifact:
      uri: s3://acme-models/fraud-detection/2.0.0/model.tar.gz
      mirrors:
        vertex: gs://acme-models/fraud-detection/2.0.0/
        azureml: azureml://datastores/models/paths/fraud-detection/2.0.0/
monitoring:
  slo: {p95_latency_ms: 150, error_rate: 0.01}
  drift:
    features: [amount, merchant_category]
  capture: {destination: s3://acme-capture/fraud-detection/, sample_percent: 20}
retraining:
  schedule: "0 2 * * 0"
  triggers: [drift]
  pipeline:
    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud-train:1.0
    command: [python, -m, fraud.train]
    mirrors:
      vertex: us-central1-docker.pkg.dev/acme-ml/training/fraud-train:1.0
      azureml: acmeml.azurecr.io/fraud-train:1.0
governance:
  level: staging
  risk: medium
platforms:
  kserve:
    namespace: fraud
    capture_destination: http://payload-logger.monitoring.svc.cluster.local
  sagemaker:
    region: us-east-1
    execution_role_arn: arn:aws:iam::123456789012:role/fraud-sagemaker
  vertex:
    project: acme-ml
    region: us-central1
    service_account: fraud@acme-ml.iam.gserviceaccount.com
    capture_destination: bq://acme-ml.monitoring.fraud_detection
  azureml:
    workspace: acme-ml
    resource_group: ml-prod
    region: eastus
    capture_destination: azureml://datastores/workspaceblobstore/paths/fraud-detection-capture/
secrets:
  feature-store-token:
    kserve: {secret_key_ref: {name: feature-store, key: token}}
    sagemaker: arn:aws:secretsmanager:us-east-1:123456789012:secret:fraud/feature-store-token
    vertex: projects/acme-ml/secrets/feature-store-token/versions/3
    azureml: https://acme-kv.vault.azure.net/secrets/feature-store-token
"""


def with_value(base: str, edit: Callable[[dict[str, Any]], None]) -> str:
    """The base spec with one edit, as JSON (a YAML document): the edit's value is exact, whatever its bytes."""
    import yaml

    doc = yaml.safe_load(base)
    edit(doc)
    return json.dumps(doc)


def setter(*path: str | int, value: object) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        node: Any = doc
        for key in path[:-1]:
            node = node.setdefault(key, {}) if isinstance(key, str) else node[key]
        node[path[-1]] = value

    return edit


PLATFORM_BLOCKS = {
    "vertex": "  vertex: {project: acme-ml, region: us-central1}\n",
    "azureml": "  azureml: {workspace: acme-ml, resource_group: ml-prod, region: eastus}\n",
    "sagemaker": "  sagemaker: {region: us-east-1, execution_role_arn: 'arn:aws:iam::123456789012:role/ml'}\n",
    "kserve": "  kserve: {namespace: ml}\n",
}


def online(name: str, environments: tuple[str, ...], platform: str) -> str:
    """A small online spec for one platform with the given environments."""
    envs = "".join(f"  {env}: {{}}\n" for env in environments)
    return f"""\
apiVersion: mlopsc/v1
kind: ModelDeployment
metadata:
  name: {name}
  owner: ml@example.com
model:
  type: classification
  framework: {{name: sklearn, version: "{"1.2-1" if platform == "sagemaker" else "1.5"}"}}
  version: 1.0.0
  artifact:
    uri: {"gs" if platform == "vertex" else "azureml" if platform == "azureml" else "s3"}://acme/{name}/1.0.0/{
        "model.tar.gz" if platform == "sagemaker" else ""
    }
serving:
  mode: online
  resources: {{cpu: 1, memory_gb: 2}}
  scale: {{rps: 10}}
governance:
  level: staging
  risk: low
platforms:
{PLATFORM_BLOCKS[platform]}environments:
{envs}"""
