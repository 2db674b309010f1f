"""Trigger SQL refusing DELETEs that would remove a published version or any of its content.

Shared by migration 0006 and onetrip's SQLite backend, whose flush drops these triggers
around its DELETEs (PostgreSQL flushes with TRUNCATE, which row triggers do not see).
"""

MESSAGE = "published item versions are immutable"
CHILDREN = [
    "catalog_situation",
    "catalog_material",
    "catalog_fee",
    "catalog_faq",
    "catalog_formfield",
    "catalog_reviewstage",
]
TABLES = [
    "catalog_itemversion",
    *CHILDREN,
    "catalog_itemversion_co_departments",
    "catalog_material_situations",
]

_PUBLISHED = "(SELECT status FROM catalog_itemversion WHERE id = OLD.{col}) = 'published'"

SQLITE_CREATE = [
    f"""CREATE TRIGGER IF NOT EXISTS catalog_itemversion_no_delete
    BEFORE DELETE ON catalog_itemversion WHEN OLD.status = 'published'
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    *[
        f"""CREATE TRIGGER IF NOT EXISTS {t}_no_delete BEFORE DELETE ON {t}
        WHEN {_PUBLISHED.format(col="version_id")}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"""
        for t in CHILDREN
    ],
    f"""CREATE TRIGGER IF NOT EXISTS catalog_co_departments_no_delete
    BEFORE DELETE ON catalog_itemversion_co_departments
    WHEN {_PUBLISHED.format(col="itemversion_id")}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER IF NOT EXISTS catalog_material_situations_no_delete
    BEFORE DELETE ON catalog_material_situations
    WHEN (SELECT v.status FROM catalog_itemversion v JOIN catalog_material m
          ON m.version_id = v.id WHERE m.id = OLD.material_id) = 'published'
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS catalog_itemversion_no_delete;",
    *[f"DROP TRIGGER IF EXISTS {t}_no_delete;" for t in CHILDREN],
    "DROP TRIGGER IF EXISTS catalog_co_departments_no_delete;",
    "DROP TRIGGER IF EXISTS catalog_material_situations_no_delete;",
]

POSTGRES_CREATE = [
    f"""CREATE OR REPLACE FUNCTION catalog_refuse_delete_published() RETURNS trigger AS $$
    BEGIN
      IF (TG_TABLE_NAME = 'catalog_itemversion' AND OLD.status = 'published') THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN OLD;
    END; $$ LANGUAGE plpgsql;""",
    f"""CREATE OR REPLACE FUNCTION catalog_refuse_delete_child() RETURNS trigger AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM catalog_itemversion WHERE id = OLD.version_id
                 AND status = 'published') THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN OLD;
    END; $$ LANGUAGE plpgsql;""",
    f"""CREATE OR REPLACE FUNCTION catalog_refuse_delete_link() RETURNS trigger AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM catalog_itemversion WHERE id = OLD.itemversion_id
                 AND status = 'published') THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN OLD;
    END; $$ LANGUAGE plpgsql;""",
    f"""CREATE OR REPLACE FUNCTION catalog_refuse_delete_material_link() RETURNS trigger AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM catalog_itemversion v JOIN catalog_material m
                 ON m.version_id = v.id WHERE m.id = OLD.material_id
                 AND v.status = 'published') THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN OLD;
    END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER catalog_itemversion_no_delete BEFORE DELETE ON catalog_itemversion
    FOR EACH ROW EXECUTE FUNCTION catalog_refuse_delete_published();""",
    *[
        f"""CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t}
        FOR EACH ROW EXECUTE FUNCTION catalog_refuse_delete_child();"""
        for t in CHILDREN
    ],
    """CREATE TRIGGER catalog_co_departments_no_delete
    BEFORE DELETE ON catalog_itemversion_co_departments
    FOR EACH ROW EXECUTE FUNCTION catalog_refuse_delete_link();""",
    """CREATE TRIGGER catalog_material_situations_no_delete
    BEFORE DELETE ON catalog_material_situations
    FOR EACH ROW EXECUTE FUNCTION catalog_refuse_delete_material_link();""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS catalog_itemversion_no_delete ON catalog_itemversion;",
    *[f"DROP TRIGGER IF EXISTS {t}_no_delete ON {t};" for t in CHILDREN],
    "DROP TRIGGER IF EXISTS catalog_co_departments_no_delete"
    " ON catalog_itemversion_co_departments;",
    "DROP TRIGGER IF EXISTS catalog_material_situations_no_delete ON catalog_material_situations;",
    "DROP FUNCTION IF EXISTS catalog_refuse_delete_published();",
    "DROP FUNCTION IF EXISTS catalog_refuse_delete_child();",
    "DROP FUNCTION IF EXISTS catalog_refuse_delete_link();",
    "DROP FUNCTION IF EXISTS catalog_refuse_delete_material_link();",
]
