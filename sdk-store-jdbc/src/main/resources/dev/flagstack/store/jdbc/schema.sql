-- Flagstack flag definitions for PostgreSQL (sdk-store-jdbc), one row per flag.
-- The same model as the MongoDB store's documents, so one admin tool can write both:
--   value_type            optional: 'boolean' | 'string' | 'long' | 'double' | 'json'
--   default_value         the value for everybody else, as JSON: true, "blue", 42, 0.25, {"limit": 5}
--   overrides             optional JSON object {"<entity id>": <value>, ...}; entity ids compared exactly
--   rollout_basis_points  optional 0..10000 (100 = 1%): entities whose bucket is below it get rollout_value
--   rollout_value         the rollout's value, as JSON; set together with rollout_basis_points
-- The store reads only these columns, by flag_key, with one query per batch on the primary key.
-- Other columns (audit, descriptions) may be added freely. Grant the store's role SELECT only.
-- The JSON columns are json, not jsonb: json keeps the text as written, while jsonb rewrites numbers
-- (1.0E10 comes back as the integer 10000000000, -0.0 as 0.0, 1e308 as 309 digits the store refuses)
-- and cannot hold \u0000. With jsonb columns, set value_type and keep such numbers out of JSON values.

CREATE TABLE IF NOT EXISTS flagstack_flags (
  flag_key             text    PRIMARY KEY,
  value_type           text    CHECK (value_type IN ('boolean', 'string', 'long', 'double', 'json')),
  default_value        json    NOT NULL CHECK (json_typeof(default_value) <> 'null'),
  overrides            json    CHECK (overrides IS NULL OR json_typeof(overrides) = 'object'),
  rollout_basis_points integer CHECK (rollout_basis_points BETWEEN 0 AND 10000),
  rollout_value        json    CHECK (rollout_value IS NULL OR json_typeof(rollout_value) <> 'null'),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT flagstack_flags_rollout_complete
    CHECK ((rollout_basis_points IS NULL) = (rollout_value IS NULL))
);

-- Example:
-- INSERT INTO flagstack_flags (flag_key, value_type, default_value, overrides, rollout_basis_points, rollout_value)
-- VALUES ('new-checkout', 'boolean', 'false', '{"tenant-42": true}', 1250, 'true');
-- GRANT SELECT ON flagstack_flags TO flags_reader;
