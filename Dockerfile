# The ingot image: Airflow 3 and ingot, installed from the lock file. One image serves every docker-compose service
# (api-server, scheduler, dag-processor, triggerer, the one-shot init and, in the celery profile, the workers).
FROM python:3.11-slim-bookworm

# postgresql-client: the init service sets the analysts' password with psql; curl: health checks.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client curl \
    && rm -rf /var/lib/apt/lists/*

# The same pinned uv as the Makefile.
RUN pip install --no-cache-dir "uv==0.13.9"

ENV PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    AIRFLOW_HOME=/opt/airflow \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/ingot/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    INGOT_HOME=/opt/airflow/ingot \
    PATH=/opt/ingot/.venv/bin:$PATH

RUN useradd --create-home --uid 50000 --gid 0 ingot \
    && mkdir -p /opt/ingot /opt/airflow/logs /opt/airflow/ingot /opt/airflow/auth \
    && chown -R ingot:0 /opt/ingot /opt/airflow
USER ingot
WORKDIR /opt/ingot

# Dependencies first (a layer that changes only with the lock file), then the project itself.
COPY --chown=ingot:0 pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --extra celery --no-install-project
COPY --chown=ingot:0 . .
RUN uv sync --frozen --no-dev --extra celery

EXPOSE 8080
CMD ["airflow", "version"]
