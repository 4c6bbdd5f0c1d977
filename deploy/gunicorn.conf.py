# Gunicorn settings for `make demo` and the Docker image (gunicorn -c deploy/gunicorn.conf.py).
# The access log goes to stdout with credentials masked (gis_app/access_log.py).
accesslog = "-"
logger_class = "gis_app.access_log.MaskingLogger"
