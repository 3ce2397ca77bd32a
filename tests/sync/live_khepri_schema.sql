-- The live Khepri backend, for tests only: the remote a user meets in the wild.
--
-- Khepri never ships this. It rebuilds, with our own SQL, the facts listed in
-- ../shared/upstream.md, "How the backend grew": steps 2 to 14, applied on top
-- of step 1, which is Khepri's first migration
-- (khepri_cli/sql/migrations/20260201000000_initial_schema.sql) on the test
-- stand-in for Supabase (supabase_auth.sql). Where upstream.md names a table
-- but not its columns, the columns below are a plausible guess and say so;
-- everything upstream.md does state (the renames, the statuses, the checks,
-- the weeks trigger, the Intervals.icu columns, race_discipline) is exact.
--
-- conftest.py splits this file at the lines "-- step N: ..." so that a test
-- database can stop at any step (a remote may be at any step). The text
-- before the first step is a prelude run before any of them: it defines a
-- helper in pg_temp, which lives only as long as the building session and so
-- is never part of the database.
--
-- Every table added here follows the seed's conventions: id UUID with
-- gen_random_uuid(), created_at/updated_at with the updated_at trigger, RLS
-- with owner-only SELECT/INSERT/UPDATE/DELETE policies using
-- (select auth.uid()), explicit GRANTs to authenticated and service_role, and
-- nothing for anon.

-- pg_temp.owner_only(t): RLS and grants for a table owned through its athlete_id.
CREATE FUNCTION pg_temp.owner_only(t text) RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    own CONSTANT text :=
        'athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid()))';
BEGIN
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON public.%I FOR SELECT TO authenticated USING (%s)',
                   t || '_select_own', t, own);
    EXECUTE format('CREATE POLICY %I ON public.%I FOR INSERT TO authenticated WITH CHECK (%s)',
                   t || '_insert_own', t, own);
    EXECUTE format('CREATE POLICY %I ON public.%I FOR UPDATE TO authenticated USING (%s) WITH CHECK (%s)',
                   t || '_update_own', t, own, own);
    EXECUTE format('CREATE POLICY %I ON public.%I FOR DELETE TO authenticated USING (%s)',
                   t || '_delete_own', t, own);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON public.%I TO authenticated, service_role', t);
    EXECUTE format('REVOKE ALL ON public.%I FROM anon', t);
    EXECUTE format('CREATE INDEX %I ON public.%I (athlete_id)', 'idx_' || t || '_athlete_id', t);
END;
$$;

-- pg_temp.updated_at(t): the seed's BEFORE UPDATE trigger on a new table.
CREATE FUNCTION pg_temp.updated_at(t text) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON public.%I '
                   'FOR EACH ROW EXECUTE FUNCTION public.khepri_set_updated_at()',
                   t || '_set_updated_at', t);
END;
$$;

