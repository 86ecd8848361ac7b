"""Fake azure-keyvault-secrets: secrets come from the JSON object in the file $FAKE_KEYVAULT."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass


@dataclass
class KeyVaultSecret:
    name: str
    value: str


class ResourceNotFoundError(Exception):
    pass


class SecretClient:
    def __init__(self, vault_url: str, credential: object) -> None:
        if credential is None:
            raise ValueError("a credential is required")
        self.vault_url = vault_url.rstrip("/")

    def get_secret(self, name: str, version: str | None = None) -> KeyVaultSecret:
        with open(os.environ["FAKE_KEYVAULT"], encoding="utf-8") as f:
            store = json.load(f)
        key = f"{self.vault_url}/secrets/{name}" + (f"/{version}" if version else "")
        if key not in store:
            raise ResourceNotFoundError(
                f"(SecretNotFound) A secret with (name/id) {name} was not found in this key vault"
            )
        return KeyVaultSecret(name, store[key])
