"""Staff-only download of real-name ID photos (decrypted on the fly, never cached)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from models import User
from models.identity import RealNameReview

from .. import audit
from ..errors import ErrorCode
from ..identity import id_photos
from ..identity.roles import STAFF_ROLES
from ..identity.session_check import is_live
from ..identity.tokens import decode_access_token
from ..settings import Settings


async def real_name_photo(request: Request) -> Response:
    header = request.headers.get("authorization", "")
    claims = decode_access_token(header[7:].strip()) if header[:7].lower() == "bearer " else None
    if claims is not None and claims.session_id is not None and not await is_live(claims.session_id):
        claims = None  # signed out, password changed or the sign-in revoked
    if claims is None:
        return JSONResponse({"error": "UNAUTHENTICATED"}, status_code=401)
    viewer = await User.get_or_none(id=claims.user_id)
    if viewer is None or not viewer.role_set & STAFF_ROLES:
        return JSONResponse({"error": ErrorCode.FORBIDDEN.value}, status_code=403)
    try:
        review_id = int(request.path_params["review_id"])
    except ValueError:
        return JSONResponse({"error": "NOT_FOUND"}, status_code=404)
    review = await RealNameReview.get_or_none(id=review_id)
    path = id_photos.paths_of(review).get(request.path_params["kind"]) if review else None
    if review is None or path is None:
        return JSONResponse({"error": "NOT_FOUND"}, status_code=404)
    data, kind = id_photos.load(path)
    await audit.record(
        "real_name.photo_view", actor_id=viewer.id, subject_user_id=review.user_id,
        ip=request.client.host if request.client else None,
        details={"reviewId": review.id, "photo": request.path_params["kind"]},
    )
    return Response(data, media_type=f"image/{kind}", headers={"Cache-Control": "no-store"})


def routes(settings: Settings) -> list[BaseRoute]:
    return [Route("/staff/real-name-reviews/{review_id}/photos/{kind}", real_name_photo, methods=["GET"])]
