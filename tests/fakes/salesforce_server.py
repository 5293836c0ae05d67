"""A fake of the Salesforce REST endpoints CRM enrichment uses, over TLS on loopback (the
real simple-salesforce client hard-codes https://): the OAuth token endpoint (client
credentials), SOQL query of Tasks by one field, sobject create and update. It keeps the
records it was given, checks the bearer token, and answers planned faults as Salesforce
does (429, 403 REQUEST_LIMIT_EXCEEDED, 503, ENTITY_IS_DELETED, invalid_grant).
"""

from __future__ import annotations

import datetime
import ipaddress
import itertools
import json
import re
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.fakes.loopback import HOST, LoopbackFake, LoopbackHandler

__all__ = ["Fault", "SalesforceFake", "self_signed"]

_QUERY = re.compile(r"^SELECT Id FROM Task WHERE (\w+) = '([^']*)' LIMIT 1$")
_SOBJECT = re.compile(r"^/services/data/v[\d.]+/sobjects/(\w+)/(\w*)/?$")


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (PEM files in `folder`), made now."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake salesforce")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "salesforce.pem", folder / "salesforce.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Fault:
    """Answer `status`/`body` instead, `times` times, to requests of `method` whose path
    contains `path` (and whose JSON body has `where`'s items, when given)."""

    method: str
    path: str
    status: int
    body: Any
    times: int = 1
    where: dict[str, Any] = field(default_factory=dict)


class SalesforceHandler(LoopbackHandler):
    def do_POST(self) -> None:
        self._answer("POST")

    def do_GET(self) -> None:
        self._answer("GET")

    def do_PATCH(self) -> None:
        self._answer("PATCH")

    def _answer(self, method: str) -> None:
        body = self.read_body()
        status, payload = self.fake.handle(method, self.path, body, self.headers)
        self.send_json(status, payload)


class SalesforceFake(LoopbackFake):
    """One org: Tasks created through it, Accounts and Opportunities as they were updated."""

    handler = SalesforceHandler

    def __init__(self, cert: Path, key: Path) -> None:
        self._cert, self._key = cert, key
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.refuse_login: str | None = None
        self.tasks: dict[str, dict[str, Any]] = {}
        self.records: dict[str, dict[str, Any]] = {}
        self.deleted: set[str] = set()
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str]] = []

    def start(self) -> Self:
        super().start()
        assert self._http is not None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self._cert, self._key)
        self._http.socket = context.wrap_socket(self._http.socket, server_side=True)
        return self

    @property
    def url(self) -> str:
        """https://127.0.0.1:PORT: the login URL, and the instance the tokens are for."""
        return self.root.replace("http://", "https://")

    def revoke_tokens(self) -> None:
        """Every token issued so far answers 401 INVALID_SESSION_ID from now on."""
        with self._lock:
            self.tokens.clear()

    def handle(self, method: str, target: str, raw: bytes, headers: Any) -> tuple[int, Any]:
        path, query = urlsplit(target).path, parse_qs(urlsplit(target).query)
        with self._lock:
            self.requests.append((method, path))
            if path == "/services/oauth2/token":
                return self._token(raw, headers)
            if headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
                return 401, [
                    {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
                ]
            body = json.loads(raw) if raw else {}
            for fault in self.faults:
                matches = fault.method == method and fault.path in path
                if (
                    matches
                    and fault.times > 0
                    and all(body.get(k) == v for k, v in fault.where.items())
                ):
                    fault.times -= 1
                    return fault.status, fault.body
            if method == "GET" and path.rstrip("/").endswith("/query"):
                return self._query(query["q"][0])
            found = _SOBJECT.match(path)
            if found is None:
                return 404, [
                    {"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}
                ]
            return self._sobject(method, found.group(1), found.group(2), body)

    def _token(self, raw: bytes, headers: Any) -> tuple[int, Any]:
        self.token_requests += 1
        form = parse_qs(raw.decode())
        if form.get("grant_type") != ["client_credentials"] or "Basic " not in headers.get(
            "Authorization", ""
        ):
            return 400, {
                "error": "unsupported_grant_type",
                "error_description": "grant type not supported",
            }
        if self.refuse_login is not None:
            return 400, {
                "error": self.refuse_login,
                "error_description": "no client credentials user enabled",
            }
        token = f"00Dfake!{next(self._ids)}"
        self.tokens.add(token)
        return 200, {"access_token": token, "instance_url": self.url, "token_type": "Bearer"}

    def _query(self, soql: str) -> tuple[int, Any]:
        parsed = _QUERY.match(soql)
        if parsed is None:
            return 400, [{"errorCode": "MALFORMED_QUERY", "message": f"unexpected: {soql}"}]
        name, value = parsed.groups()
        hits = [{"Id": i} for i, task in self.tasks.items() if task.get(name) == value][:1]
        return 200, {"totalSize": len(hits), "done": True, "records": hits}

    def _sobject(
        self, method: str, sobject: str, record_id: str, body: dict[str, Any]
    ) -> tuple[int, Any]:
        if method == "POST" and sobject == "Task" and not record_id:
            if body.get("WhatId") in self.deleted:
                return 400, [
                    {
                        "errorCode": "ENTITY_IS_DELETED",
                        "message": "entity is deleted",
                        "fields": ["WhatId"],
                    }
                ]
            task_id = f"00T{next(self._ids):015d}"
            self.tasks[task_id] = body
            return 201, {"id": task_id, "success": True, "errors": []}
        if method == "PATCH" and record_id:
            if record_id in self.deleted:
                return 404, [{"errorCode": "ENTITY_IS_DELETED", "message": "entity is deleted"}]
            self.records.setdefault(record_id, {"type": sobject}).update(body)
            return 204, None
        return 405, [{"errorCode": "METHOD_NOT_ALLOWED", "message": method}]
