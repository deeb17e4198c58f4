"""An input file, gzip or not, read defensively: bad bytes reject a line, not the file."""

from __future__ import annotations

import codecs
import gzip
import io
import json
import zlib
from collections.abc import Iterator
from pathlib import Path

from paperboy.ingest.formats.adapt import Rejected

MAX_LINE = 1_000_000  # bytes; a longer JSON line is rejected unread
# Bytes, after decompression, of a file read whole (JSON, XML). Such formats must be parsed
# in one piece, so this bounds memory; a gzip bomb stops here, not at the end of the bomb.
MAX_DOCUMENT = 200_000_000
_GZIP_MAGIC = b"\x1f\x8b"


class SourceError(ValueError):
    """The whole file is unreadable (missing, empty, not a known format)."""


class SourceFile:
    def __init__(self, path: str | Path, *, data: bytes | None = None, name: str | None = None):
        self.path = Path(path)
        self.name = name or str(path)
        self._data = data
        if data is None and not self.path.is_file():
            raise SourceError(f"{self.name}: no such file")
        self.gzipped = self._raw_head(2) == _GZIP_MAGIC

    def _raw_head(self, n: int) -> bytes:
        if self._data is not None:
            return self._data[:n]
        with open(self.path, "rb") as fh:
            return fh.read(n)

    def _open(self):
        raw = io.BytesIO(self._data) if self._data is not None else open(self.path, "rb")  # noqa: SIM115
        return gzip.GzipFile(fileobj=raw) if self.gzipped else raw

    def head(self, n: int = 4096) -> bytes:
        """The first bytes after decompression, BOM stripped, for format sniffing."""
        data = b""
        try:
            with self._open() as fh:
                while len(data) < n:  # chunked, so a truncated gzip still shows its start
                    chunk = fh.read1(n - len(data))
                    if not chunk:
                        break
                    data += chunk
        except (OSError, EOFError, zlib.error):
            pass
        for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            if data.startswith(bom):
                if bom != codecs.BOM_UTF8:
                    return data[len(bom) :].decode(_bom_codec(bom), "ignore").encode()
                return data[len(bom) :]
        return data

    def read_bytes(self) -> bytes:
        """The whole (decompressed) file; a truncated gzip stream, or one that inflates past
        ``MAX_DOCUMENT`` bytes, raises SourceError."""
        try:
            with self._open() as fh:
                return self._read_capped(fh)
        except (OSError, EOFError, zlib.error) as exc:
            raise SourceError(f"{self.name}: unreadable or truncated ({exc})") from None

    def _read_capped(self, fh) -> bytes:
        buf = io.BytesIO()
        while chunk := _read_chunk(fh):
            if buf.tell() + len(chunk) > MAX_DOCUMENT:
                raise SourceError(
                    f"{self.name}: larger than {MAX_DOCUMENT:,} bytes after decompression, the "
                    "limit for a file read whole; split it, or convert it to JSON Lines"
                )
            buf.write(chunk)
        return buf.getvalue()

    def text(self) -> str:
        """The whole file as text (UTF-8, or UTF-16 with a BOM); bad bytes raise SourceError."""
        data = self.read_bytes()
        codec = "utf-8-sig"
        for bom in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            if data.startswith(bom):
                codec = _bom_codec(bom)
        try:
            return data.decode(codec)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise SourceError(f"{self.name}: line {line}: not valid {codec} text") from None

    def json_document(self) -> object:
        """The whole file as one JSON value; invalid JSON raises SourceError with its position."""
        try:
            return json.loads(self.text())
        except json.JSONDecodeError as exc:
            raise SourceError(
                f"{self.name}: line {exc.lineno}, column {exc.colno}: invalid JSON ({exc.msg})"
            ) from None

    def lines(self) -> Iterator[tuple[int, str | Rejected]]:
        """Numbered lines as text; a line that is not UTF-8 or is too long is a Rejected.

        Lines are split from chunks as they are decompressed, so a truncated gzip still
        yields every complete line before the damage, then one Rejected naming where it broke.
        """
        lineno = 0
        try:
            with self._open() as fh:
                start = fh.peek(2)[:2] if hasattr(fh, "peek") else self._raw_head(2)
                if start in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
                    yield from self._utf16_lines(self._read_capped(fh), _bom_codec(start))
                    return
                for lineno, raw in enumerate(_split_lines(fh), start=1):  # noqa: B007
                    if lineno == 1 and raw and raw.startswith(codecs.BOM_UTF8):
                        raw = raw[3:]
                    if raw is None or len(raw) > MAX_LINE:
                        reason = f"line longer than {MAX_LINE} bytes"
                        yield lineno, Rejected(self.name, f"line {lineno}", reason)
                        continue
                    try:
                        yield lineno, raw.decode("utf-8")
                    except UnicodeDecodeError as exc:
                        yield (
                            lineno,
                            Rejected(
                                self.name,
                                f"line {lineno}",
                                f"not valid UTF-8 (byte {exc.start + 1})",
                            ),
                        )
        except (OSError, EOFError, zlib.error) as exc:
            yield (
                lineno + 1,
                Rejected(
                    self.name, f"after line {lineno}", f"file is truncated or corrupt ({exc})"
                ),
            )

    def _utf16_lines(self, data: bytes, codec: str) -> Iterator[tuple[int, str | Rejected]]:
        """UTF-16 with a BOM (what some Windows tools write): decoded whole, then split."""
        try:
            text = data[2:].decode(codec)
        except UnicodeDecodeError as exc:
            bad_line = data[2 : 2 + exc.start].decode(codec, "replace").count("\n") + 1
            where = f"line {bad_line}"
            yield (
                bad_line,
                Rejected(self.name, where, f"not valid UTF-16 ({exc.reason}); no lines read"),
            )
            return
        for lineno, line in enumerate(text.split("\n"), start=1):
            if len(line) > MAX_LINE:
                yield lineno, Rejected(self.name, f"line {lineno}", f"line longer than {MAX_LINE}")
            else:
                yield lineno, line


_CHUNK = 1 << 16


def _split_lines(fh) -> Iterator[bytes | None]:
    """Lines (with their newline) of a binary stream, read in chunks of ``_CHUNK`` bytes.

    A line longer than MAX_LINE is not accumulated: it yields None once and its
    bytes are dropped up to the next newline.
    """
    buf = b""
    skipping = False
    while chunk := _read_chunk(fh):
        buf += chunk
        lines = buf.split(b"\n")
        buf = lines.pop()
        for line in lines:
            if skipping:
                skipping = False
                continue
            yield line + b"\n"
        if len(buf) > MAX_LINE and not skipping:
            yield None
            skipping = True
        if skipping:
            buf = b""
    if buf and not skipping:
        yield buf


def _read_chunk(fh) -> bytes:
    """At most ``_CHUNK`` bytes: read1 on a gzip stream never inflates more than asked."""
    return fh.read1(_CHUNK) if hasattr(fh, "read1") else fh.read(_CHUNK)


def _bom_codec(bom: bytes) -> str:
    return "utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-16-be"
