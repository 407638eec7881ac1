"""Headers of the responses to signed-in users. The Content-Security-Policy itself is django-csp's
(``CONTENT_SECURITY_POLICY`` in the settings)."""

from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """A signed-in user's pages and downloads hold personal data (ID numbers, phone numbers, bank accounts): no
    browser or proxy may keep a copy (``Cache-Control: no-store``), so neither the back button nor the next user of
    a shared office computer brings them back after logging out. After ``AuthenticationMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True)
        return response
