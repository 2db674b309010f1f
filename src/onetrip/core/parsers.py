"""Request parsers for the API."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with too deeply nested documents refused as bad input and a
    malformed body explained in the request's language."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON 嵌套层次过深。")) from None
        except ParseError as exc:
            # DRF's detail repeats the decoder's English message; say where, in our words.
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, ValueError) and hasattr(cause, "lineno"):
                raise ParseError(
                    _("请求内容不是有效的 JSON（第 {line} 行第 {column} 列）。").format(
                        line=cause.lineno, column=cause.colno
                    )
                ) from None
            raise ParseError(_("请求内容不是有效的 JSON。")) from None
