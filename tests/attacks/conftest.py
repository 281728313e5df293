"""Shared pieces of the attack tests."""
import socket


def loopback_listener() -> tuple[socket.socket, int]:
    """A listening socket on this machine's loopback: the only address hostile test code may target."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.setblocking(False)
    return listener, listener.getsockname()[1]
