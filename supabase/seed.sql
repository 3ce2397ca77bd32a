-- Example data for local development, loaded by `supabase db reset` after the migrations.
--
-- Every Khepri row belongs to an athlete, and every athlete to a Supabase Auth
-- user, so this seed needs a user first. Right after `supabase db reset` there
-- is none and it only prints a notice. To get the examples:
--
--   1. sign up a user: Studio (http://127.0.0.1:54323) > Authentication > Add user,
--      or through the API;
--   2. load this file again:
--        psql "postgresql://postgres:postgres@127.0.0.1:54322/postgres" -f supabase/seed.sql
--
-- It gives the oldest user an athlete profile with a goal, two constraints, a
-- week of check-ins and of sessions, and a plan. Loading it again changes nothing: a user who
-- already has a profile is left alone. Runs as postgres, so RLS does not apply.

DO $$
DECLARE
    owner_id uuid;
    athlete uuid;
    race_goal uuid;
    day date;
BEGIN
    SELECT id INTO owner_id FROM auth.users ORDER BY created_at, id LIMIT 1;
    IF owner_id IS NULL THEN
        RAISE NOTICE 'Khepri seed: no Supabase Auth user yet; add one, then load supabase/seed.sql again';
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM public.athletes WHERE auth_user_id = owner_id) THEN
        RAISE NOTICE 'Khepri seed: user % already has an athlete profile; nothing to do', owner_id;
        RETURN;
    END IF;

    INSERT INTO public.athletes (
        auth_user_id, display_name, date_of_birth, weight_kg, height_cm, ftp_watts,
        running_threshold_pace_sec_per_km, css_sec_per_100m, resting_heart_rate,
        max_heart_rate, lthr, preferred_units, timezone, daily_checkin_time
    ) VALUES (
        owner_id, 'Ada Example', '1990-04-12', 68.50, 172.00, 250,
        270, 95, 50,
        188, 168, 'metric', 'Europe/London', '06:45:00'
    ) RETURNING id INTO athlete;

    INSERT INTO public.goals (
        athlete_id, goal_type, title, description, target_date, priority,
        race_event_name, race_distance, race_location, race_target_time_seconds
    ) VALUES (
        athlete, 'race', 'Sub-5 at the 70.3', 'First middle-distance triathlon',
        CURRENT_DATE + 180, 'A', 'Example 70.3', '70.3', 'Weymouth', 5 * 3600
    ) RETURNING id INTO race_goal;

    INSERT INTO public.goals (
        athlete_id, goal_type, title, target_date, priority,
        perf_metric, perf_current_value, perf_target_value
    ) VALUES (
        athlete, 'performance', 'FTP to 270 W', CURRENT_DATE + 90, 'B', 'ftp', 250, 270
    );

    INSERT INTO public.constraints (
        athlete_id, constraint_type, title, start_date, end_date,
        injury_body_part, injury_severity, injury_restrictions
    ) VALUES (
        athlete, 'injury', 'Sore left knee', CURRENT_DATE - 10, NULL,
        'left_knee', 'mild', ARRAY['running_downhill', 'plyometrics']
    );

    INSERT INTO public.constraints (
        athlete_id, constraint_type, title, start_date, end_date,
        travel_destination, travel_equipment_available, travel_facilities_available
    ) VALUES (
        athlete, 'travel', 'Work trip', CURRENT_DATE + 14, CURRENT_DATE + 18,
        'Lisbon', ARRAY['running_shoes', 'swim_goggles'], ARRAY['gym', 'pool', 'outdoor_running']
    );

    FOR i IN 0..6 LOOP
        day := CURRENT_DATE - i;
        INSERT INTO public.daily_checkins (
            athlete_id, checkin_date, sleep_quality, sleep_hours, energy_level, stress_level,
            overall_soreness, soreness_areas, resting_hr, hrv_ms, available_time_minutes,
            equipment_access, travel_status, notes
        ) VALUES (
            athlete, day, 6 + (i % 3), 6.5 + (i % 3) * 0.5, 5 + (i % 4), 3 + (i % 3),
            2 + (i % 4), jsonb_build_object('legs', 2 + (i % 4)), 49 + (i % 4), 62.0 + i,
            60 + 15 * (i % 3), ARRAY['bike_trainer', 'pool'], 'home',
            CASE WHEN i = 0 THEN 'Felt fresh on the morning run' END
        );
    END LOOP;

    FOR i IN 1..7 LOOP
        INSERT INTO public.activities (
            athlete_id, activity_date, sport, duration_minutes, rpe, distance_km, tss, notes
        ) VALUES (
            athlete, CURRENT_DATE - i, (ARRAY['run', 'bike', 'swim'])[1 + i % 3],
            40 + 10 * (i % 4), 4 + (i % 4),
            CASE i % 3 WHEN 0 THEN 8.5 WHEN 1 THEN 35.0 ELSE 2.0 END,
            CASE WHEN i % 3 = 1 THEN 60.0 + i END,
            CASE WHEN i = 1 THEN 'Hills, felt strong' END
        );
    END LOOP;

    INSERT INTO public.training_plans (
        athlete_id, title, description, duration_weeks, start_date, end_date,
        target_goal_id, status, phases, weekly_template
    ) VALUES (
        athlete, '70.3 build', 'Base, build and peak for the A race', 24,
        CURRENT_DATE, CURRENT_DATE + 24 * 7 - 1, race_goal, 'active',
        '[{"name": "base", "start_week": 1, "end_week": 10, "focus": "aerobic volume", "description": "Long easy sessions"},
          {"name": "build", "start_week": 11, "end_week": 20, "focus": "race-specific intensity", "description": "Threshold and tempo"},
          {"name": "peak", "start_week": 21, "end_week": 24, "focus": "sharpen and taper", "description": "Less volume, keep intensity"}]',
        '{"monday": "rest", "tuesday": "bike intervals", "wednesday": "swim + easy run",
          "thursday": "run threshold", "friday": "swim", "saturday": "long bike", "sunday": "long run"}'
    );

    RAISE NOTICE 'Khepri seed: example athlete % for user %', athlete, owner_id;
END
$$;
