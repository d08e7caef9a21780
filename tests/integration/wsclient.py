"""A small WebSocket client on the standard library, for the tests (RFC 6455: text frames,
masking, ping/pong, close)."""
import base64
import json
import os
import socket
import struct
from decimal import Decimal


class Closed(Exception):
    def __init__(self, code, reason):
        super().__init__(f"closed {code} {reason}")
        self.code = code
        self.reason = reason


class WsClient:
    """batch: connect with ?batch=1; every frame must then be a JSON array, and recv() returns
    its messages one by one (frames keeps each frame's length)."""

    def __init__(self, port, path="/ws", timeout=10, recv_buffer=None, batch=False):
        self.batch = batch
        self.pending = []
        self.frames = []
        if batch:
            path += "&batch=1" if "?" in path else "?batch=1"
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if recv_buffer:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, recv_buffer)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("no handshake answer")
            self.buffer += chunk
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError(head.decode(errors="replace"))

    def _send_frame(self, opcode, payload):
        mask = os.urandom(4)
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def send(self, message):
        self._send_frame(0x1, json.dumps(message).encode())

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def recv(self):
        """The next message, parsed; in batch mode the next item of the current frame."""
        if not self.batch:
            return self.recv_frame()
        while not self.pending:
            frame = self.recv_frame()
            assert isinstance(frame, list) and frame, f"a batch frame is a non-empty array: {frame}"
            self.frames.append(len(frame))
            self.pending = frame
        return self.pending.pop(0)

    def recv_frame(self):
        """The next text message (its fragments joined), parsed; answers pings; raises Closed
        on a close frame."""
        message = b""
        while True:
            b0, b1 = self._read(2)
            fin, opcode, n = b0 & 0x80, b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            payload = self._read(n)
            if opcode == 0x9:
                self._send_frame(0xA, payload)
            elif opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                raise Closed(code, payload[2:].decode(errors="replace"))
            elif opcode in (0x0, 0x1):
                message += payload
                if fin:
                    return json.loads(message, parse_float=Decimal)

    def recv_until(self, predicate, limit=10000):
        for _ in range(limit):
            message = self.recv()
            if predicate(message):
                return message
        raise AssertionError("no matching message")

    def close(self):
        try:
            self._send_frame(0x8, struct.pack("!H", 1000))
        except OSError:
            pass
        self.sock.close()
