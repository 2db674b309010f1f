from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.static import serve as static_serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from onetrip.core import views as core_views

admin.site.site_header = "onetrip 政务服务管理"
admin.site.site_title = "onetrip 管理"
admin.site.index_title = "事项清单与账户管理"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", core_views.favicon),
    path("health/", core_views.health, name="health"),
    path("admin/login/", RedirectView.as_view(url="/staff/login/", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("onetrip.accounts.api_urls")),
    path("api/v1/", include("onetrip.catalog.api_urls")),
    path("api/v1/", include("onetrip.stats.api_urls")),
    path("api/v1/", include("onetrip.applications.api_urls")),
    path("api/v1/", include("onetrip.exchange.api_urls")),
    path("api/v1/", include("onetrip.notifications.api_urls")),
    path("api/v1/", include("onetrip.workbench.api_urls")),
    path("stats/", include("onetrip.stats.urls")),
    path("me/inbox/", include("onetrip.notifications.urls")),
    path("workbench/", include("onetrip.workbench.urls")),
    path("", include("onetrip.exchange.urls")),
    path("supervision/", include("onetrip.supervision.urls")),
    path("", include("onetrip.accounts.urls")),
    path("", include("onetrip.portal.urls")),
]

if getattr(settings, "ONETRIP_BENCH_FLOOR", False):
    from onetrip.core.bench_views import ApiFloor, floor

    urlpatterns.insert(0, path("bench/floor/", floor))
    urlpatterns.insert(0, path("bench/api-floor/", ApiFloor.as_view()))

if settings.DEBUG:
    urlpatterns.append(
        path("media/<path:path>", static_serve, {"document_root": settings.MEDIA_ROOT})
    )

handler400 = "onetrip.core.views.bad_request"
handler404 = "onetrip.core.views.not_found"
handler500 = "onetrip.core.views.server_error"
