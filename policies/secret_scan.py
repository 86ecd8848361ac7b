"""Find secret values in the strings of a spec or a rendered file, and tell references apart from literals.

The policy rules call :func:`scan_value` on every string value of the effective spec and of every rendered
file, with the mapping key the value sits under. It is on the pre-commit hot path, so every regex is compiled
once here, and a value is first checked for a few literal substrings (``"AKIA" in value``...): a typical value
(a name, a region, a URI, a digest) costs a length test and a handful of substring tests, and only a value
that carries a trigger, or sits under a secret-looking key, meets a regex or the entropy test.

Two families of findings:

* **Known token formats**, found anywhere in any value whatever its key: AWS access key ids, PEM private
  keys and GCP service-account keys, Azure storage keys, connection strings and SAS signatures, GitHub,
  GitLab, Slack (tokens and webhooks), Hugging Face, Weights & Biases, Databricks, OpenAI, Anthropic and
  Google API keys, JWTs, ``scheme://user:password@`` URLs and ``password=...`` assignments.
* **Values under secret-looking keys**. The key is split into words (``clientSecret``, ``DB_PASSWORD``,
  ``x-api-key`` -> ``client secret``, ``db password``, ``x api key``) and its *last* word decides:

  - *strong* keys (last word ``password``, ``passwd``, ``pwd``, ``passphrase``, ``secret``, ``token``,
    ``authorization``, ``apikey``..., or last two words ``api key``, ``secret key``, ``private key``,
    ``access key``, ``account key``...): **any literal is a finding**, whatever its entropy. A reviewer
    cannot tell ``changeme`` from a production password, default passwords are real credentials, and the
    fix is always the same: a reference. High-entropy literals are reported as
    ``high-entropy-under-secret-key``, the others as ``literal-under-secret-key`` (separate ids, so that
    an org policy can grade them apart).
  - *weak* keys (last word ``key``, ``auth``, ``pass``, ``credential(s)``, ``creds``, ``signature``, ``salt``,
    ``session``, ``cookie``, ``sas``, ``pat``, ``jwt``, or ``connection string``): a finding only when the
    value looks random (``high-entropy-under-secret-key``): ``key: token`` in a Kubernetes ``secretKeyRef``
    names an entry, it is not a secret, and ``GOOGLE_APPLICATION_CREDENTIALS`` holds a path.
  - the key exactly ``secret`` is the spec's reference form ``{secret: name}``: a name-shaped, non-random
    value is the name of an entry of ``secrets:`` (the compiler resolves it), anything else is a finding.
  - keys whose last word is ``name``, ``id``, ``ref``, ``arn``, ``uri``, ``file``, ``ttl``... are not secret
    keys at all (``secret_name``, ``token_ttl``, ``kms_key_id``, ``secretKeyRef``), nor are plurals
    (``max_tokens``).

  Never a finding under any key: the empty string, a reference (:func:`is_reference`), YAML scalar words
  (``true``, ``false``, ``null``, ``none``, ``yes``, ``no``, ``on``, ``off``, ``~``), a redaction made of one
  repeated character (``********``, ``xxxx``), an explicit ``<placeholder>``, and an absolute or relative
  filesystem path (``/var/run/secrets/token``: a location, not the secret). Other indirections (``env:X``,
  ``vault:...``, ``${X:-default}`` whose default is a literal) are findings: use ``{secret: name}``.

Entropy test (``looks_random``): Shannon entropy in bits per character over the value's own characters.
A value looks random when it is at least 16 characters long, is made of token characters only (letters,
digits and ``+/=_-.~!@#$%^&*?``: no blanks, no ``:``, no brackets or braces, so no URI, ARN or template), is
not name-like (two or more segments split by ``-_./:`` that are each a word, a number or a short
``v2``-style tag, such as ``fraud-detection-2024``), and either is hexadecimal with letters and digits,
at least 32 characters long, with entropy >= 3.0 (detect-secrets' hex limit), or mixes character classes
(letters and digits, or upper and lower case) with entropy >= 3.5 (gitleaks' generic-api-key threshold).
A random base62 string of 16 characters averages about 3.7 bits, ``feature-store-token`` about 3.3.

Fingerprints are ``"sha256:"`` + the first 16 hex digits of SHA-256 over the secret text itself (the matched
token, or the whole stripped value for key-based findings; a PEM block with its JSON ``\\n`` escapes
undone and its surrounding blanks stripped): the same secret gets the same fingerprint in the spec
and in every rendered file and across runs, and the fingerprint never contains the value. For a
low-entropy literal (``changeme``) a fingerprint can be reversed by a dictionary search; it stays
acceptable because the value is, by definition, in the file the finding points at.

Descriptions never contain the value.

Runtime imports are ``re``, ``math`` and ``hashlib`` (plus ``dataclasses`` for :class:`SecretHit`): no
``base64`` or ``json`` either, the JWT header is decoded by a few lines here.

Callers: pass only string values; for name/value pair lists (Kubernetes and Vertex ``env: [{name, value}]``)
pass the sibling ``name`` as ``key``; for list items pass the key of the list (or ``None``).
:func:`is_secret_key` answers whether a key name is secret-looking, for rules that need it.

Formats were checked against these sources (2025-2026 versions):

* gitleaks default rules, ``config/gitleaks.toml`` and ``cmd/generate/config/rules/*.go`` in
  github.com/gitleaks/gitleaks: ``aws-access-token`` ``(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}`` with
  ``.+EXAMPLE$`` allowed; ``aws_secret.go`` ``[A-Za-z0-9/+=]{40}``; ``private-key``
  ``-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----``; ``gcp.go`` (service-account JSON with
  ``"private_key": "-----BEGIN PRIVATE KEY-----...``, ``AIza[\\w-]{35}``); ``github-pat`` /
  ``github-oauth`` / ``github-app-token`` / ``github-refresh-token`` ``gh[pousr]_[0-9a-zA-Z]{36}``,
  ``github-fine-grained-pat`` ``github_pat_\\w{82}``; ``gitlab-*`` (``glpat-``, ``gldt-``, ``glrt-``,
  ``glptt-``, ``glcbt-``, ``gloas-``, ``glft-``, ``glsoat-``, ``glimt-``, ``glffct-``, ``glagent-``,
  ``GR1348941``); ``slack-*`` (``xoxb-``, ``xoxp-``, ``xoxa-``, ``xoxr-``, ``xoxo-``, ``xoxs-``, ``xoxe``,
  ``xapp-``, ``hooks.slack.com/(services|workflows|triggers)/``); ``huggingface.go`` ``hf_[a-zA-Z]{34}``,
  ``api_org_[a-zA-Z]{34}``; ``databricks-api-token`` ``dapi[a-f0-9]{32}(?:-\\d)?``; ``openai-api-key``
  (``sk-(proj|svcacct|admin)-...T3BlbkFJ...`` and legacy ``sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20}``);
  ``anthropic.go`` (``sk-ant-api03-``, ``sk-ant-admin01-``, ``sk-ant-oat01-``, ``sk-ant-ort01-``); ``jwt``
  ``ey...\\.ey...\\.``; the global allowlist (``${{ secrets.X }}``, ``${VAR}``, ``$VAR``, one repeated
  character).
* Yelp/detect-secrets plugins: ``jwt.py`` (each segment must base64url-decode, the first two to JSON),
  ``azure_storage_key.py`` (``[A-Za-z0-9+/]{86,1000}==`` next to ``AccountKey=``, ``integrity`` hashes
  skipped), ``openai.py`` (``T3BlbkFJ``, base64 of ``OpenAI``), ``private_key.py`` (``PuTTY-User-Key-File``),
  ``high_entropy_strings.py`` (hex limit 3.0).
* wandb/wandb ``wandb/sdk/lib/apikey.py`` and ``wandb/sdk/lib/wbauth/validation.py``: classic keys are
  40 hex characters, on-prem keys are ``<prefix>-<40 chars>``, new keys start ``wandb_v1_`` (word
  characters, 86 in all), so a bare 40-hex value is only attributed to W&B under a ``wandb`` key.
* Azure Storage docs (account keys are 64 random bytes, i.e. 88 base64 characters ending ``==``; connection
  strings ``AccountKey=`` / ``SharedAccessKey=`` / ``SharedAccessSignature=``; SAS query ``sv=``, ``sig=``).
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass

__all__ = [
    "DETECTORS",
    "SecretHit",
    "fingerprint",
    "is_reference",
    "is_secret_key",
    "looks_random",
    "scan_value",
    "secret_spans",
    "shannon_entropy",
]


@dataclass(frozen=True)
class SecretHit:
    """One secret found in a value. Nothing in it reveals the value."""

    detector: str  # stable id, one of DETECTORS
    description: str  # human text, never containing the value
    fingerprint: str  # "sha256:" + 16 hex digits of SHA-256 over the secret text


_REF_HINT = (
    "; use a reference instead ({secret: name}, a Secrets Manager ARN, projects/*/secrets/*, a Key Vault secret URL)"
)

#: Every detector id with its description (for rule metadata and generated docs).
DETECTORS: dict[str, str] = {
    "private-key": "PEM private key block",
    "gcp-service-account-key": "GCP service-account key (private_key of a service-account JSON key)",
    "aws-access-key-id": "AWS access key id (AKIA/ASIA/ABIA/ACCA/A3T...)",
    "aws-secret-access-key": "AWS secret access key",
    "github-token": "GitHub token (ghp_/gho_/ghu_/ghs_/ghr_/github_pat_)",
    "gitlab-token": "GitLab token (glpat-, deploy, runner, trigger, OAuth... tokens)",
    "slack-token": "Slack token (xoxb-/xoxp-/xoxa-/xoxr-/xapp-...)",
    "slack-webhook-url": "Slack incoming-webhook URL",
    "huggingface-token": "Hugging Face access token (hf_/api_org_)",
    "wandb-api-key": "Weights & Biases API key",
    "databricks-token": "Databricks personal access token (dapi...)",
    "anthropic-api-key": "Anthropic API key (sk-ant-...)",
    "openai-api-key": "OpenAI API key (sk-..., sk-proj-...)",
    "gcp-api-key": "Google API key (AIza...)",
    "pypi-token": "PyPI upload token (pypi-AgE...)",
    "npm-token": "npm access token (npm_...)",
    "sendgrid-api-key": "SendGrid API key (SG....)",
    "stripe-secret-key": "Stripe secret or restricted live key (sk_live_/rk_live_)",
    "jwt": "JSON Web Token",
    "azure-connection-string": "Azure connection string with an account or shared access key",
    "azure-sas-token": "Azure shared access signature (sig=)",
    "azure-storage-account-key": "Azure storage account key (88 base64 characters ending ==)",
    "url-credentials": "URL with an embedded password (scheme://user:password@host)",
    "password-assignment": "password=... assignment with a literal value",
    "secret-assignment": "NAME=... assignment of a literal to a secret-looking name (export DB_PASSWORD=...)",
    "command-line-password": "password on a command line (--password X, mysql -pX, curl -u user:X)",
    "base64-encoded-secret": "base64 text that decodes to a secret (a key file, a token, a credentials file)",
    "high-entropy-under-secret-key": "random-looking literal under a secret-looking key",
    "literal-under-secret-key": "literal value under a secret-looking key",
}


def fingerprint(secret: str) -> str:
    """``sha256:`` + the first 16 hex digits of SHA-256 over ``secret``: stable, and not the value."""
    return "sha256:" + hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def shannon_entropy(text: str) -> float:
    """Shannon entropy of ``text`` in bits per character, over its own character frequencies."""
    n = len(text)
    if n == 0:
        return 0.0
    return -sum((c / n) * math.log2(c / n) for c in (text.count(ch) for ch in set(text)))


_HEX = re.compile(r"[0-9a-fA-F]+")
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9+/=_.~!@#$%^&*?-]+")
_NAME_SEPARATOR = re.compile(r"[-_./:]")
_NAME_SEGMENT = re.compile(r"[A-Z]?[a-z]+|[A-Z]+|[0-9]+|[A-Za-z]{1,2}[0-9]{1,3}")


def _name_like(value: str) -> bool:
    """``fraud-detection-2024``, ``Fraud_Model_v2``: two or more word, number or ``v2`` segments."""
    segments = [seg for seg in _NAME_SEPARATOR.split(value) if seg]
    return len(segments) > 1 and all(_NAME_SEGMENT.fullmatch(seg) for seg in segments)


def looks_random(value: str) -> bool:
    """Whether ``value`` looks like generated key material (thresholds in the module docstring)."""
    n = len(value)
    if n < 16 or n > 4096 or not _TOKEN_CHARS.fullmatch(value) or _name_like(value):
        return False
    if _HEX.fullmatch(value):
        return n >= 32 and not value.isdigit() and not value.isalpha() and shannon_entropy(value) >= 3.0
    has_digit = has_upper = has_lower = False
    for ch in value:
        if ch.isdigit():
            has_digit = True
        elif ch.isupper():
            has_upper = True
        elif ch.islower():
            has_lower = True
    if not ((has_digit and (has_upper or has_lower)) or (has_upper and has_lower)):
        return False
    return shannon_entropy(value) >= 3.5


# --------------------------------------------------------------------------------------------- references

_REFERENCE = re.compile(
    r"""(?:
        arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+
      | arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/[A-Za-z0-9/_.-]+
      | (?://secretmanager\.googleapis\.com/)?projects/[A-Za-z0-9._:-]+/secrets/[A-Za-z0-9_-]+
        (?:/versions/(?:\d+|latest))?
      | https://[A-Za-z0-9-]{3,24}\.vault\.(?:azure\.net|azure\.cn|usgovcloudapi\.net|microsoftazure\.de)
        /(?:secrets|keys|certificates)/[A-Za-z0-9-]{1,127}(?:/[A-Za-z0-9]{0,64})?/?
      | @Microsoft\.KeyVault\([^()]+\)
      | \$\{\{[^{}]+\}\}
      | \{\{[^{}]+\}\}
      | \$\{[A-Za-z_][A-Za-z0-9_.]*\}
      | \$\([A-Za-z_][A-Za-z0-9_.]*\)
      | \$[A-Za-z_][A-Za-z0-9_]*
    )""",
    re.VERBOSE,
)


def is_reference(value: str) -> bool:
    """Whether ``value`` (surrounding blanks ignored) points at a secret instead of holding one.

    References: AWS Secrets Manager secret ARNs and SSM parameter ARNs, GCP Secret Manager names
    (``projects/P/secrets/S`` with an optional ``/versions/V``), Azure Key Vault secret/key/certificate URLs
    and ``@Microsoft.KeyVault(...)``, GitHub Actions / Azure ML expressions ``${{ ... }}``, templates and
    CloudFormation dynamic references ``{{ ... }}`` (``{{resolve:secretsmanager:...}}``), and environment
    interpolation ``${VAR}``, ``$(VAR)``, ``$VAR`` (not ``${VAR:-default}``: the default is a literal).
    """
    return _REFERENCE.fullmatch(value.strip()) is not None


_SCALAR_WORDS = frozenset({"true", "false", "null", "none", "yes", "no", "on", "off", "~"})
_PLACEHOLDER = re.compile(r"<[^<>]+>")
_PATH = re.compile(r"(?:/|~/|\.{1,2}/)[\w.@+-]+(?:/[\w.@+-]+)*/?")


def _is_non_literal(value: str) -> bool:
    """References, YAML scalar words, one-character redactions, <placeholders> and filesystem paths."""
    return (
        value.lower() in _SCALAR_WORDS
        or len(set(value)) == 1
        or _PLACEHOLDER.fullmatch(value) is not None
        or _PATH.fullmatch(value) is not None
        or is_reference(value)
    )


# --------------------------------------------------------------------------------------------- secret keys

_NONE, _WEAK, _STRONG, _REFNAME = 0, 1, 2, 3

_STRONG_LAST = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "secret",
        "token",
        "authorization",
        "apikey",
        "secretkey",
        "privatekey",
        "accesskey",
        "accountkey",
        "authtoken",
        "accesstoken",
        "refreshtoken",
        "clientsecret",
        "dbpassword",
    }
)
_STRONG_PAIRS = frozenset(
    {
        ("api", "key"),
        ("secret", "key"),
        ("private", "key"),
        ("access", "key"),
        ("account", "key"),
        ("master", "key"),
        ("shared", "key"),
        ("storage", "key"),
        ("subscription", "key"),
        ("signing", "key"),
        ("auth", "key"),
        ("app", "key"),
        ("session", "key"),
        ("access", "secret"),
    }
)
_WEAK_LAST = frozenset(
    {
        "key",
        "auth",
        "pass",
        "credential",
        "credentials",
        "creds",
        "cred",
        "signature",
        "sig",
        "salt",
        "hmac",
        "cookie",
        "session",
        "sas",
        "pat",
        "jwt",
        "bearer",
        "connectionstring",
    }
)
_WEAK_PAIRS = frozenset({("connection", "string"), ("conn", "str")})

# Words after the secret word that still leave the value the secret (`SECRET_VALUE`, `API_TOKEN_B64`,
# `DB_PASSWORD_1`); words such as `name`, `id`, `ref`, `file`, `ttl` do not (they are not listed: a key
# whose last word is one of them is not secret-looking).
_ENCODING_SUFFIXES = frozenset(
    {"value", "val", "b", "b64", "base64", "hex", "enc", "encoded", "raw", "plain", "plaintext"}
)
_STRONG_ENDINGS = ("password", "passwd", "passphrase", "secret", "apikey", "authtoken", "accesstoken")

_KEY_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


@dataclass(frozen=True)
class _KeyInfo:
    strength: int
    wandb: bool
    aws_secret: bool


_KEY_CACHE: dict[str, _KeyInfo] = {}


def _key_info(key: str) -> _KeyInfo:
    info = _KEY_CACHE.get(key)
    if info is not None:
        return info
    words = [w.lower() for w in _KEY_WORD.findall(key)]
    # `DB_PASSWORD_1`, `PASSWORD2`, `SECRET_VALUE`, `API_TOKEN_B64`: the secret word is not the last one;
    # trailing counters and encodings say how the secret is held, not that it is something else.
    while len(words) > 1 and (words[-1].isdigit() or words[-1] in _ENCODING_SUFFIXES):
        words.pop()
    strength = _NONE
    if words == ["secret"] and not _ENCODING_SUFFIXES.intersection(_KEY_WORD.findall(key.lower())):
        strength = _REFNAME
    elif words:
        last = words[-1]
        if last not in _STRONG_LAST and last.endswith(_STRONG_ENDINGS):
            last = "password"  # `PGPASSWORD`, `MYSQL_PWD` as one word, `dbsecret`: a run-together key
        pair = (words[-2], last) if len(words) > 1 else ("", last)
        if last in _STRONG_LAST or pair in _STRONG_PAIRS:
            strength = _STRONG
        elif last in _WEAK_LAST or pair in _WEAK_PAIRS:
            strength = _WEAK
    info = _KeyInfo(
        strength,
        wandb="wandb" in words,
        aws_secret="secret" in words and ("aws" in words or "access" in words) and words[-1] != "id",
    )
    if len(_KEY_CACHE) > 4096:
        _KEY_CACHE.clear()
    _KEY_CACHE[key] = info
    return info


def is_secret_key(key: str) -> bool:
    """Whether a value under ``key`` is treated as a potential secret (strong, weak or ``secret``)."""
    return _key_info(key).strength != _NONE


# --------------------------------------------------------------------------------------------- formats

# Before a prefixed token: not a letter, digit or underscore (so `risk-ml` has no `sk-` token).
_B = r"(?<![A-Za-z0-9_])"
_A = r"(?![A-Za-z0-9_])"


@dataclass(frozen=True)
class _Rule:
    detector: str
    triggers: tuple[str, ...]  # the value must contain one of these substrings before the regex runs
    source: str
    group: int = 1  # the group holding the secret text
    check: str = ""  # name of a validator in _CHECKS, run on each match
    flags: int = 0

    @property
    def pattern(self) -> re.Pattern[str]:
        """Compiled on first use (`re` keeps it): most rules never run in a process, and compiling all
        of them cost ~25 ms of every pre-commit run."""
        return re.compile(self.source, self.flags)


def _rule(
    detector: str, triggers: tuple[str, ...], pattern: str, *, group: int = 1, check: str = "", flags: int = 0
) -> _Rule:
    return _Rule(detector, triggers, pattern, group, check, flags)


# Order matters: when matches overlap, the earlier rule wins (the more specific format).
_RULES: tuple[_Rule, ...] = (
    _rule(
        "gcp-service-account-key",
        ('"private_key"',),
        r'"private_key"\s*:\s*"(-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY-----[^"]*)"',
        check="pem",
    ),
    _rule(
        "private-key",
        ("PRIVATE KEY",),
        r"-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----.*?"
        r"(?:-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|\Z)",
        group=0,
        check="pem",
        flags=re.DOTALL,
    ),
    _rule(
        "private-key", ("PuTTY-User-Key-File-",), r"PuTTY-User-Key-File-\d+:.*", group=0, check="putty", flags=re.DOTALL
    ),
    _rule(
        "aws-access-key-id",
        ("AKIA", "ASIA", "ABIA", "ACCA", "A3T"),
        r"(?<![A-Za-z0-9])((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})(?![A-Za-z0-9])",
        check="aws_id",
    ),
    _rule(
        "aws-secret-access-key",
        ("secret", "SECRET", "Secret"),
        r"""(?i)secret[_-]?(access[_-]?)?key["']?(?:\s*[:=]\s*|\s+)["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])""",
        group=2,
        check="aws_secret",
    ),
    _rule(
        "github-token",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        _B + r"(gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{50,255})" + _A,
        check="entropy3",
    ),
    _rule(
        "gitlab-token",
        (
            "glpat-",
            "gldt-",
            "glptt-",
            "glrt-",
            "glcbt-",
            "gloas-",
            "glft-",
            "glsoat-",
            "glimt-",
            "glffct-",
            "glagent-",
            "GR1348941",
        ),
        _B + r"((?:glpat|gldt|glptt|glrt|glcbt|gloas|glft|glsoat|glimt|glffct|glagent)"
        r"-[A-Za-z0-9_.-]{20,300}|GR1348941[A-Za-z0-9_-]{20})",
        check="entropy3",
    ),
    _rule(
        "slack-token",
        ("xox", "xapp-"),
        _B + r"((?:xox[abposr]|xoxe\.xox[bp]|xoxe)-[0-9A-Za-z-]{10,}|xapp-\d-[A-Z0-9]+-\d+-[A-Za-z0-9]+)",
        check="slack",
    ),
    _rule(
        "slack-webhook-url",
        ("hooks.slack.com",),
        r"(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9+/_-]{20,})",
        check="entropy35",
    ),
    _rule(
        "huggingface-token",
        ("hf_", "api_org_"),
        _B + r"(hf_[A-Za-z0-9]{34,40}|api_org_[A-Za-z]{34})" + _A,
        check="mixed_case",
    ),
    _rule("wandb-api-key", ("wandb_v1_",), _B + r"(wandb_v1_[A-Za-z0-9_]{40,})"),
    _rule(
        "wandb-api-key",
        ("wandb", "WANDB", "Wandb"),
        r"""(?i:wandb[_-]?(?:api[_-]?)?key)["']?(?:\s*[:=]\s*|\s+)["']?((?:[A-Za-z0-9]+-)?[0-9a-f]{40})"""
        r"(?![0-9A-Za-z])",
        check="entropy3",
    ),
    _rule("databricks-token", ("dapi",), _B + r"(dapi[a-f0-9]{32}(?:-\d)?)" + _A, check="entropy3"),
    _rule("anthropic-api-key", ("sk-ant-",), r"(?<![A-Za-z0-9_-])(sk-ant-[a-z]{2,8}\d{2}-[A-Za-z0-9_-]{40,})"),
    _rule(
        "openai-api-key",
        ("sk-",),
        r"(?<![A-Za-z0-9_-])(sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{40,}"
        r"|sk-[A-Za-z0-9_-]*T3BlbkFJ[A-Za-z0-9_-]+|sk-[A-Za-z0-9]{32,})(?![A-Za-z0-9_-])",
        check="random",
    ),
    # Ported from Yelp/detect-secrets 1.5.0 (Apache-2.0), `detect_secrets/plugins/pypi_token.py`,
    # `npm.py` (with gitleaks' `npm_[a-z0-9]{36}`), `sendgrid.py` and `stripe.py`: formats our table lacked.
    _rule(
        "pypi-token",
        ("pypi-AgE",),
        _B + r"(pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{70,})",
        check="entropy3",
    ),
    _rule("npm-token", ("npm_",), _B + r"(npm_[A-Za-z0-9]{36})" + _A, check="entropy3"),
    _rule("sendgrid-api-key", ("SG.",), _B + r"(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})" + _A, check="entropy3"),
    _rule("stripe-secret-key", ("k_live_",), _B + r"([rs]k_live_[0-9A-Za-z]{24,99})" + _A, check="entropy3"),
    _rule("gcp-api-key", ("AIza",), r"(?<![A-Za-z0-9_-])(AIza[A-Za-z0-9_-]{35})(?![A-Za-z0-9_-])", check="entropy4"),
    _rule("jwt", ("eyJ",), r"(?<![A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)", check="jwt"),
    _rule(
        "azure-connection-string",
        ("AccountKey", "accountkey", "ACCOUNTKEY", "SharedAccessKey", "sharedaccesskey", "SHAREDACCESSKEY"),
        r"(?i:AccountKey|SharedAccessKey)\s*=\s*([A-Za-z0-9+/]{20,}={0,2})",
        check="entropy3",
    ),
    _rule(
        "azure-sas-token", ("sig=",), r"""(?:^|[?&;\s"'])sig=([A-Za-z0-9%+/_-]{16,}(?:=|%3[Dd]){0,2})""", check="sas"
    ),
    _rule(
        "azure-storage-account-key",
        ("==",),
        r"(?<![A-Za-z0-9+/=])([A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])",
        check="azure_key",
    ),
    # The password runs to the LAST `@` before a host name: real passwords hold `/ # ? '` (most AWS secret
    # keys hold `/`), which a URL should percent-encode but people paste raw. The user part holds no `/`,
    # so `https://host/path:x@y` is not read as credentials.
    _rule(
        "url-credentials",
        ("@",),
        r"""[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@?#]*:(\S+)@[A-Za-z0-9_.-]*[A-Za-z0-9](?![A-Za-z0-9_.-]*@)""",
        check="literal",
    ),
    _rule(
        "password-assignment",
        ("assw", "ASSW", "wd=", "WD=", "Wd=", "wd =", "WD ="),
        r"""(?i)(?<![A-Za-z0-9_])(?:password|passwd|pwd)\s*=\s*("[^"]*"|'[^']*'|[^\s;&,"']+)""",
        check="literal",
    ),
    # `export DB_PASSWORD=...`, `API_TOKEN=...` inside a value (a shell line, a command, a .env text): the
    # name before `=` is judged like a mapping key (strong secret-looking keys only).
    _rule(
        "secret-assignment",
        ("=",),
        r"""(?<![A-Za-z0-9_.-])([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*("[^"]*"|'[^']*'|[^\s;&|,"'`)]+)""",
        group=2,
        check="assignment",
    ),
    # Command lines: `--password X`, `--token=X`, `mysql -pX`, `curl -u user:X` (gitleaks' curl rules,
    # `cmd/generate/config/rules/curl.go`).
    _rule(
        "command-line-password",
        ("--", "-p", "-u", "mysql", "--user"),
        r"""(?:^|\s)--?(?:password|passwd|pass|pwd|token|secret|api-?key|auth-token|access-token|client-secret)"""
        r"""(?:=|\s+)("[^"]*"|'[^']*'|[^\s"';&|]+)"""
        r"""|(?:mysql|mysqldump|mysqladmin|mariadb)\b[^\n]*?\s-p([^\s"';&|-][^\s"';&|]*)"""
        r"""|(?:^|\s)(?:-u|--user)(?:\s+|=)["']?[^\s:"']+:([^\s"']+)""",
        group=0,
        check="command",
    ),
)

