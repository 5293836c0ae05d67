"""One Weaviate connection: where it is, opening it (REST and gRPC checked), closing it with
the event loop, and the client's errors as `StoreError` without the API key."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import Iterator
from typing import Any, TypedDict, Unpack
from urllib.parse import urlsplit

import weaviate
from weaviate.classes.init import AdditionalConfig, Auth, Timeout
from weaviate.exceptions import UnexpectedStatusCodeError, WeaviateBaseError

from sophia.core.errors import ConfigError, StoreError
from sophia.core.stores.weaviate.schema import Collection

__all__ = ["WeaviateAccess", "WeaviateConnection"]


class WeaviateAccess(TypedDict, total=False):
    """How to reach Weaviate besides its REST endpoint: an API key (optional), and its gRPC
    host (default: the endpoint's) and port (default 50051)."""

    api_key: str | None
    grpc_host: str | None
    grpc_port: int


class WeaviateConnection:
    """The async client for one endpoint, opened on first `connect`."""

    def __init__(self, endpoint: str, **access: Unpack[WeaviateAccess]) -> None:
        api_key = access.get("api_key")
        grpc_host = access.get("grpc_host")
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
            raise ConfigError(
                f"WEAVIATE_ENDPOINT must look like http://host:8080, got {endpoint!r}"
            )
        if grpc_host is not None and ("/" in grpc_host or ":" in grpc_host):
            raise ConfigError(f"WEAVIATE_GRPC_HOST must be a bare host name, got {grpc_host!r}")
        self._secure = parts.scheme == "https"
        self._http = (parts.hostname, parts.port or (443 if self._secure else 80))
        self._grpc = (grpc_host or parts.hostname, access.get("grpc_port", 50051))
        self.where = (
            f"{parts.scheme}://{self._http[0]}:{self._http[1]} "
            f"(gRPC {self._grpc[0]}:{self._grpc[1]})"
        )
        self._api_key = api_key
        self._client: weaviate.WeaviateAsyncClient | None = None
        self._closer: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        """Open the client unless it is open; `StoreError` saying why it cannot be."""
        if self._client is not None:
            return
        client = weaviate.use_async_with_custom(
            http_host=self._http[0],
            http_port=self._http[1],
            http_secure=self._secure,
            grpc_host=self._grpc[0],
            grpc_port=self._grpc[1],
            grpc_secure=self._secure,
            auth_credentials=Auth.api_key(self._api_key) if self._api_key else None,
            additional_config=AdditionalConfig(timeout=Timeout(init=10, query=60, insert=120)),
            # The client's own start-up checks also ask the package index for its latest
            # version; `is_live` below checks REST and gRPC without leaving the network.
            skip_init_checks=True,
        )
        printed = io.StringIO()
        try:
            await client.connect()
            # The client prints why a liveness check failed instead of raising it: capture
            # the text for our own error message.
            with contextlib.redirect_stdout(printed):
                live = await client.is_live()
        except UnexpectedStatusCodeError as exc:
            await client.close()
            if exc.status_code in (401, 403):
                raise StoreError(
                    f"Weaviate at {self.where} refused the credentials (HTTP "
                    f"{exc.status_code}); check WEAVIATE_API_KEY"
                ) from None
            raise StoreError(f"Cannot use Weaviate at {self.where}: {self.scrub(exc)}") from None
        except WeaviateBaseError as exc:
            await client.close()
            raise StoreError(f"Cannot reach Weaviate at {self.where}: {self.scrub(exc)}") from None
        if not live:
            await client.close()
            # The client's explanation is a page long; its last line says what failed.
            lines = printed.getvalue().strip().splitlines() or ["no answer"]
            reason = self.scrub(lines[-1])
            raise StoreError(
                f"Weaviate at {self.where} does not answer on both REST and gRPC ({reason}); "
                "check WEAVIATE_ENDPOINT, WEAVIATE_GRPC_HOST and WEAVIATE_GRPC_PORT"
            )
        self._client = client
        self._closer = asyncio.get_running_loop().create_task(self._close_with_the_loop(client))

    async def aclose(self) -> None:
        """Close the client now (it closes by itself when the event loop ends)."""
        closer, self._closer = self._closer, None
        if closer is not None:
            closer.cancel()
            await asyncio.wait({closer})

    async def _close_with_the_loop(self, client: weaviate.WeaviateAsyncClient) -> None:
        """Wait until cancelled (by `aclose`, or by the event loop shutting down), then close.

        The client's gRPC channel belongs to the loop that opened it, so the loop's end is the
        last moment it can be closed: a caller that never calls `aclose` leaks nothing.
        """
        try:
            await asyncio.Event().wait()
        finally:
            self._client = None
            await client.close()

    def client(self) -> weaviate.WeaviateAsyncClient:
        """The open client; `StoreError` before `connect`."""
        if self._client is None:
            raise StoreError("the store is not open: call ensure_index() first")
        return self._client

    def use(self, collection: Collection) -> Any:
        """The client's handle on one collection."""
        return self.client().collections.use(collection.name)

    @contextlib.contextmanager
    def translated(self, action: str) -> Iterator[None]:
        """Turn the client's errors into `StoreError`, without the API key in the text."""
        try:
            yield
        except WeaviateBaseError as exc:
            raise StoreError(f"Weaviate failed while {action}: {self.scrub(exc)}") from None

    def scrub(self, error: object) -> str:
        """The error as one line, without the API key."""
        text = " ".join(str(error).split())
        return text.replace(self._api_key, "***") if self._api_key else text
