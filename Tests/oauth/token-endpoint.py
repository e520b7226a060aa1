#!/usr/bin/env python3
"""An OAuth 2.0 token endpoint for the integration tests (RFC 6749 §6, the refresh-token
grant), on loopback over HTTPS with the test servers' certificate. Access tokens are JWTs
signed HS256 with the key the test Dovecot checks them with, so what it hands out logs in
there for real. Every request is appended to LOG as one JSON line.

    token-endpoint.py serve PORT CERT KEY SIGNING_KEY_FILE LOG CLIENT_SECRET
    token-endpoint.py sign SIGNING_KEY_FILE USER [SECONDS]     prints a token (negative: expired)

A refresh token reads USER|MODE|N. MODE says what the endpoint does with it:
    rotate    a good token for an hour, and a new refresh token USER|rotate|N+1
    short     a good token that says it lasts 61 seconds (a client renews a minute early)
    badfirst  first a token signed with another key (the server refuses it), then good ones
    revoked   400 invalid_grant, as a provider answers for a revoked or expired refresh token

The device authorization grant (RFC 8628): POST /device gives the code; the token endpoint
answers authorization_pending once, then the refresh token USER|rotate|1 for the user named
by the device request's scope-less client (support@example.test).
"""
import base64
import hashlib
import hmac
import json
import ssl
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def sign(key, user, seconds=3600):
    now = int(time.time())
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps({"email": user, "sub": user, "iat": now - 5, "exp": now + seconds}).encode())
    mac = b64(hmac.new(key, head + b"." + body, hashlib.sha256).digest())
    return (head + b"." + body + b"." + mac).decode()


def read_key(path):
    return base64.b64decode(open(path).read())


def serve(port, cert, keyfile, signing, log, secret):
    key = read_key(signing)
    seen = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status, payload):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            with open(log, "a") as f:
                f.write(json.dumps({"path": self.path, "form": form}) + "\n")
            if form.get("client_id") != "suport-test" or form.get("client_secret") != secret:
                return self.answer(401, {"error": "invalid_client", "error_description": "unknown client or wrong secret"})
            if self.path == "/device":
                return self.answer(200, {"device_code": "device-1", "user_code": "WXYZ-1234", "interval": 1, "expires_in": 60,
                                         "verification_uri": "https://login.example.test/device"})
            if self.path == "/token" and form.get("grant_type") == "urn:ietf:params:oauth:grant-type:device_code":
                seen["device"] = seen.get("device", 0) + 1
                if form.get("device_code") != "device-1":
                    return self.answer(400, {"error": "invalid_grant"})
                if seen["device"] == 1:
                    return self.answer(400, {"error": "authorization_pending"})
                return self.answer(200, {"access_token": sign(key, "support@example.test"), "expires_in": 3600,
                                         "refresh_token": "support@example.test|rotate|1"})
            if self.path != "/token" or form.get("grant_type") != "refresh_token":
                return self.answer(400, {"error": "unsupported_grant_type"})
            try:
                user, mode, n = form.get("refresh_token", "").split("|")
            except ValueError:
                return self.answer(400, {"error": "invalid_grant", "error_description": "unreadable refresh token"})
            seen[mode] = seen.get(mode, 0) + 1
            if mode == "revoked":
                return self.answer(400, {"error": "invalid_grant",
                                         "error_description": "AADSTS70008: the refresh token has expired or was revoked"})
            if mode == "badfirst" and seen[mode] == 1:
                return self.answer(200, {"access_token": sign(b"not the server's key", user), "token_type": "Bearer",
                                         "expires_in": 3600})
            lifetime = 61 if mode == "short" else 3600
            reply = {"access_token": sign(key, user, lifetime), "token_type": "Bearer", "expires_in": lifetime}
            if mode == "rotate":
                reply["refresh_token"] = f"{user}|rotate|{int(n) + 1}"
            return self.answer(200, reply)

    server = HTTPServer(("127.0.0.1", int(port)), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, keyfile)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print("listening", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    if sys.argv[1:2] == ["sign"]:
        print(sign(read_key(sys.argv[2]), sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 3600))
    elif sys.argv[1:2] == ["serve"]:
        serve(*sys.argv[2:8])
    else:
        sys.exit(__doc__)
