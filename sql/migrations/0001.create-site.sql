-- Configured news sites, mirrored from the rule files in sites/ so that every other table can reference them.
CREATE TABLE site (
    key           text PRIMARY KEY CHECK (key ~ '^[a-z0-9][a-z0-9_]*$'),
    name          text        NOT NULL,
    base_url      text        NOT NULL,
    languages     text[]      NOT NULL DEFAULT '{}',
    timezone      text        NOT NULL,
    enabled       boolean     NOT NULL DEFAULT true,
    rule_version  integer     NOT NULL CHECK (rule_version > 0),
    allowed_hosts text[]      NOT NULL DEFAULT '{}',
    updated_at    timestamptz NOT NULL DEFAULT now()
);
