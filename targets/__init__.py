"""Platform backends: one package per platform; the registry is `mlopsc.targets.registry.TARGETS`."""
