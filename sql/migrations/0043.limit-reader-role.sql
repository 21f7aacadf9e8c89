-- The analysts' role reads and searches; nothing it runs may hold the server or the pipeline up.
-- * No temporary tables or functions: TEMPORARY on the database is granted to PUBLIC by default, which let the
--   reader create objects (and fill the disk with temp tables). Only the database's owner keeps it.
-- * A statement ends after 30 s, and a transaction left idle after 10 minutes (an idle transaction's locks
--   would hold up a migration).
-- Role settings apply to sessions that log in as the role, not to SET ROLE, so they are also set on the reader's
-- existing login members (the deployment's ingot_analyst, when it exists already); a login created later needs
-- the same two ALTER ROLE ... SET lines.
DO $$
DECLARE
    member name;
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM ingot_reader', current_database());
    FOR member IN
        SELECT 'ingot_reader'
        UNION
        SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member
        WHERE m.roleid = 'ingot_reader'::regrole AND r.rolcanlogin AND NOT r.rolsuper
    LOOP
        EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', member, '30s');
        EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', member, '10min');
    END LOOP;
END
$$;
