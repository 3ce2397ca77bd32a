-- Khepri: the Postgres schema of a Supabase project (the remote half of `khepri sync`).
--
-- This file is the one home of the schema. It ships inside the khepri-cli
-- package (`khepri supabase schema` prints it) and the Supabase CLI sees it
-- through the symlink supabase/migrations/20260201000000_initial_schema.sql.
--
-- Apply it once to an empty project, in one transaction:
--     supabase db push                                  (or supabase db reset locally)
--     khepri supabase schema | psql -v ON_ERROR_STOP=1 --single-transaction "$SUPABASE_DB_URL"
--
-- It needs Supabase's `auth` schema (auth.users, auth.uid()) and the roles
-- `anon`, `authenticated` and `service_role`. Every CHECK below matches the
-- local SQLite mirror (khepri_cli/db/migrations.py, m001): a row the local
-- journal accepts is a row this database accepts. tests/sync/test_schema_mirror.py
-- proves it against a real PostgreSQL.

-- ---------------------------------------------------------------------------
-- updated_at: one trigger function for all five tables
-- ---------------------------------------------------------------------------

CREATE FUNCTION public.khepri_set_updated_at()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
    NEW.updated_at := pg_catalog.now();
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION public.khepri_set_updated_at() IS
    'BEFORE UPDATE trigger of every Khepri table: sets updated_at to the time of the transaction.';

-- ---------------------------------------------------------------------------
-- athletes: one profile per Supabase Auth user
-- ---------------------------------------------------------------------------

