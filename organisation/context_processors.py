from organisation.roles import LEVEL_OF_ROLE
from organisation.scoping import role_of


def staff(request):
    """The signed-in user's post, for navigation by role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = role_of(user)
    return {
        "staff_post": getattr(user, "staff_post", None),
        "staff_role": role.value if role else ("superuser" if user.is_superuser else ""),
        "staff_level": LEVEL_OF_ROLE[role].value if role else ("district" if user.is_superuser else ""),
    }
