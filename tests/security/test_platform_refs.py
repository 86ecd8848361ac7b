"""Platform-side secret resolution syntaxes outside `secrets:` are refused with a positioned E117 and a
hint at `secrets:` (issue #12: CloudFormation would resolve `{{resolve:secretsmanager:...}}` to plaintext)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import Result

from tests.bad_inputs import BASE

ENV = "    TOKEN: {secret: api-token}\n"
REFUSED: dict[str, str] = {
    "cfn-secretsmanager-env": ENV + "    DB: '{{resolve:secretsmanager:prod/db:SecretString:password}}'\n",
    "cfn-ssm-secure-env": ENV + "    DB: '{{resolve:ssm-secure:/prod/db/password:3}}'\n",
    "cfn-ssm-plain-env": ENV + "    DB: '{{resolve:ssm:/prod/db/host}}'\n",
    "cfn-inside-a-uri": ENV + "    DSN: 'postgres://u:{{resolve:secretsmanager:db}}@h/x'\n",
    "cfn-spaced-upper": ENV + "    DB: '{{ RESOLVE : secretsmanager:db}}'\n",
    "keyvault-secreturi": ENV + "    DB: '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/db/)'\n",
    "keyvault-vaultname": ENV + "    DB: '@Microsoft.KeyVault(VaultName=kv;SecretName=db)'\n",
    "k8s-dependent-in-command": ENV + "  command: [serve, --token, $(TOKEN)]\n",
}


@pytest.mark.parametrize("case", REFUSED, ids=str)
def test_platform_side_resolution_outside_secrets_is_refused(
    case: str, workdir: Path, mlopsc: Callable[[Sequence[str]], Result]
) -> None:
    text = REFUSED[case]
    spec = BASE.replace(ENV, text)
    line = spec.splitlines().index(text.splitlines()[-1]) + 1
    Path("mlops.yaml").write_text(spec, encoding="utf-8")
    result = mlopsc(["validate", "mlops.yaml", "--format", "json"])
    assert result.exit_code == 1, result.output
    e117 = [d for d in json.loads(result.stdout) if d["code"] == "E117"]
    assert len(e117) == 1 and e117[0]["line"] == line and e117[0]["col"] > 1, e117
    assert "secrets:" in e117[0]["hint"]


def test_in_an_environment_override_it_is_refused_at_the_override(
    workdir: Path, mlopsc: Callable[[Sequence[str]], Result]
) -> None:
    spec = BASE + "environments:\n  prod:\n    serving: {env: {DB: '{{resolve:secretsmanager:db}}'}}\n"
    Path("mlops.yaml").write_text(spec, encoding="utf-8")
    found = json.loads(mlopsc(["validate", "mlops.yaml", "--format", "json"]).stdout)
    line = len(spec.splitlines())
    assert [(d["code"], d["line"]) for d in found if d["code"] == "E117"] == [("E117", line)]


@pytest.mark.parametrize(
    "text",
    [
        ENV + "  command: [sh, -c, 'echo $(date)']\n",  # not a secret-backed variable
        ENV + "    NOTE: 'mail ops@example.com'\n",
        ENV + "    TEMPLATE: '{{ model }}'\n",
    ],
)
def test_look_alikes_are_not_refused(text: str, workdir: Path, mlopsc: Callable[[Sequence[str]], Result]) -> None:
    Path("mlops.yaml").write_text(BASE.replace(ENV, text), encoding="utf-8")
    found = json.loads(mlopsc(["validate", "mlops.yaml", "--format", "json"]).stdout)
    assert not [d for d in found if d["code"] == "E117"]
