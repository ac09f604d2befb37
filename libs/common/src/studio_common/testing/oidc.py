"""A small OpenID Connect issuer for tests: discovery, an authorization endpoint that signs in
one fixed user at once, a token endpoint that checks PKCE (S256) and issues RS256 tokens, and the JWKS the
gateway verifies them with. Real HTTP on a free port, in a thread."""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class OidcIssuer:
    def __init__(self, user: str, client_id: str, audience: str) -> None:
        self.user, self.client_id, self.audience = user, client_id, audience
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict] = {}
        self.token_requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def jwks(self) -> dict:
        numbers = self.key.public_key().public_numbers()
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "alg": "RS256",
                    "kid": "test-key",
                    "n": _b64(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
                    "e": _b64(numbers.e.to_bytes(3, "big")),
                }
            ]
        }

    def _token(self, audience: str, extra: dict | None = None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.url,
            "sub": self.user,
            "aud": audience,
            "iat": now,
            "exp": now + 600,
            **(extra or {}),
        }
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "test-key"})

    def discovery(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def authorize(self, query: dict) -> str:
        assert query["response_type"] == "code" and query["client_id"] == self.client_id, query
        assert query["code_challenge_method"] == "S256" and query["code_challenge"], "PKCE is required"
        code = secrets.token_urlsafe(16)
        self.codes[code] = query
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"

    def exchange(self, form: dict) -> tuple[int, dict]:
        self.token_requests.append(form)
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None:
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        if _b64(hashlib.sha256(verifier.encode()).digest()) != grant["code_challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri differs"}
        return 200, {
            "access_token": self._token(self.audience),
            "token_type": "Bearer",
            "expires_in": 600,
            "id_token": self._token(self.client_id, {"name": self.user}),
            "scope": grant["scope"],
        }

    def _handler(self):
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: dict | None = None, location: str | None = None) -> None:
                self.send_response(status)
                self.send_header("Access-Control-Allow-Origin", "*")  # the studio calls discovery and token
                if location:
                    self.send_header("Location", location)
                payload = json.dumps(body).encode() if body is not None else b""
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_OPTIONS(self):  # CORS preflight
                self.send_response(204)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Allow-Headers", "content-type, authorization")
                self.send_header("Access-Control-Allow-Methods", "GET, POST")
                self.end_headers()

            def do_GET(self):
                url = urlsplit(self.path)
                if url.path == "/.well-known/openid-configuration":
                    return self._send(200, issuer.discovery())
                if url.path == "/jwks":
                    return self._send(200, issuer.jwks())
                if url.path == "/authorize":
                    query = {k: v[0] for k, v in parse_qs(url.query).items()}
                    return self._send(302, location=issuer.authorize(query))
                return self._send(404, {"error": "not found"})

            def do_POST(self):
                if urlsplit(self.path).path != "/token":
                    return self._send(404, {"error": "not found"})
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                return self._send(*issuer.exchange(form))

            def log_message(self, *args):
                pass

        return Handler
