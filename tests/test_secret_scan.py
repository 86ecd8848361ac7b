"""Tests of the secret scanner on generated tokens of every format and on look-alikes that must not fire.

Every token is generated here from random characters with the right shape: no real credential, and no
literal token in this file (GitHub push protection would block the push).
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import string
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mlopsc.policies.secret_scan import (
    DETECTORS,
    SecretHit,
    fingerprint,
    is_reference,
    is_secret_key,
    looks_random,
    scan_value,
    shannon_entropy,
)

UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
DIGITS = string.digits
ALNUM = UPPER + LOWER + DIGITS
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"
AWS_ID = UPPER + "234567"

REFERENCE_SPEC = Path(__file__).resolve().parents[1] / ".." / "shared" / "spec" / "mlops.reference.yaml"
FINGERPRINT = re.compile(r"sha256:[0-9a-f]{16}")


class Case(NamedTuple):
    name: str
    value: str
    key: str | None
    detector: str
    secret: str  # the text the fingerprint is computed over


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _pem(r: random.Random, kind: str, lines: int = 6) -> str:
    body = "\n".join("".join(r.choice(B64) for _ in range(64)) for _ in range(lines))
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----"


def _cases(r: random.Random) -> list[Case]:
    """One of each token shape, built from ``r``."""

    def g(alphabet: str, n: int) -> str:
        return "".join(r.choice(alphabet) for _ in range(n))

    cases: list[Case] = []

    def add(name: str, value: str, key: str | None, detector: str, secret: str | None = None) -> None:
        cases.append(Case(name, value, key, detector, value if secret is None else secret))

    aws_id = "AKIA" + g(AWS_ID, 16)
    add("aws-id", aws_id, None, "aws-access-key-id")
    sts_id = "ASIA" + g(AWS_ID, 16)
    add("aws-sts-id-in-text", f"export AWS_ACCESS_KEY_ID={sts_id}", "command", "aws-access-key-id", sts_id)
    aws_secret = g(B64, 40)
    add("aws-secret-by-key", aws_secret, "aws_secret_access_key", "aws-secret-access-key")
    add("aws-secret-camel-key", aws_secret, "SecretAccessKey", "aws-secret-access-key")
    add("aws-secret-inline", f"aws_secret_access_key = {aws_secret}", None, "aws-secret-access-key", aws_secret)
    add("aws-secret-cli", f"--aws-secret-access-key {aws_secret}", "args", "aws-secret-access-key", aws_secret)

    for kind in (
        "RSA PRIVATE KEY",
        "EC PRIVATE KEY",
        "OPENSSH PRIVATE KEY",
        "ENCRYPTED PRIVATE KEY",
        "PRIVATE KEY",
        "PGP PRIVATE KEY BLOCK",
    ):
        pem = _pem(r, kind)
        add(f"pem-{kind}", pem, "tls_material", "private-key")
    escaped = _pem(r, "RSA PRIVATE KEY").replace("\n", "\\n")
    add("pem-json-escaped", f'key_pem="{escaped}"', None, "private-key", escaped.replace("\\n", "\n"))

    pkcs8 = _pem(r, "PRIVATE KEY") + "\n"
    sa_json = json.dumps(
        {
            "type": "service_account",
            "project_id": "acme-ml",
            "private_key_id": g(HEX, 40),
            "private_key": pkcs8,
            "client_email": "fraud@acme-ml.iam.gserviceaccount.com",
        }
    )
    add("gcp-sa-json-text", sa_json, "credentials_json", "gcp-service-account-key", pkcs8.strip())
    add("gcp-sa-parsed-private-key", pkcs8, "private_key", "gcp-service-account-key", pkcs8.strip())

    account_key = g(B64, 86) + "=="
    add("azure-account-key", account_key, None, "azure-storage-account-key")
    conn = f"DefaultEndpointsProtocol=https;AccountName=acmeml;AccountKey={account_key};EndpointSuffix=core.windows.net"
    add("azure-connection-string", conn, "AZURE_STORAGE_CONNECTION_STRING", "azure-connection-string", account_key)
    sb_key = g(B64, 43) + "="
    sb = f"Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey={sb_key}"
    add("azure-service-bus", sb, None, "azure-connection-string", sb_key)
    sig = g(ALNUM + "%", 43) + "%3D"
    sas_url = (
        f"https://acmeml.blob.core.windows.net/models?sv=2022-11-02&ss=b&srt=co&sp=rl"
        f"&se=2026-12-31T00:00:00Z&spr=https&sig={sig}"
    )
    add("azure-sas-url", sas_url, "uri", "azure-sas-token", sig)
    sas_conn = f"BlobEndpoint=https://acmeml.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&sig={sig}"
    add("azure-sas-connection", sas_conn, None, "azure-sas-token", sig)

    for prefix in ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"):
        add(f"github-{prefix}", prefix + g(ALNUM, 36), None, "github-token")
    add("github-fine-grained", "github_pat_" + g(ALNUM, 22) + "_" + g(ALNUM, 59), "GH_TOKEN", "github-token")
    gh_in_url = "ghp_" + g(ALNUM, 36)
    add(
        "github-in-clone-url",
        f"https://x-access-token:{gh_in_url}@github.com/acme/models.git",
        "repo",
        "github-token",
        gh_in_url,
    )

    add("gitlab-pat", "glpat-" + g(B64URL, 20), None, "gitlab-token")
    add("gitlab-deploy", "gldt-" + g(ALNUM, 20), None, "gitlab-token")
    add("gitlab-runner", "glrt-" + g(ALNUM, 20), None, "gitlab-token")

    add("slack-bot", f"xoxb-{g(DIGITS, 12)}-{g(DIGITS, 13)}-{g(ALNUM, 24)}", None, "slack-token")
    add("slack-user", f"xoxp-{g(DIGITS, 11)}-{g(DIGITS, 11)}-{g(DIGITS, 12)}-{g(HEX, 32)}", None, "slack-token")
    add("slack-legacy-workspace", f"xoxa-2-{g(ALNUM, 40)}", None, "slack-token")
    add("slack-refresh", f"xoxr-{g(ALNUM, 30)}", None, "slack-token")
    add("slack-app", f"xapp-1-A{g(UPPER + DIGITS, 10)}-{g(DIGITS, 13)}-{g(HEX, 64)}", None, "slack-token")
    hook_path = f"T{g(UPPER + DIGITS, 10)}/B{g(UPPER + DIGITS, 10)}/{g(ALNUM, 24)}"
    add(
        "slack-webhook",
        f"https://hooks.slack.com/services/{hook_path}",
        "alert_webhook",
        "slack-webhook-url",
        hook_path,
    )

    add("huggingface", "hf_" + g(UPPER + LOWER, 34), None, "huggingface-token")
    hf_token = "hf_" + g(UPPER + LOWER, 34)
    add("huggingface-cli", f"huggingface-cli login --token {hf_token}", "command", "huggingface-token", hf_token)
    add("huggingface-org", "api_org_" + g(UPPER + LOWER, 34), None, "huggingface-token")

    wandb_hex = g(HEX, 40)
    add("wandb-by-key", wandb_hex, "WANDB_API_KEY", "wandb-api-key")
    add("wandb-by-dotted-key", wandb_hex, "wandb.api_key", "wandb-api-key")
    add("wandb-onprem", "local-" + g(HEX, 40), "wandb_key", "wandb-api-key")
    add("wandb-inline", f"WANDB_API_KEY={wandb_hex} python train.py", "command", "wandb-api-key", wandb_hex)
    add("wandb-v1", "wandb_v1_" + g(ALNUM, 27) + "_" + g(ALNUM, 49), None, "wandb-api-key")

    add("databricks", "dapi" + g(HEX, 32), None, "databricks-token")
    add("databricks-suffixed", "dapi" + g(HEX, 32) + "-2", "DATABRICKS_TOKEN", "databricks-token")

    add("openai-project", "sk-proj-" + g(B64URL, 74) + "T3BlbkFJ" + g(B64URL, 74), None, "openai-api-key")
    add("openai-service-account", "sk-svcacct-" + g(B64URL, 58) + "T3BlbkFJ" + g(B64URL, 58), None, "openai-api-key")
    add("openai-legacy", "sk-" + g(ALNUM, 20) + "T3BlbkFJ" + g(ALNUM, 20), "OPENAI_API_KEY", "openai-api-key")
    add("openai-shaped", "sk-" + g(ALNUM, 48), None, "openai-api-key")
    add("anthropic", "sk-ant-api03-" + g(B64URL, 93) + "AA", None, "anthropic-api-key")
    add("pypi-token", "pypi-AgEIcHlwaS5vcmc" + g(B64URL, 80), "TWINE_PASSWORD", "pypi-token")
    add("npm-token", "npm_" + g(ALNUM, 36), None, "npm-token")
    add("sendgrid", "SG." + g(B64URL, 22) + "." + g(B64URL, 43), None, "sendgrid-api-key")
    add("stripe", "sk_live_" + g(ALNUM, 24), None, "stripe-secret-key")
    add("google-api-key", "AIza" + g(B64URL, 35), None, "gcp-api-key")

    header = _b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": g(HEX, 8)}).encode())
    payload = _b64url(json.dumps({"sub": g(DIGITS, 10), "iat": 1767225600}).encode())
    jwt = f"{header}.{payload}.{g(B64URL, 86)}"
    add("jwt", jwt, None, "jwt")
    add("jwt-bearer", f"Bearer {jwt}", "headers", "jwt", jwt)

    password = g(ALNUM, 14)
    add("url-postgres", f"postgresql://mluser:{password}@db.internal:5432/features", "dsn", "url-credentials", password)
    add(
        "url-https",
        f"https://deploy:{password}@registry.example.com/v2/",
        "capture_destination",
        "url-credentials",
        password,
    )
    add("url-mongodb-srv", f"mongodb+srv://ml:{password}@cluster0.example.net/db", None, "url-credentials", password)
    add("url-short-literal", "redis://:changeme@cache:6379/0", "uri", "url-credentials", "changeme")
    add(
        "password-ado",
        f"Server=tcp:acme.database.windows.net;User ID=ml;Password={password};",
        None,
        "password-assignment",
        password,
    )
    add("password-jdbc", f"jdbc:postgresql://db/x?user=ml&password={password}", None, "password-assignment", password)
    add("password-quoted", f"--password='{password}'", "args", "password-assignment", password)
    awsish = g(ALNUM, 6) + "/" + g(ALNUM, 6) + "#" + g(ALNUM, 5) + "?" + g(ALNUM, 5) + "'" + g(ALNUM, 8)
    add("url-password-with-/#?'", f"postgres://admin:{awsish}@db.internal:5432/x", "dsn", "url-credentials", awsish)
    add(
        "secret-assignment-export",
        f"export DB_PASSWORD={password} && python x.py",
        "command",
        "secret-assignment",
        password,
    )
    add("secret-assignment-token", f"API_TOKEN='{password}' ./run.sh", None, "secret-assignment", password)
    add("command-line-password", f"--password {password}", "args", "command-line-password", password)
    add("command-line-mysql", f"mysql -u root -p{password} features", None, "command-line-password", password)
    add("command-line-curl", f"curl -u admin:{password} https://x.example", None, "command-line-password", password)
    aws_file = f"[default]\naws_access_key_id = {aws_id}\naws_secret_access_key = {aws_secret}\n"
    pem_inner = _pem(r, "RSA PRIVATE KEY")
    gh_inner = "ghp_" + g(ALNUM, 36)
    for name, inner, secret in (
        ("aws", aws_file, aws_id),
        ("gcp-sa", sa_json, pkcs8.strip()),
        ("pem", pem_inner, pem_inner),
        ("github", gh_inner, gh_inner),
    ):
        # the fingerprint is the decoded secret's: the same as when it is pasted in clear
        add(
            f"base64-{name}",
            base64.b64encode(inner.encode()).decode(),
            "CREDENTIALS_B64",
            "base64-encoded-secret",
            secret,
        )

    random_secret = g(ALNUM, 32)
    for key in (
        "client_secret",
        "clientSecret",
        "API_KEY",
        "x-api-key",
        "apiKey",
        "MLFLOW_TRACKING_TOKEN",
        "authorization",
        "db_password",
        "private_key",
        "access_key",
        "storage_account_key",
    ):
        add(f"entropy-{key}", random_secret, key, "high-entropy-under-secret-key")
    for key in ("key", "auth", "credentials", "signature", "connection_string", "jwt"):
        add(f"entropy-weak-{key}", random_secret, key, "high-entropy-under-secret-key")
    add("entropy-secret-ref-form", random_secret, "secret", "high-entropy-under-secret-key")
    add(
        "entropy-uuid-api-key",
        "3f4d9e0a-1b2c-4d4e-9f60-718293a4b5c6",
        "HEROKU_API_KEY",
        "high-entropy-under-secret-key",
    )
    for value, key in (
        ("changeme", "password"),
        ("hunter2", "DB_PASSWORD"),
        ("1234", "pin_password"),
        ("correct horse battery staple", "passphrase"),
        ("my-token", "token"),
        ("password", "password"),
        ("example", "api_key"),
        ("dev", "client_secret"),
        ("${DB_PASSWORD:-hunter2}", "password"),
        ("env:HF_TOKEN", "token"),
    ):
        add(f"literal-{key}-{value[:6]}", value, key, "literal-under-secret-key")
    return cases


def _all_cases() -> Iterator[Case]:
    for seed in range(8):
        yield from _cases(random.Random(seed))


CASES = list(_all_cases())
BY_NAME = {c.name: c for c in _cases(random.Random(1234))}


def test_the_corpus_covers_every_detector() -> None:
    assert {c.detector for c in CASES} == set(DETECTORS)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_generated_token_is_found_by_its_detector(case: Case) -> None:
    hits = scan_value(case.value, case.key)
    assert [h.detector for h in hits] == [case.detector]
    (hit,) = hits
    assert hit.fingerprint == "sha256:" + hashlib.sha256(case.secret.encode()).hexdigest()[:16]
    assert FINGERPRINT.fullmatch(hit.fingerprint)
    assert case.secret not in hit.fingerprint and case.secret not in hit.description
    assert case.value not in hit.description
    assert hit.description.startswith(DETECTORS[case.detector])


def test_fingerprints_are_stable_and_follow_the_secret_not_its_context() -> None:
    token = BY_NAME["github-ghp_"].value
    alone = scan_value(token)
    assert alone == scan_value(token)  # deterministic across calls
    in_url = scan_value(f"https://x-access-token:{token}@github.com/acme/models.git", "repo")
    under_key = scan_value(f"GITHUB_TOKEN={token}", "command")
    assert alone[0].fingerprint == in_url[0].fingerprint == under_key[0].fingerprint == fingerprint(token)
    other = BY_NAME["github-gho_"].value
    assert scan_value(other)[0].fingerprint != alone[0].fingerprint


def test_several_tokens_in_one_value_are_all_reported_once() -> None:
    aws_id, hf, dapi = BY_NAME["aws-id"].value, BY_NAME["huggingface"].value, BY_NAME["databricks"].value
    hits = scan_value(f"AWS_ACCESS_KEY_ID={aws_id} HF_TOKEN={hf} DATABRICKS_TOKEN={dapi}", "script")
    assert sorted(h.detector for h in hits) == ["aws-access-key-id", "databricks-token", "huggingface-token"]
    assert len({h.fingerprint for h in hits}) == 3


def test_a_token_in_a_url_password_is_named_by_its_format_not_twice() -> None:
    hits = scan_value(BY_NAME["github-in-clone-url"].value, "repo")
    assert [h.detector for h in hits] == ["github-token"]


def _lookalikes() -> list[tuple[str, str | None]]:
    r = random.Random(99)

    def g(alphabet: str, n: int) -> str:
        return "".join(r.choice(alphabet) for _ in range(n))

    sha = g(HEX, 64)
    header = _b64url(json.dumps({"typ": "JWT"}).encode())  # no "alg": not a JWT header
    return [
        (f"sha256:{sha}", "digest"),
        (f"sha256:{sha}", None),
        (g(HEX, 40), "git_commit"),
        (g(HEX, 40), None),
        (g(HEX, 12), "git_commit"),
        ("3f4d9e0a-1b2c-4d4e-9f60-718293a4b5c6", "run_id"),
        ("3f4d9e0a-1b2c-4d4e-9f60-718293a4b5c6", "key"),
        ("0 2 * * 0", "schedule"),
        ("*/15 9-17 * * mon-fri", "schedule"),
        ("s3://acme-models/fraud-detection/2.1.0/model.tar.gz", "uri"),
        ("gs://acme-models/fraud-detection/2.1.0/", "vertex"),
        ("azureml://datastores/models/paths/fraud-detection/2.1.0/", "azureml"),
        ("bq://acme-ml.monitoring.fraud_detection", "capture_destination"),
        (f"123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud-train@sha256:{sha}", "image"),
        (f"us-docker.pkg.dev/acme-ml/serving/fraud@sha256:{sha}", "image"),
        ("arn:aws:iam::123456789012:role/fraud-sagemaker", "execution_role_arn"),
        ("arn:aws:kms:us-east-1:123456789012:key/3f4d9e0a-1b2c-4d4e-9f60-718293a4b5c6", "kms_key_id"),
        ("alias/ml-models", "kms_key_id"),
        ("alias/ml-models", "encryption_key"),
        ("projects/acme-ml/locations/us/keyRings/ml/cryptoKeys/models", "kms_key_name"),
        ("risk-ml@example.com", "owner"),
        ("fraud@acme-ml.iam.gserviceaccount.com", "service_account"),
        ("feature-store", "name"),
        ("token", "key"),  # Kubernetes secretKeyRef {name: feature-store, key: token}
        ("feature-store-token", "secret"),  # the spec's {secret: name} reference form
        ("db-password-v2", "secret"),
        ("2.1.0", "version"),
        ("1.7", "version"),
        ("v1.30.2-rc.1", "tag"),
        ("AKIA" + "IOSFODNN7" + "EXAMPLE", "aws_access_key_id"),  # AWS's documented example key id
        ("ASIAPACIFICREGIONALSALES", None),
        ("AKIA" + "0" * 16, None),
        ("hf_" + "x" * 34, None),
        ("xoxb-your-bot-token-here", None),
        ("xoxo-gossip-girl", None),
        ("https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "webhook"),
        ("scikit-learn", "framework"),
        ("risk-model-sk-learn", "name"),
        ("dapi-config", "name"),
        ("sha512-" + g(B64, 86) + "==", "integrity"),
        ("AccountName=acmeml;EndpointSuffix=core.windows.net", "connection"),
        ("https://acme.blob.core.windows.net/models?comp=list&sig=", "uri"),
        ("https://example.com/search?q=sig=abc", "uri"),
        (f"{header}.{_b64url(b'{}')}.{g(B64URL, 20)}", None),
        ("eyJ" + g(ALNUM, 30) + "." + g(ALNUM, 30) + "." + g(ALNUM, 30), None),
        ("https://user@registry.example.com/v2/", "uri"),
        ("git@github.com:acme/models.git", "repo"),
        ("postgres://ml:${DB_PASSWORD}@db:5432/x", "dsn"),
        ("postgres://ml:$(DB_PASSWORD)@db:5432/x", "dsn"),
        ("mlflow:/runs/8c1f2d", "training_run"),
        ("http://payload-logger.monitoring.svc.cluster.local", "capture_destination"),
        ("Password=${DB_PASSWORD};", "connection"),
        ("bert-base-uncased", "tokenizer"),
        ("256", "max_tokens"),
        ("db-creds", "secret_name"),
        ("3600", "token_ttl"),
        ("https://oauth2.googleapis.com/token", "token_uri"),
        ("key", "auth_mode"),
        ("aml_token", "auth_mode"),
        ("true", "use_token"),
        ("false", "password_enabled"),
        ("/var/secrets/google/key.json", "GOOGLE_APPLICATION_CREDENTIALS"),
        ("/run/secrets/db-password", "password"),
        ("feature-store", "secretName"),
        ("openai-key", "secret_ref"),
        ("", "password"),
        ("   ", "token"),
        ("********", "password"),
        ("xxxxxxxxxxxxxxxx", "api_key"),
        ("<your-token-here>", "token"),
        ("null", "token"),
        ("Score card transactions for fraud in real time.", "intended_use"),
        ("Recall compared across card regions each release; gap under 2 points.", "fairness"),
        ("fraud-detection-2024-model-v2", "key"),
        ("Fraud_Detection_Model_v2", "credentials"),
        ("-----BEGIN PRIVATE KEY-----", "pem_header"),
        ("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----", "example"),
        ("-----BEGIN PRIVATE KEY-----" * 3, None),
        (_pem(r, "CERTIFICATE"), "ca_bundle"),
        (_pem(r, "PUBLIC KEY"), "public_key"),
    ]


LOOKALIKES = _lookalikes()


@pytest.mark.parametrize(("value", "key"), LOOKALIKES, ids=lambda x: str(x)[:40])
def test_lookalikes_do_not_fire(value: str, key: str | None) -> None:
    assert scan_value(value, key) == ()


REFERENCES = [
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:fraud/feature-store-token",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:fraud/feature-store-token-AbCdEf",
    "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x",
    "arn:aws:ssm:eu-west-1:123456789012:parameter/ml/db-password",
    "projects/acme-ml/secrets/feature-store-token",
    "projects/acme-ml/secrets/feature-store-token/versions/3",
    "projects/123456789012/secrets/feature-store-token/versions/latest",
    "https://acme-kv.vault.azure.net/secrets/feature-store-token",
    "https://acme-kv.vault.azure.net/secrets/feature-store-token/0123456789abcdef0123456789abcdef",
    "@Microsoft.KeyVault(SecretUri=https://acme-kv.vault.azure.net/secrets/x/)",
    "${{ secrets.HF_TOKEN }}",
    "${{secrets.DB_PASSWORD}}",
    "{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:x:SecretString:pw}}",
    "{{ .Values.db.password }}",
    "${DB_PASSWORD}",
    "$(DB_PASSWORD)",
    "$DB_PASSWORD",
    "  ${DB_PASSWORD}  ",
]
NOT_REFERENCES = [
    "${DB_PASSWORD:-hunter2}",
    "changeme",
    "arn:aws:iam::123456789012:role/fraud-sagemaker",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret",
    "projects/acme-ml/locations/us-central1/models/1",
    "https://acme.blob.core.windows.net/secrets/x",
    "https://acme-kv.vault.azure.net/secrets/x?api-version=7.4&sig=abc",
    "prefix ${DB_PASSWORD}",
    "$1",
    "",
]


@pytest.mark.parametrize("value", REFERENCES)
def test_references(value: str) -> None:
    assert is_reference(value)
    for key in ("password", "token", "api_key", "secret", "client_secret", None):
        assert scan_value(value, key) == ()


@pytest.mark.parametrize("value", NOT_REFERENCES)
def test_not_references(value: str) -> None:
    assert not is_reference(value)


@pytest.mark.parametrize(
    ("key", "secret_looking"),
    [
        ("password", True),
        ("DB_PASSWORD", True),
        ("passwd", True),
        ("pwd", True),
        ("passphrase", True),
        ("token", True),
        ("HF_TOKEN", True),
        ("authToken", True),
        ("secret", True),
        ("client_secret", True),
        ("clientSecret", True),
        ("AZURE_CLIENT_SECRET", True),
        ("api_key", True),
        ("apiKey", True),
        ("apikey", True),
        ("x-api-key", True),
        ("access_key", True),
        ("AWSSecretAccessKey", True),
        ("private_key", True),
        ("authorization", True),
        ("credentials", True),
        ("auth", True),
        ("key", True),
        ("connection_string", True),
        ("signature", True),
        ("secret_name", False),
        ("secretName", False),
        ("secretKeyRef", False),
        ("secret_key_ref", False),
        ("token_ttl", False),
        ("token_uri", False),
        ("max_tokens", False),
        ("tokenizer", False),
        ("kms_key_id", False),
        ("kmsKeyName", False),
        ("private_key_id", False),
        ("AWS_ACCESS_KEY_ID", False),
        ("auth_mode", False),
        ("author", False),
        ("password_file", False),
        ("owner", False),
        ("name", False),
        ("secrets", False),
        ("service_account", False),
        ("digest", False),
        ("keys", False),
    ],
)
def test_secret_looking_keys(key: str, secret_looking: bool) -> None:
    assert is_secret_key(key) is secret_looking


def test_any_literal_under_a_password_key_is_a_finding_whatever_its_entropy() -> None:
    for value in ("changeme", "hunter2", "1234", "Passw0rd!", "admin"):
        (hit,) = scan_value(value, "password")
        assert hit.detector == "literal-under-secret-key"
        assert value not in hit.description
    (hit,) = scan_value(BY_NAME["entropy-client_secret"].value, "password")
    assert hit.detector == "high-entropy-under-secret-key"


def test_weak_keys_need_a_random_looking_value() -> None:
    assert scan_value("localMinIO", "key") == ()  # KServe storage.key names an entry of a storage secret
    assert scan_value("workload-identity", "credentials") == ()
    assert [h.detector for h in scan_value(BY_NAME["entropy-weak-key"].value, "key")] == [
        "high-entropy-under-secret-key"
    ]


def test_the_secret_reference_form_accepts_names_and_rejects_values() -> None:
    assert scan_value("feature-store-token", "secret") == ()
    assert scan_value("fraud/db-password", "secret") == ()
    assert [h.detector for h in scan_value("Passw0rd!", "secret")] == ["literal-under-secret-key"]
    assert [h.detector for h in scan_value(BY_NAME["huggingface"].value, "secret")] == ["huggingface-token"]


def test_known_formats_fire_whatever_the_key() -> None:
    token = BY_NAME["aws-id"].value
    for key in (None, "name", "labels", "LOG_LEVEL", "description", "secret", "value"):
        assert [h.detector for h in scan_value(token, key)] == ["aws-access-key-id"]
    assert [h.detector for h in scan_value(f"team: risk, contact {token}", "cost-center")] == ["aws-access-key-id"]


def test_entropy_helpers() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abcd") == pytest.approx(2.0)
    r = random.Random(5)
    assert all(looks_random("".join(r.choice(ALNUM) for _ in range(32))) for _ in range(200))
    assert all(looks_random("".join(r.choice(HEX) for _ in range(40))) for _ in range(200))
    for text in (
        "feature-store-token",
        "fraud-detection-2024",
        "Fraud_Detection_Model_v2",
        "short1A",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "0123456789012345678901234567890123",
        "two words Here 123456",
    ):
        assert not looks_random(text), text


def _walk(node: Any, key: str | None) -> Iterator[tuple[str, str | None]]:
    """Every string of a parsed YAML document with the nearest mapping key above it."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, str(k))
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, key)
    elif isinstance(node, str):
        yield node, key


