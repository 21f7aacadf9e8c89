# Two entry points for a fresh machine with Python >= 3.11: `make run` and `make test`.
# Both bootstrap their own tooling: a pinned uv in .tools/, then the locked environment in .venv/.

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
export UV_PYTHON_DOWNLOADS := never

.PHONY: setup run test demo airflow bench clean

setup: .venv/.synced

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# The celery extra: `ingot airflow control` and `ingot airflow worker` run the CeleryExecutor.
.venv/.synced: $(UV) pyproject.toml uv.lock Makefile
	$(UV) sync --frozen --extra celery --compile-bytecode --python $(PYTHON)
	touch $@

run: setup
	.venv/bin/ingot run

test: setup
	.venv/bin/pytest

clean:
	rm -rf $(TOOLS) .venv
