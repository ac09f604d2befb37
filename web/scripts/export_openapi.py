"""Print the gateway's OpenAPI document, as the development build serves it (with the sign-in endpoint)."""

import json
import sys

from studio_gateway.entrypoints.app import create_app
from studio_gateway.settings import GatewaySettings

app = create_app(GatewaySettings(environment="development"))
json.dump(app.openapi(), sys.stdout, indent=1, sort_keys=True)