_MIN_FORMAT_LEN = 5  # the shortest match of any rule: pwd=x


def _trie_alternation(words: list[str]) -> str:
    """A regex for "any of ``words``", factored by common leading characters (a trie).

    Python's ``re`` tries the branches of an alternation one by one at every position; factoring the
    prefixes makes a failed position cost one dispatch on its first character instead of one test per
    word (measured: about 2.7 times faster than a flat ``a|b|c`` over these triggers). ``words`` must not
    hold a word that is a prefix of another.
    """
    if words == [""]:
        return ""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0], []).append(word[1:])
    alternatives = [re.escape(first) + _trie_alternation(rest) for first, rest in sorted(groups.items())]
    return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"


# Pre-filter: one pass over the value for every trigger (a trigger containing another one is redundant for
# this existence test). Only a value that carries one is scanned again, with overlapping matches, to learn
# which rules can match; only those rules run their regex.
_ALL_TRIGGERS = {t for rule in _RULES for t in rule.triggers}
_TRIGGERS = sorted(t for t in _ALL_TRIGGERS if not any(o != t and o in t for o in _ALL_TRIGGERS))
_PREFILTER = re.compile(_trie_alternation(_TRIGGERS))
_TRIGGER_SCAN = re.compile("(?=(" + _PREFILTER.pattern + "))")
_RULES_BY_TRIGGER: dict[str, tuple[int, ...]] = {
    t: tuple(i for i, rule in enumerate(_RULES) if any(t in rt for rt in rule.triggers)) for t in _TRIGGERS
}

