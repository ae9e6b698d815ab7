"""python manage.py send_invoices RUN [--dry-run]"""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.models import BillingRun
from communities.models import Door
from documents.dispatch import invoices_dispatch
from openleg.errors import DomainError
from openleg.management.base import GermanCommand


class Command(GermanCommand):
    help = gettext_lazy(
        "Legt die Rechnungen, Gutschriften und Korrekturgutschriften eines Abrechnungslaufs in den Postausgang und "
        "reiht ihre E-Mails ein; nennt jede als eingereiht, ohne E-Mail-Adresse (zum Drucken) oder bereits im "
        "Postausgang. --dry-run reiht nichts ein und zeichnet nichts auf."
    )

    def add_arguments(self, parser):
        parser.add_argument("run", type=int, metavar=_("LAUF"), help=_("Nummer des Abrechnungslaufs"))
        parser.add_argument("--dry-run", action="store_true", help=_("nur ausgeben, was eingereiht würde"))

    def handle(self, *args, run, dry_run, **options):
        billing_run = BillingRun.objects.select_related("community").filter(pk=run).first()
        if billing_run is None:
            raise CommandError(_("Es gibt keinen Abrechnungslauf mit der Nummer %(run)s.") % {"run": run})
        try:
            plan = invoices_dispatch(run=billing_run, actor=None, door=Door.COMMAND, dry_run=dry_run)
        except DomainError as error:
            raise CommandError(error.message) from error
        queued = _("würde eingereiht") if dry_run else _("eingereiht")
        for invoice in plan.sendable:
            self.stdout.write(f"{queued}: {invoice} {invoice.recipient['name']} <{invoice.participant.email}>")
        for invoice in plan.not_sendable:
            self.stdout.write(
                _("ohne E-Mail-Adresse: %(invoice)s %(name)s") % {"invoice": invoice, "name": invoice.recipient["name"]}
            )
        for dispatch in plan.already:
            self.stdout.write(
                _("bereits im Postausgang: %(invoice)s (%(status)s)")
                % {"invoice": dispatch.invoice, "status": dispatch.get_status_display()}
            )
        self.stdout.write(
            _(
                "%(run)s: %(sendable)s %(queued)s, %(not_sendable)s ohne E-Mail-Adresse, "
                "%(already)s bereits im Postausgang"
            )
            % {
                "run": billing_run,
                "sendable": len(plan.sendable),
                "queued": queued,
                "not_sendable": len(plan.not_sendable),
                "already": len(plan.already),
            }
        )
