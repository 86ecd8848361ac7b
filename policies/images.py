"""Container image references: which the user wrote, and whether a reference pins a version."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlopsc.compiler.source import Path_

if TYPE_CHECKING:
    from mlopsc.compiler.spec.typed import ImageMirrors, Spec


_VERSION_IN_NAME = re.compile(r"\d+[.-]\d+")


@dataclass(frozen=True)
class ImageRef:
    repository: str
    tag: str | None
    digest: str | None

    @property
    def pinned(self) -> bool:
        return self.digest is not None


def parse_image(reference: str) -> ImageRef:
    """Split `registry/repo:tag@sha256:...`; a `:port` in the registry host is not a tag."""
    name, _, digest = reference.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = None
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    return ImageRef(name, tag, digest or None)


def has_version(ref: ImageRef) -> bool:
    """A digest, a tag other than `latest`, or (for vendor images published only as `:latest` under a
    versioned repository name, such as Vertex AI's `xgboost-cpu.1-7:latest`) a version in the name."""
    if ref.digest:
        return True
    if ref.tag and ref.tag != "latest":
        return True
    return ref.tag == "latest" and bool(_VERSION_IN_NAME.search(ref.repository.rsplit("/", 1)[-1]))


def user_images(spec: Spec) -> list[tuple[Path_, str]]:
    """Every image the spec names, with its path: these must be pinned by digest in production."""
    out: list[tuple[Path_, str]] = []
    serving = spec.serving
    if serving.image:
        out.append((("serving", "image"), serving.image))
    for platform, image in _given(serving.image_mirrors):
        out.append((("serving", "image_mirrors", platform), image))
    if serving.batch is not None and serving.batch.image:
        out.append((("serving", "batch", "image"), serving.batch.image))
    if spec.retraining is not None:
        pipeline = spec.retraining.pipeline
        out.append((("retraining", "pipeline", "image"), pipeline.image))
        for platform, image in _given(pipeline.mirrors):
            out.append((("retraining", "pipeline", "mirrors", platform), image))
    return out


def is_image_component(key: str) -> bool:
    """Stack components that hold a container image: `image`, `*_image`, and KServe's `container`."""
    return key == "container" or key.endswith("image")


# Vendor images that their vendor publishes without any version (PRD013 reports them, as a warning):
# repository name -> where that is documented.
VENDOR_UNVERSIONED: dict[str, str] = {
    "sagemaker-model-monitor-analyzer": (
        "AWS publishes the SageMaker Model Monitor analyzer untagged only (SageMaker Python SDK, "
        "src/sagemaker/image_uri_config/model-monitor.json has no tag)"
    ),
}


def vendor_unversioned(ref: ImageRef) -> str | None:
    """Why an untagged vendor image has no version to pin, when it is one of VENDOR_UNVERSIONED."""
    if ref.digest or (ref.tag and ref.tag != "latest"):
        return None
    return VENDOR_UNVERSIONED.get(ref.repository.rsplit("/", 1)[-1])


def _given(mirrors: ImageMirrors) -> list[tuple[str, str]]:
    """The platforms that have a mirror of the image, sorted."""
    pairs = [(name, getattr(mirrors, name)) for name in mirrors.field_names]
    return sorted((platform, image) for platform, image in pairs if image is not None)
