"""The CloudFormation validators are strict: a valid SageMaker template passes, broken copies fail.

These tests pin the rule ids cfn-lint reports for the mistakes a renderer can make (unknown
property, wrong type, value outside an enum, missing required property, undecodable text) and the
Checkov results for the SageMaker security checks the production goldens must pass.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mlopsc.compiler.ir import RenderedFile
from tests.validators.cfn import (
    CfnFinding,
    CheckovResult,
    _runner,
    check_rendered,
    checkov_template,
    errors,
    lint_template,
)

# Checkov's CloudFormation checks for SageMaker resources (checkov/cloudformation/checks/resource/aws).
NETWORK_ISOLATION = "CKV_AWS_370"  # AWS::SageMaker::Model EnableNetworkIsolation is true
DQ_OUTPUT_KMS = "CKV_AWS_367"  # DataQualityJobDefinition DataQualityJobOutputConfig.KmsKeyId set
DQ_VOLUME_KMS = "CKV_AWS_368"  # DataQualityJobDefinition JobResources.ClusterConfig.VolumeKmsKeyId set
DQ_TRAFFIC_ENCRYPTION = "CKV_AWS_369"  # DataQualityJobDefinition NetworkConfig inter-container encryption

ROLE = "arn:aws:iam::123456789012:role/fraud-sagemaker"


def _endpoint_template() -> dict[str, Any]:
    """Model + EndpointConfig + Endpoint with a canary blue/green update, long-form intrinsics."""
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "fraud-detection real-time endpoint",
        "Resources": {
            "Model": {
                "Type": "AWS::SageMaker::Model",
                "Properties": {
                    "ExecutionRoleArn": ROLE,
                    "EnableNetworkIsolation": True,
                    "PrimaryContainer": {
                        "Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
                        "ModelDataUrl": "s3://acme-models/fraud-detection/2.1.0/model.tar.gz",
                    },
                },
            },
            "EndpointConfig": {
                "Type": "AWS::SageMaker::EndpointConfig",
                "Properties": {
                    "KmsKeyId": "alias/ml-models",
                    "ProductionVariants": [
                        {
                            "VariantName": "v2-1-0",
                            "ModelName": {"Fn::GetAtt": ["Model", "ModelName"]},
                            "InitialInstanceCount": 2,
                            "InstanceType": "ml.m5.large",
                            "InitialVariantWeight": 1.0,
                        }
                    ],
                },
            },
            "Endpoint": {
                "Type": "AWS::SageMaker::Endpoint",
                "Properties": {
                    "EndpointConfigName": {"Fn::GetAtt": ["EndpointConfig", "EndpointConfigName"]},
                    "DeploymentConfig": {
                        "BlueGreenUpdatePolicy": {
                            "TrafficRoutingConfiguration": {
                                "Type": "CANARY",
                                "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 5},
                                "WaitIntervalInSeconds": 600,
                            }
                        }
                    },
                },
            },
        },
        "Outputs": {"EndpointArn": {"Value": {"Ref": "Endpoint"}}},
    }


def _data_quality_template(*, encrypted: bool) -> dict[str, Any]:
    """A DataQualityJobDefinition with or without the KMS keys and inter-container encryption."""
    cluster: dict[str, Any] = {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 20}
    output: dict[str, Any] = {
        "MonitoringOutputs": [
            {"S3Output": {"S3Uri": "s3://acme-monitoring/fraud/", "LocalPath": "/opt/ml/processing/output"}}
        ]
    }
    properties: dict[str, Any] = {
        "RoleArn": ROLE,
        "DataQualityAppSpecification": {
            "ImageUri": "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
        },
        "DataQualityJobInput": {
            "EndpointInput": {"EndpointName": "fraud-detection", "LocalPath": "/opt/ml/processing/input"}
        },
        "DataQualityJobOutputConfig": output,
        "JobResources": {"ClusterConfig": cluster},
    }
    if encrypted:
        cluster["VolumeKmsKeyId"] = "alias/ml-models"
        output["KmsKeyId"] = "alias/ml-models"
        properties["NetworkConfig"] = {
            "EnableInterContainerTrafficEncryption": True,
            "EnableNetworkIsolation": True,
        }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"DataQuality": {"Type": "AWS::SageMaker::DataQualityJobDefinition", "Properties": properties}},
    }


def _text(template: dict[str, Any]) -> str:
    return yaml.safe_dump(template, sort_keys=False)


def _error_ids(findings: list[CfnFinding]) -> set[tuple[str, str]]:
    return {(finding.rule_id, finding.path) for finding in errors(findings)}


def test_valid_endpoint_template_has_no_findings() -> None:
    assert lint_template(_text(_endpoint_template())) == []


def test_valid_data_quality_template_has_no_findings() -> None:
    assert lint_template(_text(_data_quality_template(encrypted=True))) == []


def test_one_runner_is_built_per_region_set() -> None:
    lint_template(_text(_endpoint_template()))
    lint_template(_text(_endpoint_template()))
    assert _runner(("us-east-1",)) is _runner(("us-east-1",))
    assert _runner(("us-east-1",)) is not _runner(("eu-west-1",))


def test_unknown_property_is_e3002() -> None:
    template = _endpoint_template()
    template["Resources"]["Model"]["Properties"]["NetworkIsolation"] = True
    assert _error_ids(lint_template(_text(template))) == {("E3002", "Resources/Model/Properties/NetworkIsolation")}


def test_wrong_type_is_e3012() -> None:
    template = _endpoint_template()
    variant = template["Resources"]["EndpointConfig"]["Properties"]["ProductionVariants"][0]
    variant["InitialInstanceCount"] = "two"
    assert _error_ids(lint_template(_text(template))) == {
        ("E3012", "Resources/EndpointConfig/Properties/ProductionVariants/0/InitialInstanceCount")
    }


def test_unknown_instance_type_is_e3030() -> None:
    template = _endpoint_template()
    variant = template["Resources"]["EndpointConfig"]["Properties"]["ProductionVariants"][0]
    variant["InstanceType"] = "ml.m5.huge"
    assert _error_ids(lint_template(_text(template))) == {
        ("E3030", "Resources/EndpointConfig/Properties/ProductionVariants/0/InstanceType")
    }


def test_unknown_traffic_routing_type_is_e3030() -> None:
    template = _endpoint_template()
    policy = template["Resources"]["Endpoint"]["Properties"]["DeploymentConfig"]["BlueGreenUpdatePolicy"]
    policy["TrafficRoutingConfiguration"]["Type"] = "GRADUAL"
    path = "Resources/Endpoint/Properties/DeploymentConfig/BlueGreenUpdatePolicy/TrafficRoutingConfiguration/Type"
    assert _error_ids(lint_template(_text(template))) == {("E3030", path)}


def test_missing_required_property_is_e3003() -> None:
    template = _endpoint_template()
    del template["Resources"]["Endpoint"]["Properties"]["EndpointConfigName"]
    assert _error_ids(lint_template(_text(template))) == {("E3003", "Resources/Endpoint/Properties")}


def test_value_over_the_length_limit_is_e3033() -> None:
    template = _endpoint_template()
    template["Resources"]["Model"]["Properties"]["ModelName"] = "m" * 64
    assert _error_ids(lint_template(_text(template))) == {("E3033", "Resources/Model/Properties/ModelName")}


def test_undecodable_text_is_e0000() -> None:
    findings = lint_template("Resources:\n  Model: [unclosed\n")
    assert [finding.rule_id for finding in findings] == ["E0000"]
    assert errors(findings) == findings


def _write(tmp_path: Path, name: str, template: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(_text(template), encoding="utf-8")
    return path


def test_checkov_network_isolation_passes_and_fails(tmp_path: Path) -> None:
    isolated = _write(tmp_path, "isolated.yaml", _endpoint_template())
    open_template = _endpoint_template()
    del open_template["Resources"]["Model"]["Properties"]["EnableNetworkIsolation"]
    not_isolated = _write(tmp_path, "open.yaml", open_template)

    resource = "AWS::SageMaker::Model.Model"
    assert checkov_template(isolated, [NETWORK_ISOLATION]) == [CheckovResult(NETWORK_ISOLATION, resource, passed=True)]
    assert checkov_template(not_isolated, [NETWORK_ISOLATION]) == [
        CheckovResult(NETWORK_ISOLATION, resource, passed=False)
    ]


def test_checkov_data_quality_encryption_passes_and_fails(tmp_path: Path) -> None:
    checks = [DQ_OUTPUT_KMS, DQ_VOLUME_KMS, DQ_TRAFFIC_ENCRYPTION]
    resource = "AWS::SageMaker::DataQualityJobDefinition.DataQuality"
    encrypted = _write(tmp_path, "encrypted.yaml", _data_quality_template(encrypted=True))
    plain = _write(tmp_path, "plain.yaml", _data_quality_template(encrypted=False))

    assert checkov_template(encrypted, checks) == [CheckovResult(c, resource, True) for c in checks]
    assert checkov_template(plain, checks) == [CheckovResult(c, resource, False) for c in checks]


def test_checkov_rejects_an_unknown_check_id(tmp_path: Path) -> None:
    path = _write(tmp_path, "endpoint.yaml", _endpoint_template())
    with pytest.raises(ValueError, match="CKV_AWS_98"):
        # CKV_AWS_98 (EndpointConfig KMS) exists for Terraform only, not for CloudFormation.
        checkov_template(path, ["CKV_AWS_98"])


def _rendered(text: str) -> RenderedFile:
    return RenderedFile(
        path="production/fraud-detection/sagemaker/template.yaml",
        content=text,
        platform="sagemaker",
        environment="production",
        model="fraud-detection",
        kind="CloudFormation",
    )


def test_check_rendered_reports_errors_and_warnings() -> None:
    assert check_rendered(_rendered(_text(_endpoint_template()))) == []

    broken = _endpoint_template()
    broken["Resources"]["Model"]["Properties"]["Bogus"] = 1
    [problem] = check_rendered(_rendered(_text(broken)))
    assert problem.startswith("E3002 Resources/Model/Properties/Bogus (line ")

    unused = _endpoint_template()
    unused["Parameters"] = {"Unused": {"Type": "String"}}  # W2001: parameter not used
    assert [p.split(" ")[0] for p in check_rendered(_rendered(_text(unused)))] == ["W2001"]
