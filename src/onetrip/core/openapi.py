"""drf-spectacular hooks: every error response is a documented problem document."""

from __future__ import annotations

from typing import Any

PROBLEM_MEDIA = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem document; `code` is stable, `detail` is for people.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "additionalProperties": {}}},
    },
    "required": ["type", "title", "status", "code", "detail"],
}


def problem_responses(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """Declare problem+json for every 4xx and a default error response on each operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                if str(status).startswith("4") or status == "default":
                    response["content"] = {PROBLEM_MEDIA: {"schema": PROBLEM_REF}}
            responses.setdefault(
                "default",
                {
                    "description": "Problem document",
                    "content": {PROBLEM_MEDIA: {"schema": PROBLEM_REF}},
                },
            )
    return result
