def recorded_user(actor):
    """The user to record as having done something: doors without a person (commands, tasks) pass None."""
    return actor if getattr(actor, "pk", None) else None
