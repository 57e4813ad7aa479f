"""The REST API for scripts: serializers, viewsets and routes under /api/v1/."""
