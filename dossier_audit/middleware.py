"""Project-wide response headers."""


class PrivatePagesNoStoreMiddleware:
    """Every page a logged-in user sees may show dossier data: no browser or proxy keeps a
    copy (`Cache-Control: no-store`). Views that set their own Cache-Control keep it; static
    files are answered by whitenoise before this runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response


class FriendlyErrorPagesMiddleware:
    """Under DJANGO_DEBUG=1 (`make run`) Django answers a missing page or a crash with its
    technical pages, which show the URL list and the code to a newcomer. This puts the product's
    own 404 and 500 pages in their place unless DJANGO_DEBUG_PAGES=1 asks for the technical
    ones. (With DJANGO_DEBUG=0 Django renders templates/404.html and 500.html itself.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        if not settings.DEBUG or settings.DEBUG_ERROR_PAGES or response.status_code not in (404, 500):
            return response
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        from django.shortcuts import render

        template = "404.html" if response.status_code == 404 else "500.html"
        try:
            return render(request, template, status=response.status_code)
        except Exception:  # the error page itself failed: plain text, never the technical page
            from django.http import HttpResponse

            return HttpResponse("服务器内部错误", status=response.status_code, content_type="text/plain; charset=utf-8")
