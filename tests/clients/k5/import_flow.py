"""Real-client round trip against the mockcloud K5 provider.

keystoneauth1 + python-swiftclient (with python-keystoneclient) authenticate and upload a .vmdk (simple and
SLO-segmented); the import is registered through the keystoneauth Session at the catalog's vmimport endpoint,
the virtual clock is advanced through the admin API, the status is polled to `succeeded`, and the image is read
back with openstacksdk. Exits non-zero with a message on the first mismatch.

Usage: python k5_import_flow.py BASE_URL   (e.g. http://127.0.0.1:8080)
"""
import hashlib
import io
import json
import os
import sys
import tempfile
import uuid

import subprocess

import requests
from keystoneauth1 import session as ksa_session
from keystoneauth1.identity import v3
import openstack
import swiftclient
from swiftclient.service import SwiftService, SwiftUploadObject

BASE = sys.argv[1].rstrip("/")
AUTH_URL = BASE + "/v3"
CONTRACT = "K5DEMO01"
USER = "alice"
PASSWORD = "alice-k5-pass"
PROJECT_ID = "73734414ba00e310cc645e118b6a6c4a"
REGION = "jp-east-1"


def check(cond, what):
    if not cond:
        print("FAIL: " + what, file=sys.stderr)
        sys.exit(1)
    print("ok: " + what)


def advance_clock(seconds):
    # Admin API of the emulator; adjust path/body to the core's real contract.
    r = requests.post(BASE + "/_mockcloud/clock/advance", json={"seconds": seconds})
    check(r.status_code in (200, 204), "advance clock %ss -> %s" % (seconds, r.status_code))


