# The app image for docker-compose deployments; the database is the official PostGIS image.
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
        gdal-bin libgdal-dev libgeos-dev libproj-dev binutils postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY gis_app gis_app
COPY boundaries boundaries
COPY layers layers
COPY templates templates
COPY manage.py ./
COPY deploy/gunicorn.conf.py deploy/gunicorn.conf.py
RUN pip install --no-cache-dir . && python manage.py collectstatic --noinput -v 0 || true
EXPOSE 8000
CMD ["gunicorn", "gis_app.wsgi", "-c", "deploy/gunicorn.conf.py", "-b", "0.0.0.0:8000"]
