"""Small API views: a JSON 404 for any path under /api/ that names no resource."""

from django.http import JsonResponse


def not_found(request, *args, **kwargs) -> JsonResponse:
    return JsonResponse({"detail": f"No API resource at {request.path}; see /api/docs/."}, status=404)