def main():
    # 1. keystoneauth1: token + catalog
    auth = v3.Password(auth_url=AUTH_URL, username=USER, password=PASSWORD,
                       user_domain_name=CONTRACT, project_id=PROJECT_ID)
    sess = ksa_session.Session(auth=auth)
    token = sess.get_token()
    check(token and len(token) == 32, "keystoneauth1 token")
    check(sess.get_project_id() == PROJECT_ID, "token project id")
    storage_url = sess.get_endpoint(service_type="object-store", interface="public", region_name=REGION)
    check(storage_url == BASE + "/objectstorage/v1/AUTH_" + PROJECT_ID, "object-store endpoint " + storage_url)

    # 2. python-swiftclient with keystoneclient (auth_version 3): simple upload
    conn = swiftclient.Connection(authurl=AUTH_URL, user=USER, key=PASSWORD, auth_version="3",
                                  os_options={"user_domain_name": CONTRACT, "project_id": PROJECT_ID,
                                              "region_name": REGION})
    conn.put_container("uploads")
    simple = os.urandom(64 * 1024)
    etag = conn.put_object("uploads", "simple.vmdk", contents=simple)
    check(etag == hashlib.md5(simple).hexdigest(), "simple upload etag")
    headers, body = conn.get_object("uploads", "simple.vmdk")
    check(body == simple, "simple download bytes")
    conn.copy_object("uploads", "simple.vmdk", "/uploads/copy.vmdk")
    check(conn.get_object("uploads", "copy.vmdk")[1] == simple, "server-side copy (COPY)")
    conn.delete_object("uploads", "copy.vmdk")
    _, listing = conn.get_container("uploads", full_listing=True)
    check([o["name"] for o in listing] == ["simple.vmdk"], "container listing")

    # 3. segmented upload (SLO via SwiftService, 3 segments) and a DLO
    segmented = os.urandom(300 * 1024)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "segmented.vmdk")
        with open(path, "wb") as f:
            f.write(segmented)
        opts = {"auth_version": "3", "auth": AUTH_URL, "user": USER, "key": PASSWORD,
                "os_user_domain_name": CONTRACT, "os_project_id": PROJECT_ID, "os_region_name": REGION,
                "segment_size": 128 * 1024, "use_slo": True}
        with SwiftService(options=opts) as svc:
            for res in svc.upload("uploads", [SwiftUploadObject(path, object_name="segmented.vmdk")]):
                check(res["success"], "swift upload %s %s" % (res.get("action"), res.get("object", "")))
            dlo_opts = dict(opts, use_slo=False)
            for res in svc.upload("uploads", [SwiftUploadObject(path, object_name="dlo.vmdk")], options=dlo_opts):
                check(res["success"], "swift DLO upload %s %s" % (res.get("action"), res.get("object", "")))
    headers, body = conn.get_object("uploads", "segmented.vmdk")
    check(headers.get("x-static-large-object") == "True", "SLO header")
    check(body == segmented, "SLO assembled bytes")
    headers, body = conn.get_object("uploads", "dlo.vmdk")
    check("x-object-manifest" in headers and body == segmented, "DLO assembled bytes")

    # 3b. the swift CLI (python-swiftclient's console script): segmented upload, list, stat, download, and a
    #     re-upload over the SLO, which reads the old manifest (?multipart-manifest=get) and deletes its segments.
    swift = [os.path.join(os.path.dirname(sys.executable), "swift"), "--os-auth-url", AUTH_URL, "--auth-version", "3",
             "--os-username", USER, "--os-password", PASSWORD, "--os-user-domain-name", CONTRACT,
             "--os-project-id", PROJECT_ID, "--os-region-name", REGION]
    cli_data = os.urandom(200 * 1024)
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "cli.vmdk")
        with open(src, "wb") as f:
            f.write(cli_data)
        for _ in range(2):
            out = subprocess.run(swift + ["upload", "--use-slo", "--segment-size", "65536", "--object-name",
                                          "cli.vmdk", "cli", src], capture_output=True, text=True)
            check(out.returncode == 0, "swift upload --use-slo: " + out.stdout.strip() + out.stderr.strip())
        out = subprocess.run(swift + ["list", "cli"], capture_output=True, text=True)
        check(out.returncode == 0 and out.stdout.split() == ["cli.vmdk"], "swift list: " + out.stdout.strip())
        out = subprocess.run(swift + ["list", "cli_segments"], capture_output=True, text=True)
        check(len(out.stdout.split()) == 4, "old segments deleted on re-upload: %d left" % len(out.stdout.split()))
        out = subprocess.run(swift + ["stat", "cli", "cli.vmdk"], capture_output=True, text=True)
        check(out.returncode == 0 and "Content Length: 204800" in out.stdout, "swift stat")
        dst = os.path.join(d, "back.vmdk")
        out = subprocess.run(swift + ["download", "cli", "cli.vmdk", "-o", dst], capture_output=True, text=True)
        check(out.returncode == 0, "swift download: " + out.stderr.strip())
        with open(dst, "rb") as f:
            check(f.read() == cli_data, "swift download bytes")
        bad = subprocess.run([a if a != PASSWORD else "wrong" for a in swift] + ["list"], capture_output=True, text=True)
        check(bad.returncode == 1 and "Unauthorized" in bad.stderr, "swift CLI on a wrong password: " + bad.stderr.strip())

    # 4. register the import through the keystoneauth Session (vmimport endpoint from the catalog)
    image_id = str(uuid.uuid4())
    checksum = hashlib.sha1(segmented).hexdigest()
    r = sess.post("/v1/imageimport",
                  endpoint_filter={"service_type": "vmimport", "interface": "public", "region_name": REGION},
                  json={"id": image_id, "name": "client-test-image",
                        "location": "/v1/AUTH_%s/uploads/segmented.vmdk" % PROJECT_ID,
                        "os_type": "ubuntu", "checksum": checksum, "min_ram": 1024, "min_disk": "3",
                        "conversion": True, "disk_format": "raw", "container_format": "bare"})
    check(r.status_code == 201, "import register 201")
    import_id = r.json()["import_id"]

    status = sess.get("/v1/imageimport/%s/status" % import_id,
                      endpoint_filter={"service_type": "vmimport", "interface": "public", "region_name": REGION}).json()
    check(status["import_status"] == "queued", "fresh import is queued")
    for _ in range(20):
        if status["import_status"] in ("succeeded", "failed"):
            break
        advance_clock(60)
        status = sess.get("/v1/imageimport/%s/status" % import_id,
                          endpoint_filter={"service_type": "vmimport", "region_name": REGION}).json()
        print("  import_status=%s progress=%s" % (status["import_status"], status["progress"]))
    check(status["import_status"] == "succeeded", "import succeeded")
    check(status["id"] == image_id and status["min_ram"] == 1024 and status["min_disk"] == 3, "status fields")

    # a bad request surfaces as keystoneauth BadRequest carrying the K5 body
    from keystoneauth1 import exceptions as ksa_exc
    try:
        sess.post("/v1/imageimport", endpoint_filter={"service_type": "vmimport", "region_name": REGION},
                  json={"location": "/v1/AUTH_%s/uploads/simple.vmdk" % PROJECT_ID, "os_type": "ubuntu"})
        check(False, "missing name refused")
    except ksa_exc.BadRequest as e:
        check(e.response.json() == {"error_code": "40001",
                                    "message": "Required parameter 'name' is not specified."}, "40001 body")

    # 5. openstacksdk reads the image back
    cloud = openstack.connect(auth_url=AUTH_URL, username=USER, password=PASSWORD, project_id=PROJECT_ID,
                              user_domain_name=CONTRACT, region_name=REGION)
    img = cloud.image.get_image(image_id)
    check(img.name == "client-test-image", "sdk image name")
    check(img.disk_format == "raw" and img.container_format == "bare", "sdk raw/bare")
    check(img.min_ram == 1024 and img.min_disk == 3, "sdk min_ram/min_disk")
    check(img.status == "active", "sdk image active")
    names = [i.name for i in cloud.image.images()]
    check("client-test-image" in names, "sdk image list")
    paged = [i.id for i in cloud.image.images(limit=1)]
    check(len(paged) == len(names) == len(set(paged)) >= 2, "sdk image list paged by next links %s" % paged)
    containers = sorted(c.name for c in cloud.object_store.containers())
    check({"uploads", "uploads_segments", "images"} <= set(containers), "sdk container list %s" % containers)
    objs = sorted(o.name for o in cloud.object_store.objects("uploads"))
    check(objs == ["dlo.vmdk", "segmented.vmdk", "simple.vmdk"], "sdk object list %s" % objs)

    # k5utils' way: keystoneauth's generic password loader with a bare auth URL (GET / → 300 → /v3)
    from keystoneauth1 import loading
    loader = loading.get_plugin_loader("password")
    generic = loader.load_from_options(auth_url=BASE, username=USER, password=PASSWORD, project_id=PROJECT_ID,
                                       user_domain_name=CONTRACT)
    gsess = ksa_session.Session(auth=generic)
    check(gsess.get_project_id() == PROJECT_ID, "generic password plugin with a bare auth URL")
    r = gsess.get("/v1/imageimport", endpoint_filter={"service_type": "vmimport", "region_name": REGION})
    check(r.status_code == 200 and r.json()["imports"][0]["import_id"] == import_id, "import list via generic plugin")

    # 6. keystoneclient lists the user's projects through the catalog's identity endpoint
    from keystoneclient.v3 import client as ks_client
    ks = ks_client.Client(session=sess, interface="public", region_name=REGION)
    projects = sorted(p.name for p in ks.projects.list(user=sess.get_user_id()))
    check(projects == ["K5DEMO01-prj-dev", "K5DEMO01-prj-prod"], "keystoneclient projects %s" % projects)
    print("ALL OK")


if __name__ == "__main__":
    main()