CREATE TABLE public.athletes (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    auth_user_id UUID NOT NULL UNIQUE REFERENCES auth.users(id) ON DELETE CASCADE,
    display_name TEXT,
    date_of_birth DATE,
    weight_kg DECIMAL(5,2) CHECK (weight_kg > 0 AND weight_kg < 1000),
    height_cm DECIMAL(5,2) CHECK (height_cm > 0 AND height_cm < 1000),
    ftp_watts INTEGER CHECK (ftp_watts BETWEEN 1 AND 2500),
    running_threshold_pace_sec_per_km INTEGER
        CHECK (running_threshold_pace_sec_per_km BETWEEN 60 AND 1800),
    css_sec_per_100m INTEGER CHECK (css_sec_per_100m BETWEEN 30 AND 600),
    resting_heart_rate INTEGER CHECK (resting_heart_rate BETWEEN 20 AND 250),
    max_heart_rate INTEGER CHECK (max_heart_rate BETWEEN 20 AND 250),
    lthr INTEGER CHECK (lthr BETWEEN 20 AND 250),
    preferred_units TEXT DEFAULT 'metric' CHECK (preferred_units IN ('metric', 'imperial')),
    timezone TEXT DEFAULT 'UTC' CHECK (length(timezone) > 0),
    daily_checkin_time TIME DEFAULT '07:00:00',
    intervals_icu_athlete_id TEXT,
    intervals_icu_connected BOOLEAN DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

COMMENT ON TABLE public.athletes IS
    'One athlete profile per Supabase Auth user; every other Khepri row belongs to an athlete.';
COMMENT ON COLUMN public.athletes.auth_user_id IS
    'The Supabase Auth user who owns this profile (RLS: auth.uid() = auth_user_id).';
COMMENT ON COLUMN public.athletes.ftp_watts IS 'Functional threshold power, watts.';
COMMENT ON COLUMN public.athletes.running_threshold_pace_sec_per_km IS
    'Run threshold pace in seconds per km, e.g. 270 = 4:30/km.';
COMMENT ON COLUMN public.athletes.css_sec_per_100m IS
    'Critical swim speed in seconds per 100 m, e.g. 95 = 1:35/100m.';
COMMENT ON COLUMN public.athletes.lthr IS 'Lactate threshold heart rate, bpm.';
COMMENT ON COLUMN public.athletes.timezone IS 'IANA time zone name, e.g. Europe/London.';

-- The UNIQUE constraint on auth_user_id already gives athletes(auth_user_id)
-- its index (athletes_auth_user_id_key); a second one would be a duplicate.

-- ---------------------------------------------------------------------------
-- goals: race, performance, fitness and health goals in one table
-- ---------------------------------------------------------------------------

CREATE TABLE public.goals (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    athlete_id UUID NOT NULL REFERENCES public.athletes(id) ON DELETE CASCADE ON UPDATE CASCADE,
    goal_type TEXT NOT NULL CHECK (goal_type IN ('race', 'performance', 'fitness', 'health')),
    title TEXT NOT NULL CHECK (length(btrim(title)) > 0),
    description TEXT,
    target_date DATE,
    priority TEXT DEFAULT 'B' CHECK (priority IN ('A', 'B', 'C')),
    status TEXT DEFAULT 'active' CHECK (status IN ('active', 'completed', 'cancelled')),
    race_event_name TEXT,
    race_distance TEXT,
    race_location TEXT,
    race_target_time_seconds INTEGER CHECK (race_target_time_seconds > 0),
    perf_metric TEXT,
    perf_current_value DECIMAL(10,2) CHECK (abs(perf_current_value) < 100000000),
    perf_target_value DECIMAL(10,2) CHECK (abs(perf_target_value) < 100000000),
    fitness_metric TEXT,
    fitness_target_value DECIMAL(10,2) CHECK (abs(fitness_target_value) < 100000000),
    health_metric TEXT,
    health_current_value DECIMAL(10,2) CHECK (abs(health_current_value) < 100000000),
    health_target_value DECIMAL(10,2) CHECK (abs(health_target_value) < 100000000),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

COMMENT ON TABLE public.goals IS
    'Race, performance, fitness and health goals; goal_type says which group of columns applies.';
COMMENT ON COLUMN public.goals.race_distance IS 'e.g. 70.3, marathon, olympic.';
COMMENT ON COLUMN public.goals.perf_metric IS 'e.g. ftp, threshold_pace, css.';
COMMENT ON COLUMN public.goals.fitness_metric IS 'e.g. weekly_volume_km, consistency.';
COMMENT ON COLUMN public.goals.health_metric IS 'e.g. weight_kg, body_fat_percentage.';

CREATE INDEX idx_goals_athlete_id ON public.goals(athlete_id);
CREATE INDEX idx_goals_status ON public.goals(status);
CREATE INDEX idx_goals_target_date ON public.goals(target_date);

-- ---------------------------------------------------------------------------
-- constraints: injuries, travel and availability changes
-- ---------------------------------------------------------------------------

CREATE TABLE public.constraints (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    athlete_id UUID NOT NULL REFERENCES public.athletes(id) ON DELETE CASCADE ON UPDATE CASCADE,
    constraint_type TEXT NOT NULL CHECK (constraint_type IN ('injury', 'travel', 'availability')),
    title TEXT NOT NULL CHECK (length(btrim(title)) > 0),
    description TEXT,
    start_date DATE NOT NULL,
    end_date DATE,
    status TEXT DEFAULT 'active' CHECK (status IN ('active', 'resolved')),
    injury_body_part TEXT,
    injury_severity TEXT CHECK (injury_severity IN ('mild', 'moderate', 'severe')),
    injury_restrictions TEXT[],
    travel_destination TEXT,
    travel_equipment_available TEXT[],
    travel_facilities_available TEXT[],
    availability_hours_per_week DECIMAL(4,1) CHECK (availability_hours_per_week BETWEEN 0 AND 168),
    availability_days_available TEXT[],
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CHECK (end_date IS NULL OR end_date >= start_date)
);

COMMENT ON TABLE public.constraints IS
    'Injuries, travel and availability changes; end_date NULL means ongoing.';
COMMENT ON COLUMN public.constraints.injury_body_part IS 'e.g. left_knee, lower_back.';
COMMENT ON COLUMN public.constraints.injury_restrictions IS 'Restricted activities, e.g. running.';
COMMENT ON COLUMN public.constraints.travel_equipment_available IS
    'e.g. running_shoes, swim_goggles.';
COMMENT ON COLUMN public.constraints.travel_facilities_available IS 'e.g. gym, pool, outdoor_running.';
COMMENT ON COLUMN public.constraints.availability_days_available IS 'e.g. monday, wednesday.';

CREATE INDEX idx_constraints_athlete_id ON public.constraints(athlete_id);
CREATE INDEX idx_constraints_status ON public.constraints(status);
CREATE INDEX idx_constraints_dates ON public.constraints(start_date, end_date);

-- ---------------------------------------------------------------------------
-- daily_checkins: the morning check-in, one per athlete per day
-- ---------------------------------------------------------------------------

CREATE TABLE public.daily_checkins (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    athlete_id UUID NOT NULL REFERENCES public.athletes(id) ON DELETE CASCADE ON UPDATE CASCADE,
    checkin_date DATE NOT NULL,
    sleep_quality INTEGER CHECK (sleep_quality BETWEEN 1 AND 10),
    sleep_hours DECIMAL(3,1) CHECK (sleep_hours BETWEEN 0 AND 24),
    energy_level INTEGER CHECK (energy_level BETWEEN 1 AND 10),
    stress_level INTEGER CHECK (stress_level BETWEEN 1 AND 10),
    overall_soreness INTEGER CHECK (overall_soreness BETWEEN 1 AND 10),
    soreness_areas JSONB CHECK (jsonb_typeof(soreness_areas) = 'object'),
    resting_hr INTEGER CHECK (resting_hr BETWEEN 20 AND 250),
    hrv_ms DECIMAL(5,1) CHECK (hrv_ms > 0 AND hrv_ms < 10000),
    weight_kg DECIMAL(5,2) CHECK (weight_kg > 0 AND weight_kg < 1000),
    available_time_minutes INTEGER CHECK (available_time_minutes BETWEEN 0 AND 1440),
    equipment_access TEXT[],
    travel_status TEXT CHECK (travel_status IN ('home', 'traveling', 'returning')),
    notes TEXT,
    ai_recommendation JSONB CHECK (jsonb_typeof(ai_recommendation) = 'object'),
    ai_recommendation_generated_at TIMESTAMPTZ,
    user_response TEXT CHECK (user_response IN ('accepted', 'modified', 'skipped', 'alternative')),
    user_response_notes TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    UNIQUE (athlete_id, checkin_date)
);

COMMENT ON TABLE public.daily_checkins IS
    'The morning check-in: how the athlete slept and feels, one row per athlete per day.';
COMMENT ON COLUMN public.daily_checkins.soreness_areas IS
    'Body map of soreness 1-10, e.g. {"legs": 7, "back": 3}; areas: legs, back, shoulders, arms, core, neck.';
COMMENT ON COLUMN public.daily_checkins.hrv_ms IS 'Heart rate variability, ms.';
COMMENT ON COLUMN public.daily_checkins.equipment_access IS 'e.g. bike_trainer, treadmill, pool.';
COMMENT ON COLUMN public.daily_checkins.ai_recommendation IS 'The day''s training recommendation.';

CREATE INDEX idx_daily_checkins_athlete_id ON public.daily_checkins(athlete_id);
CREATE INDEX idx_daily_checkins_date ON public.daily_checkins(checkin_date DESC);
CREATE INDEX idx_daily_checkins_athlete_date ON public.daily_checkins(athlete_id, checkin_date DESC);

-- ---------------------------------------------------------------------------
-- training_plans: optional periodised plans
-- ---------------------------------------------------------------------------

CREATE TABLE public.training_plans (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    athlete_id UUID NOT NULL REFERENCES public.athletes(id) ON DELETE CASCADE ON UPDATE CASCADE,
    title TEXT NOT NULL CHECK (length(btrim(title)) > 0),
    description TEXT,
    duration_weeks INTEGER NOT NULL CHECK (duration_weeks BETWEEN 4 AND 52),
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    target_goal_id UUID REFERENCES public.goals(id) ON DELETE SET NULL ON UPDATE CASCADE,
    status TEXT DEFAULT 'active'
        CHECK (status IN ('draft', 'active', 'paused', 'completed', 'cancelled')),
    phases JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(phases) = 'array'),
    weekly_template JSONB,
    adjustments_log JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(adjustments_log) = 'array'),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CHECK (end_date >= start_date)
);

