from django.utils.translation import gettext as _


def recorded_user(actor):
    """The user to record as having done something: doors without a person (commands, tasks) pass None."""
    return actor if getattr(actor, "pk", None) else None


def done_by(actor, door_label: str) -> str:
    """Who did something through which door, as the tail of a German sentence (for logs and messages)."""
    user = recorded_user(actor)
    if user is None:
        return _("über den Zugang «%(door)s», ohne angemeldete Person") % {"door": door_label}
    return _("durch %(user)s über den Zugang «%(door)s»") % {"user": user.get_username(), "door": door_label}
