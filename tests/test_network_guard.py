"""The suite must never reach beyond loopback: prove the guard is on."""

import socket

import pytest
from pytest_socket import SocketBlockedError, SocketConnectBlockedError


def test_non_loopback_connection_is_blocked() -> None:
    with pytest.raises((SocketConnectBlockedError, SocketBlockedError)):
        socket.create_connection(("192.0.2.1", 80), timeout=1)  # TEST-NET-1, never routable


def test_loopback_is_allowed() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=1)
    client.close()
    server.close()
