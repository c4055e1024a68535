-- Run once by docker-entrypoint.sh when it initialises a new data directory, in $POSTGRES_DB
-- as $POSTGRES_USER (a superuser, which CREATE EXTENSION pg_trickle requires).
CREATE EXTENSION IF NOT EXISTS pg_trickle;
-- Calls into the library: fails the initialisation if the preloaded library does not load.
SELECT pgtrickle.version();
