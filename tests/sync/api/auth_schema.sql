-- The stand-in API's own additions to the test database, applied on top of
-- tests/sync/supabase_auth.sql (which gives auth.users an id, email and
-- created_at). Supabase Auth keeps these columns and tables in its `auth`
-- schema under the same names; the stand-in's Auth endpoints read and write
-- them, so tests can inspect users, sessions and refresh tokens directly.

CREATE SCHEMA IF NOT EXISTS extensions;
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;

ALTER TABLE auth.users
    ADD COLUMN aud text NOT NULL DEFAULT 'authenticated',
    ADD COLUMN role text NOT NULL DEFAULT 'authenticated',
    ADD COLUMN encrypted_password text,
    ADD COLUMN email_confirmed_at timestamptz,
    ADD COLUMN confirmation_sent_at timestamptz,
    ADD COLUMN last_sign_in_at timestamptz,
    ADD COLUMN raw_app_meta_data jsonb NOT NULL
        DEFAULT '{"provider": "email", "providers": ["email"]}',
    ADD COLUMN raw_user_meta_data jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN banned_until timestamptz,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- One row per sign-in; logging out deletes it (GoTrue: models.Session).
CREATE TABLE auth.sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    refreshed_at timestamptz,
    not_after timestamptz
);

-- Refresh tokens form a chain per session: each refresh revokes the token
-- used and issues a child whose parent is it (GoTrue: models.RefreshToken).
CREATE TABLE auth.refresh_tokens (
    id bigserial PRIMARY KEY,
    token text NOT NULL UNIQUE,
    user_id uuid NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
    session_id uuid NOT NULL REFERENCES auth.sessions(id) ON DELETE CASCADE,
    parent text,
    revoked boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX ON auth.refresh_tokens (session_id);
