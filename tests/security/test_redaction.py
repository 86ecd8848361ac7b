"""No secret prints: every command, every format, whichever pass (or none of the policy rules) saw it.

Each case plants a generated secret where an adversarial review found it echoed (issue #12): in a value a
target quotes in its message (`gpu_type`, an image tag, a capture URL, a network name), in a value that
fails validation (quoted up to 57 characters), in a mapping key (the JSON/SARIF `path`), on a line a
YAML error echoes. Then `validate`, `policy`, `compile`, `check`, `explain`, `diff` and `approve` run in
every format they offer, and none may print the secret's bytes, whole or its first or last 12 characters.
"""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result

from tests.bad_inputs import BASE
from tests.security.conftest import ALNUM, B64, FORMATS, pem, token

GH = "ghp_" + token(ALNUM, 36, 3)
PEM = pem()
PASSWORD_NUMBER = "839201746655"
SAS_SIG = token(ALNUM, 43, 5) + "%3D"
AWS_SECRET = token(ALNUM, 12, 7) + "/" + token(ALNUM, 12, 8) + "/" + token(B64, 14, 9)
AWS_ID = "AKIA" + token(string_upper := "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, 10)
RANDOM_PW = token(ALNUM, 20, 11)

VERTEX = "  vertex: {project: acme-ml, region: us-central1}\n"
SAGEMAKER = (
    "  sagemaker: {region: us-east-1, execution_role_arn: 'arn:aws:iam::123456789012:role/x', kms_key_id: alias/k}\n"
)
AZUREML = "  azureml: {workspace: ws, resource_group: rg, region: eastus}\n"


@dataclass(frozen=True)
class Leak:
    id: str
    spec: str
    secret: str  # the bytes that must never print

    def windows(self) -> tuple[str, ...]:
        s = self.secret
        return (s, s[:12], s[-12:]) if len(s) >= 24 else (s,)


def _with(old: str, new: str, platforms: str = "") -> str:
    assert old in BASE, old
    spec = BASE.replace(old, new, 1)
    return spec.replace("platforms:\n", "platforms:\n" + platforms, 1) if platforms else spec


LEAKS = [
    Leak("gpu-type-pem-vertex", _with("memory_gb: 2}", f'memory_gb: 2, gpu: 1, gpu_type: "{PEM}"}}', VERTEX), PEM[31:]),
    Leak(
        "gpu-type-pem-sagemaker",
        _with("memory_gb: 2}", f'memory_gb: 2, gpu: 1, gpu_type: "{PEM}"}}', SAGEMAKER),
        PEM[31:],
    ),
    Leak(
        "gpu-type-pem-azureml", _with("memory_gb: 2}", f'memory_gb: 2, gpu: 1, gpu_type: "{PEM}"}}', AZUREML), PEM[31:]
    ),
    Leak(
        "image-tag-token-vertex",
        _with("  mode: online\n", f"  mode: online\n  image: reg.example.com/x:{GH}\n", VERTEX),
        GH,
    ),
    Leak(
        "image-tag-token-sagemaker",
        _with("  mode: online\n", f"  mode: online\n  image: reg.example.com/x:{GH}\n", SAGEMAKER),
        GH,
    ),
    Leak(
        "sas-url-capture-sagemaker",
        _with(
            "capture_destination: http://logger.monitoring",
            "capture_destination: http://logger.monitoring\n"
            + SAGEMAKER.rstrip("}\n")
            + f", capture_destination: 'https://a.blob.core.windows.net/c?sv=2022-11-02&sp=rl&sig={SAS_SIG}'}}",
        ),
        SAS_SIG,
    ),
    Leak(
        "vertex-network-token",
        _with("platforms:\n", f"platforms:\n  vertex: {{project: acme-ml, region: us-central1, network: {GH}}}\n"),
        GH,
    ),
    Leak(
        "env-number-password",
        _with(
            "    TOKEN: {secret: api-token}\n",
            f"    TOKEN: {{secret: api-token}}\n    DB_PASSWORD: {PASSWORD_NUMBER}\n",
        ),
        PASSWORD_NUMBER,
    ),
    Leak(
        "env-list-token",
        _with("    TOKEN: {secret: api-token}\n", f"    TOKEN: {{secret: api-token}}\n    API_TOKEN: [{GH}]\n"),
        GH,
    ),
    Leak(
        "secret-as-label-key",
        _with("  owner: risk@example.com\n", f"  owner: risk@example.com\n  labels: {{{GH}: x}}\n"),
        GH,
    ),
    Leak("secret-as-unknown-key", _with("  owner: risk@example.com\n", f"  owner: risk@example.com\n  {GH}: x\n"), GH),
    Leak("pem-in-enum-field", _with("type: classification", f'type: "{PEM}"'), PEM[31:]),
    Leak(
        "password-in-yaml-error-line",
        _with("  owner: risk@example.com\n", f'  owner: risk@example.com\n  DB_PASSWORD: "{RANDOM_PW}\n'),
        RANDOM_PW,
    ),
    Leak(
        "uri-password-with-slash",
        _with("uri: s3://models/fraud/1.0.0/model.bst", f"uri: 'https://admin:{AWS_SECRET}@models.example.com/m.bst'"),
        AWS_SECRET,
    ),
    Leak(
        "base64-aws-credentials",
        _with(
            "    TOKEN: {secret: api-token}\n",
            "    TOKEN: {secret: api-token}\n    CREDS_B64: "
            + base64.b64encode(f"[default]\naws_access_key_id = {AWS_ID}\n".encode()).decode()
            + "\n",
        ),
        base64.b64encode(f"[default]\naws_access_key_id = {AWS_ID}\n".encode()).decode(),
    ),
    Leak(
        "export-in-command",
        _with("  mode: online\n", f"  mode: online\n  command: [sh, -c, 'export DB_PASSWORD={RANDOM_PW} && serve']\n"),
        RANDOM_PW,
    ),
    Leak(
        "password-flag-in-command",
        _with("  mode: online\n", f"  mode: online\n  command: [serve, --password, {RANDOM_PW}]\n"),
        RANDOM_PW,
    ),
    Leak(
        "waived-secret-in-spec",
        _with("  mode: online\n", f"  mode: online\n  env2: {{API_TOKEN: {RANDOM_PW}}}\n"),
        RANDOM_PW,
    ),
]

COMMANDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # command -> (arguments, formats)
    "validate": (("validate", "mlops.yaml"), FORMATS),
    "policy": (("policy", "mlops.yaml"), FORMATS),
    "compile": (("compile", "mlops.yaml", "--out", "out"), FORMATS),
    "check": (("check", "mlops.yaml", "--out", "out"), FORMATS),
    "explain": (("explain", "mlops.yaml"), ("text", "json")),
    "explain-print-ir": (("explain", "mlops.yaml", "--print-ir"), ("text", "json")),
    "approve": (
        ("approve", "mlops.yaml", "--env", "default", "--by", "mrm@example.com", "--role", "model-risk"),
        ("",),
    ),
}


