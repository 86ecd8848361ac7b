"""Policy rules run over every compiled spec: the one registry of rules, in reporting order.

To add a rule: write a module in `policies/rules/` with one class (id, title, description,
default_severity, security, and one of `check_document`, `check` or `check_file`; see `base.py`) and
list an instance here. Ids are stable: a removed rule's id is never reused. `docs/policies.md` is
generated from this tuple.
"""

from __future__ import annotations

from mlopsc.policies.base import DocumentRule, FileRule, PolicyRule, SpecRule
from mlopsc.policies.rules.approval_required import ApprovalRequired
from mlopsc.policies.rules.approval_signature import ApprovalSignature
from mlopsc.policies.rules.data_capture import DataCapture
from mlopsc.policies.rules.encryption_key import EncryptionKey
from mlopsc.policies.rules.gradual_rollout import GradualRollout
from mlopsc.policies.rules.image_digest import ImageDigest
from mlopsc.policies.rules.image_latest import ImageLatest
from mlopsc.policies.rules.kserve_env_secrets import KServeEnvSecrets
from mlopsc.policies.rules.kserve_privileged import KServePrivileged
from mlopsc.policies.rules.kserve_resources import KServeResources
from mlopsc.policies.rules.min_replicas import MinReplicas
from mlopsc.policies.rules.model_card import ModelCard
from mlopsc.policies.rules.monitoring_alerts import MonitoringAlerts
from mlopsc.policies.rules.network_isolation import NetworkIsolation
from mlopsc.policies.rules.provenance import Provenance
from mlopsc.policies.rules.resolved_image_version import ResolvedImageVersion
from mlopsc.policies.rules.resources_set import ResourcesSet
from mlopsc.policies.rules.sagemaker_isolation import SageMakerIsolation
from mlopsc.policies.rules.sagemaker_kms import SageMakerKms
from mlopsc.policies.rules.secrets_in_output import SecretsInOutput
from mlopsc.policies.rules.secrets_in_spec import SecretsInSpec
from mlopsc.policies.rules.uri_credentials import UriCredentials
from mlopsc.policies.rules.vendor_image_version import VendorImageVersion

RULES: tuple[PolicyRule, ...] = (
    SecretsInSpec(),
    SecretsInOutput(),
    UriCredentials(),
    ApprovalRequired(),
    ApprovalSignature(),
    ImageDigest(),
    ImageLatest(),
    ResolvedImageVersion(),
    VendorImageVersion(),
    ResourcesSet(),
    MinReplicas(),
    GradualRollout(),
    MonitoringAlerts(),
    ModelCard(),
    Provenance(),
    DataCapture(),
    EncryptionKey(),
    NetworkIsolation(),
    KServeResources(),
    KServePrivileged(),
    KServeEnvSecrets(),
    SageMakerKms(),
    SageMakerIsolation(),
)

RULE_IDS: frozenset[str] = frozenset(rule.id for rule in RULES)

# Sorted by kind once: runtime Protocol checks cost ~25 µs each, too much per rendered file.
DOCUMENT_RULES: tuple[DocumentRule, ...] = tuple(r for r in RULES if isinstance(r, DocumentRule))
SPEC_RULES: tuple[SpecRule, ...] = tuple(r for r in RULES if isinstance(r, SpecRule))
FILE_RULES: tuple[FileRule, ...] = tuple(r for r in RULES if isinstance(r, FileRule))


def rule_by_id(rule_id: str) -> PolicyRule | None:
    return next((rule for rule in RULES if rule.id == rule_id), None)
