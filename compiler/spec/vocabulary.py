"""The closed vocabularies of spec v1 (../shared/spec/mlops.reference.yaml), in one place."""

from __future__ import annotations

from enum import StrEnum


class _Vocab(StrEnum):
    """A closed vocabulary: its members print as their YAML spelling."""


class ModelType(_Vocab):
    CLASSIFICATION = "classification"
    REGRESSION = "regression"
    CLUSTERING = "clustering"
    RANKING = "ranking"
    GENERATIVE = "generative"
    TIME_SERIES = "time-series"
    RECOMMENDATION = "recommendation"
    COMPUTER_VISION = "computer-vision"
    NLP = "nlp"


class Framework(_Vocab):
    SKLEARN = "sklearn"
    XGBOOST = "xgboost"
    LIGHTGBM = "lightgbm"
    PYTORCH = "pytorch"
    TENSORFLOW = "tensorflow"
    ONNX = "onnx"
    HUGGINGFACE = "huggingface"
    CUSTOM = "custom"


class Compatibility(_Vocab):
    EXACT = "exact"
    MINOR = "minor"
    MAJOR = "major"


class ServingMode(_Vocab):
    ONLINE = "online"
    BATCH = "batch"
    EDGE = "edge"
    EMBEDDED = "embedded"
    HYBRID = "hybrid"

    @property
    def serves_online(self) -> bool:
        """An endpoint answers requests (online, or hybrid: online plus batch)."""
        return self in (ServingMode.ONLINE, ServingMode.HYBRID)

    @property
    def serves_batch(self) -> bool:
        """Batch scoring runs (batch, or hybrid)."""
        return self in (ServingMode.BATCH, ServingMode.HYBRID)


class Protocol(_Vocab):
    REST = "rest"
    GRPC = "grpc"


class Strategy(_Vocab):
    CANARY = "canary"
    BLUE_GREEN = "blue-green"
    SHADOW = "shadow"
    AB = "ab"
    ALL_AT_ONCE = "all-at-once"


class DriftMethod(_Vocab):
    PSI = "psi"
    KS = "ks"
    CHI2 = "chi2"
    JENSEN_SHANNON = "jensen-shannon"


class Level(_Vocab):
    EXPERIMENTAL = "experimental"
    STAGING = "staging"
    PRODUCTION = "production"


class Risk(_Vocab):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class RetrainTrigger(_Vocab):
    DRIFT = "drift"
    QUALITY = "quality"


class RollbackAlarm(_Vocab):
    LATENCY_SLO = "latency_slo"
    ERROR_RATE = "error_rate"


class Optimization(_Vocab):
    QUANTIZATION = "quantization"
    DISTILLATION = "distillation"
    PRUNING = "pruning"
    ONNX = "onnx"


class FeatureType(_Vocab):
    STRING = "string"
    INTEGER = "integer"
    LONG = "long"
    FLOAT = "float"
    DOUBLE = "double"
    BOOLEAN = "boolean"
    BYTES = "bytes"
    DATETIME = "datetime"
    TENSOR = "tensor"


class DeploymentMode(_Vocab):
    SERVERLESS = "serverless"
    RAW = "raw"


PLATFORMS = ("kserve", "sagemaker", "vertex", "azureml")