_B64URL = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")}
_B64URL.update({"+": 62, "/": 63})
_JWT_HEADER = re.compile(r'\s*\{.*"alg"\s*:.*\}\s*', re.DOTALL)
_SAS_FIELD = re.compile(r"(?:^|[?&;=\s])s[vrtep]=")
_PEM_BASE64 = re.compile(r"[A-Za-z0-9+/=]")


def _b64url_decode(text: str) -> bytes | None:
    """Decode unpadded base64url (or base64) text; None when it is not valid."""
    text = text.rstrip("=")
    if len(text) % 4 == 1:
        return None
    bits = nbits = 0
    out = bytearray()
    for ch in text:
        v = _B64URL.get(ch)
        if v is None:
            return None
        bits = ((bits << 6) | v) & 0xFFFFFF
        nbits += 6
        if nbits >= 8:
            nbits -= 8
            out.append((bits >> nbits) & 0xFF)
    return bytes(out)


def _check_jwt(secret: str, m: re.Match[str]) -> bool:
    encoded_header = secret.split(".", 1)[0]
    if len(encoded_header) > 2048:  # real JOSE headers are tens of bytes; bounds the decoding cost
        return False
    raw = _b64url_decode(encoded_header)
    if raw is None:
        return False
    try:
        header = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return _JWT_HEADER.fullmatch(header) is not None


