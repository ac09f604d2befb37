"""Writes docs/asyncapi.json, the event contract, from the services' own subscribers and publishers.

uv run python scripts/gen_asyncapi.py           # regenerate
uv run python scripts/gen_asyncapi.py --check   # exit 1 if the committed document is stale
"""

import json
import sys
from pathlib import Path

from faststream.specification import AsyncAPI

DOC = Path(__file__).resolve().parent.parent / "docs" / "asyncapi.json"


def service_apps():
    from studio_assets.entrypoints.app import create_app as assets
    from studio_batch.entrypoints.app import create_app as batch
    from studio_billing.entrypoints.app import create_app as billing
    from studio_editing.entrypoints.app import create_app as editing
    from studio_gateway.entrypoints.app import create_app as gateway
    from studio_generation.entrypoints.app import create_app as generation
    from studio_transform.entrypoints.app import create_app as transform

    return [factory() for factory in (gateway, billing, generation, editing, transform, assets, batch)]


def build() -> dict:
    brokers = [app.state.runtime.bus.broker for app in service_apps()]
    spec = AsyncAPI(
        *brokers,
        title="Image Studio events",
        version="1.0.0",
        description="Operation events on the studio.events topic exchange (routing key "
        "operation.<event>.<domain>), each in a CloudEvents-style envelope.",
    )
    return json.loads(spec.to_specification().to_json())


def render() -> str:
    return json.dumps(build(), indent=2, sort_keys=True) + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        if not DOC.exists() or DOC.read_text() != text:
            print(f"{DOC} is stale: run scripts/gen_asyncapi.py", file=sys.stderr)
            return 1
        return 0
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(text)
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
