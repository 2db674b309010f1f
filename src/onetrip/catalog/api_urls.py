from django.urls import path

from onetrip.catalog import api

urlpatterns = [
    path("departments/", api.DepartmentList.as_view(), name="api-departments"),
    path("items/", api.ItemList.as_view(), name="api-items"),
    path("items/<str:code>/", api.ItemDetail.as_view(), name="api-item"),
    path("items/<str:code>/checklist/", api.ItemChecklist.as_view(), name="api-item-checklist"),
    path("items/<str:code>/versions/", api.ItemVersionList.as_view(), name="api-item-versions"),
    path(
        "items/<str:code>/versions/<int:number>/",
        api.ItemVersionDetail.as_view(),
        name="api-item-version",
    ),
    path("items/<str:code>/diff/", api.ItemDiff.as_view(), name="api-item-diff"),
    path("items/<str:code>/draft/", api.ItemDraft.as_view(), name="api-item-draft"),
    path(
        "items/<str:code>/draft/publish/", api.ItemDraftPublish.as_view(), name="api-item-publish"
    ),
    path("catalogue/export.json", api.CatalogueExport.as_view(), name="api-catalogue-export"),
    path(
        "catalogue/export.xlsx", api.CatalogueExportXlsx.as_view(), name="api-catalogue-export-xlsx"
    ),
    path("catalogue/import/", api.CatalogueImport.as_view(), name="api-catalogue-import"),
]