def _check_pem(secret: str, m: re.Match[str]) -> bool:
    """A private-key header followed by at least 32 characters of base64 body (JSON \\n escapes allowed)."""
    body = secret.split("-----", 2)[-1].replace("\\n", "\n").replace("\\r", "\n")
    lines = [line for line in body[:600].split("\n") if ":" not in line]  # drop Proc-Type:/DEK-Info: lines
    return len(_PEM_BASE64.findall("".join(lines).split("-", 1)[0])) >= 32


def _check_putty(secret: str, m: re.Match[str]) -> bool:
    return "Private-Lines:" in secret


def _check_aws_id(secret: str, m: re.Match[str]) -> bool:
    return not secret.endswith("EXAMPLE") and shannon_entropy(secret) >= 3.0


def _check_slack(secret: str, m: re.Match[str]) -> bool:
    rest = secret.split("-", 1)[1]
    return any(ch.isdigit() for ch in rest) and shannon_entropy(rest) >= 2.5


def _check_mixed_case(secret: str, m: re.Match[str]) -> bool:
    rest = secret.rsplit("_", maxsplit=1)[-1]
    return rest != rest.lower() and rest != rest.upper() and shannon_entropy(rest) >= 3.0


def _check_sas(secret: str, m: re.Match[str]) -> bool:
    return _SAS_FIELD.search(m.string) is not None and shannon_entropy(secret) >= 3.0


