"""OpenAPI request bodies for the studio endpoints. They read the body themselves (multipart with files,
or JSON with library asset ids), so FastAPI cannot infer it; the schema is built here from the same
OperationSpec the request is validated against, so the two cannot drift apart."""

import json
from collections.abc import Iterable

from studio_gateway.domain.studio_operations import OperationSpec

_ACCEPTED_FIELDS = ("operation_id", "status", "status_url", "events_url")
ACCEPTED = {
    "202": {
        "description": "Accepted: follow the operation at status_url or events_url (SSE)",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": list(_ACCEPTED_FIELDS),
                    "properties": {name: {"type": "string"} for name in _ACCEPTED_FIELDS},
                }
            }
        },
    }
}


def _inputs(spec: OperationSpec, with_files: bool) -> dict:
    properties: dict[str, dict] = {}
    for role in spec.images:
        if with_files:
            properties[role.name] = {"type": "string", "format": "binary", "description": role.description}
        properties[f"{role.name}_asset_id"] = {
            "type": "string",
            "maxLength": 64,
            "description": f"a library asset id instead of uploading `{role.name}`"
            if with_files
            else f"the library asset to use as `{role.name}`: {role.description}",
        }
    if spec.audio != "none" and with_files:
        properties["audio"] = {
            "type": "string",
            "format": "binary",
            "description": f"speech or music (MP3, WAV, OGG, M4A); {spec.audio}",
        }
    return properties


def operation_schema(spec: OperationSpec, with_files: bool, selector: str | None = None) -> dict:
    fields = spec.fields.model_json_schema()
    properties = {**_inputs(spec, with_files), **fields.get("properties", {})}
    required = list(fields.get("required", []))
    if selector:
        choice = {"type": "string", "enum": [spec.name], "description": spec.title}
        properties = {selector: choice, **properties}
        required.insert(0, selector)
    images = ", ".join(r.name + (" (required)" if r.required else "") for r in spec.images)
    schema = {
        "title": spec.title if not selector else f"{spec.title} ({spec.name})",
        "type": "object",
        "properties": properties,
        "description": f"Input images: {images}; up to {spec.max_pixels:,} pixels each.",
    }
    if required:
        schema["required"] = required
    return schema


def merged_schema(specs: list[OperationSpec], selector: str) -> dict:
    """One object for several operations: `selector` picks the operation, every other property says which
    operations take it (a property whose limits differ between them lists each variant). Multipart bodies
    use this form: generators and Swagger UI cannot build a file upload out of a oneOf."""
    variants: dict[str, list[tuple[str, dict]]] = {}
    for spec in specs:
        for name, prop in operation_schema(spec, True)["properties"].items():
            variants.setdefault(name, []).append((spec.name, prop))
    choices = "; ".join(f"{s.name}: {s.title}" for s in specs)
    properties: dict[str, dict] = {
        selector: {"type": "string", "enum": [s.name for s in specs], "description": choices}
    }
    for name, uses in variants.items():
        distinct = {json.dumps(_limits(prop), sort_keys=True) for _, prop in uses}
        first = uses[0][1]
        prop = dict(first) if len(distinct) == 1 else {"anyOf": [json.loads(d) for d in sorted(distinct)]}
        prop["description"] = f"{first.get('description', name)} (for {', '.join(op for op, _ in uses)})"
        properties[name] = prop
    return {
        "title": " / ".join(s.title for s in specs),
        "type": "object",
        "properties": properties,
        "required": [selector],
        "description": "Each operation's own fields, limits and prices: GET the matching "
        "/operations list; the JSON body has one exact variant per operation.",
    }


def _limits(prop: dict) -> dict:
    return {k: v for k, v in prop.items() if k not in ("title", "description")}


def form_body(specs: Iterable[OperationSpec], selector: str | None = None) -> dict:
    """`openapi_extra` for a route taking one of `specs` (chosen by the `selector` field when several)."""
    specs = list(specs)
    if len(specs) == 1:
        multipart, json_body = operation_schema(specs[0], True), operation_schema(specs[0], False)
    else:
        multipart = merged_schema(specs, selector)
        json_body = {
            "oneOf": [operation_schema(s, False, selector) for s in specs],
            "discriminator": {"propertyName": selector},
        }
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {"schema": multipart},
                "application/json": {"schema": json_body},
            },
        },
        "responses": ACCEPTED,
    }
