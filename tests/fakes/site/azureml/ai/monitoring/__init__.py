"""Fake azureml-ai-monitoring: Collector records each collect() as a JSON line in $FAKE_COLLECTOR_LOG."""

from __future__ import annotations

import json
import os
from typing import Any


class Collector:
    def __init__(self, *, name: str, on_error: Any = None) -> None:
        if not name:
            raise ValueError("a collector needs a name")
        self.name = name

    def collect(self, data: Any, correlation_context: Any = None) -> dict[str, Any]:
        records = data.to_dict("records")
        context = {"id": f"{self.name}-{len(records)}"}
        with open(os.environ["FAKE_COLLECTOR_LOG"], "a", encoding="utf-8") as log:
            log.write(json.dumps({"name": self.name, "rows": records, "context": correlation_context}) + "\n")
        return context
