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
