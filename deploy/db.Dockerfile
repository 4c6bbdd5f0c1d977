# The database for docker-compose: the official PostGIS image plus pgRouting (1+X hub reach
# through the road/ferry network), from the PostgreSQL apt repository the image already uses.
FROM postgis/postgis:15-3.4
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-15-pgrouting \
    && rm -rf /var/lib/apt/lists/*
