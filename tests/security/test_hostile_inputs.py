"""Hostile numbers and digits get a positioned E1xx, never E900; a crash in one spec names it and hides
nothing else (issue #12, "Inputs")."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import Result

from tests.bad_inputs import BASE

PIPELINE = "  pipeline: {image: 'a.dkr.ecr.us-east-1.amazonaws.com/x@sha256:" + "a" * 64 + "', command: [x]}\n"
VERTEX = "  vertex: {project: acme-ml, region: us-central1}\n"


def _retraining(schedule: str) -> str:
    return BASE.replace("governance:", f'retraining:\n  schedule: "{schedule}"\n{PIPELINE}governance:')


HOSTILE: dict[str, tuple[str, str, int]] = {
    # id: (spec, code, line)
    "hex-20000-digits": (BASE.replace("rps: 100", "rps: 0x" + "f" * 20000), "E103", 21),
    "binary-20000-digits": (BASE.replace("rps: 100", "rps: 0b" + "1" * 20000), "E103", 21),
    "octal-20000-digits": (BASE.replace("rps: 100", "rps: 0o" + "7" * 20000), "E103", 21),
    "decimal-20000-digits": (BASE.replace("rps: 100", "rps: " + "9" * 20000), "E103", 21),
    "float-20000-digits": (BASE.replace("rps: 100", "rps: " + "9" * 20000 + ".5"), "E103", 21),
    "float-beyond-range": (BASE.replace("rps: 100", "rps: 1e999"), "E103", 21),
    "hex-in-cpu": (BASE.replace("cpu: 1", "cpu: 0x" + "f" * 20000), "E103", 20),
    "hex-version": (BASE.replace("version: 1.0.0", "version: 0x" + "f" * 20000), "E105", 9),
    "superscript-two-quoted": (BASE.replace("rps: 100", 'rps: "²"'), "E103", 21),
    "superscript-two-bare": (BASE.replace("rps: 100", "rps: ²"), "E103", 21),
    "arabic-indic-digit": (BASE.replace("rps: 100", "rps: ٣"), "E103", 21),
    "fullwidth-digit": (BASE.replace("rps: 100", "rps: ３"), "E103", 21),
    "cron-step-5000-digits": (_retraining("*/" + "7" * 5000 + " * * * *"), "E105", 25),
    "cron-value-5000-digits": (_retraining("0 0 * * " + "1" * 5000), "E105", 25),
    "cron-range-5000-digits": (_retraining("0 0 1-" + "3" * 5000 + " * *"), "E105", 25),
    "cron-superscript-step": (_retraining("*/² * * * *"), "E105", 25),
    "cron-arabic-indic-minute": (_retraining("٣ * * * *"), "E105", 25),
    "cron-fullwidth-hour": (_retraining("0 ３ * * *"), "E105", 25),
    "semver-patch-5000-digits-vertex": (
        BASE.replace("version: 1.0.0", "version: 1.0." + "9" * 5000).replace("platforms:\n", "platforms:\n" + VERTEX),
        "VTX015",
        9,
    ),
}


@pytest.mark.parametrize("case", HOSTILE, ids=str)
def test_each_hostile_number_is_a_positioned_error(
    case: str, workdir: Path, mlopsc: Callable[[Sequence[str]], Result]
) -> None:
    spec, code, line = HOSTILE[case]
    Path("mlops.yaml").write_text(spec, encoding="utf-8")
    result = mlopsc(["validate", "mlops.yaml", "--format", "json"])
    assert result.exit_code == 1, result.output
    found = json.loads(result.stdout)
    assert not [d for d in found if d["code"] == "E900"], found
    assert any(d["code"] == code and d["line"] == line and d["file"] == "mlops.yaml" for d in found), found


def test_a_crash_in_one_spec_names_it_and_keeps_the_others_diagnostics(
    workdir: Path, mlopsc: Callable[[Sequence[str]], Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlopsc.compiler import passes

    for name in ("a", "b", "c"):
        Path(name).mkdir()
        spec = BASE.replace("rps: 100", "rps: lots") if name != "b" else BASE.replace("fraud-model", "boom-model")
        (Path(name) / "mlops.yaml").write_text(spec, encoding="utf-8")
    real = passes.validate

    def explode(parsed: object, options: object) -> object:
        if "boom-model" in parsed.unit.source.text:  # type: ignore[attr-defined]
            raise RuntimeError("a bug in a pass")
        return real(parsed, options)  # type: ignore[arg-type]

    monkeypatch.setattr(passes, "PIPELINE", (("validate", explode), *passes.PIPELINE[1:]))
    result = mlopsc(["validate", "a", "b", "c", "--format", "json", "--jobs", "1"])
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert {(d["file"], d["code"]) for d in found} >= {
        ("a/mlops.yaml", "E103"),
        ("b/mlops.yaml", "E900"),
        ("c/mlops.yaml", "E103"),
    }
    crash = next(d for d in found if d["code"] == "E900")
    assert "RuntimeError: a bug in a pass" in crash["message"]