def _check_azure_key(secret: str, m: re.Match[str]) -> bool:
    start = m.start(1)
    before = m.string[max(0, start - 7) : start].lower()
    return not before.startswith(("sha512", "sha384")) and looks_random(secret)


def _check_literal(secret: str, m: re.Match[str]) -> bool:
    text = secret.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    return bool(text) and not _is_non_literal(text) and text != "%s"


def _check_assignment(secret: str, m: re.Match[str]) -> bool:
    name = m.group(1)
    if name.lower().rstrip("_") in ("password", "passwd", "pwd"):
        return False  # password-assignment's
    return _key_info(name).strength == _STRONG and _check_literal(secret, m)


def _check_command(secret: str, m: re.Match[str]) -> bool:
    value = next((g for g in m.groups() if g is not None), "")
    return _check_literal(value, m)


def _check_random(secret: str, m: re.Match[str]) -> bool:
    return looks_random(secret)


def _check_aws_secret(secret: str, m: re.Match[str]) -> bool:
    """``secret_access_key``, or ``secret_key`` right after ``aws``, then 40 random characters."""
    aws = m.string[max(0, m.start() - 4) : m.start()].lower().rstrip("_-").endswith("aws")
    return (m.group(1) is not None or aws) and looks_random(secret)


def _check_entropy3(secret: str, m: re.Match[str]) -> bool:
    return shannon_entropy(secret) >= 3.0


