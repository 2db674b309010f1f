from django.conf import settings


def site(request):
    """Site-wide names for the base template."""
    return {"onetrip": settings.ONETRIP}