def _assert_clean(result: Result, leak: Leak, what: str) -> None:
    printed = result.stdout + result.stderr
    assert "Traceback" not in printed, printed
    for window in leak.windows():
        assert window not in printed, f"{what}: the secret's bytes ({window[:4]}...) were printed:\n{printed}"


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("leak", LEAKS, ids=lambda leak: leak.id)
def test_no_command_prints_the_secret_in_any_format(
    leak: Leak, command: str, workdir: Path, mlopsc: Callable[[Sequence[str]], Result]
) -> None:
    Path("mlops.yaml").write_text(leak.spec, encoding="utf-8")
    args, formats = COMMANDS[command]
    for fmt in formats:
        result = mlopsc([*args, "--format", fmt] if fmt else list(args))
        _assert_clean(result, leak, f"{command} --format {fmt or 'text'}")
        assert result.exit_code in (0, 1), result.output


@pytest.mark.parametrize("leak", LEAKS[:6], ids=lambda leak: leak.id)
def test_diff_prints_no_secret(leak: Leak, workdir: Path, mlopsc: Callable[[Sequence[str]], Result]) -> None:
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", "-b", "main"], check=True)
    Path("mlops.yaml").write_text(BASE, encoding="utf-8")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    Path("mlops.yaml").write_text(leak.spec, encoding="utf-8")
    for fmt in ("text", "markdown", "json"):
        _assert_clean(mlopsc(["diff", "mlops.yaml", "--base", "main", "--format", fmt]), leak, f"diff {fmt}")


def test_every_case_is_reported_at_all(workdir: Path, mlopsc: Callable[[Sequence[str]], Result]) -> None:
    """The masking hides the value, not the problem: each case still gives at least one diagnostic."""
    for leak in LEAKS:
        Path("mlops.yaml").write_text(leak.spec, encoding="utf-8")
        result = mlopsc(["validate", "mlops.yaml", "--format", "json"])
        assert result.stdout.strip() not in ("", "[]"), leak.id


