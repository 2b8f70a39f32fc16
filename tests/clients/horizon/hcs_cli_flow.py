"""Drive the real hcs-cli (0.1.371) against a running mockcloud.

Usage: python hcs_cli_flow.py BASE_URL API_TOKEN
BASE_URL is the emulator root (http://127.0.0.1:PORT). The emulator must run with the virtual clock: the
script advances it through the admin API instead of waiting.

Part 1 runs the `hcs` command line unchanged (profile pointing both CSP and HCS at the emulator).
Part 2 runs the library calls `hcs plan` makes for an image (create, get, wait_for, version list, publish,
delete) so the lifecycles are exercised by the client's own status checks.
Prints one line per check and exits non-zero on the first failure.
"""

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

BASE, API_TOKEN = sys.argv[1].rstrip("/"), sys.argv[2]
HOME = tempfile.mkdtemp(prefix="hcs-cli-home-")
atexit.register(shutil.rmtree, HOME, ignore_errors=True)
HCS = os.path.join(os.path.dirname(sys.executable), "hcs")

ENV = dict(os.environ)
ENV.update(
    {
        "HCS_CLI_HOME": HOME,
        "HCS_CLI_TELEMETRY": "false",
        "HCS_CLI_CHECK_UPGRADE": "false",
        # Profile keys keep their case after the prefix.
        "HCS_CLI_PROFILE_hcs_url": BASE,
        "HCS_CLI_PROFILE_csp_url": BASE,
    }
)


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        sys.exit(1)


def hcs(*args, expect_rc=0):
    proc = subprocess.run([HCS, "--no-telemetry", "--no-upgrade-check", *args, "-o", "json"], env=ENV, capture_output=True, text=True, timeout=120)
    if proc.returncode != expect_rc:
        print(proc.stdout)
        print(proc.stderr)
    check(proc.returncode == expect_rc, "hcs " + " ".join(args) + f" exits {expect_rc}")
    out = proc.stdout.strip()
    return json.loads(out) if out else None


def admin_advance(seconds):
    req = urllib.request.Request(
        BASE + "/_mockcloud/clock/advance",
        data=json.dumps({"seconds": seconds}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req) as resp:
        check(resp.status == 200, f"clock advanced {seconds}s")


# ---------- part 1: the command line ----------
subprocess.run([HCS, "--no-telemetry", "--no-upgrade-check", "profile", "init", "--name", "mock", "--api-token", API_TOKEN], env=ENV, check=True, capture_output=True)

images = hcs("svc", "ims", "list", "--limit", "100")
check(isinstance(images, list) and len(images) >= 3, f"image list has fixture images ({len(images or [])})")
by_name = {i["name"]: i for i in images}
check("win2022-sig" in by_name, "fixture SIG image listed")

found = hcs("svc", "ims", "list", "--search", "name $eq win2022-sig")
check(len(found) == 1 and found[0]["name"] == "win2022-sig", "search name $eq finds exactly one")

sig = hcs("svc", "ims", "get", by_name["win2022-sig"]["id"])
check(sig["id"] == by_name["win2022-sig"]["id"] and sig["status"] == "AVAILABLE", "image get through /ims-catalog")

versions = hcs("svc", "ims", "version", "list", "--image", sig["id"])
check(len(versions) >= 1 and all(v["streamId"] == sig["id"] for v in versions), "version list")
ver = hcs("svc", "ims", "version", "get", "--image", sig["id"], versions[0]["id"])
check(ver["id"] == versions[0]["id"] and ver["name"], "version get")

copies = hcs("svc", "ims", "list-copies", "--limit", "100")
check(isinstance(copies, list) and all("catalogDetails" in c for c in copies), "image copies carry catalogDetails")

missing = hcs("svc", "ims", "get", "0123456789abcdef01234567")
check(missing is None, "unknown image prints nothing (404 is absent)")

# ---------- part 2: what `hcs plan` does for an image ----------
os.environ.update(ENV)
import hcs_cli  # noqa: E402  (the profile env must be set before hcs_core reads it)
from hcs_core import ctxp  # noqa: E402

ctxp.init(app_name="hcs", store_path=HOME, config_path=os.path.join(os.path.dirname(hcs_cli.__file__), "config"))
from hcs_cli.service import ims  # noqa: E402
from hcs_core.sglib import auth  # noqa: E402

org_id = auth.details()["org"]["id"]
check(bool(org_id), f"org from JWT context_name: {org_id}")

azure = hcs("svc", "ims", "get", by_name["win11-marketplace"]["id"])  # any fixture image, for its provider instance
request = {
    "orgId": org_id,
    "streamName": "hcs-cli-flow-image",
    "streamDescription": "created by hcs_cli_flow.py",
    "versionSource": 0.0,
    "versionType": "MAJOR",
    "versionDescription": "first",
    "sourceStreamType": "AZURE_MARKET_PLACE",
    "gpuType": "NONE",
    "osType": "WINDOWS",
    "os": "Windows 11 Enterprise multi-session",
    "providerLabel": "AZURE",
    "providerInstanceId": azure["providerInstanceId"],
    "markers": [{"name": "default"}],
    "assetDetails": {
        "type": "AZURE_VM_IN_RG",
        "data": {"generationType": "V2", "licenseType": "Windows_Client", "offer": "windows-11", "publisher": "MicrosoftWindowsDesktop", "sku": "win11-23h2-avd", "vmSize": "Standard_D4s_v3"},
        "options": {"createPublicIp": False},
        "vmInfo": {"username": "azureuser", "password": "Passw0rd-Passw0rd"},
    },
}
rep = ims.images.create("import", request)
check(bool(rep["streamId"]) and rep["versionName"] == "1.0.0", "create image catalog 201, version 1.0.0")
img = ims.images.get(rep["streamId"], org_id)
check(img is not None and img["status"] in ("PENDING", "IN_PROGRESS"), "image readable at once, in transition")

admin_advance(3600)
img = ims.images.wait_for(img["id"], org_id, ["IMPORT_COMPLETE", "AVAILABLE"])
check(img["status"] == "IMPORT_COMPLETE", "import ends IMPORT_COMPLETE")

version_api = ims.version(img["id"], org_id)
versions = version_api.list()
check(len(versions) == 1, "one version after import")
publish = {"orgId": org_id, "versionName": versions[0]["name"], "providerLabel": "AZURE", "description": "publish", "options": {"horizonAgent": {"installHorizonAgent": True, "features": []}, "osCustomizations": []}}
version_api.publish(versions[0]["id"], publish)
img = ims.images.get(img["id"], org_id)
check(img["status"] in ("PENDING", "IN_PROGRESS"), "image in transition right after publish")

admin_advance(3600)
img = ims.images.wait_for(img["id"], org_id, ["AVAILABLE"])
check(img["status"] == "AVAILABLE" and img["markers"] and img["markers"][0]["id"], "publish ends AVAILABLE with a marker")

hcs("svc", "ims", "delete", img["id"], "--confirm", "--wait", "0")
admin_advance(3600)
check(hcs("svc", "ims", "get", img["id"]) is None, "image gone after its last version is deleted")
print("hcs-cli flow: all checks passed")
