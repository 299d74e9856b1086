-- The PostgreSQL roles of a production ldapply (docs/operations.md, "Database roles").
--
--   ldapply_owner  owns the schema and the tables; runs `flask --app wsgi db upgrade`; nothing else.
--   ldapply_app    what the web and the worker log in as: reads and writes the data, but may only
--                  read and add to the audit trail (no UPDATE, DELETE or TRUNCATE of audit_entries),
--                  moves its head (no INSERT, DELETE or TRUNCATE of audit_head), and TRUNCATEs nothing.
--
-- Run as a superuser (or a role with CREATEROLE that owns the database), connected to the ldapply
-- database: once before the first migration (it makes the roles), and again after every migration (it
-- grants on the tables the migration made). It can be run any number of times.
--
--   psql "postgresql://postgres@db-host/ldapply" -v ON_ERROR_STOP=1 -f scripts/db-roles.sql
--
-- Passwords are set apart, never in this file:  ALTER ROLE ldapply_app PASSWORD '…';
-- Other role names: replace ldapply_owner and ldapply_app throughout (sed) before running it.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ldapply_owner') THEN
        CREATE ROLE ldapply_owner LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ldapply_app') THEN
        CREATE ROLE ldapply_app LOGIN;
    END IF;
END
$$;

-- Neither role may become a superuser, make roles or bypass row security; the app role owns nothing,
-- so it can neither ALTER the audit table nor switch its append-only trigger off.
ALTER ROLE ldapply_owner NOSUPERUSER NOCREATEROLE NOCREATEDB NOBYPASSRLS;
ALTER ROLE ldapply_app NOSUPERUSER NOCREATEROLE NOCREATEDB NOBYPASSRLS NOINHERIT;

-- Only the owner creates objects in the schema (PostgreSQL 15 already refuses PUBLIC; older ones do not).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO ldapply_owner;
GRANT USAGE ON SCHEMA public TO ldapply_app;

-- The data: read and write, never TRUNCATE (it skips row triggers, the audit trail's guard included).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ldapply_app;
REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM ldapply_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ldapply_app;

-- Tables a later migration makes get the same grants (this script then narrows the audit tables again).
ALTER DEFAULT PRIVILEGES FOR ROLE ldapply_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ldapply_app;
ALTER DEFAULT PRIVILEGES FOR ROLE ldapply_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO ldapply_app;

-- The audit trail: read and append only; the head row is moved on, never made or removed.
DO $$
BEGIN
    IF to_regclass('public.audit_entries') IS NOT NULL THEN
        REVOKE ALL ON TABLE audit_entries FROM PUBLIC, ldapply_app;
        GRANT SELECT, INSERT ON TABLE audit_entries TO ldapply_app;
    END IF;
    IF to_regclass('public.audit_head') IS NOT NULL THEN
        REVOKE ALL ON TABLE audit_head FROM PUBLIC, ldapply_app;
        GRANT SELECT, UPDATE ON TABLE audit_head TO ldapply_app;
    END IF;
END
$$;

-- Alembic's own table: the app reads the schema's version (the health check), the owner writes it.
DO $$
BEGIN
    IF to_regclass('public.alembic_version') IS NOT NULL THEN
        REVOKE ALL ON TABLE alembic_version FROM ldapply_app;
        GRANT SELECT ON TABLE alembic_version TO ldapply_app;
    END IF;
END
$$;
