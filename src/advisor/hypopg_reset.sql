-- pgmedic: drops every hypothetical index of this session.
SELECT hypopg_reset()
-- pgmedic: end
