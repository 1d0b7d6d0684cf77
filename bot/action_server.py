"""The action server: rasa_sdk's own app, reachable only by the Rasa server.

    ACTION_SERVER_TOKEN=… python -m bot.action_server [--port 5055] [--host 127.0.0.1]

What it adds to `python -m rasa_sdk`:
- It listens on 127.0.0.1 unless told otherwise (`--host` or ACTIONS_HOST, for a private network
  between hosts); rasa_sdk itself binds 0.0.0.0.
- Every call but /health must carry the shared secret ACTION_SERVER_TOKEN, which the Rasa server
  sends as `Authorization: Bearer …` (endpoints.yml: action_endpoint.headers) or, as Rasa's
  `token:` setting does, as `?token=…`. A call without it gets 401 and one log line naming the
  path and the caller's address, never the body (it holds a conversation). The server refuses to
  start without a token: there is no unauthenticated mode.
- An action that fails answers 500 with a generic error; rasa_sdk's own handler would send the
  whole request (the tracker, with what the user typed) back, and Rasa would log it.
- Logs and output of the process are masked (bot.logsafe).
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
from typing import Optional

from sanic import Sanic, response
from sanic.request import Request

TOKEN_ENV = "ACTION_SERVER_TOKEN"
HOST_ENV = "ACTIONS_HOST"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5055
OPEN_PATHS = frozenset({"/health"})

logger = logging.getLogger(__name__)


def presented_token(request: Request) -> str:
    """The secret a caller sent: a Bearer header, else Rasa's `?token=` parameter."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.args.get("token", "")


def guard(app: Sanic, token: str) -> Sanic:
    """Require `token` on every route but /health, and answer failures without the request."""
    expected = token.encode()

    @app.on_request
    async def require_token(request: Request):
        if request.path in OPEN_PATHS:
            return None
        if hmac.compare_digest(presented_token(request).encode(), expected):
            return None
        logger.warning("action server: call to %s from %s refused (no or wrong token)", request.path, request.ip)
        return response.json({"error": "unauthorized"}, status=401)

    async def failed(request: Request, exception: Exception):
        logger.error("action server: %s failed: %s", request.path, type(exception).__name__, exc_info=exception)
        return response.json({"error": "internal error"}, status=500)

    app.error_handler.add(Exception, failed)
    return app


def create_app(token: str, actions: str = "actions") -> Sanic:
    from rasa_sdk.endpoint import create_app as sdk_app

    return guard(sdk_app(actions, cors_origins=None), token)


def main(argv: Optional[list] = None) -> None:
    parser = argparse.ArgumentParser(description="稳岗留工政策助手 action server (rasa_sdk behind a shared secret)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--host", default=os.environ.get(HOST_ENV, DEFAULT_HOST))
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args(argv)

    from bot.logsafe import install_process_masking

    install_process_masking()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-8s %(name)s - %(message)s")
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise SystemExit(f"动作服务器需要共享密钥：请设置环境变量 {TOKEN_ENV}（scripts/run.sh 会自动生成）")
    from rasa_sdk import utils

    app = create_app(token, args.actions)
    logger.info("action server on http://%s:%s (shared secret required)", args.host, args.port)
    app.run(args.host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
