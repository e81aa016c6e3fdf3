"""Staff accounts, made by `fenpay create-staff`."""

from __future__ import annotations

from models import User

from .. import audit
from .passwords import hash_password
from .roles import STAFF_ROLES
from .users import add_role, create_user


async def create_or_promote(phone: str, password: str, role: str) -> tuple[User, bool]:
    """Return (user, created). An existing user gains the role and the given password."""
    if role not in STAFF_ROLES:
        raise ValueError(f"role must be one of {', '.join(sorted(STAFF_ROLES))}")
    user = await User.get_or_none(phone=phone)
    created = user is None
    if user is None:
        user = await create_user(phone, password, roles=f"USER {role}")
    else:
        add_role(user, role)
        user.password_hash = hash_password(password)
        await user.save(update_fields=["roles", "password_hash", "updated_at"])
    await audit.record("staff.create" if created else "staff.promote", actor_id=None,
                       subject_user_id=user.id, details={"role": role})
    return user, created