def _check_entropy35(secret: str, m: re.Match[str]) -> bool:
    return shannon_entropy(secret) >= 3.5


def _check_entropy4(secret: str, m: re.Match[str]) -> bool:
    return shannon_entropy(secret) >= 4.0


_CHECKS = {
    "jwt": _check_jwt,
    "pem": _check_pem,
    "putty": _check_putty,
    "aws_id": _check_aws_id,
    "slack": _check_slack,
    "mixed_case": _check_mixed_case,
    "sas": _check_sas,
    "azure_key": _check_azure_key,
    "literal": _check_literal,
    "assignment": _check_assignment,
    "command": _check_command,
    "random": _check_random,
    "aws_secret": _check_aws_secret,
    "entropy3": _check_entropy3,
    "entropy35": _check_entropy35,
    "entropy4": _check_entropy4,
}


def _hit(detector: str, secret: str, where: str = "") -> SecretHit:
    return SecretHit(detector, DETECTORS[detector] + where + _REF_HINT, fingerprint(secret))


Found = tuple[SecretHit, int, int]  # a hit and the span of the secret text in the value


def _scan_formats(value: str, key: str | None) -> list[Found]:
    found: list[Found] = []
    candidates: set[int] = set()
    for trigger in set(_TRIGGER_SCAN.findall(value)):
        candidates.update(_RULES_BY_TRIGGER[trigger])
    for index in sorted(candidates):
        rule = _RULES[index]
        check = _CHECKS[rule.check] if rule.check else None
        for m in rule.pattern.finditer(value):
            secret = m.group(rule.group)
            start, end = m.span(rule.group)
            if check is not None and not check(secret, m):
                continue
            if rule.group == 0 and m.lastindex:  # alternatives: the secret is the group that matched
                group = next(i for i in range(1, m.lastindex + 1) if m.group(i) is not None)
                secret, (start, end) = m.group(group), m.span(group)
            if any(start < e and s < end for _, s, e in found):
                continue
            detector = rule.detector
            if detector == "private-key" and key == "private_key" and secret.startswith("-----BEGIN PRIVATE KEY-----"):
                detector = "gcp-service-account-key"  # a parsed service-account JSON key file
            if detector in ("password-assignment", "secret-assignment", "command-line-password"):
                secret = secret.strip("\"'")
            elif detector in ("private-key", "gcp-service-account-key"):
                # one fingerprint for a key block whether it sits in JSON text (\n escapes) or not
                secret = secret.replace("\\r\\n", "\n").replace("\\n", "\n").replace("\r\n", "\n").strip()
            found.append((_hit(detector, secret), start, end))
    return found


