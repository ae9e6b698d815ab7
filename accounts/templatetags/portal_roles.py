"""``{% load portal_roles %}`` then ``{% if user|may:"approve_billing" %}``: show a button only to who may use it."""

from django import template

from accounts import portal_roles

register = template.Library()


@register.filter
def may(user, action: str) -> bool:
    return portal_roles.may(user, action)
