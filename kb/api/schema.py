"""OpenAPI additions: who may call an operation, the error bodies every operation can return, CSV on lists."""

from __future__ import annotations

from django.core.validators import RegexValidator
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from kb.api.concurrency import IF_MATCH_PATTERN
from kb.filtersets import NOT_BLANK_PATTERN, SLUG_PATTERN


def _is_text(field) -> bool:
    """A free-text field: no format or pattern of its own (those say what they take already)."""
    return (
        isinstance(field, serializers.CharField)
        and not isinstance(
            field, serializers.EmailField | serializers.URLField | serializers.RegexField | serializers.SlugField
        )
        and not any(isinstance(validator, RegexValidator) for validator in field.validators)
    )


class KbAutoSchema(AutoSchema):
    """drf-spectacular's schema, stating that reads need no credentials where the permission says so,
    and what text a body's field refuses.

    ``IsEditorOrReadOnly`` lets anyone read: a read's ``security`` lists the token and the
    session, and ``{}`` (no credentials) besides, as drf-spectacular does for ``AllowAny``.
    """

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and _is_text(field) and schema.get("type") == "string" and "pattern" not in schema:
            # DRF refuses NUL in text, and text that is blank once trimmed where blank is not allowed.
            blank_refused = not field.allow_blank and field.trim_whitespace
            # Blank allowed: drf-spectacular offers "" as a oneOf of its own, so this pattern must not match it.
            schema["pattern"] = NOT_BLANK_PATTERN if blank_refused else "^[^\\x00]+$"
        return schema

    def _resolve_path_parameters(self, variables):
        """A record that has a slug is named in its URL by slug or id (``/actors/russia/``, ``/actors/1/``)."""
        parameters = super()._resolve_path_parameters(variables)
        slug_field = getattr(self.view, "slug_field", "")
        lookup = getattr(self.view, "lookup_url_kwarg", None) or getattr(self.view, "lookup_field", None)
        for parameter in parameters:
            if slug_field and parameter["name"] in {lookup, "id"}:
                name = self.view.queryset.model._meta.verbose_name
                parameter["schema"] = {"type": "string", "pattern": SLUG_PATTERN}
                parameter["description"] = f"The {name}'s slug or id (a whole number is read as an id)."
        return parameters

    def map_parsers(self):
        """A record's write takes JSON: the form bodies of the browsable API's HTML forms are left out.

        A form cannot say null (a nullable date or actor sent as a form field arrives as the
        text "null"), so the JSON schema of a body does not describe a form of it; the
        browsable API's forms still post, with an empty field meaning null.
        """
        media_types = super().map_parsers()
        if getattr(self.view, "json_bodies", False):
            return [media_type for media_type in media_types if media_type not in FORM_TYPES]
        return media_types

    def get_auth(self):
        auths = super().get_auth()
        anonymous = any(getattr(permission, "anonymous_reads", False) for permission in self.view.get_permissions())
        if anonymous and self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths


DESCRIPTION = """
A claims-first knowledge base on Russia–North Korea relations. Every actor, relationship,
agreement, arms transfer and event is backed by **claims**: verbatim quotes anchored to the
exact characters of a stored source (`source.text[start:end] == quote`).

**Reading.** Lists are paginated as `{count, next, previous, results}` with `?page=` and
`?page_size=` (1–200). Every list takes `?search=` (alias-, case-, accent- and
hyphen-insensitive: `kim jong un` finds "Kim Jong-un", `sungri` finds "Sŭngri"), `?ordering=`
(`-` for descending), `?format=csv` (the whole filtered list, streamed) and the filters listed
with it. Several values: repeat the parameter or comma-separate them. Actors in filters are
given by id or slug. `GET /api/v1/search/?q=` searches every type at once. Arms transfers also
take `?format=sipri`: the filtered list in SIPRI's Trade Register CSV layout, which
`manage.py import_sipri` reads back.

**Partial dates.** Dates are `YYYY-MM-DD`, `YYYY-MM`, `YYYY` or a decade such as `2020s`, in
filters, bodies and responses; each date `<name>` comes with `<name>_precision`. A date range
filter (`date_from`, `date_to`…) keeps records whose own period *overlaps* it: a claim about
"2023" matches `date_from=2023-09&date_to=2023-09`; one about "October 2023" does not.

**Visibility.** Anonymous users and analysts see accepted claims only, and only the records an
accepted claim backs; evidence lists and counts leave the rest out. Editors see everything.

**Writing** needs editor rights and `Authorization: Token <secret>` (an editor makes a token
in the admin under *API tokens*, or `manage.py create_editor NAME` prints a new one; the
secret is shown once, and a token expires after a year unless made otherwise) or a session
with its CSRF token. Writes go through
the same services as the admin: quotes must occur in their source, records in use cannot be
deleted, and history records who did what.

**Concurrent edits.** A record's detail answer carries an `ETag` (its version). Send it back
as `If-Match` with PUT, PATCH or DELETE: if someone changed the record meanwhile, the answer is
412 and nothing is written. Without `If-Match` the write goes ahead. The checks come in a fixed
order: credentials (401, 403), the record (404), the body and the If-Match value's form (400),
then the version (412), just before the write: a bad body is a 400 whatever `If-Match` says.

**Strictness.** A query parameter an endpoint does not take is a 400 naming it
(`{"detail": "…", "unknown_parameters": […], "allowed_parameters": […]}`): a typo never
answers with the whole list. A format nothing serves (`?format=xml`, or an `Accept` header
no renderer matches) is a 406 naming the formats served. Actors, events and agreements are
named in their URL by slug or id (`/api/v1/actors/russia/`).

**Errors** are JSON: `{"<field>": ["message"]}` for bad input (400), otherwise
`{"detail": "message"}`: 401 no credentials, 403 not an editor, 404 unknown id or page,
406 format not served, 409 record in use, 412 changed since read (see above), 415 unsupported content type,
429 too many anonymous requests.
""".strip()

