"""Opens COUNT WebSocket connections to 127.0.0.1:PORT that never read.

Each socket asks for a tiny receive buffer and segment size, so the kernel holds only
tens of kilobytes for it instead of megabytes: thousands of stalled clients stay cheap.
Prints "open" once every upgrade is through; on a line from stdin, reads each socket
until the server's close frame and prints a JSON count of the close codes seen.
"""
import base64
import json
import os
import selectors
import socket
import struct
import sys
import time

port, count = int(sys.argv[1]), int(sys.argv[2])


def open_stalled():
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 536)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        byte = sock.recv(1)
        if not byte:
            sys.exit("closed during the handshake")
        head += byte
    if b" 101 " not in head.split(b"\r\n")[0]:
        sys.exit("upgrade refused: " + head.decode(errors="replace"))
    return sock


def close_frame_code(data):
    """The status code of the first close frame in `data`, or None while there is none yet."""
    at = 0
    while at + 2 <= len(data):
        first, second = data[at], data[at + 1]
        length, header = second & 0x7F, 2
        if length == 126:
            if at + 4 > len(data):
                return None
            length, header = struct.unpack(">H", data[at + 2 : at + 4])[0], 4
        elif length == 127:
            if at + 10 > len(data):
                return None
            length, header = struct.unpack(">Q", data[at + 2 : at + 10])[0], 10
        if at + header + length > len(data):
            return None
        if first & 0x0F == 8:
            payload = data[at + header : at + header + length]
            return str(struct.unpack(">H", payload[:2])[0]) if length >= 2 else "no code"
        at += header + length
    return None


def read_close_codes(sockets, timeout=20):
    """Reads every socket at once until its close frame: the codes seen, counted."""
    selector = selectors.DefaultSelector()
    pending = {}
    for sock in sockets:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 18)
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
        pending[sock] = bytearray()
    codes = {}

    def settle(sock, code):
        codes[code] = codes.get(code, 0) + 1
        selector.unregister(sock)
        del pending[sock]

    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.5):
            sock = key.fileobj
            try:
                chunk = sock.recv(1 << 16)
            except ConnectionResetError:
                settle(sock, "reset")
                continue
            if not chunk:
                settle(sock, "ended without a close frame")
                continue
            pending[sock] += chunk
            code = close_frame_code(pending[sock])
            if code is not None:
                settle(sock, code)
    for sock in list(pending):
        settle(sock, "still open")
    return codes


sockets = [open_stalled() for _ in range(count)]
print("open", flush=True)
sys.stdin.readline()
print(json.dumps(read_close_codes(sockets)), flush=True)
