"""Who may call a field. Failing checks are GraphQL errors with extensions.code
UNAUTHENTICATED (no or bad token) or FORBIDDEN (token fine, role wrong)."""

from __future__ import annotations

from typing import Any, ClassVar

from strawberry.permission import BasePermission


class IsAuthenticated(BasePermission):
    message = "请先登录 (authentication required)"
    error_extensions: ClassVar[dict[str, Any]] = {"code": "UNAUTHENTICATED"}

    async def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return await info.context.viewer() is not None


class _HasRole(BasePermission):
    """Use after IsAuthenticated (see the lists below), so anonymous callers get UNAUTHENTICATED."""

    roles: ClassVar[frozenset[str]] = frozenset()
    message = "无权访问 (forbidden)"
    error_extensions: ClassVar[dict[str, Any]] = {"code": "FORBIDDEN"}

    async def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        viewer = await info.context.viewer()
        return viewer is not None and bool(viewer.role_set & self.roles)


class IsStaff(_HasRole):
    roles = frozenset({"SUPPORT", "RISK_OFFICER", "ADMIN"})


class IsRefundReviewer(_HasRole):
    roles = frozenset({"SUPPORT", "ADMIN"})


class IsRiskStaff(_HasRole):
    roles = frozenset({"RISK_OFFICER", "ADMIN"})


class IsAdmin(_HasRole):
    roles = frozenset({"ADMIN"})


class IsMerchant(_HasRole):
    roles = frozenset({"MERCHANT"})


# Ready-made permission lists for ``strawberry.field(permission_classes=...)``.
SIGNED_IN = [IsAuthenticated]
STAFF = [IsAuthenticated, IsStaff]
REFUND_REVIEWERS = [IsAuthenticated, IsRefundReviewer]
RISK_STAFF = [IsAuthenticated, IsRiskStaff]
ADMINS = [IsAuthenticated, IsAdmin]
MERCHANTS = [IsAuthenticated, IsMerchant]
