"""Routes of the analyst UI."""

app_name = "kb"
urlpatterns: list = []
