"""Cross-field checks of one effective spec, each with the exact path of the node at fault.

Part of the validate pass: what a field-by-field model cannot say (a reference that points
nowhere, a figure that must exist among several, lists that must agree).
"""

from __future__ import annotations

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Finding
from mlopsc.compiler.spec.typed import SecretRef, Spec
from mlopsc.compiler.spec.vocabulary import RetrainTrigger, ServingMode

E = Severity.ERROR


def crosscheck(spec: Spec) -> list[Finding]:
    out: list[Finding] = []
    serving = spec.serving

    for var, value in sorted(serving.env.items()):
        if isinstance(value, SecretRef) and value.secret not in spec.secrets:
            known = ", ".join(sorted(spec.secrets)) or "none"
            out.append(
                Finding(
                    "E107",
                    E,
                    f"`{var}` refers to secret `{value.secret}`, which `secrets` does not define",
                    ("serving", "env", var, "secret"),
                    f"secrets defined: {known}",
                )
            )

    scale = serving.scale
    if all(v is None for v in (scale.rps, scale.latency_ms, scale.data_volume_gb, scale.concurrent_users)):
        out.append(
            Finding(
                "E108",
                E,
                "`serving.scale` needs at least one of rps, latency_ms, data_volume_gb, concurrent_users",
                ("serving", "scale"),
                "for an online model, give `rps` and `latency_ms`",
            )
        )

    if serving.mode.serves_batch and serving.batch is None:
        out.append(
            Finding(
                "E109",
                E,
                f"serving mode `{serving.mode}` needs `serving.batch` (schedule, input_uri, output_uri)",
                ("serving", "mode"),
            )
        )
    if serving.mode is ServingMode.ONLINE and serving.batch is not None:
        out.append(
            Finding(
                "E109",
                E,
                "`serving.batch` is set but serving mode is `online`",
                ("serving", "batch"),
                "set `serving.mode: hybrid` to serve online and score batches, or remove `serving.batch`",
            )
        )

    if serving.replicas is not None and serving.replicas.min > serving.replicas.max:
        out.append(
            Finding(
                "E106",
                E,
                f"replicas.min ({serving.replicas.min}) is above replicas.max ({serving.replicas.max})",
                ("serving", "replicas", "min"),
            )
        )

    steps = spec.rollout.steps
    for i in range(1, len(steps)):
        if steps[i] <= steps[i - 1]:
            out.append(
                Finding(
                    "E106",
                    E,
                    f"rollout steps must increase: {steps[i]} follows {steps[i - 1]}",
                    ("rollout", "steps", i),
                )
            )
    if steps and steps[-1] != 100:
        out.append(
            Finding(
                "E106",
                E,
                f"the last rollout step is {steps[-1]}; a rollout ends at 100",
                ("rollout", "steps", len(steps) - 1),
                "append 100",
            )
        )

    monitoring = spec.monitoring
    if monitoring and monitoring.drift:
        t = monitoring.drift.thresholds
        if not t.monitor <= t.investigate <= t.retrain:
            out.append(
                Finding(
                    "E106",
                    E,
                    f"drift thresholds must not decrease: monitor {t.monitor} <= investigate "
                    f"{t.investigate} <= retrain {t.retrain}",
                    ("monitoring", "drift", "thresholds"),
                )
            )
        if spec.model.signature is not None:
            inputs = {f.name for f in spec.model.signature.inputs}
            for i, feature in enumerate(monitoring.drift.features):
                if feature not in inputs:
                    out.append(
                        Finding(
                            "E110",
                            E,
                            f"drift feature `{feature}` is not an input of the model signature",
                            ("monitoring", "drift", "features", i),
                            f"inputs: {', '.join(sorted(inputs))}",
                        )
                    )
    if monitoring and monitoring.quality and monitoring.quality.investigate_drop > monitoring.quality.retrain_drop:
        out.append(
            Finding(
                "E106",
                E,
                "quality investigate_drop is above retrain_drop",
                ("monitoring", "quality", "investigate_drop"),
            )
        )

    retraining = spec.retraining
    if retraining:
        for i, trigger in enumerate(retraining.triggers):
            needed = {
                RetrainTrigger.DRIFT: monitoring and monitoring.drift,
                RetrainTrigger.QUALITY: monitoring and monitoring.quality,
            }[trigger]
            if not needed:
                out.append(
                    Finding(
                        "E110",
                        E,
                        f"retraining trigger `{trigger}` needs `monitoring.{trigger}`",
                        ("retraining", "triggers", i),
                    )
                )
        if not retraining.schedule and not retraining.triggers:
            out.append(Finding("E110", E, "retraining needs a `schedule` or at least one trigger", ("retraining",)))

    if all(getattr(spec.platforms, p) is None for p in ("kserve", "sagemaker", "vertex", "azureml")):
        out.append(
            Finding(
                "E113",
                E,
                "no platform is configured",
                ("platforms",),
                "add at least one of kserve, sagemaker, vertex, azureml under `platforms`",
            )
        )

    return out
