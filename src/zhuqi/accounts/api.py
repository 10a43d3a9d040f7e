from ninja import Router, Schema

from zhuqi.accounts.auth import ANY_SCOPE, token_or_session
from zhuqi.core import permissions

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    enterprise_uscc: str | None
    department_code: str | None
    town_code: str | None
    capabilities: list[str]  # what the user may do (README, "Who may do what"), for clients' menus


@router.get(
    "/me", response=MeOut, summary="The signed-in user or token owner", auth=token_or_session(ANY_SCOPE)
)
def me(request):
    user = request.user
    return MeOut(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        enterprise_uscc=user.enterprise.uscc if user.enterprise_id else None,
        department_code=user.department.code if user.department_id else None,
        town_code=user.town.code if user.town_id else None,
        capabilities=sorted(permissions.capabilities_of(user)),
    )
