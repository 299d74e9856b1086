"""The production-like stack (docker-compose.yml and the Dockerfile), checked by reading, without Docker.

Nothing here starts a container: the file is parsed with PyYAML and the entry points it names are checked
against the repository, so a renamed module or attribute fails here instead of at `docker compose up`.
"""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

SERVICES = ("postgres", "redis", "web", "worker", "beat")
APP_SERVICES = ("web", "worker", "beat")
BACKING_SERVICES = ("postgres", "redis")

# `module:attribute`, as gunicorn and `celery -A` take it; `0.0.0.0:8000` and URLs do not match.
ENTRY_POINT = re.compile(r"(?P<module>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):(?P<attribute>[A-Za-z_]\w*)")
INTERPOLATION = re.compile(r"\$\{[A-Za-z_]\w*(?:(?::?[-?+])[^}]*)?\}")
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|(?:^|_)KEY$")
URL_PASSWORD = re.compile(r"^[a-z][\w+.-]*://[^:/@]+:(?P<password>.*)@", re.IGNORECASE)


def _compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(document, dict), "docker-compose.yml is not a mapping"
    return document


def _services() -> dict[str, dict[str, Any]]:
    services = _compose().get("services")
    assert isinstance(services, dict), "docker-compose.yml has no services mapping"
    return services


SHELLS = ("sh", "bash", "/bin/sh", "/bin/bash")


def _words(command: Any) -> list[str]:
    """A command's words, as compose runs it; the script of `sh -c` is split into its own words too."""
    if command is None:
        return []
    if isinstance(command, str):
        return shlex.split(command)
    words: list[str] = []
    for index, part in enumerate(str(part) for part in command):
        is_shell_script = index >= 2 and command[index - 1] == "-c" and command[index - 2] in SHELLS
        words.extend(shlex.split(part) if is_shell_script else [part])
    return words


def _service_words(service: dict[str, Any]) -> list[str]:
    """Words of the service's command and of its healthcheck test (both run the image's entry points)."""
    test = (service.get("healthcheck") or {}).get("test")
    if isinstance(test, list) and test[:1] == ["CMD-SHELL"]:
        test = " ".join(test[1:])
    elif isinstance(test, list) and test[:1] == ["CMD"]:
        test = test[1:]
    return _words(service.get("command")) + _words(test)


def _entry_points(words: list[str]) -> list[tuple[str, str]]:
    return [(match["module"], match["attribute"]) for word in words if (match := ENTRY_POINT.fullmatch(word))]


def _flask_apps(words: list[str]) -> list[str]:
    """The values of `--app` / `-A` given to `flask` (`flask --app wsgi db upgrade`)."""
    apps: list[str] = []
    for index, word in enumerate(words):
        if word != "flask":
            continue
        rest = words[index + 1 :]
        for position, option in enumerate(rest[:-1]):
            if option in ("--app", "-A"):
                apps.append(rest[position + 1])
                break
        apps.extend(option.split("=", 1)[1] for option in rest if option.startswith("--app="))
    return apps


def _module_file(module: str) -> Path:
    dotted = ROOT.joinpath(*module.split("."))
    return dotted / "__init__.py" if dotted.is_dir() else dotted.with_suffix(".py")


