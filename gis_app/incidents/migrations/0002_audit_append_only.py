"""The audit trail is append-only in the database itself, not just in the code: a trigger
refuses every UPDATE and DELETE of a case event, whoever connects."""
from django.db import migrations

FORWARD = """
CREATE FUNCTION incidents_caseevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % of case events is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER incidents_caseevent_append_only
    BEFORE UPDATE OR DELETE ON incidents_caseevent
    FOR EACH ROW EXECUTE FUNCTION incidents_caseevent_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS incidents_caseevent_append_only ON incidents_caseevent;
DROP FUNCTION IF EXISTS incidents_caseevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_cases")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
