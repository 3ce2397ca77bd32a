-- A test-only stand-in for the parts of Supabase that Khepri's schema relies on.
--
-- On a real Supabase project all of this exists already; never apply this file
-- there. In tests it turns a plain PostgreSQL database into one where
-- khepri_cli/sql/initial_schema.sql applies and behaves as it does on Supabase:
--
--   * auth.users with a uuid primary key (the target of athletes.auth_user_id);
--   * auth.uid() / auth.role(), read from the setting request.jwt.claims, which
--     PostgREST sets for each request (tests set it with set_config);
--   * the roles anon, authenticated and service_role (service_role bypasses
--     RLS), which the connecting user may SET ROLE to;
--   * Supabase's grants: every table, sequence and function later created in
--     schema public is usable by the three roles, so RLS alone decides.
--
-- Roles belong to the whole cluster, so they are created only when missing and
-- never dropped; everything else lives in the test database.

DO $$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = role_name) THEN
            BEGIN
                IF role_name = 'service_role' THEN
                    EXECUTE format('CREATE ROLE %I NOLOGIN NOINHERIT BYPASSRLS', role_name);
                ELSE
                    EXECUTE format('CREATE ROLE %I NOLOGIN NOINHERIT', role_name);
                END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;  -- created meanwhile by a test running in parallel
            END;
        END IF;
        -- The connecting user must be able to SET ROLE to it (superusers always can).
        IF NOT pg_catalog.pg_has_role(current_user, role_name, 'MEMBER') THEN
            BEGIN
                EXECUTE format('GRANT %I TO %I', role_name, current_user);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;
            END;
        END IF;
    END LOOP;
END
$$;

CREATE SCHEMA auth;

CREATE TABLE auth.users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The `sub` claim of the request's JWT, or NULL when there is none.
CREATE FUNCTION auth.uid() RETURNS uuid
LANGUAGE sql STABLE
AS $$
    SELECT (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid
$$;

-- The `role` claim of the request's JWT: anon, authenticated or service_role.
CREATE FUNCTION auth.role() RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'
$$;

GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION auth.uid(), auth.role() TO anon, authenticated, service_role;

GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