COMMENT ON TABLE public.training_plans IS 'Optional periodised training plans.';
COMMENT ON COLUMN public.training_plans.phases IS
    'Array of phases: name, start_week, end_week, focus, description.';
COMMENT ON COLUMN public.training_plans.weekly_template IS 'Typical week structure.';
COMMENT ON COLUMN public.training_plans.adjustments_log IS 'Array of changes made to the plan.';

CREATE INDEX idx_training_plans_athlete_id ON public.training_plans(athlete_id);
CREATE INDEX idx_training_plans_status ON public.training_plans(status);
CREATE INDEX idx_training_plans_dates ON public.training_plans(start_date, end_date);

-- ---------------------------------------------------------------------------
-- updated_at triggers
-- ---------------------------------------------------------------------------

CREATE TRIGGER athletes_set_updated_at BEFORE UPDATE ON public.athletes
    FOR EACH ROW EXECUTE FUNCTION public.khepri_set_updated_at();
CREATE TRIGGER goals_set_updated_at BEFORE UPDATE ON public.goals
    FOR EACH ROW EXECUTE FUNCTION public.khepri_set_updated_at();
CREATE TRIGGER constraints_set_updated_at BEFORE UPDATE ON public.constraints
    FOR EACH ROW EXECUTE FUNCTION public.khepri_set_updated_at();
CREATE TRIGGER daily_checkins_set_updated_at BEFORE UPDATE ON public.daily_checkins
    FOR EACH ROW EXECUTE FUNCTION public.khepri_set_updated_at();
