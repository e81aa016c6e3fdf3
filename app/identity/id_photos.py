"""ID card photos for real-name review: images only (decided by their first bytes, not by
what the client claims), at most 5 MB, encrypted at rest under ``<data dir>/uploads``."""

from __future__ import annotations

import base64
import contextlib
import secrets
from pathlib import Path

from models.identity import RealNameReview

from .. import clock, crypto, runtime
from ..errors import DomainError, ErrorCode

MAX_BYTES = 5 * 1024 * 1024
UPLOAD_DIR = "uploads"


def image_kind(data: bytes) -> str | None:
    """'jpeg', 'png' or 'webp' when the bytes start like one, else None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def check_image(data: bytes, field: tuple[str, ...]) -> str:
    """The image kind of an upload, or VALIDATION_FAILED naming the field."""
    if len(data) > MAX_BYTES:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "图片不能超过 5 MB", field)
    kind = image_kind(data)
    if kind is None:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "仅支持 JPEG、PNG 或 WebP 格式的图片", field)
    return kind


def paths_of(review: RealNameReview) -> dict[str, str | None]:
    """The stored photo of each kind (front, back, selfie) of a review."""
    return {"front": review.id_card_front_path, "back": review.id_card_back_path, "selfie": review.selfie_path}


def _root() -> Path:
    return runtime.settings().data_dir / UPLOAD_DIR


def store(data: bytes, kind: str) -> str:
    """Encrypt and write the image; returns its path relative to the upload folder."""
    relative = Path("real-name") / clock.now().strftime("%Y%m") / f"{secrets.token_hex(16)}.{kind}.enc"
    target = _root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    sealed = crypto.encrypt(base64.b64encode(data).decode())
    target.write_text(sealed, encoding="ascii")
    return relative.as_posix()


def load(relative: str) -> tuple[bytes, str]:
    """(image bytes, kind) of a stored photo."""
    target = _root() / relative
    data = base64.b64decode(crypto.decrypt(target.read_text(encoding="ascii")))
    return data, relative.rsplit(".", 2)[-2]


def remove(relatives: list[str]) -> None:
    for relative in relatives:
        with contextlib.suppress(OSError):
            (_root() / relative).unlink()
