"""CloudFormation templates among the rendered files: resources of a given type."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from mlopsc.compiler.ir import RenderedFile
from mlopsc.compiler.source import Path_


def resources(file: RenderedFile, kind: str) -> Iterator[tuple[Path_, str, Mapping[str, object]]]:
    """(path of the resource, logical id, its Properties) for each resource of type `kind`."""
    body = file.body
    if not isinstance(body, dict):
        return
    listed = body.get("Resources")
    if not isinstance(listed, dict):
        return
    for logical_id, resource in listed.items():
        if isinstance(resource, dict) and resource.get("Type") == kind:
            props = resource.get("Properties")
            yield ("Resources", logical_id), logical_id, props if isinstance(props, Mapping) else {}
