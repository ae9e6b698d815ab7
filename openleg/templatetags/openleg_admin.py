from django import template

from openleg.admin_display import shortened as shorten

register = template.Library()


@register.filter
def shortened(value, kind):
    """``{{ participant.iban|shortened:"iban" }}``: see ``openleg.admin_display.shortened``."""
    return shorten(value, kind=kind)
