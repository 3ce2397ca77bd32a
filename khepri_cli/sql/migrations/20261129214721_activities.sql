-- Khepri: activities, the completed training sessions behind fitness, fatigue and form.
--
-- The second migration of the Khepri schema (the first is
-- 20260201000000_initial_schema.sql). It applies to a project at the seed
-- schema and to one of the live Khepri app alike: it only adds a table that
-- points at public.athletes, which both have. Every CHECK matches the local
-- SQLite mirror (khepri_cli/db/migrations.py, m005): a session the local
-- journal accepts is one this database accepts (tests/sync/test_schema_mirror.py).
--
-- Apply it in one transaction, after the first:
--     supabase db push
--     khepri supabase schema --missing --db-url "$SUPABASE_DB_URL" | psql -v ON_ERROR_STOP=1 --single-transaction "$SUPABASE_DB_URL"

CREATE TABLE public.activities (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    athlete_id UUID NOT NULL REFERENCES public.athletes(id) ON DELETE CASCADE ON UPDATE CASCADE,
    activity_date DATE NOT NULL,
    sport TEXT NOT NULL CHECK (sport IN ('swim', 'bike', 'run', 'strength', 'other')),
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    rpe INTEGER NOT NULL CHECK (rpe BETWEEN 1 AND 10),
    distance_km DECIMAL(8,3) CHECK (distance_km > 0 AND distance_km < 100000),
    tss DECIMAL(6,1) CHECK (tss BETWEEN 0 AND 2000),
    notes TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

COMMENT ON TABLE public.activities IS
    'Completed training sessions; a session''s load is duration_minutes x rpe, or tss when set.';
COMMENT ON COLUMN public.activities.activity_date IS 'The athlete''s day the session was done on.';
COMMENT ON COLUMN public.activities.rpe IS 'Session RPE (Foster''s CR-10 scale), 1-10.';
COMMENT ON COLUMN public.activities.tss IS 'Training Stress Score; when set, the session''s load.';

CREATE INDEX idx_activities_athlete_id ON public.activities(athlete_id);
CREATE INDEX idx_activities_athlete_date ON public.activities(athlete_id, activity_date DESC);

CREATE TRIGGER activities_set_updated_at BEFORE UPDATE ON public.activities
    FOR EACH ROW EXECUTE FUNCTION public.khepri_set_updated_at();

-- Row level security: the owner's sessions only, as for every other table.
ALTER TABLE public.activities ENABLE ROW LEVEL SECURITY;

CREATE POLICY activities_select_own ON public.activities
    FOR SELECT TO authenticated
    USING (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())));
CREATE POLICY activities_insert_own ON public.activities
    FOR INSERT TO authenticated
    WITH CHECK (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())));
CREATE POLICY activities_update_own ON public.activities
    FOR UPDATE TO authenticated
    USING (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())))
    WITH CHECK (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())));
CREATE POLICY activities_delete_own ON public.activities
    FOR DELETE TO authenticated
    USING (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())));

-- Explicit grants: from 30 October 2026 Supabase exposes a new table to its
-- Data API only when granted. Signed-in users and the service role; nothing for anon.
GRANT SELECT, INSERT, UPDATE, DELETE ON public.activities TO authenticated, service_role;
REVOKE ALL ON public.activities FROM anon;