CREATE TRIGGER training_plans_set_updated_at BEFORE UPDATE ON public.training_plans
    FOR EACH ROW EXECUTE FUNCTION public.khepri_set_updated_at();

-- ---------------------------------------------------------------------------
-- Row Level Security: each signed-in user reads and writes only their own rows
-- ---------------------------------------------------------------------------
-- `(select auth.uid())` is evaluated once per statement instead of once per row.
-- The service role bypasses RLS; `anon` (not signed in) gets no privileges at all.

ALTER TABLE public.athletes ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.goals ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.constraints ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.daily_checkins ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.training_plans ENABLE ROW LEVEL SECURITY;

CREATE POLICY athletes_select_own ON public.athletes
    FOR SELECT TO authenticated
    USING (auth_user_id = (select auth.uid()));
CREATE POLICY athletes_insert_own ON public.athletes
    FOR INSERT TO authenticated
    WITH CHECK (auth_user_id = (select auth.uid()));
CREATE POLICY athletes_update_own ON public.athletes
    FOR UPDATE TO authenticated
    USING (auth_user_id = (select auth.uid()))
    WITH CHECK (auth_user_id = (select auth.uid()));
CREATE POLICY athletes_delete_own ON public.athletes
    FOR DELETE TO authenticated
    USING (auth_user_id = (select auth.uid()));

CREATE POLICY goals_select_own ON public.goals
    FOR SELECT TO authenticated
    USING (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())));
CREATE POLICY goals_insert_own ON public.goals
    FOR INSERT TO authenticated
    WITH CHECK (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())));
CREATE POLICY goals_update_own ON public.goals
    FOR UPDATE TO authenticated
    USING (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())))
    WITH CHECK (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())));
CREATE POLICY goals_delete_own ON public.goals
    FOR DELETE TO authenticated
    USING (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())));

CREATE POLICY constraints_select_own ON public.constraints
    FOR SELECT TO authenticated
    USING (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())));
CREATE POLICY constraints_insert_own ON public.constraints
    FOR INSERT TO authenticated
    WITH CHECK (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())));
CREATE POLICY constraints_update_own ON public.constraints
    FOR UPDATE TO authenticated
    USING (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())))
    WITH CHECK (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())));
CREATE POLICY constraints_delete_own ON public.constraints
    FOR DELETE TO authenticated
    USING (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())));

CREATE POLICY daily_checkins_select_own ON public.daily_checkins
    FOR SELECT TO authenticated
    USING (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())));
CREATE POLICY daily_checkins_insert_own ON public.daily_checkins
    FOR INSERT TO authenticated
    WITH CHECK (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())));
CREATE POLICY daily_checkins_update_own ON public.daily_checkins
    FOR UPDATE TO authenticated
    USING (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())))
    WITH CHECK (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())));
CREATE POLICY daily_checkins_delete_own ON public.daily_checkins
    FOR DELETE TO authenticated
    USING (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())));

-- A plan may only point at a goal of the same athlete: the goals subquery is
-- itself filtered by RLS, so another user's goal id is refused as well.
CREATE POLICY training_plans_select_own ON public.training_plans
    FOR SELECT TO authenticated
    USING (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())));
CREATE POLICY training_plans_insert_own ON public.training_plans
    FOR INSERT TO authenticated
    WITH CHECK (
        athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid()))
        AND (target_goal_id IS NULL
             OR target_goal_id IN (SELECT g.id FROM public.goals g WHERE g.athlete_id = training_plans.athlete_id))
    );
CREATE POLICY training_plans_update_own ON public.training_plans
    FOR UPDATE TO authenticated
    USING (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())))
    WITH CHECK (
        athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid()))
        AND (target_goal_id IS NULL
             OR target_goal_id IN (SELECT g.id FROM public.goals g WHERE g.athlete_id = training_plans.athlete_id))
    );
CREATE POLICY training_plans_delete_own ON public.training_plans
    FOR DELETE TO authenticated
    USING (athlete_id IN (SELECT id FROM public.athletes WHERE auth_user_id = (select auth.uid())));

-- ---------------------------------------------------------------------------
-- Privileges: signed-in users and the service role; nothing for anon
-- ---------------------------------------------------------------------------

GRANT SELECT, INSERT, UPDATE, DELETE
    ON public.athletes, public.goals, public.constraints, public.daily_checkins, public.training_plans
    TO authenticated, service_role;
REVOKE ALL
    ON public.athletes, public.goals, public.constraints, public.daily_checkins, public.training_plans
    FROM anon;
