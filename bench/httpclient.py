"""A minimal HTTP/1.1 keep-alive client for load generation (low client overhead)."""

from __future__ import annotations

import asyncio

import orjson


class _ClosedBeforeReply(ConnectionError):
    """The server closed the connection without a byte of reply."""


class HttpConnection:
    def __init__(self, host: str, port: int, *, resend_after_idle_close: bool = False) -> None:
        """``resend_after_idle_close``: when a reused connection is closed without any reply, send
        the request again on a new one (the server's keep-alive timeout ended it). Off for the
        bank test, which must see every unknown outcome itself."""
        self.host, self.port = host, port
        self.resend_after_idle_close = resend_after_idle_close
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _ensure(self) -> None:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def post_json(self, path: str, body: dict, headers: dict[str, str] | None = None) -> tuple[int, dict]:
        reused = self.writer is not None and not self.writer.is_closing()
        try:
            return await self._post_json(path, body, headers)
        except _ClosedBeforeReply:
            if not (reused and self.resend_after_idle_close):
                raise
            # The server's keep-alive timeout closed this idle connection. The load's requests are
            # reads or carry an idempotency key, so sending one again on a new connection is safe.
            return await self._post_json(path, body, headers)

    async def _post_json(self, path: str, body: dict, headers: dict[str, str] | None) -> tuple[int, dict]:
        await self._ensure()
        assert self.reader is not None and self.writer is not None
        payload = orjson.dumps(body)
        lines = [
            f"POST {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Content-Type: application/json",
            f"Content-Length: {len(payload)}",
        ]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        try:
            status_line = await self.reader.readline()
            if not status_line:
                raise _ClosedBeforeReply("connection closed")
            status = int(status_line.split()[1])
            length = None
            chunked = False
            while True:
                line = await self.reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value.strip())
                elif name == "transfer-encoding" and "chunked" in value.lower():
                    chunked = True
            if chunked:
                data = b""
                while True:
                    size = int((await self.reader.readline()).strip(), 16)
                    if size == 0:
                        await self.reader.readline()
                        break
                    data += await self.reader.readexactly(size)
                    await self.reader.readline()
            else:
                data = await self.reader.readexactly(length or 0)
            return status, orjson.loads(data) if data else {}
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
