"""The web server's log filter: only the known double close of a gone tab's socket is dropped."""

from __future__ import annotations

import logging
import sys

from starlette.websockets import WebSocketDisconnected

from ui import server


def record_of(error: BaseException) -> logging.LogRecord:
    try:
        raise error
    except BaseException:
        info = sys.exc_info()
    return logging.LogRecord("uvicorn.error", logging.ERROR, "x", 1, "Exception in ASGI "
                             "application", (), info)  # fmt: skip


def test_a_gone_tabs_socket_closed_twice_is_not_logged_and_anything_else_is():
    twice = WebSocketDisconnected('Cannot call "send" once a close message has been sent.')
    assert server.closed_twice(record_of(twice)) is False
    other = WebSocketDisconnected('WebSocket is not connected. Need to call "accept" first.')
    assert server.closed_twice(record_of(other)) is True
    assert server.closed_twice(record_of(ValueError("once a close message has been sent")))
    plain = logging.LogRecord("uvicorn.error", logging.INFO, "x", 1, "started", (), None)
    assert server.closed_twice(plain) is True


def test_the_filter_is_on_the_web_servers_error_log_once_configured():
    server.configure()
    assert server.closed_twice in logging.getLogger("uvicorn.error").filters
