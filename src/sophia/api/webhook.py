"""POST /api/gong/webhook: Gong's automation rule says a call is ready; fetch it now.

Open to the network (Gong sends no API key): the signed token is the authentication. The
body is read with a cap before anything else, and nothing from it is echoed or logged: a
restricted account's call is queued like any other, and the access policy applies when it
is read.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sophia.api.errors import ERROR_RESPONSES, error_response
from sophia.core.gong.webhook import WebhookRejected, WebhookVerifier
from sophia.core.metrics import GONG_WEBHOOKS
from sophia.core.services import Sophia

__all__ = ["WEBHOOK_PATH", "webhook_router"]

log = logging.getLogger("sophia.api")

WEBHOOK_PATH = "/api/gong/webhook"
webhook_router = APIRouter()


_BODY = {
    "type": "object",
    "required": ["callData"],
    "properties": {"callData": {"type": "object"}, "isTest": {"type": "boolean"}},
}


@webhook_router.post(
    WEBHOOK_PATH,
    tags=["gong"],
    status_code=202,
    responses={k: v for k, v in ERROR_RESPONSES.items() if k in (400, 401, 404, 413)},
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": _BODY}}}
    },
)
async def gong_webhook(request: Request) -> JSONResponse:
    """Gong's call webhook (signed JWT): the call is fetched at once, not at the next poll."""
    verifier: WebhookVerifier | None = request.app.state.webhook_verifier
    if verifier is None:
        return error_response(404, "Gong webhooks are not configured (GONG_WEBHOOK_PUBLIC_KEY).")
    try:
        body = await _capped_body(request, verifier.max_bytes)
        call = verifier.verify(body, request.headers.get("authorization"))
    except WebhookRejected as rejected:
        GONG_WEBHOOKS.labels(rejected.reason).inc()
        log.warning("Gong webhook refused (%s): %s", rejected.reason, rejected)
        return error_response(rejected.status, str(rejected))
    if call.is_test:
        GONG_WEBHOOKS.labels("test").inc()
        return JSONResponse({"queued": False, "test": True}, status_code=202)
    sophia: Sophia = request.app.state.sophia
    sophia.queue_calls([call.call_id])
    GONG_WEBHOOKS.labels("queued").inc()
    return JSONResponse({"queued": True}, status_code=202)


async def _capped_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it passes `limit` (a Content-Length is not trusted)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise WebhookRejected(413, "oversized", f"The body is over {limit} bytes.")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise WebhookRejected(413, "oversized", f"The body is over {limit} bytes.")
    return bytes(body)
