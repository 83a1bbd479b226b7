-- The reporting service's session setting: a tiny work_mem, so its sorts spill to temp files.
SET work_mem = '64kB'
