#!/bin/sh
# Run once by the PostGIS image when `db` initialises its data folder (docker-compose.yml):
# a role the `replica` service may stream WAL as, and the pg_hba line that lets it in.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v pw="$REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'pw';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
