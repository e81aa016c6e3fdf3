"""What a resolver knows about the request: the viewer, the caller's address, a request id."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.errors import DomainError, ErrorCode
from app.identity.roles import STAFF_ROLES
from app.identity.session_check import is_live
from app.identity.tokens import AccessClaims, decode_access_token
from app.identity.users import user_by_id
from app.merchant_platform import api_keys
from models import User
from models.merchant_platform import MerchantApiKey

from . import loaders as _loaders


@dataclass
class RequestContext:
    client_ip: str | None = None
    request_id: str = ""
    authorization: str | None = None
    _viewer: User | None = field(default=None, repr=False)
    _viewer_loaded: bool = field(default=False, repr=False)
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def loaders(self) -> _loaders.Loaders:
        """The running operation's DataLoaders (``resolvers/loaders.py``): new for every
        operation, over HTTP and on a websocket alike, so never shared between operations."""
        return _loaders.current()

    @property
    def viewer_id(self) -> int | None:
        claims = self._claims()
        return claims.user_id if claims else None

    @property
    def session_id(self) -> str | None:
        """The sign-in (refresh-token family) the access token belongs to."""
        claims = self._claims()
        return claims.session_id if claims else None

    def _bearer(self) -> str | None:
        if self.authorization and self.authorization[:7].lower() == "bearer ":
            return self.authorization[7:].strip() or None
        return None

    def _claims(self) -> AccessClaims | None:
        """The access token's claims (decoded once per operation), or None without a usable one."""
        if "claims" not in self.cache:
            token = self._bearer()
            # A merchant API key is never a user: the viewer stays None.
            usable = token is not None and not api_keys.is_api_key(token)
            self.cache["claims"] = decode_access_token(token) if usable and token is not None else None
        claims: AccessClaims | None = self.cache["claims"]
        return claims

    async def authenticate(self) -> None:
        """Decode the access token afresh (expiry by ``app.clock``) and refuse it when its
        sign-in was revoked. Run at the start of every operation: over HTTP once per request,
        on a websocket once per operation, so a socket cannot outlive its token."""
        self.cache.pop("claims", None)
        claims = self._claims()
        if claims is not None and claims.session_id is not None and not await is_live(claims.session_id):
            self.cache["claims"] = None
        self.forget_viewer()

    @property
    def has_api_key(self) -> bool:
        return api_keys.is_api_key(self._bearer())

    async def api_key_is_live(self) -> bool:
        """Whether the request's API key still exists unrevoked (no rate count: for socket watches)."""
        return await api_keys.is_live(self._bearer() or "")

    async def api_key(self) -> MerchantApiKey | None:
        """The live merchant API key of an ``Authorization: Bearer sk_...`` request (checked, rate
        counted and stamped once per request or websocket operation); None without one.

        Raises ``DomainError`` API_KEY_INVALID, or RATE_LIMITED (the HTTP answer then carries
        ``Retry-After`` and status 429)."""
        secret = self._bearer()
        if not api_keys.is_api_key(secret):
            return None
        if "api_key" not in self.cache:
            try:
                self.cache["api_key"] = await api_keys.authenticate(secret or "")
            except DomainError as error:
                if error.code is ErrorCode.RATE_LIMITED:
                    response = getattr(self, "response", None)
                    if response is not None and error.retry_after_seconds:
                        response.headers["Retry-After"] = str(error.retry_after_seconds)
                        response.status_code = 429
                raise
        return self.cache["api_key"]

    async def viewer(self) -> User | None:
        """The signed-in user (loaded once per request), or None."""
        if not self._viewer_loaded:
            user_id = self.viewer_id
            self._viewer = await user_by_id(user_id) if user_id is not None else None
            if self._viewer is not None and self._viewer.status == "CLOSED":
                self._viewer = None  # a closed account's tokens sign nobody in
            self._viewer_loaded = True
        return self._viewer

    async def require_viewer(self) -> User:
        """The viewer; permission classes have already refused anonymous callers."""
        user = await self.viewer()
        if user is None:
            raise PermissionError("UNAUTHENTICATED")
        return user

    async def is_staff(self) -> bool:
        user = await self.viewer()
        return user is not None and bool(user.role_set & STAFF_ROLES)

    async def streaming_viewer_id(self) -> int:
        """For a subscription: the viewer's id, without keeping the User object on the context.

        A websocket's context lives as long as the connection and every operation reloads the
        viewer anyway, so holding the row for hours only costs memory per subscriber."""
        user = await self.require_viewer()
        self.forget_viewer()
        return user.id

    def forget_viewer(self) -> None:
        """Reload the viewer (and re-check an API key) on next use."""
        self._viewer = None
        self._viewer_loaded = False
        self.cache.pop("api_key", None)
