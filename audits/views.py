from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from archives.models import ImportJob
from archives.roles import Role, has_role


@login_required
def home(request):
    """Each role's work queue (工作台)."""
    context = {}
    if has_role(request.user, Role.ARCHIVIST):
        context["recent_imports"] = ImportJob.objects.select_related("created_by")[:5]
    return render(request, "home.html", context)
