"""Fake azure-identity: a managed identity credential that only records its client id."""

from __future__ import annotations


class ManagedIdentityCredential:
    def __init__(self, *, client_id: str | None = None) -> None:
        self.client_id = client_id
