-- Run once by docker-entrypoint.sh when it initialises a new data directory, in $POSTGRES_DB
-- as $POSTGRES_USER (a superuser, which CREATE EXTENSION pg_trickle requires).
CREATE EXTENSION IF NOT EXISTS pg_trickle;
-- A first call into the extension: if the installed SQL and library do not work together,
-- initialisation stops here with the error in the log instead of at the first real use.
SELECT pgtrickle.version();