ERROR = {
    "type": "object",
    "description": 'The request as a whole failed: {"detail": "…"}.',
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": (
        "Bad input: each field at fault (a filter, a body field, page_size, or non_field_errors) "
        "with a list of messages saying what was wrong and what was expected."
    ),
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"date_from": ["'2023-13' has month 13; months run from 01 to 12."]},
}


def _response(description: str, schema: str) -> dict:
    body = {"$ref": f"#/components/schemas/{schema}"}
    if schema == "FieldErrors":
        # A body that is not JSON at all fails as a whole: {"detail": "JSON parse error …"}.
        body = {"anyOf": [body, {"$ref": "#/components/schemas/Error"}]}
    return {"description": description, "content": {"application/json": {"schema": body}}}


ERRORS = {
    "400": (
        "Bad input: the body or a query parameter is invalid; each field at fault is named "
        "(a body that cannot be parsed at all gets a detail message).",
        "FieldErrors",
    ),
    "401": ("No credentials: writes need `Authorization: Token …` or a session.", "Error"),
    "403": ("The user is not an editor.", "Error"),  # also the reads that are the editors' alone
    "404": ("No such record (ids are whole numbers), or no such page.", "Error"),
    "406": ("The format asked for (?format= or Accept) is not served; the answer names those that are.", "Error"),
    "409": ("The record is in use: other records depend on it.", "Error"),
    "413": ("The request body is larger than the server accepts.", "Error"),
    "415": ("Unsupported content type: send application/json (or a form).", "Error"),
    "412": ("If-Match named an older version: the record changed since it was read; nothing was written.", "Error"),
    "429": ("Too many anonymous requests; retry after the number of seconds in Retry-After.", "Error"),
}


def _codes(method: str, path: str) -> list[str]:
    detail = "{id}" in path
    if method == "get":
        return ["400", "404", "406", "429"]
    codes = ["400", "401", "403", "406", "413", "415", "429"]
    if detail:
        codes.append("404")
    if method == "delete":
        codes = ["400", "401", "403", "404", "406", "409", "429"]  # 400: an If-Match that is no entity tag
    if detail:
        codes.append("412")
    return codes


def _filter_descriptions() -> dict[str, dict[str, str]]:
    """List path → {filter name: its label}, for filters whose schema is given by their class."""
    from kb.api.urls import router

    found = {}
    for prefix, viewset, _basename in router.registry:
        filterset_class = getattr(viewset, "filterset_class", None)
        if filterset_class is not None:
            found[f"/api/v1/{prefix}/"] = {
                name: str(f.extra.get("help_text") or f.label)
                for name, f in filterset_class.base_filters.items()
                if f.extra.get("help_text") or f.label
            }
    return found


ETAG_HEADER = {
    "ETag": {
        "description": "The record's version: send it back as If-Match to write only if nobody changed it since.",
        "schema": {"type": "string"},
    }
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": (
        "The ETag of the record as last read (several comma-separated, or *). If the record has changed "
        "since, the write is refused with 412 and nothing changes; without If-Match the write goes ahead. "
        "The body is validated first: a bad body is a 400 whatever If-Match says, and a value that is not "
        "a list of entity tags is a 400 too."
    ),
    "schema": {"type": "string", "pattern": IF_MATCH_PATTERN},
}