def _top_level_names(path: Path) -> set[str]:
    """Names a module binds at top level, read with `ast` so nothing is imported or executed."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def _environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    return {str(name): "" if value is None else str(value) for name, value in environment.items()}


def _is_interpolated(value: str) -> bool:
    return INTERPOLATION.fullmatch(value) is not None


def test_the_compose_file_defines_the_five_services() -> None:
    assert set(SERVICES) <= set(_services())


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_has_a_healthcheck(name: str) -> None:
    healthcheck = _services()[name].get("healthcheck")
    assert healthcheck, f"{name} has no healthcheck"
    assert not healthcheck.get("disable", False), f"{name} disables its healthcheck"
    assert healthcheck.get("test"), f"{name}'s healthcheck has no test"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_postgres_and_redis(name: str) -> None:
    depends_on = _services()[name].get("depends_on")
    assert isinstance(depends_on, dict), f"{name} must use the long depends_on form to wait for health"
    for backing in BACKING_SERVICES:
        assert backing in depends_on, f"{name} does not depend on {backing}"
        assert depends_on[backing].get("condition") == "service_healthy", f"{name} starts before {backing} is healthy"


def test_the_app_services_name_the_expected_entry_points() -> None:
    services = _services()
    assert ("wsgi", "app") in _entry_points(_words(services["web"].get("command")))
    for name in ("worker", "beat"):
        assert ("worker", "celery") in _entry_points(_words(services[name].get("command"))), name


@pytest.mark.parametrize("name", SERVICES)
def test_every_named_entry_point_is_a_top_level_name_of_an_existing_module(name: str) -> None:
    for module, attribute in _entry_points(_service_words(_services()[name])):
        path = _module_file(module)
        assert path.is_file(), f"{name} names {module}:{attribute}, but {path.relative_to(ROOT)} does not exist"
        assert attribute in _top_level_names(path), f"{path.relative_to(ROOT)} defines no top-level {attribute!r}"


def test_flask_app_names_an_existing_module_with_an_app() -> None:
    apps = [app for name in APP_SERVICES for app in _flask_apps(_service_words(_services()[name]))]
    assert apps, "no service runs `flask --app ...` (the web service should run the migrations)"
    for app in apps:
        module, _, attribute = app.partition(":")
        path = _module_file(module)
        assert path.is_file(), f"flask --app {app}: {path.relative_to(ROOT)} does not exist"
        names = _top_level_names(path)
        # Without an attribute Flask looks for `app` or `application` (or a create_app/make_app factory).
        wanted = {attribute} if attribute else {"app", "application", "create_app", "make_app"}
        assert wanted & names, f"flask --app {app}: {path.relative_to(ROOT)} defines none of {sorted(wanted)}"


def test_web_runs_the_migrations_before_gunicorn() -> None:
    script = " ".join(_words(_services()["web"].get("command")))
    assert "db upgrade" in script
    assert "gunicorn" in script
    assert script.index("db upgrade") < script.index("gunicorn")


def test_web_and_worker_share_the_storage_volume() -> None:
    services = _services()
    assert "storage" in (_compose().get("volumes") or {})
    for name in ("web", "worker"):
        assert "storage:/data" in services[name].get("volumes", []), f"{name} does not mount storage at /data"
        environment = _environment(services[name])
        assert environment["LDAPPLY_STORAGE_DIR"].startswith("/data/")
        assert environment["LDAPPLY_INSTANCE_PATH"].startswith("/data/")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_run_in_production_with_services_from_the_stack(name: str) -> None:
    environment = _environment(_services()[name])
    assert environment["LDAPPLY_ENV"] == "production"
    assert environment["LDAPPLY_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@postgres:5432/" in environment["LDAPPLY_DATABASE_URL"]
    assert environment["LDAPPLY_BROKER_URL"].startswith("redis://redis:6379/")


def test_the_dockerfile_installs_weasyprints_system_libraries() -> None:
    assert DOCKERFILE.is_file(), "Dockerfile is missing"
    dockerfile = DOCKERFILE.read_text()
    assert "libharfbuzz-subset0" in dockerfile
    assert "libpango" in dockerfile


def test_the_image_runs_as_a_non_root_user() -> None:
    users = re.findall(r"^\s*USER\s+(\S+)", DOCKERFILE.read_text(), flags=re.MULTILINE)
    assert users, "the Dockerfile never switches away from root"
    assert users[-1] not in ("root", "0", "0:0")


def test_the_secret_key_comes_from_the_environment() -> None:
    for name in APP_SERVICES:
        value = _environment(_services()[name]).get("LDAPPLY_SECRET_KEY")
        assert value is not None, f"{name} gets no LDAPPLY_SECRET_KEY"
        assert _is_interpolated(value), f"{name} hard-codes LDAPPLY_SECRET_KEY"
        assert ":-" not in value, f"{name} falls back to a built-in LDAPPLY_SECRET_KEY"


@pytest.mark.parametrize("name", SERVICES)
def test_no_secret_value_is_hard_coded(name: str) -> None:
    for variable, value in _environment(_services()[name]).items():
        if SECRET_NAME.search(variable):
            assert _is_interpolated(value), f"{name}: {variable} is hard-coded"
        if match := URL_PASSWORD.match(value):
            assert _is_interpolated(match["password"]), f"{name}: {variable} has a hard-coded password"
