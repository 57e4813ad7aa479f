"""Small API views: a JSON 404 for any path under /api/ that names no resource."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt


# Exempt from CSRF: it writes nothing, and a POST or DELETE to a wrong path must still get this
# JSON 404, not the CSRF middleware's HTML 403 page.
@csrf_exempt
def not_found(request, *args, **kwargs) -> JsonResponse:
    return JsonResponse({"detail": f"No API resource at {request.path}; see /api/docs/."}, status=404)