def test_the_reference_spec_has_no_secret() -> None:
    if not REFERENCE_SPEC.is_file():
        pytest.skip(f"{REFERENCE_SPEC} is absent (the shared spec folder is not mounted)")
    doc = yaml.safe_load(REFERENCE_SPEC.read_text(encoding="utf-8"))
    strings = list(_walk(doc, None))
    assert len(strings) > 50
    assert ("feature-store-token", "secret") in strings  # the {secret: name} form is exercised
    for value, key in strings:
        assert scan_value(value, key) == (), (key, value)
        assert scan_value(value) == (), value


def _typical_values(n: int) -> list[tuple[str, str | None]]:
    """Values like those of a spec and its rendered files: names, regions, URIs, digests, ARNs, numbers."""
    r = random.Random(11)

    def g(alphabet: str, k: int) -> str:
        return "".join(r.choice(alphabet) for _ in range(k))

    makers: list[Callable[[], tuple[str, str | None]]] = [
        lambda: (f"sha256:{g(HEX, 64)}", "digest"),
        lambda: (f"s3://acme-models/{g(LOWER, 8)}/{r.randint(1, 9)}.{r.randint(0, 9)}.0/model.tar.gz", "uri"),
        lambda: (f"gs://acme-models/{g(LOWER, 8)}/", "vertex"),
        lambda: (g(HEX, 40), "git_commit"),
        lambda: (f"{r.randint(0, 9)}.{r.randint(0, 30)}.{r.randint(0, 9)}", "version"),
        lambda: (r.choice(["us-east-1", "eu-west-1", "us-central1", "eastus"]), "region"),
        lambda: (r.choice(["ml.m5.xlarge", "n1-standard-4", "Standard_DS3_v2"]), "instance_type"),
        lambda: (f"fraud-{g(LOWER, 6)}", "name"),
        lambda: (f"arn:aws:iam::{g(DIGITS, 12)}:role/{g(LOWER, 8)}", "execution_role_arn"),
        lambda: (f"{g(HEX, 8)}-{g(HEX, 4)}-4{g(HEX, 3)}-a{g(HEX, 3)}-{g(HEX, 12)}", "uid"),
        lambda: (f"{r.randint(0, 59)} {r.randint(0, 23)} * * {r.randint(0, 6)}", "schedule"),
        lambda: (f"{g(LOWER, 6)}@example.com", "owner"),
        lambda: (f"{g(DIGITS, 12)}.dkr.ecr.us-east-1.amazonaws.com/{g(LOWER, 6)}@sha256:{g(HEX, 64)}", "image"),
        lambda: (r.choice(["python", "-m", "fraud.train", "--epochs", "10"]), "command"),
        lambda: (r.choice(["info", "debug", "warning"]), "LOG_LEVEL"),
        lambda: (f'{{"{g(LOWER, 5)}": {r.randint(0, 99)}}}', "body"),
        lambda: ("Score card transactions for fraud in real time.", "intended_use"),
        lambda: (str(r.randint(0, 10000)), "rps"),
        lambda: (f"projects/acme-ml/secrets/{g(LOWER, 8)}/versions/{r.randint(1, 9)}", "vertex"),
        lambda: (r.choice(["token", "password", "api-key"]), "key"),
    ]
    return [r.choice(makers)() for _ in range(n)]


