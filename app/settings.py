"""All configuration, read once from ``FENPAY_*`` environment variables.

Secrets missing in sandbox mode are generated on first start and kept in the
data dir (owner-only permissions); production mode refuses to start instead.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import overload


class ConfigurationError(Exception):
    """Start-up cannot go on; the message is one line naming what is wrong."""


SECRET_VARIABLES = {
    "jwt_secret": "FENPAY_JWT_SECRET",
    "payment_pepper": "FENPAY_PAYMENT_PEPPER",
    "encryption_key": "FENPAY_ENCRYPTION_KEY",
    "webhook_secret": "FENPAY_WEBHOOK_SECRET",
}


@overload
def _env(name: str) -> str | None: ...
@overload
def _env(name: str, default: str) -> str: ...
def _env(name: str, default: str | None = None) -> str | None:
    """The variable's value; unset or empty gives ``default``."""
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from exc


def _fx_rate_source(sandbox: bool) -> str:
    """FENPAY_FX_RATE_SOURCE: ``sandbox`` (default in sandbox mode) or ``none`` (default in
    production); production never serves the sandbox's made-up rates."""
    source = _env("FENPAY_FX_RATE_SOURCE", "sandbox" if sandbox else "none") or "none"
    if source not in ("sandbox", "none"):
        raise ConfigurationError(f"FENPAY_FX_RATE_SOURCE must be 'sandbox' or 'none', got {source!r}")
    if source == "sandbox" and not sandbox:
        raise ConfigurationError("FENPAY_FX_RATE_SOURCE=sandbox serves made-up rates: not allowed in production")
    return source


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw is None:
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name} must be true or false, got {raw!r}")


def metrics_enabled() -> bool:
    """``FENPAY_METRICS`` (default on): off turns every metric into a no-op and drops ``/metrics``."""
    return _env_bool("FENPAY_METRICS", True)


@dataclass(frozen=True)
class MessagingSettings:
    """Real SMS and email delivery (production); sandbox mode keeps messages in its outbox."""

    sms_provider: str | None = None
    """``gateway`` (signed HTTP POST) or ``aliyun`` (Alibaba Cloud SMS)."""
    sms_gateway_url: str | None = None
    sms_gateway_secret: str | None = None
    aliyun_access_key_id: str | None = None
    aliyun_access_key_secret: str | None = None
    aliyun_sign_name: str | None = None
    aliyun_templates: str = ""
    """``PURPOSE=TemplateCode`` pairs, comma-separated; ``*`` is the default template."""
    aliyun_endpoint: str = "https://dysmsapi.aliyuncs.com/"
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_security: str = "starttls"
    smtp_from: str = "fenpay <no-reply@fenpay.example>"

    def problems(self) -> list[str]:
        """What keeps production from delivering messages (empty when both channels are set)."""
        found = []
        if self.sms_provider not in ("gateway", "aliyun"):
            found.append("FENPAY_SMS_PROVIDER must be 'gateway' or 'aliyun' in production mode")
        elif self.sms_provider == "gateway" and not (self.sms_gateway_url and self.sms_gateway_secret):
            found.append("FENPAY_SMS_GATEWAY_URL and FENPAY_SMS_GATEWAY_SECRET are required for the SMS gateway")
        elif self.sms_provider == "aliyun" and not (self.aliyun_access_key_id and self.aliyun_access_key_secret
                                                    and self.aliyun_sign_name and self.aliyun_templates):
            found.append("FENPAY_SMS_ALIYUN_ACCESS_KEY_ID, _ACCESS_KEY_SECRET, _SIGN_NAME and _TEMPLATES are required")
        if not self.smtp_host:
            found.append("FENPAY_SMTP_HOST is required in production mode (email codes and notices)")
        if self.smtp_security not in ("starttls", "tls", "none"):
            found.append("FENPAY_SMTP_SECURITY must be starttls, tls or none")
        return found


