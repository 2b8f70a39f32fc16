"""Drives mockcloud's zstack provider the way ZStack's Python SDK does (see zswire.py) and checks the answers.

Usage: python check_zstack.py http://127.0.0.1:PORT [ADVANCE_SECONDS]
ADVANCE_SECONDS: advance the server's virtual clock by that much before every poll (for --clock virtual).
Prints one line per check and a closing "N passed, M failed"; exits non-zero on any failure.
"""
import json
import os
import sys
import urllib.parse
import urllib.request

import zswire

SEED_VM = "af9e42b52dc836dfac3ee89b08c47488"
SEED_IMAGE = "dbfd52c2f87c39cda8c8945fca8d6a5a"
SAMPLE_IMAGE = "d20e62e8cab133498f1456c14e210644"

passed, failed = 0, 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   %s" % name)
    else:
        failed += 1
        print("FAIL %s %s" % (name, detail))


def main():
    base = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("MOCKCLOUD_URL", "http://127.0.0.1:8080")
    u = urllib.parse.urlparse(base)
    advance = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("MOCKCLOUD_ADVANCE_SECONDS")

    def on_poll():
        if advance:
            req = urllib.request.Request(base + "/_mockcloud/clock/advance", method="POST",
                                         data=json.dumps({"seconds": float(advance)}).encode(),
                                         headers={"Content-Type": "application/json"})
            urllib.request.urlopen(req).read()

    c = zswire.Client(hostname=u.hostname, port=u.port, polling_interval=0.05, on_poll=on_poll)

    bad = c.login("admin", "wrong-password")
    check("login with a wrong password is an HTTP error to the SDK", bad.error and bad.error.code == "sdk.1000"
          and "503" in bad.error.description and "ID.1000" in bad.error.details, vars(bad.error or zswire.Obj({})))

    res = c.login("admin", "password")
    check("login", res.value and res.value.inventory and len(res.value.inventory.uuid) == 32, res.error)
    sid = res.value.inventory.uuid
    check("session inventory", res.value.inventory.accountUuid == "36c27e8ff05c4780bf6d2fa65700f22e"
          and res.value.inventory.userType == "AccountVO" and res.value.inventory.expiredDate)

    res = c.query("/vm-instances", sid, ["name=Test-VM", "state!=Destroyed"], limit=10)
    check("query by name", res.value and [i.uuid for i in res.value.inventories] == [SEED_VM], res.error)
    check("query schema", res.value and getattr(res.value.schema, "inventories[0]") ==
          "org.zstack.header.vm.VmInstanceInventory")

    res = c.query("/vm-instances", sid, ["cpuNum>=1", "name~=Test%"], limit=5, start=0, replyWithCount=True,
                  sortBy="createDate", sortDirection="desc", fields=["uuid", "state"])
    check("query with operators urllib3 escapes", res.value and res.value.total == 1
          and res.value.inventories[0].state == "Running" and res.value.inventories[0].name is None, res.error)

    res = c.query("/images", sid, ["uuid=%s" % SEED_IMAGE])
    check("query image", res.value and res.value.inventories[0].mediaType == "RootVolumeTemplate", res.error)

    res = c.change_vm_image(SEED_VM, SEED_IMAGE, sid)
    check("changeVmImage on a running VM fails through the poll", res.error and res.error.code == "SYS.1007"
          and res.error.details == "do not change vm image when it's not stopped", vars(res.error or zswire.Obj({})))

    res = c.stop_vm(SEED_VM, sid)
    check("stop", res.value and res.value.inventory.state == "Stopped" and res.value.inventory.hostUuid is None,
          res.error and vars(res.error))

    res = c.change_vm_image(SEED_VM, SEED_IMAGE, sid, systemTags=[], userTags=[])
    inv = res.value and res.value.inventory
    check("changeVmImage", inv and inv.imageUuid == SEED_IMAGE and inv.state == "Stopped" and inv.hostUuid is None,
          res.error and vars(res.error))
    if inv:
        root = [v for v in inv.allVolumes if v.uuid == inv.rootVolumeUuid][0]
        check("root volume keeps its uuid and takes the new image", root.rootImageUuid == SEED_IMAGE
              and root.uuid == "d4131773654237c997b00fad3102d30d")

    res = c.change_vm_image(SEED_VM, "0" * 32, sid)
    check("changeVmImage to an unknown image", res.error and res.error.code == "SYS.1003", res.error)

    res = c.start_vm(SEED_VM, sid)
    check("start", res.value and res.value.inventory.state == "Running" and res.value.inventory.hostUuid,
          res.error and vars(res.error))

    res = c.stop_vm(SEED_VM, sid)
    res = c.change_vm_image(SEED_VM, SAMPLE_IMAGE, sid)
    check("change back", res.value and res.value.inventory.imageUuid == SAMPLE_IMAGE, res.error)
    res = c.start_vm(SEED_VM, sid)

    res = c.validate_session(sid)
    check("validate session", res.value and res.value.valid is True, res.error)
    res = c.logout(sid)
    check("logout", res.value is not None and res.error is None, res.error)
    res = c.validate_session(sid)
    check("session invalid after logout", res.value and res.value.valid is False, res.error)
    res = c.query("/vm-instances", sid, [])
    check("query with a logged-out session is an HTTP 503 to the SDK", res.error and res.error.code == "sdk.1000"
          and "ID.1001" in res.error.details, res.error)
    res = c.stop_vm(SEED_VM, sid)
    check("action with a logged-out session fails through the poll", res.error and res.error.code == "ID.1001",
          res.error)

    # Every request carried the headers zssdk sends.
    check("X-Job-UUID on every non-poll request", all(len(h.get("X-Job-UUID", "")) == 32 for m, url, h, b, s
                                                        in c.requests if "/api-jobs/" not in url))

    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
