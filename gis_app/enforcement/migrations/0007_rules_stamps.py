"""A county's rules stamp: a new number whenever a row a routing decision reads changes.

`enforcement_rulesstamp` holds one row per county, (county_id, stamp). Triggers on every table
a decision reads (the county's and townships' codes and names, protected zones, 1+X hubs,
departments, teams, catalogue items and their supporting departments, authority rows,
severity, deadline and calendar rows) set the stamps of the counties a statement touched to
the next value of a sequence. The router reads the stamps in the same statement as the rows
(enforcement/territory_sql.py), so answers kept under a stamp (enforcement/decision_cache.py)
are those of exactly the rows read with it.

Why a sequence, not a counter + 1: sequences are not rolled back. A transaction that changed a
rule, routed with it (an import's --reassign) and then rolled back leaves a stamp no committed
state will ever have; a counter would come back to the same number for another change.
Statement-level triggers (transition tables): a bulk insert of 8,000 authority rows bumps a
county once, not 8,000 times. Villages and grids are not here: an answer's village and grid
parts are the point's own, never kept.
"""
from django.db import migrations

#: table -> SELECT of the county ids of the changed rows (`changed`: the transition table).
TABLES = {
    "boundaries_county": "SELECT id FROM changed",
    "boundaries_township": "SELECT county_id FROM changed",
    "boundaries_protectedarea": "SELECT county_id FROM changed",
    "boundaries_hubarea": "SELECT county_id FROM changed",
    "boundaries_hubarea_covered": (
        "SELECT t.county_id FROM changed JOIN boundaries_township t ON t.id = changed.township_id "
        "UNION SELECT h.county_id FROM changed JOIN boundaries_hubarea h ON h.id = changed.hubarea_id"),
    "enforcement_department": "SELECT county_id FROM changed",
    "enforcement_team": "SELECT county_id FROM changed",
    "enforcement_catalogitem": "SELECT county_id FROM changed",
    "enforcement_catalogitem_supporting_departments": (
        "SELECT i.county_id FROM changed JOIN enforcement_catalogitem i ON i.id = changed.catalogitem_id "
        "UNION SELECT d.county_id FROM changed "
        "JOIN enforcement_department d ON d.id = changed.department_id"),
    "enforcement_authority": (
        "SELECT t.county_id FROM changed JOIN boundaries_township t ON t.id = changed.township_id "
        "UNION SELECT i.county_id FROM changed JOIN enforcement_catalogitem i ON i.id = changed.item_id"),
    "enforcement_severityrule": "SELECT county_id FROM changed",
    "enforcement_deadlinerule": "SELECT county_id FROM changed",
    "enforcement_calendarday": "SELECT county_id FROM changed",
}

#: (trigger suffix, event, transition table) -- an update stamps the counties before and after.
EVENTS = [("ins", "INSERT", "NEW"), ("del", "DELETE", "OLD"), ("upd_old", "UPDATE", "OLD"),
          ("upd_new", "UPDATE", "NEW")]

CREATE = ["""
CREATE SEQUENCE enforcement_rulesstamp_seq;
CREATE TABLE enforcement_rulesstamp (county_id bigint PRIMARY KEY, stamp bigint NOT NULL);
INSERT INTO enforcement_rulesstamp (county_id, stamp)
    SELECT id, nextval('enforcement_rulesstamp_seq') FROM boundaries_county;
"""]
DROP = []
for table, counties in TABLES.items():
    CREATE.append(f"""
CREATE FUNCTION {table}_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO enforcement_rulesstamp (county_id, stamp)
    SELECT c.id, nextval('enforcement_rulesstamp_seq')
    FROM (SELECT DISTINCT county_id AS id FROM ({counties}) AS touched(county_id)
          WHERE county_id IS NOT NULL) c
    ON CONFLICT (county_id) DO UPDATE SET stamp = EXCLUDED.stamp;
    RETURN NULL;
END $$;""")
    for suffix, event, transition in EVENTS:
        CREATE.append(f"CREATE TRIGGER {table}_stamp_{suffix} AFTER {event} ON {table} "
                      f"REFERENCING {transition} TABLE AS changed "
                      f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_stamp();")
    DROP.append(f"DROP FUNCTION IF EXISTS {table}_stamp() CASCADE;")
DROP.append("DROP TABLE IF EXISTS enforcement_rulesstamp; DROP SEQUENCE IF EXISTS enforcement_rulesstamp_seq;")


class Migration(migrations.Migration):

    dependencies = [
        ("enforcement", "0006_generation_archive"),
        ("boundaries", "0009_county_scoped_indexes"),
    ]

    operations = [migrations.RunSQL("\n".join(CREATE), "\n".join(DROP))]