def _load_messaging() -> MessagingSettings:
    return MessagingSettings(
        sms_provider=_env("FENPAY_SMS_PROVIDER"),
        sms_gateway_url=_env("FENPAY_SMS_GATEWAY_URL"),
        sms_gateway_secret=_env("FENPAY_SMS_GATEWAY_SECRET"),
        aliyun_access_key_id=_env("FENPAY_SMS_ALIYUN_ACCESS_KEY_ID"),
        aliyun_access_key_secret=_env("FENPAY_SMS_ALIYUN_ACCESS_KEY_SECRET"),
        aliyun_sign_name=_env("FENPAY_SMS_ALIYUN_SIGN_NAME"),
        aliyun_templates=_env("FENPAY_SMS_ALIYUN_TEMPLATES", "") or "",
        aliyun_endpoint=_env("FENPAY_SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com/") or "",
        smtp_host=_env("FENPAY_SMTP_HOST"),
        smtp_port=_env_int("FENPAY_SMTP_PORT", 587),
        smtp_username=_env("FENPAY_SMTP_USERNAME"),
        smtp_password=_env("FENPAY_SMTP_PASSWORD"),
        smtp_security=_env("FENPAY_SMTP_SECURITY", "starttls") or "starttls",
        smtp_from=_env("FENPAY_SMTP_FROM", "fenpay <no-reply@fenpay.example>") or "",
    )


@dataclass(frozen=True)
class Settings:
    mode: str
    data_dir: Path
    database_url: str
    redis_url: str | None
    redis_prefix: str
    jwt_secret: str
    payment_pepper: bytes
    encryption_key: bytes
    """Current field-encryption key (32 bytes, AES-256-GCM)."""
    old_encryption_keys: tuple[bytes, ...]
    """Keys still accepted for reading during a rotation."""
    webhook_secret: str
    public_url: str
    jwt_issuer: str = "fenpay"
    jwt_audience: str = "fenpay-api"
    access_token_ttl: int = 900
    refresh_token_ttl: int = 30 * 24 * 3600
    graphiql: bool = True
    introspection: bool = True
    allowed_origins: tuple[str, ...] = ()
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_query_cost: int = 5000
    """Fields an operation may ask for, list sizes (first/last) multiplied through the nesting."""
    persisted_queries: int = 1024
    """Documents each process keeps for automatic persisted queries (an LRU; 0 turns APQ's store off)."""
    ws_init_timeout_seconds: int = 10
    header_read_timeout_seconds: int = 10
    body_read_timeout_seconds: int = 30
    recipient_lookup_misses_per_hour: int = 20
    ip_login_limit_per_hour: int = 500
    ip_code_limit_per_hour: int = 500
    code_daily_cap: int = 10
    db_pool_max: int = 10
    risk_step_up_fen: int = 500_000
    risk_daily_out_limit_fen: int = 5_000_000
    risk_unverified_lifetime_fen: int = 100_000
    risk_velocity_count: int = 20
    risk_velocity_window_seconds: int = 60
    max_movement_fen: int = 100_000_000
    """Largest amount of one movement (payment, transfer, top-up, withdrawal, purchase, refund)."""
    max_open_refund_requests: int = 3
    """Refund requests of one transaction that may await review (or payout) at the same time."""
    calendar_file: Path | None = None
    """JSON of make-up working days (调休) and extra holidays; None = the file shipped in app/workdays/data."""
    max_wallet_balance_fen: int = 1_000_000_000
    """The most a user wallet may hold (available + held): 10,000,000.00 yuan by default."""
    api_key_requests_per_minute: int = 600
    payment_code_password_free_fen: int = 100_000
    channel_timeout_seconds: int = 20
    """How long a bank or provider call may take before the movement is left PROCESSING."""
    processing_grace_seconds: int = 120
    """The recovery job asks the channel about PROCESSING movements older than this."""
    processing_max_age_seconds: int = 24 * 3600
    """Older PROCESSING movements raise a CRITICAL alert and are a reconciliation break."""
    red_packet_max_share_fen: int = 20_000
    """The largest share of a red packet (fen); a packet's total is at most count x this."""
    red_packet_ttl_seconds: int = 24 * 3600
    """Unclaimed red-packet money returns to the sender this long after sending."""
    pay_request_ttl_seconds: int = 7 * 24 * 3600
    """A request to pay expires this long after it was made."""
    fx_rate_source: str = "sandbox"
    """Where cross-border exchange rates come from: ``sandbox`` (deterministic rates, sandbox
    mode only) or ``none`` (no feed configured: cross-border quotes are refused, FX_UNAVAILABLE)."""
    fx_quote_validity_seconds: int = 60
    """How long a cross-border quote's rate stays locked."""
    fx_annual_limit_usd_cents: int = 5_000_000
    """Cross-border payments per person per China calendar year, as a USD amount in cents
    (USD 50,000.00), converted to CNY at the day's rate when a payment is checked."""
    closed_account_retention_days: int = 5 * 365 + 1
    """How long a closed account's identity records are kept before the retention job erases them."""
    statement_pdf_font: str | None = None
    """The CJK TrueType font embedded in statement PDFs (default: Debian's WenQuanYi Micro Hei)."""
    contact_phone: str = "95188"
    contact_email: str = "service@fenpay.example"
    contact_chat_url: str = "/help/chat"
    contact_official_account: str = "fenpay 服务号"
    messaging: MessagingSettings = field(default_factory=MessagingSettings)
    log_format: str = "text"
    """``text`` (a terminal) or ``json`` (one object per line)."""
    metrics_token: str | None = None
    """Bearer token ``GET /metrics`` requires; production serves metrics only when it is set."""
    metrics: bool = True
    """``FENPAY_METRICS``: off turns metrics off (no counting, no ``/metrics``), to measure their cost."""
    otel_endpoint: str | None = None
    """OTLP/HTTP traces endpoint; tracing is off when unset."""
    otel_service_name: str = "fenpay"
    message_max_attempts: int = 8
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def sandbox(self) -> bool:
        return self.mode == "sandbox"

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://", "asyncpg://"))


