"""draft_outreach: a stored German draft from recorded facts, or the agent's revision of one. Never sent here."""

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from api.agent.registry import Tool, ToolAnswer, register
from api.agent.tools.common import iso_utc, require_staff
from api.agent.tools.examples import example_of
from api.scopes import Scope
from pipeline.models import OutreachTemplate
from pipeline.selectors import outreach_draft_get, utility_get
from pipeline.services import outreach_draft_create, outreach_draft_revise
from pipeline.stages import Door


class OutreachArguments(serializers.Serializer):
    utility = serializers.IntegerField(min_value=1)
    template = serializers.ChoiceField(choices=OutreachTemplate.values, default=OutreachTemplate.FIRST_CONTACT)
    draft = serializers.IntegerField(min_value=1, required=False)
    body = serializers.CharField(required=False, max_length=20000)
    subject = serializers.CharField(required=False, allow_blank=True, max_length=200)

    default_error_messages = {
        "body": gettext_lazy("Zum Überarbeiten eines Entwurfs den neuen Text (body) angeben."),
        "draft": gettext_lazy("Ein Text (body) oder Betreff gehört zu einem Entwurf (draft), der überarbeitet wird."),
    }

    def validate(self, attrs):
        if "draft" in attrs and "body" not in attrs:
            raise serializers.ValidationError({"body": self.error_messages["body"]})
        if "draft" not in attrs and ("body" in attrs or "subject" in attrs):
            raise serializers.ValidationError({"draft": self.error_messages["draft"]})
        return attrs


def draft_row(draft) -> dict:
    return {
        "draft": draft.pk,
        "utility": draft.utility_id,
        "template": draft.template,
        "status": draft.status,
        "subject": draft.subject,
        "body": draft.body,
        "facts": draft.facts,
        "revision_of": draft.revision_of_id,
        "written_by_agent": draft.written_by_agent,
        "created_at": iso_utc(draft.created_at),
    }


def draft_outreach(caller, arguments: dict) -> ToolAnswer:
    require_staff(caller)
    utility = utility_get(pk=arguments["utility"])
    if "draft" in arguments:
        original = outreach_draft_get(utility=utility, pk=arguments["draft"])
        draft = outreach_draft_revise(
            draft=original,
            body=arguments["body"],
            subject=arguments.get("subject", ""),
            actor=caller.actor,
            door=Door.AGENT,
        )
    else:
        draft = outreach_draft_create(
            utility=utility, actor=caller.actor, door=Door.AGENT, template=arguments["template"]
        )
    return ToolAnswer(data=draft_row(draft), touched=[f"utility:{utility.pk}", f"outreach_draft:{draft.pk}"])


register(
    Tool(
        name="draft_outreach",
        description=(
            "Create a stored German outreach draft for a utility from recorded facts only (its municipalities' "
            "population, roof solar potential and installed PV, the legal basis, the owner as sender); the answer "
            "returns the text with the exact facts it used. To improve the wording, send 'draft' (the id) with your "
            "revised 'body' (and optionally 'subject'): it is kept as a new draft beside the original, marked as "
            "written by the agent. Use only the returned facts; never add figures. A draft is never sent by "
            "OpenLEG: a person reviews it and sends it by hand."
        ),
        scope=Scope.PIPELINE_WRITE,
        arguments=OutreachArguments,
        run=draft_outreach,
        writes=True,
        **example_of("draft_outreach"),
    )
)
