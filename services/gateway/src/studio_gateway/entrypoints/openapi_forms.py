"""OpenAPI request bodies for the studio endpoints. They read the body themselves (multipart with files,
or JSON with library asset ids), so FastAPI cannot infer it; the schema is built here from the same
OperationSpec the request is validated against, so the two cannot drift apart."""

from collections.abc import Iterable

from studio_gateway.domain.studio_operations import OperationSpec

_ACCEPTED_FIELDS = ("operation_id", "status", "status_url", "events_url")
ACCEPTED = {"202": {
    "description": "Accepted: follow the operation at status_url or events_url (SSE)",
    "content": {"application/json": {"schema": {
        "type": "object", "required": list(_ACCEPTED_FIELDS),
        "properties": {name: {"type": "string"} for name in _ACCEPTED_FIELDS}}}}}}


def _inputs(spec: OperationSpec, with_files: bool) -> dict:
    properties: dict[str, dict] = {}
    for role in spec.images:
        if with_files:
            properties[role.name] = {"type": "string", "format": "binary", "description": role.description}
        properties[f"{role.name}_asset_id"] = {
            "type": "string", "maxLength": 64,
            "description": f"a library asset id instead of uploading `{role.name}`" if with_files
            else f"the library asset to use as `{role.name}`: {role.description}"}
    if spec.audio != "none" and with_files:
        properties["audio"] = {"type": "string", "format": "binary",
                               "description": f"speech or music (MP3, WAV, OGG, M4A); {spec.audio}"}
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
    schema = {"title": spec.title if not selector else f"{spec.title} ({spec.name})", "type": "object",
              "properties": properties,
              "description": f"Input images: {images}; up to {spec.max_pixels:,} pixels each."}
    if required:
        schema["required"] = required
    return schema


def form_body(specs: Iterable[OperationSpec], selector: str | None = None) -> dict:
    """`openapi_extra` for a route taking one of `specs` (chosen by the `selector` field when several)."""
    specs = list(specs)

    def schema(with_files: bool) -> dict:
        variants = [operation_schema(s, with_files, selector) for s in specs]
        if len(variants) == 1:
            return variants[0]
        return {"oneOf": variants, "discriminator": {"propertyName": selector}}

    return {
        "requestBody": {"required": True, "content": {
            "multipart/form-data": {"schema": schema(True)},
            "application/json": {"schema": schema(False)},
        }},
        "responses": ACCEPTED,
    }
