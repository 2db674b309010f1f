"""Language choice: Chinese unless the person switched with the language button."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    """Activate the language in the language cookie, else ``LANGUAGE_CODE``.

    Browsers' Accept-Language is ignored on purpose: the published guide is authoritative in
    Chinese, and English is an explicit choice.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie")
        return response