-- step 2: conversations, messages (the AI coach chat); columns are a guess
CREATE TABLE public.conversations (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    athlete_id UUID NOT NULL REFERENCES public.athletes(id) ON DELETE CASCADE,
    title TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
SELECT pg_temp.owner_only('conversations');
SELECT pg_temp.updated_at('conversations');

CREATE TABLE public.messages (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation_id UUID NOT NULL REFERENCES public.conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
    content TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_messages_conversation_id ON public.messages(conversation_id);
ALTER TABLE public.messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY messages_select_own ON public.messages
    FOR SELECT TO authenticated
    USING (conversation_id IN (
        SELECT c.id FROM public.conversations c JOIN public.athletes a ON a.id = c.athlete_id
        WHERE a.auth_user_id = (select auth.uid())));
CREATE POLICY messages_insert_own ON public.messages
    FOR INSERT TO authenticated
    WITH CHECK (conversation_id IN (
        SELECT c.id FROM public.conversations c JOIN public.athletes a ON a.id = c.athlete_id
        WHERE a.auth_user_id = (select auth.uid())));
CREATE POLICY messages_update_own ON public.messages
    FOR UPDATE TO authenticated
    USING (conversation_id IN (
        SELECT c.id FROM public.conversations c JOIN public.athletes a ON a.id = c.athlete_id
        WHERE a.auth_user_id = (select auth.uid())))
    WITH CHECK (conversation_id IN (
        SELECT c.id FROM public.conversations c JOIN public.athletes a ON a.id = c.athlete_id
        WHERE a.auth_user_id = (select auth.uid())));
CREATE POLICY messages_delete_own ON public.messages
    FOR DELETE TO authenticated
    USING (conversation_id IN (
        SELECT c.id FROM public.conversations c JOIN public.athletes a ON a.id = c.athlete_id
        WHERE a.auth_user_id = (select auth.uid())));
GRANT SELECT, INSERT, UPDATE, DELETE ON public.messages TO authenticated, service_role;
REVOKE ALL ON public.messages FROM anon;

-- step 3: intervals_credentials (one per athlete); columns besides the facts are a guess
CREATE TABLE public.intervals_credentials (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    athlete_id UUID NOT NULL UNIQUE REFERENCES public.athletes(id) ON DELETE CASCADE,
    intervals_athlete_id TEXT NOT NULL,
    api_key_encrypted TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
SELECT pg_temp.owner_only('intervals_credentials');
SELECT pg_temp.updated_at('intervals_credentials');

-- step 4: pgvector
-- The test server usually lacks the extension (pg_available_extensions has no
-- 'vector'); then this step changes nothing and step 5 uses a stand-in type.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'vector') THEN
        CREATE EXTENSION IF NOT EXISTS vector;
    END IF;
END
$$;

-- step 5: embeddings; the column `embedding` is vector(1536) with pgvector,
-- else the stand-in real[] (same name, no similarity search); other columns a guess
DO $$
DECLARE
    embedding_type text := CASE
        WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'vector')
        THEN 'vector(1536)' ELSE 'real[]' END;
BEGIN
    EXECUTE format(
        'CREATE TABLE public.embeddings ('
        '  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),'
        '  athlete_id UUID NOT NULL REFERENCES public.athletes(id) ON DELETE CASCADE,'
        '  source_type TEXT NOT NULL,'
        '  source_id UUID,'
        '  content TEXT NOT NULL,'
        '  embedding %s,'
        '  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),'
        '  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW())',
        embedding_type);
END
$$;
SELECT pg_temp.owner_only('embeddings');
SELECT pg_temp.updated_at('embeddings');

-- step 6: training_plans renamed; draft dropped; end_date >= start_date; the weeks trigger
ALTER TABLE public.training_plans RENAME COLUMN title TO name;
ALTER TABLE public.training_plans RENAME COLUMN duration_weeks TO total_weeks;
ALTER TABLE public.training_plans RENAME COLUMN target_goal_id TO goal_id;
ALTER TABLE public.training_plans RENAME COLUMN phases TO periodization;
ALTER TABLE public.training_plans RENAME COLUMN adjustments_log TO adaptations;
-- (Checks, foreign keys, indexes and RLS policies follow a renamed column by
-- themselves; their names keep the old words, e.g. training_plans_title_check.)
UPDATE public.training_plans SET status = 'active' WHERE status = 'draft';  -- our choice
ALTER TABLE public.training_plans DROP CONSTRAINT training_plans_status_check;
ALTER TABLE public.training_plans ADD CONSTRAINT training_plans_status_check
    CHECK (status IN ('active', 'paused', 'completed', 'cancelled'));
-- The seed already has this check (training_plans_check); upstream's seed did not.
ALTER TABLE public.training_plans ADD CONSTRAINT training_plans_end_after_start
    CHECK (end_date >= start_date);

CREATE FUNCTION public.training_plans_check_total_weeks()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
    weeks numeric := pg_catalog.ceil((NEW.end_date - NEW.start_date) / 7.0);
BEGIN
    IF abs(NEW.total_weeks - weeks) > 1 THEN
        RAISE EXCEPTION 'total_weeks % does not match the plan''s dates (% to %, % weeks)',
            NEW.total_weeks, NEW.start_date, NEW.end_date, weeks
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER training_plans_check_total_weeks
    BEFORE INSERT OR UPDATE ON public.training_plans
    FOR EACH ROW EXECUTE FUNCTION public.training_plans_check_total_weeks();

-- step 7: training_plans.status NOT NULL
UPDATE public.training_plans SET status = 'active' WHERE status IS NULL;  -- our choice
ALTER TABLE public.training_plans ALTER COLUMN status SET NOT NULL;

-- step 8: periodization NOT NULL, no default, a JSON object
ALTER TABLE public.training_plans DROP CONSTRAINT training_plans_phases_check;  -- was: an array
ALTER TABLE public.training_plans ALTER COLUMN periodization DROP DEFAULT;
UPDATE public.training_plans  -- our choice: the old array of phases, wrapped
    SET periodization = jsonb_build_object('total_weeks', total_weeks, 'phases', periodization,
                                           'weekly_volumes', '[]'::jsonb)
    WHERE jsonb_typeof(periodization) <> 'object';
ALTER TABLE public.training_plans ALTER COLUMN periodization SET NOT NULL;
ALTER TABLE public.training_plans ADD CONSTRAINT training_plans_periodization_is_object
    CHECK (jsonb_typeof(periodization) = 'object');

-- step 9: paused dropped
UPDATE public.training_plans SET status = 'active' WHERE status = 'paused';  -- our choice
ALTER TABLE public.training_plans DROP CONSTRAINT training_plans_status_check;
ALTER TABLE public.training_plans ADD CONSTRAINT training_plans_status_check
    CHECK (status IN ('active', 'completed', 'cancelled'));

-- step 10: seasons, race_blocks; goals UNIQUE (id, athlete_id); columns a guess
ALTER TABLE public.goals ADD CONSTRAINT goals_id_athlete_id_key UNIQUE (id, athlete_id);

CREATE TABLE public.seasons (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    athlete_id UUID NOT NULL REFERENCES public.athletes(id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (length(btrim(name)) > 0),
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    notes TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CHECK (end_date >= start_date),
    UNIQUE (id, athlete_id)
);
SELECT pg_temp.owner_only('seasons');
SELECT pg_temp.updated_at('seasons');

-- A block's season and goal are the same athlete's: composite keys on (id, athlete_id).
CREATE TABLE public.race_blocks (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    athlete_id UUID NOT NULL REFERENCES public.athletes(id) ON DELETE CASCADE,
    season_id UUID,
    goal_id UUID,
    name TEXT NOT NULL CHECK (length(btrim(name)) > 0),
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CHECK (end_date >= start_date),
    UNIQUE (id, athlete_id),
    FOREIGN KEY (season_id, athlete_id) REFERENCES public.seasons(id, athlete_id)
        ON DELETE SET NULL (season_id),
    FOREIGN KEY (goal_id, athlete_id) REFERENCES public.goals(id, athlete_id)
        ON DELETE SET NULL (goal_id)
);
SELECT pg_temp.owner_only('race_blocks');
SELECT pg_temp.updated_at('race_blocks');

-- step 11: workouts, planned and actual, each inside a race block; columns besides block_id a guess
CREATE TABLE public.workouts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    athlete_id UUID NOT NULL REFERENCES public.athletes(id) ON DELETE CASCADE,
    block_id UUID NOT NULL,
    scheduled_date DATE NOT NULL,
    sport TEXT NOT NULL CHECK (sport IN ('swim', 'bike', 'run', 'strength', 'other')),
    title TEXT,
    description TEXT,
    planned_duration_minutes INTEGER CHECK (planned_duration_minutes >= 0),
    actual_duration_minutes INTEGER CHECK (actual_duration_minutes >= 0),
    status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'completed', 'skipped')),
    intervals_icu_activity_id TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    FOREIGN KEY (block_id, athlete_id) REFERENCES public.race_blocks(id, athlete_id)
        ON DELETE CASCADE
);
SELECT pg_temp.owner_only('workouts');
SELECT pg_temp.updated_at('workouts');