def _load_or_generate_secret(data_dir: Path, name: str, nbytes: int) -> str:
    """Return the secret kept in ``data_dir/secrets/name``, creating it if absent.

    Safe when several processes start at once (two ``fenpay serve``, their workers): the secret is
    written whole to a private temporary file and linked into place, which is atomic and fails if
    another process got there first; everyone then reads the one file that won, never a partial one.
    """
    folder = data_dir / "secrets"
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    path = folder / name
    if not path.exists():
        value = base64.urlsafe_b64encode(secrets.token_bytes(nbytes)).decode()
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.")  # mode 0600
        try:
            with os.fdopen(handle, "w") as out:
                out.write(value)
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):  # another process's secret won: use it
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return path.read_text().strip()


def _decode_key(variable: str, raw: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except ValueError as exc:
        raise ConfigurationError(f"{variable} must be 32 bytes in url-safe base64") from exc
    if len(key) != 32:
        raise ConfigurationError(f"{variable} must be 32 bytes in url-safe base64")
    return key


MIN_SECRET_BYTES = 32


def _check_production_secrets(values: dict[str, str]) -> None:
    """Production refuses short secrets: a 1-byte JWT secret let anyone mint ADMIN tokens."""
    for attribute in ("jwt_secret", "payment_pepper", "webhook_secret"):
        if len(values[attribute].encode()) < MIN_SECRET_BYTES:
            raise ConfigurationError(
                f"{SECRET_VARIABLES[attribute]} must be at least {MIN_SECRET_BYTES} bytes in production mode"
            )


def check_production_serving(settings: Settings, workers: int) -> None:
    """What ``fenpay serve`` refuses in production: several workers whose limits, lockouts
    and events would each live in one process (SQLite or no Redis)."""
    if settings.sandbox:
        return
    if workers > 1 and not settings.is_postgres:
        raise ConfigurationError("several workers need PostgreSQL (FENPAY_DATABASE_URL), not SQLite")
    if workers > 1 and not settings.redis_url:
        raise ConfigurationError("several workers need Redis (FENPAY_REDIS_URL) for shared limits and events")


def load_settings() -> Settings:
    mode = _env("FENPAY_MODE", "sandbox")
    if mode not in ("sandbox", "production"):
        raise ConfigurationError(f"FENPAY_MODE must be 'sandbox' or 'production', got {mode!r}")
    sandbox = mode == "sandbox"
    data_dir = Path(_env("FENPAY_DATA_DIR", "./var")).resolve()
    database_url = _env("FENPAY_DATABASE_URL") or f"sqlite://{data_dir / 'fenpay.sqlite3'}"
    if not database_url.startswith(("sqlite://", "postgres://", "postgresql://", "asyncpg://")):
        raise ConfigurationError(
            "FENPAY_DATABASE_URL must start with sqlite:// or postgres://, got "
            f"{database_url.split('://')[0]!r}"
        )
    if sandbox:
        data_dir.mkdir(parents=True, exist_ok=True)
    if not sandbox and _env_bool("FENPAY_SANDBOX_FEATURES", False):
        raise ConfigurationError("FENPAY_SANDBOX_FEATURES must be off in production mode")

    values: dict[str, str] = {}
    for attribute, variable in SECRET_VARIABLES.items():
        raw = _env(variable)
        if raw is None:
            if not sandbox:
                raise ConfigurationError(f"{variable} is required in production mode")
            raw = _load_or_generate_secret(data_dir, attribute, 32)
        elif not sandbox and raw.startswith("sandbox-"):
            raise ConfigurationError(f"{variable} still holds a sandbox default")
        values[attribute] = raw

    if not sandbox:
        _check_production_secrets(values)
        if "*" in (_env("FENPAY_ALLOWED_ORIGINS", "") or ""):
            raise ConfigurationError("FENPAY_ALLOWED_ORIGINS must list origins, not '*', in production mode")
    messaging = _load_messaging()
    log_format = _env("FENPAY_LOG_FORMAT", "text") or "text"
    if log_format not in ("text", "json"):
        raise ConfigurationError(f"FENPAY_LOG_FORMAT must be 'text' or 'json', got {log_format!r}")
    if not sandbox and messaging.problems():
        raise ConfigurationError(messaging.problems()[0])

    old_keys = tuple(
        _decode_key("FENPAY_OLD_ENCRYPTION_KEYS", k.strip())
        for k in (_env("FENPAY_OLD_ENCRYPTION_KEYS", "") or "").split(",")
        if k.strip()
    )
    timeout, grace = _env_int("FENPAY_CHANNEL_TIMEOUT_SECONDS", 20), _env_int("FENPAY_PROCESSING_GRACE_SECONDS", 120)
    if not 0 < timeout < grace:
        raise ConfigurationError(
            "FENPAY_PROCESSING_GRACE_SECONDS must be longer than FENPAY_CHANNEL_TIMEOUT_SECONDS (and both positive)"
        )
    return Settings(
        mode=mode,
        data_dir=data_dir,
        database_url=database_url,
        redis_url=_env("FENPAY_REDIS_URL"),
        redis_prefix=_env("FENPAY_REDIS_PREFIX", "fenpay:"),
        jwt_secret=values["jwt_secret"],
        payment_pepper=values["payment_pepper"].encode(),
        encryption_key=_decode_key("FENPAY_ENCRYPTION_KEY", values["encryption_key"]),
        old_encryption_keys=old_keys,
        webhook_secret=values["webhook_secret"],
        public_url=_env("FENPAY_PUBLIC_URL", "http://127.0.0.1:8000"),
        access_token_ttl=_env_int("FENPAY_ACCESS_TOKEN_TTL", 900),
        graphiql=_env_bool("FENPAY_GRAPHIQL", sandbox),
        introspection=_env_bool("FENPAY_INTROSPECTION", sandbox),
        allowed_origins=tuple(
            o.strip() for o in (_env("FENPAY_ALLOWED_ORIGINS", "") or "").split(",") if o.strip()
        ),
        ip_login_limit_per_hour=_env_int("FENPAY_IP_LOGIN_LIMIT_PER_HOUR", 500 if sandbox else 30),
        ip_code_limit_per_hour=_env_int("FENPAY_IP_CODE_LIMIT_PER_HOUR", 500 if sandbox else 20),
        code_daily_cap=_env_int("FENPAY_CODE_DAILY_CAP", 10),
        max_query_cost=_env_int("FENPAY_MAX_QUERY_COST", 5000),
        persisted_queries=_env_int("FENPAY_PERSISTED_QUERIES", 1024),
        ws_init_timeout_seconds=_env_int("FENPAY_WS_INIT_TIMEOUT_SECONDS", 10),
        header_read_timeout_seconds=_env_int("FENPAY_HEADER_READ_TIMEOUT_SECONDS", 10),
        body_read_timeout_seconds=_env_int("FENPAY_BODY_READ_TIMEOUT_SECONDS", 30),
        recipient_lookup_misses_per_hour=_env_int("FENPAY_RECIPIENT_LOOKUP_MISSES_PER_HOUR", 20),
        closed_account_retention_days=_env_int("FENPAY_CLOSED_ACCOUNT_RETENTION_DAYS", 5 * 365 + 1),
        statement_pdf_font=_env("FENPAY_STATEMENT_PDF_FONT"),
        db_pool_max=_env_int("FENPAY_DB_POOL_MAX", 10),
        risk_step_up_fen=_env_int("FENPAY_RISK_STEP_UP_FEN", 500_000),
        risk_daily_out_limit_fen=_env_int("FENPAY_RISK_DAILY_OUT_LIMIT_FEN", 5_000_000),
        risk_unverified_lifetime_fen=_env_int("FENPAY_RISK_UNVERIFIED_LIFETIME_FEN", 100_000),
        risk_velocity_count=_env_int("FENPAY_RISK_VELOCITY_COUNT", 20),
        risk_velocity_window_seconds=_env_int("FENPAY_RISK_VELOCITY_WINDOW_SECONDS", 60),
        max_movement_fen=_env_int("FENPAY_MAX_MOVEMENT_FEN", 100_000_000),
        max_open_refund_requests=_env_int("FENPAY_MAX_OPEN_REFUND_REQUESTS", 3),
        calendar_file=Path(raw_calendar).resolve() if (raw_calendar := _env("FENPAY_CALENDAR_FILE")) else None,
        max_wallet_balance_fen=_env_int("FENPAY_MAX_WALLET_BALANCE_FEN", 1_000_000_000),
        api_key_requests_per_minute=_env_int("FENPAY_API_KEY_REQUESTS_PER_MINUTE", 600),
        payment_code_password_free_fen=_env_int("FENPAY_PAYMENT_CODE_PASSWORD_FREE_FEN", 100_000),
        channel_timeout_seconds=timeout,
        processing_grace_seconds=grace,
        processing_max_age_seconds=_env_int("FENPAY_PROCESSING_MAX_AGE_SECONDS", 24 * 3600),
        red_packet_max_share_fen=_env_int("FENPAY_RED_PACKET_MAX_SHARE_FEN", 20_000),
        red_packet_ttl_seconds=_env_int("FENPAY_RED_PACKET_TTL_SECONDS", 24 * 3600),
        pay_request_ttl_seconds=_env_int("FENPAY_PAY_REQUEST_TTL_SECONDS", 7 * 24 * 3600),
        fx_rate_source=_fx_rate_source(sandbox),
        fx_quote_validity_seconds=_env_int("FENPAY_FX_QUOTE_VALIDITY_SECONDS", 60),
        fx_annual_limit_usd_cents=_env_int("FENPAY_FX_ANNUAL_LIMIT_USD_CENTS", 5_000_000),
        contact_phone=_env("FENPAY_CONTACT_PHONE", "95188"),
        contact_email=_env("FENPAY_CONTACT_EMAIL", "service@fenpay.example"),
        contact_chat_url=_env("FENPAY_CONTACT_CHAT_URL", "/help/chat"),
        contact_official_account=_env("FENPAY_CONTACT_OFFICIAL_ACCOUNT", "fenpay 服务号"),
        messaging=messaging,
        log_format=log_format,
        metrics_token=_env("FENPAY_METRICS_TOKEN"),
        metrics=metrics_enabled(),
        otel_endpoint=_env("FENPAY_OTEL_ENDPOINT"),
        otel_service_name=_env("FENPAY_OTEL_SERVICE_NAME", "fenpay") or "fenpay",
        message_max_attempts=_env_int("FENPAY_MESSAGE_MAX_ATTEMPTS", 8),
    )
