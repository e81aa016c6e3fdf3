"""Who may call a field. Failing checks are GraphQL errors with extensions.code
UNAUTHENTICATED (no or bad token) or FORBIDDEN (token fine, role wrong)."""

from __future__ import annotations

from typing import Any, ClassVar

from graphql import GraphQLErrorExtensions
from strawberry.permission import BasePermission

from app.errors import ErrorCode
from app.identity.roles import ADMIN_ROLES, MERCHANT_ROLES, REFUND_REVIEWER_ROLES, RISK_ROLES, STAFF_ROLES, Role

from .context import Info


class IsAuthenticated(BasePermission):
    message = "请先登录 (authentication required)"
    error_extensions: GraphQLErrorExtensions | None = {"code": "UNAUTHENTICATED"}

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return await info.context.viewer() is not None


class _HasRole(BasePermission):
    """Use after IsAuthenticated (see the lists below), so anonymous callers get UNAUTHENTICATED."""

    roles: ClassVar[frozenset[Role]] = frozenset()
    message = "无权访问 (forbidden)"
    error_extensions: GraphQLErrorExtensions | None = {"code": ErrorCode.FORBIDDEN.value}

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        viewer = await info.context.viewer()
        return viewer is not None and bool(viewer.role_set & self.roles)


class IsStaff(_HasRole):
    roles = STAFF_ROLES


class IsRefundReviewer(_HasRole):
    roles = REFUND_REVIEWER_ROLES


class IsRiskStaff(_HasRole):
    roles = RISK_ROLES


class IsAdmin(_HasRole):
    roles = ADMIN_ROLES


class IsMerchant(_HasRole):
    roles = MERCHANT_ROLES


# Ready-made permission lists for ``strawberry.field(permission_classes=...)``.
SIGNED_IN: list[type[BasePermission]] = [IsAuthenticated]
STAFF: list[type[BasePermission]] = [IsAuthenticated, IsStaff]
REFUND_REVIEWERS: list[type[BasePermission]] = [IsAuthenticated, IsRefundReviewer]
RISK_STAFF: list[type[BasePermission]] = [IsAuthenticated, IsRiskStaff]
ADMINS: list[type[BasePermission]] = [IsAuthenticated, IsAdmin]
MERCHANTS: list[type[BasePermission]] = [IsAuthenticated, IsMerchant]