-- step 12: plan_adaptations, sync_log; columns a guess
CREATE TABLE public.plan_adaptations (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    athlete_id UUID NOT NULL REFERENCES public.athletes(id) ON DELETE CASCADE,
    plan_id UUID NOT NULL REFERENCES public.training_plans(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    changes JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(changes) = 'object'),
    ai_generated BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
SELECT pg_temp.owner_only('plan_adaptations');
SELECT pg_temp.updated_at('plan_adaptations');

CREATE TABLE public.sync_log (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    athlete_id UUID NOT NULL REFERENCES public.athletes(id) ON DELETE CASCADE,
    source TEXT NOT NULL DEFAULT 'intervals_icu',
    kind TEXT NOT NULL CHECK (kind IN ('activities', 'events', 'wellness')),
    status TEXT NOT NULL CHECK (status IN ('started', 'succeeded', 'failed')),
    items INTEGER CHECK (items >= 0),
    error TEXT,
    started_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    finished_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
SELECT pg_temp.owner_only('sync_log');
SELECT pg_temp.updated_at('sync_log');

-- step 13: goals.season_id; the athletes' Intervals.icu webhook and last-synced columns
ALTER TABLE public.goals
    ADD COLUMN season_id UUID REFERENCES public.seasons(id) ON DELETE SET NULL;
ALTER TABLE public.athletes
    ADD COLUMN intervals_webhook_registered BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN intervals_last_synced_activities TIMESTAMPTZ,
    ADD COLUMN intervals_last_synced_events TIMESTAMPTZ,
    ADD COLUMN intervals_last_synced_wellness TIMESTAMPTZ;

-- step 14: goals.race_discipline
ALTER TABLE public.goals
    ADD COLUMN race_discipline TEXT CONSTRAINT goals_race_discipline_check
        CHECK (race_discipline IN ('triathlon', 'duathlon', 'aquathlon', 'running', 'cycling', 'swimming'));
