from .roles import Role, user_roles


def roles(request):
    user = getattr(request, "user", None)
    names = user_roles(user) if user is not None else set()
    return {
        "user_roles": names,
        "is_auditor": Role.AUDITOR in names,
        "is_chief": Role.CHIEF in names,
        "is_leader": Role.LEADER in names,
        "is_archivist": Role.ARCHIVIST in names,
        "is_admin_role": Role.ADMIN in names,
    }
