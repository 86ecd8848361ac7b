"""Values that reach files other programs interpret: they stay data there too.

- Vertex: every `value KEY` (text) and `object KEY` (the traffic split) that `apply.sh` reads is in the
  `apply.json` beside it, and every key of
  `apply.json` is read (no value is written twice, once as code).
- SageMaker: CloudFormation substitutes `${...}` only inside `Fn::Sub`; no spec value is ever put in one
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-sub.html).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.security.harness import render
from tests.security.specs import FULL, setter, with_value

ROOT = Path(__file__).resolve().parents[2]
VERTEX_FOLDERS = sorted(p.parent for p in (ROOT / "golden").glob("*/expected/**/vertex/apply.sh"))
_VALUE = re.compile(r"\$\((value|object) ([a-z_]+)\)")


@pytest.mark.parametrize("folder", VERTEX_FOLDERS, ids=[str(p.relative_to(ROOT / "golden")) for p in VERTEX_FOLDERS])
def test_vertex_script_reads_exactly_its_values_file(folder: Path) -> None:
    """Text values are read with `value KEY`; the traffic split the controller converges on (an object)
    with `object KEY`, which hands it to jq as data only."""
    script = (folder / "apply.sh").read_text(encoding="utf-8")
    settings = json.loads((folder / "apply.json").read_text(encoding="utf-8"))
    reads = {key: kind for kind, key in _VALUE.findall(script)}
    assert set(reads) == set(settings)
    assert all(isinstance(v, str) if reads[k] == "value" else isinstance(v, dict) for k, v in settings.items())


def _subs(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [json.dumps(node["Fn::Sub"])] if "Fn::Sub" in node else []
        return own + [s for v in node.values() for s in _subs(v)]
    if isinstance(node, list):
        return [s for v in node for s in _subs(v)]
    return []


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)

HOSTILE_SUB = [
    (("platforms", "sagemaker", "kms_key_id"), "alias/${HostileKey}"),
    (("platforms", "sagemaker", "capture_destination"), "s3://acme/${HostileStack}/"),
    (("model", "artifact", "uri"), "s3://acme/${HostileRegion}/model.tar.gz"),
    (("retraining", "pipeline", "command"), ["python", "${HostileAccount}"]),
    (("serving", "env", "LOG_LEVEL"), "${HostileValue}"),
]


@pytest.mark.parametrize("path,value", HOSTILE_SUB, ids=[".".join(p) for p, _ in HOSTILE_SUB])
def test_no_spec_value_in_a_cloudformation_sub(path: tuple[str, ...], value: object) -> None:
    rendered = render(with_value(FULL, setter(*path, value=value)), targets=("sagemaker",))
    assert rendered.errors == []
    [template] = [f for f in rendered.files if f.path.endswith("template.yaml")]
    body = yaml.load(template.content, Loader=_Loader)
    needle = value if isinstance(value, str) else value[1]
    assert needle in template.content  # the value is there, as plain text
    assert [s for s in _subs(body) if needle in s] == []
