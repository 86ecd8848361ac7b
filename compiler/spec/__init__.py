"""Spec v1: the typed model of mlops.yaml, its vocabulary and its environment merge."""