# Base64 that wraps a secret (`AWS_CREDENTIALS_B64`, a service-account JSON or a PEM key pasted encoded, a
# Kubernetes Secret's `data:`): a run of 24+ base64 characters is decoded and the text scanned again for
# known formats (one level deep). detect-secrets and gitleaks do not decode; trufflehog does (its
# `pkg/decoders/base64.go`), which this follows.
_BASE64_RUN = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{24,}={0,2}(?![A-Za-z0-9+/=_-])")


_HEX_RUN = re.compile(r"[0-9a-fA-F]+")


def _is_text(raw: bytes | None) -> bool:
    """Whether decoded bytes start like text: printable ASCII, blanks, or UTF-8 past ASCII."""
    return raw is not None and all(32 <= b < 127 or b in (9, 10, 13) or b >= 128 for b in raw)


def _scan_base64(value: str) -> list[Found]:
    found: list[Found] = []
    for m in _BASE64_RUN.finditer(value):
        run = m.group(0)
        # digests and ids are hex, not base64-wrapped text; and the first 24 characters (18 bytes) must
        # decode to text before the whole run is decoded (this runs on every long value of every spec)
        if len(run) > 65536 or _HEX_RUN.fullmatch(run) or not _is_text(_b64url_decode(run[:24])):
            continue
        raw = _b64url_decode(run)
        if raw is None:
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if not text.isprintable() and not all(c.isprintable() or c in "\r\n\t" for c in text):
            continue
        inner = [hit for hit, _, _ in _scan_formats(text, None) if len(text) >= _MIN_FORMAT_LEN]
        if inner:
            desc = f"{DETECTORS['base64-encoded-secret']}: {inner[0].description}"
            hit = SecretHit("base64-encoded-secret", desc, inner[0].fingerprint)
            found.append((hit, m.start(), m.end()))
    return found


