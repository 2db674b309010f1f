"""The database itself refuses changes to published item versions and their contents."""

from django.db import migrations

CHILDREN = ["catalog_situation", "catalog_material", "catalog_fee", "catalog_faq"]
MESSAGE = "published item versions are immutable"

SQLITE = [
    f"""CREATE TRIGGER catalog_itemversion_frozen BEFORE UPDATE ON catalog_itemversion
    WHEN OLD.status = 'published' BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER catalog_co_departments_frozen
    BEFORE INSERT ON catalog_itemversion_co_departments
    WHEN (SELECT status FROM catalog_itemversion WHERE id = NEW.itemversion_id) = 'published'
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER catalog_material_situations_frozen
    BEFORE INSERT ON catalog_material_situations
    WHEN (SELECT v.status FROM catalog_itemversion v JOIN catalog_material m
          ON m.version_id = v.id WHERE m.id = NEW.material_id) = 'published'
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
for table in CHILDREN:
    SQLITE += [
        f"""CREATE TRIGGER {table}_frozen_insert BEFORE INSERT ON {table}
        WHEN (SELECT status FROM catalog_itemversion WHERE id = NEW.version_id) = 'published'
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
        f"""CREATE TRIGGER {table}_frozen_update BEFORE UPDATE ON {table}
        WHEN (SELECT status FROM catalog_itemversion WHERE id = OLD.version_id) = 'published'
          OR (SELECT status FROM catalog_itemversion WHERE id = NEW.version_id) = 'published'
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    ]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS catalog_itemversion_frozen;",
    "DROP TRIGGER IF EXISTS catalog_co_departments_frozen;",
    "DROP TRIGGER IF EXISTS catalog_material_situations_frozen;",
] + [
    f"DROP TRIGGER IF EXISTS {t}_frozen_{op};" for t in CHILDREN for op in ("insert", "update")
]

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION catalog_refuse_frozen() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; END;
    $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER catalog_itemversion_frozen BEFORE UPDATE ON catalog_itemversion
    FOR EACH ROW WHEN (OLD.status = 'published') EXECUTE FUNCTION catalog_refuse_frozen();""",
    f"""CREATE OR REPLACE FUNCTION catalog_refuse_child_of_frozen() RETURNS trigger AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM catalog_itemversion WHERE id = NEW.version_id
                 AND status = 'published')
         OR (TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM catalog_itemversion
                 WHERE id = OLD.version_id AND status = 'published')) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql;""",
    f"""CREATE OR REPLACE FUNCTION catalog_refuse_link_of_frozen() RETURNS trigger AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM catalog_itemversion WHERE id = NEW.itemversion_id
                 AND status = 'published') THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql;""",
    f"""CREATE OR REPLACE FUNCTION catalog_refuse_material_link_of_frozen() RETURNS trigger AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM catalog_itemversion v JOIN catalog_material m
                 ON m.version_id = v.id WHERE m.id = NEW.material_id
                 AND v.status = 'published') THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER catalog_co_departments_frozen BEFORE INSERT
    ON catalog_itemversion_co_departments
    FOR EACH ROW EXECUTE FUNCTION catalog_refuse_link_of_frozen();""",
    """CREATE TRIGGER catalog_material_situations_frozen BEFORE INSERT
    ON catalog_material_situations
    FOR EACH ROW EXECUTE FUNCTION catalog_refuse_material_link_of_frozen();""",
] + [
    f"""CREATE TRIGGER {t}_frozen BEFORE INSERT OR UPDATE ON {t}
    FOR EACH ROW EXECUTE FUNCTION catalog_refuse_child_of_frozen();"""
    for t in CHILDREN
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS catalog_itemversion_frozen ON catalog_itemversion;",
    "DROP TRIGGER IF EXISTS catalog_co_departments_frozen ON catalog_itemversion_co_departments;",
    "DROP TRIGGER IF EXISTS catalog_material_situations_frozen ON catalog_material_situations;",
    *[f"DROP TRIGGER IF EXISTS {t}_frozen ON {t};" for t in CHILDREN],
    "DROP FUNCTION IF EXISTS catalog_refuse_frozen();",
    "DROP FUNCTION IF EXISTS catalog_refuse_child_of_frozen();",
    "DROP FUNCTION IF EXISTS catalog_refuse_link_of_frozen();",
    "DROP FUNCTION IF EXISTS catalog_refuse_material_link_of_frozen();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
