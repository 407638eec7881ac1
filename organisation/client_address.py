"""The address a request comes from, the one place that reads it: the login lockout (``AXES_CLIENT_IP_CALLABLE``)
counts wrong passwords per user name and this address.

Behind the district's proxy (docs/deployment.md) every request reaches gunicorn from the proxy's own address; the
proxy appends the user's address to ``X-Forwarded-For``. That header is believed only from the proxies named in
``TRUSTED_PROXIES``, and only its last entry, the one the proxy wrote: the entries before it are the client's say.
"""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    if remote in settings.TRUSTED_PROXIES:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            return forwarded[-1]
    return remote
