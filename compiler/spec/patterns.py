"""Every text pattern of spec v1, and the words that explain a mismatch.

The patterns are JSON Schema `pattern`s (Rust regex semantics in pydantic: `$` is the end of the
text), used by the pydantic model (`model.py`) and by the generated fast checker (`fast.py`).
This module imports nothing heavy: policies and the fast path read it without pydantic.
"""

from __future__ import annotations

import re

NAME = r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$"
DIGEST = r"^sha256:[0-9a-f]{64}$"
SEMVER = r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"
# Kubernetes label names end with a letter or digit (apimachinery validation.IsQualifiedName:
# `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`); Google Cloud label keys start with a lowercase letter.
LABEL_KEY = r"^[a-z]([a-z0-9_-]{0,61}[a-z0-9])?$"
LABEL_VALUE = r"^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$"  # not empty: AWS tags need a value
ENV_VAR = r"^[A-Za-z_][A-Za-z0-9_]*$"
URI = r"^[a-z][a-z0-9+.-]*://\S+$"
IMAGE = (
    r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\.[a-z0-9-]+)*(?::[0-9]+)?"  # registry host[:port]
    r"(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*"  # /repository/path
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$"  # :tag and/or @digest
)
GIT_SHA = r"^[0-9a-f]{7,40}$"
SECRET_NAME = r"^[a-z][a-z0-9-]{0,62}$"
K8S_NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
FEATURE = r"^[A-Za-z_][A-Za-z0-9_.-]*$"
METRIC = r"^[A-Za-z][A-Za-z0-9_.@-]{0,62}$"  # lands in PromQL, alert texts and platform metric names
API_VERSION = r"^mlopsc/v1$"
KIND = r"^ModelDeployment$"
ENVIRONMENT = r"^[a-z][a-z0-9-]{0,30}$"
AWS_REGION = r"^[a-z]{2}(-gov)?-[a-z]+-\d$"
IAM_ROLE_ARN = r"^arn:aws[a-z-]*:iam::\d{12}:role/\S+$"
GCP_PROJECT = r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$"
GCP_REGION = r"^[a-z]+-[a-z]+\d$"
# A Google service account's e-mail: <name>@<project>.iam.gserviceaccount.com (also a domain-scoped
# project's `<project>.<domain>.iam`, the Compute Engine default `<number>-compute@developer` and the App
# Engine default `<project>@appspot`). It reaches the Cloud Scheduler job of Vertex batch, so only these
# characters: https://cloud.google.com/iam/docs/service-account-overview#identifying
GCP_SERVICE_ACCOUNT = (
    r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*"
    r"(?:iam|developer|appspot)\.gserviceaccount\.com$"
)
AWS_SECRET_ARN = r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:\S+$"
GCP_SECRET = r"^projects/[^/\s]+/secrets/[^/\s]+(/versions/[^/\s]+)?$"
AZURE_SECRET_URL = r"^https://[a-z0-9-]{3,24}\.vault\.azure\.net/secrets/[A-Za-z0-9-]+(/[0-9a-f]{32})?$"
SECURITY_GROUP = r"^sg-[0-9a-f]+$"
SUBNET = r"^subnet-[0-9a-f]+$"
SECRET_KEY = r"^[-._a-zA-Z0-9]+$"
AZURE_WORKSPACE = r"^[A-Za-z0-9][A-Za-z0-9_-]{1,32}$"
AZURE_RESOURCE_GROUP = r"^[-\w._()]{1,90}$"
AZURE_REGION = r"^[a-z0-9]+$"
AZURE_COMPUTE = r"^[A-Za-z][A-Za-z0-9-]{1,31}$"

PATTERN_HELP: dict[str, str] = {
    NAME: "3-40 characters: lowercase letters, digits and '-', starting with a letter, not ending with '-'",
    DIGEST: "`sha256:` followed by 64 lowercase hex digits",
    SEMVER: "a semantic version such as 2.1.0",
    EMAIL: "an email address",
    LABEL_KEY: (
        "a label key valid on every platform: lowercase letters, digits, '_' and '-', "
        "starting with a letter and ending with a letter or digit, at most 63"
    ),
    LABEL_VALUE: (
        "a label value valid on every platform: 1-63 lowercase letters, digits, '_' and '-', "
        "starting and ending with a letter or digit"
    ),
    ENV_VAR: "an environment variable name: letters, digits and '_', not starting with a digit",
    URI: "a URI with a scheme, such as s3://bucket/key or gs://bucket/path",
    IMAGE: "a container image reference such as registry/repo:tag or registry/repo@sha256:<64 hex>",
    GIT_SHA: "a git commit hash (7 to 40 lowercase hex digits)",
    SECRET_NAME: "lowercase letters, digits and '-', starting with a letter",
    K8S_NAME: "a Kubernetes name: lowercase letters, digits and '-'",
    FEATURE: "a feature name: letters, digits, '_', '.' and '-', not starting with a digit",
    METRIC: "a metric name such as f1, roc_auc or ndcg@10: letters, digits, '_', '.', '@' and '-', at most 63",
    API_VERSION: "`mlopsc/v1`",
    KIND: "`ModelDeployment`",
    ENVIRONMENT: "an environment name",
    AWS_REGION: "an AWS region such as us-east-1",
    IAM_ROLE_ARN: "an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
    GCP_PROJECT: "a Google Cloud project id",
    GCP_REGION: "a Google Cloud region such as us-central1",
    GCP_SERVICE_ACCOUNT: (
        "a Google service account e-mail such as name@project-id.iam.gserviceaccount.com "
        "(lowercase letters, digits, '-' and '.')"
    ),
    AWS_SECRET_ARN: "a Secrets Manager secret ARN",
    GCP_SECRET: "a Secret Manager resource name, projects/<project>/secrets/<name>[/versions/<n>]",
    AZURE_SECRET_URL: "a Key Vault secret URL, https://<vault>.vault.azure.net/secrets/<name>",
    SECURITY_GROUP: "a security group id (sg-...)",
    SUBNET: "a subnet id (subnet-...)",
}

# Hints for the patterns of values that reach a generated script: what to write instead.
PATTERN_HINTS: dict[str, str] = {
    GCP_SERVICE_ACCOUNT: (
        "write the account's e-mail as `gcloud iam service-accounts list` prints it, "
        "e.g. batch@my-project.iam.gserviceaccount.com"
    ),
}
CRON_HINT = 'write one line of five fields separated by spaces, e.g. "0 2 * * *" (02:00 UTC every day)'

ENVIRONMENT_NAME = re.compile(ENVIRONMENT.removesuffix("$") + r"\Z")  # `$` would accept a trailing newline
