"""One module per policy rule; the registry is the tuple in `mlopsc.policies`."""
