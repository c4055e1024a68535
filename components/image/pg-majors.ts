/**
 * PostgreSQL majors the Dockerfile can build. pg_trickle's Cargo features cover
 * PostgreSQL 18 only (see test/data/pg_trickle/facts.json); add a major here when the
 * extension and the Dockerfile support it.
 */
export const SUPPORTED_PG_MAJORS: readonly number[] = [18];

/**
 * UID and GID of the `postgres` user in Docker's official postgres images, which the
 * full image is built on (CloudNativePG assumes 26 unless told).
 */
export const OFFICIAL_POSTGRES_UID = 999;
