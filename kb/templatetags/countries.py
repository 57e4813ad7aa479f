"""``{{ actor.country_code|country_name }}``: a country's name for people, the code staying in addresses."""

from django import template

from kb.countries import country_name as _country_name

register = template.Library()


@register.filter
def country_name(code: str | None) -> str:
    return _country_name(code)
