-- Parent order progress: child client ids used so far (recovery) and the schedule's target.
ALTER TABLE algo_events ADD COLUMN IF NOT EXISTS children LONG;
ALTER TABLE algo_events ADD COLUMN IF NOT EXISTS target DOUBLE;