def test_the_echoed_line_keeps_its_caret_under_the_masked_value(
    workdir: Path, mlopsc: Callable[[Sequence[str]], Result]
) -> None:
    Path("mlops.yaml").write_text(LEAKS[0].spec, encoding="utf-8")
    err = mlopsc(["validate", "mlops.yaml"]).stderr
    line, caret = next(
        (a, b) for a, b in zip(err.splitlines(), err.splitlines()[1:], strict=False) if "| " in a and "gpu_type:" in a
    )
    assert "*" * 40 in line and line.index("*") - 1 == caret.index("^")  # the opening quote, then the mask


def test_diff_masks_the_old_value_as_well_as_the_new(workdir: Path, mlopsc: Callable[[Sequence[str]], Result]) -> None:
    """An org that grades secret findings down to notes still never sees one printed: `diff` shows
    `old -> new` and both sides are masked (the base's secrets are gathered when it is rendered)."""
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", "-b", "main"], check=True)
    Path(".mlopsc").mkdir()
    Path(".mlopsc/policy.yaml").write_text("version: 1\nseverity: {SEC001: note, SEC002: note, RND003: note}\n")
    old, new = token(ALNUM, 18, 21), token(ALNUM, 18, 22)
    env = "    TOKEN: {secret: api-token}\n"
    Path("mlops.yaml").write_text(BASE.replace(env, env + f"    DB_PASSWORD: {old}\n"), encoding="utf-8")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    Path("mlops.yaml").write_text(BASE.replace(env, env + f"    DB_PASSWORD: {new}\n"), encoding="utf-8")
    for fmt in ("text", "markdown", "json"):
        result = mlopsc(["diff", "--base", "main", "--format", fmt])
        assert result.exit_code == 0, result.output
        assert "DB_PASSWORD" in result.stdout and old not in result.output and new not in result.output


@pytest.mark.parametrize("line", ["    DB_PASSWORD: abc\n", "    API_TOKEN: 'x9'\n", '    PGPASSWORD: "ab1"\n'])
def test_a_short_secret_is_masked_on_the_line_it_stands(
    line: str, workdir: Path, mlopsc: Callable[[Sequence[str]], Result]
) -> None:
    env = "    TOKEN: {secret: api-token}\n"
    Path("mlops.yaml").write_text(BASE.replace(env, env + line), encoding="utf-8")
    err = mlopsc(["validate", "mlops.yaml"]).stderr
    key, value = line.strip().split(": ")
    quoted = [row for row in err.splitlines() if f"| {line.rstrip()}"[: -len(value)] in row]
    assert quoted, err
    assert all(value.strip("'\"") not in row.split(key, 1)[1] for row in quoted), quoted
    # one finding per cause: SEC001 reports the value, RND003 does not repeat it for the rendered files
    assert "RND003" not in err
    rendered = [row for row in err.splitlines() if "| " in row and "value: " in row]
    assert all(value.strip("'\"") not in row for row in rendered), rendered


def test_the_github_action_prints_and_writes_no_secret(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Action's annotations, job summary, JSON report and SARIF file go through the redaction point."""
    from mlopsc.compiler.gitops.action import run_action
    from tests.gitops_fixtures import commit_all, kserve_spec, repo

    root = repo(workdir / "repo")
    monkeypatch.chdir(root)
    (root / "mlops.yaml").write_text(kserve_spec(), encoding="utf-8")
    commit_all(root, "base")
    # validation errors that quote the values (E105 quotes 57 characters, E103 the number)
    spec = kserve_spec().replace("  type: classification ", f'  type: "{PEM}" ', 1)
    spec = spec.replace("    LOG_LEVEL: info\n", f"    LOG_LEVEL: info\n    DB_PASSWORD: {PASSWORD_NUMBER}\n", 1)
    (root / "mlops.yaml").write_text(spec, encoding="utf-8")
    runner = workdir / "runner"
    runner.mkdir()
    env = {
        "GITHUB_STEP_SUMMARY": str(runner / "summary.md"),
        "GITHUB_OUTPUT": str(runner / "output.txt"),
        "RUNNER_TEMP": str(runner),
        "GITHUB_BASE_REF": "",
        "MLOPSC_BASE": "main",
        "MLOPSC_PATHS": "mlops.yaml",
        "MLOPSC_SARIF": str(runner / "mlopsc.sarif"),
    }
    capsys.readouterr()
    assert run_action(env, root) == 1
    printed = capsys.readouterr()
    written = "".join(p.read_text() for p in runner.iterdir() if p.is_file())
    assert printed.out.count("::error ") >= 2  # both were reported
    for text in (printed.out, printed.err, written):
        assert PEM[31:50] not in text and PASSWORD_NUMBER not in text
