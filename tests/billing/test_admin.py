import pytest
from billing.services import billing_run_start
from billing.models import RunDay, StatementLine
pytestmark = pytest.mark.django_db

def test_explore(sample_month):
    run = billing_run_start(community=sample_month, year=2026, month=6)
    import json
    print(json.dumps(run.issues, indent=1, ensure_ascii=False))
    print(run.totals, run.blocking_issues, run.deviations, run.snapshot)
    for l in StatementLine.objects.filter(run=run).values():
        print(l)
    print(RunDay.objects.filter(run=run).count())
