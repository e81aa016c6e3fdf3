"""The CJK font embedded (as a subset) in statement PDFs.

fenpay ships no font: it uses Debian's ``fonts-wqy-microhei`` (文泉驿微米黑; Apache 2.0 or
GPLv3 with the font exception, so embedding in documents is allowed), which
``.ci/install-browser`` installs and README "Running it" documents, or the TrueType font
named by ``FENPAY_STATEMENT_PDF_FONT`` (a .ttf, or a .ttc whose first face has the glyphs).
Without it the server runs and a PDF request answers PDF_UNAVAILABLE; ``fenpay doctor``
names the fix.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import DomainError, ErrorCode
from ..settings import Settings

DEBIAN_PACKAGE = "fonts-wqy-microhei"
DEFAULT_PATHS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)
FIX = (
    f"install Debian's {DEBIAN_PACKAGE} (`apt-get install {DEBIAN_PACKAGE}`, as .ci/install-browser does) "
    "or set FENPAY_STATEMENT_PDF_FONT to a TrueType font with Chinese glyphs"
)


def statement_font(settings: Settings) -> Path | None:
    """The font file to embed: the configured one if set (None when it is not a file), else
    the first Debian WenQuanYi font present."""
    if settings.statement_pdf_font:
        configured = Path(settings.statement_pdf_font)
        return configured if configured.is_file() else None
    return next((path for path in DEFAULT_PATHS if path.is_file()), None)


def unavailable() -> DomainError:
    """What a PDF request answers when the server has no font (the CSV export still works)."""
    return DomainError(ErrorCode.PDF_UNAVAILABLE, "暂时无法生成 PDF 账单（服务器缺少中文字体），请先导出 CSV", ("format",))


def require_font(settings: Settings) -> Path:
    """The font, or PDF_UNAVAILABLE."""
    font = statement_font(settings)
    if font is None:
        raise unavailable()
    return font
