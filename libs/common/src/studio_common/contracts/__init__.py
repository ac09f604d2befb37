"""The bodies of the internal HTTP APIs, declared once: the serving service validates with them and the
gateway's typed clients (studio_gateway.adapters) send them, so the two sides cannot drift apart."""