def test_ten_thousand_typical_values_scan_clean_and_fast() -> None:
    """No finding on typical values; prints the time taken (run with -s to see it; not a timed assertion)."""
    values = _typical_values(10_000)
    start = time.perf_counter()
    found = [(v, k) for v, k in values if scan_value(v, k)]
    elapsed = time.perf_counter() - start
    assert found == []
    print(
        f"\nsecret_scan: 10,000 typical values in {elapsed * 1000:.1f} ms "
        f"({elapsed * 1e6 / len(values):.2f} us per value)"
    )


KEYS = st.sampled_from(
    [
        None,
        "password",
        "token",
        "secret",
        "key",
        "api_key",
        "name",
        "uri",
        "wandb_api_key",
        "aws_secret_access_key",
        "private_key",
        "credentials",
    ]
)


@settings(max_examples=400, deadline=None)
@given(value=st.text(max_size=300), key=KEYS)
def test_any_text_scans_without_error_into_well_formed_hits(value: str, key: str | None) -> None:
    for hit in scan_value(value, key):
        assert isinstance(hit, SecretHit)
        assert hit.detector in DETECTORS
        assert FINGERPRINT.fullmatch(hit.fingerprint)


@settings(max_examples=200, deadline=None)
@given(
    value=st.text(alphabet=ALNUM + "+/=_-.:@", min_size=1, max_size=200),
    prefix=st.sampled_from(
        [
            "",
            "AKIA",
            "ghp_",
            "glpat-",
            "xoxb-",
            "hf_",
            "dapi",
            "sk-",
            "sk-proj-",
            "eyJ",
            "AIza",
            "sig=",
            "AccountKey=",
            "https://u:",
            "password=",
            "wandb_v1_",
            "-----BEGIN PRIVATE KEY-----\n",
        ]
    ),
)
def test_trigger_prefixed_text_scans_without_error(value: str, prefix: str) -> None:
    for hit in scan_value(prefix + value, "value"):
        assert hit.detector in DETECTORS
        assert FINGERPRINT.fullmatch(hit.fingerprint)