def answer_with_output(paths: dict, path: str, operations: dict) -> None:
    """Writes answer with the record as GET shows it, not with the input serializer's shape."""
    detail = path if "{id}" in path else f"{path}{{id}}/"
    shown = paths.get(detail, {}).get("get", {}).get("responses", {}).get("200", {}).get("content")
    if not shown:
        return
    for method, code in (("put", "200"), ("patch", "200"), ("post", "201")):
        if method == "post" and "{id}" in path:
            continue
        answer = operations.get(method, {}).get("responses", {}).get(code)
        if answer is not None and "application/json" in answer.get("content", {}):
            answer["content"]["application/json"] = dict(shown["application/json"])


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _reason_header() -> dict:
    from kb.api.reasons import HEADER, REASON_MAX

    return {
        "name": HEADER,
        "in": "header",
        "required": False,
        "description": (
            f"Why this change is made, kept in the record's history (at most {REASON_MAX} characters, UTF-8). "
            "The body's `reason` says the same; if both are given, the body's is kept."
        ),
        "schema": {"type": "string", "maxLength": REASON_MAX},
    }


def add_change_reason(method: str, operation: dict) -> None:
    """A record's writes take a change reason: the header on every one, and a body of its own on DELETE."""
    from kb.api.reasons import HELP, REASON_MAX

    parameters = operation.setdefault("parameters", [])
    if not any(p.get("name") == _reason_header()["name"] for p in parameters):
        parameters.append(_reason_header())
    if method == "delete" and "requestBody" not in operation:
        reason = {"type": "string", "maxLength": REASON_MAX, "description": HELP}
        body = {"type": "object", "properties": {"reason": reason}, "additionalProperties": False}
        operation["requestBody"] = {"required": False, "content": {"application/json": {"schema": body}}}


def add_versioning(method: str, operation: dict) -> None:
    """A record's detail answers carry its ETag; its writes take If-Match."""
    responses = operation.get("responses", {})
    if method in {"get", "put", "patch"} and "200" in responses:
        responses["200"].setdefault("headers", {}).update(ETAG_HEADER)
    if method in {"put", "patch", "delete"}:
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("name") == "If-Match" for p in parameters):
            parameters.append(IF_MATCH)


def add_error_responses(result, generator, request, public):
    """Document every error response, the text/csv form of every list and every filter's meaning."""
    result.setdefault("info", {})["description"] = DESCRIPTION
    labels = _filter_descriptions()
    for path, labels_of_path in labels.items():
        operation = result.get("paths", {}).get(path, {}).get("get")
        for parameter in (operation or {}).get("parameters", []):
            if not parameter.get("description") and parameter.get("name") in labels_of_path:
                parameter["description"] = labels_of_path[parameter["name"]]
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    if "IngestInputRequest" in schemas:
        # An upload gives the article as a file or as text, never both.
        schemas["IngestInputRequest"]["oneOf"] = [{"required": ["file"]}, {"required": ["text"]}]
    schemas["Error"] = ERROR
    schemas["FieldErrors"] = FIELD_ERRORS
    paths = result.get("paths", {})
    upload = paths.get("/api/v1/ingest/", {}).get("post", {}).get("requestBody", {}).get("content", {})
    if "multipart/form-data" in upload:
        upload["multipart/form-data"]["encoding"] = {"file": {"contentType": "text/plain, text/html"}}
    for path, operations in paths.items():
        answer_with_output(paths, path, operations)
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("name") == "ordering" and parameter.get("schema", {}).get("type") == "array":
                    parameter["schema"]["minItems"] = 1  # an empty ?ordering= names no sort key: a 400
            responses = operation.setdefault("responses", {})
            codes = _codes(method, path)
            if method == "get" and {} not in operation.get("security", [{}]):
                codes += ["401", "403"]  # a read for editors only (drafts): others are refused
            for code in codes:
                description, schema = ERRORS[code]
                responses.setdefault(code, _response(description, schema))
            if "{id}" in path:
                add_versioning(method, operation)
            list_path = path if "{id}" not in path else path.rstrip("/").rpartition("/")[0] + "/"
            # A draft's accept and reject write records too, and take the same reason.
            draft_write = path.startswith("/api/v1/drafts/") and path.endswith(("/accept/", "/reject/"))
            if method in {"post", "put", "patch", "delete"} and (
                list_path in labels or path == "/api/v1/ingest/" or draft_write
            ):
                add_change_reason(method, operation)
            ok = responses.get("200", {})
            content = ok.get("content", {})
            if "text/csv" in content:
                if method == "get" and "{id}" not in path:
                    content["text/csv"] = {
                        "schema": {
                            "type": "string",
                            "description": "With ?format=csv: every matching record (not paginated), one row each, "
                            "related names spelled out, streamed."
                            + (
                                " With ?format=sipri: the same records in SIPRI's Trade Register layout "
                                "(title lines, SIPRI's columns, then kb's own)."
                                if "arms-transfers" in path
                                else ""
                            ),
                        }
                    }
                else:
                    del content["text/csv"]
            if "text/csv" in responses.get("201", {}).get("content", {}):
                del responses["201"]["content"]["text/csv"]
    return result