# --------------------------------------------------------------------------------------------- by key

_AWS_SECRET = re.compile(r"[A-Za-z0-9/+]{40}")
_WANDB_LEGACY = re.compile(r"(?:[A-Za-z0-9]+-)?[0-9a-f]{40}")
_REF_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._/-]{0,251}[A-Za-z0-9])?")
# Random-looking but identifiers, not key material, under a weak key (URIs, ARNs and digests never look
# random: `:` is not a token character).
_IDENTIFIER = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"  # UUIDs
    r"|[^@\s]+@[^@\s]+\.[A-Za-z]{2,}"  # e-mail addresses
)


def _scan_by_key(value: str, info: _KeyInfo) -> SecretHit | None:
    text = value.strip()
    if not text or _is_non_literal(text):
        return None
    if info.wandb and _WANDB_LEGACY.fullmatch(text) and shannon_entropy(text) >= 3.0:
        return _hit("wandb-api-key", text, " (under a wandb key)")
    if info.aws_secret and _AWS_SECRET.fullmatch(text) and looks_random(text):
        return _hit("aws-secret-access-key", text, " (under an AWS secret key)")
    strength = info.strength
    if strength == _NONE:
        return None
    random = looks_random(text)
    if strength == _WEAK:
        if random and not _IDENTIFIER.fullmatch(text):
            return _hit("high-entropy-under-secret-key", text)
        return None
    if strength == _REFNAME and not random and _REF_NAME.fullmatch(text):
        return None  # {secret: name}: the name of an entry of `secrets:`
    return _hit("high-entropy-under-secret-key" if random else "literal-under-secret-key", text)


# --------------------------------------------------------------------------------------------- entry point


_SCANNED: dict[tuple[str, str | None], tuple[Found, ...]] = {}
_SCANNED_MAX = 200_000


def scan_value(value: str, key: str | None = None) -> tuple[SecretHit, ...]:
    """Secrets found in one string ``value`` that sits under the mapping key ``key`` (if any).

    Known token formats are looked for whatever the key (and inside base64 text that decodes to text);
    when none is found and ``key`` is secret-looking, the value itself is judged as described in the module
    docstring. At most one key-based hit per value. The answer depends only on the two strings, and
    rendered files repeat most of theirs (across files, environments and specs of one run): it is remembered.
    """
    return tuple(hit for hit, _, _ in secret_spans(value, key))


def secret_spans(value: str, key: str | None = None) -> tuple[Found, ...]:
    """What :func:`scan_value` finds, each with the span of the secret text in ``value`` (for masking)."""
    if not value:
        return ()
    memo = (value, key)
    found = _SCANNED.get(memo)
    if found is None:
        if len(_SCANNED) >= _SCANNED_MAX:
            _SCANNED.clear()
        found = _SCANNED[memo] = _scan(value, key)
    return found


def _scan(value: str, key: str | None) -> tuple[Found, ...]:
    found: list[Found] = []
    if len(value) >= _MIN_FORMAT_LEN and _PREFILTER.search(value) is not None:
        found = _scan_formats(value, key)
    if not found and len(value) >= 24:
        found = _scan_base64(value)
    if not found and key is not None:
        info = _key_info(key)
        if info.strength != _NONE or info.wandb or info.aws_secret:
            hit = _scan_by_key(value, info)
            if hit is not None:
                lead = len(value) - len(value.lstrip())
                found.append((hit, lead, lead + len(value.strip())))
    return tuple(found)
