"""The public API runs no worker code: the gateway must not import the provider adapters (and with them
OpenCV, ffmpeg and the models), nor depend on their package."""

import ast
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GATEWAY = REPO / "services" / "gateway"


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def test_the_gateway_imports_no_provider_code():
    offenders = [
        f"{path.relative_to(REPO)}: {module}"
        for path in sorted(GATEWAY.rglob("*.py"))
        for module in sorted(_imported_modules(path))
        if module.split(".")[0] in ("studio_providers", "cv2")
    ]
    assert not offenders, "the gateway imports worker code:\n" + "\n".join(offenders)


def test_the_gateway_does_not_depend_on_the_providers_package():
    project = tomllib.loads((GATEWAY / "pyproject.toml").read_text())
    assert not any(dep.startswith("studio-providers") for dep in project["project"]["dependencies"])


def _locked_dependencies(package: str) -> set[str]:
    """Every package uv.lock installs for `package` (its non-dev dependencies and their extras, through)."""
    locked = {entry["name"]: entry for entry in tomllib.loads((REPO / "uv.lock").read_text())["package"]}

    def requires(name: str):
        for dep in locked[name].get("dependencies", []):
            yield dep["name"]
            extras = locked[dep["name"]].get("optional-dependencies", {})
            yield from (extra["name"] for wanted in dep.get("extra", []) for extra in extras.get(wanted, []))

    needed = frontier = {package}
    while frontier:
        frontier = {dep for name in frontier for dep in requires(name)} - needed
        needed = needed | frontier
    return needed


def test_the_gateway_image_installs_no_opencv_ffmpeg_or_numpy():
    installed = _locked_dependencies("studio-gateway")
    assert "studio-common" in installed and "pillow" in installed  # the walk follows the lock
    heavy = installed & {
        "studio-providers",
        "opencv-python-headless",
        "imageio-ffmpeg",
        "numpy",
        "onnxruntime",
    }
    assert not heavy, f"the gateway's image would install {sorted(heavy)}"
