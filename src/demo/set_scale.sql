-- Sets the demo's scale factor for this session (read by seed_size.sql and problems.sql).
SELECT set_config('pgmedic.scale', $1, false)
