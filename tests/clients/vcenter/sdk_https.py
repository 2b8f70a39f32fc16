"""Real-client check: the vSphere SDK's usual entry point, create_vsphere_client(), which only builds
https:// URLs, against mockcloud's TLS side of the same port. The requests session pins the certificate that
GET /_mockcloud/tls/cert serves (with a real lab vCenter people set session.verify = False; pinning proves
the certificate is the one the server presents).

Usage: python sdk_https.py http://127.0.0.1:PORT
"""
import sys
import tempfile
from urllib.parse import urlparse

import requests
from vmware.vapi.vsphere.client import create_vsphere_client

base = sys.argv[1]
port = urlparse(base).port
pem = requests.get(base + "/_mockcloud/tls/cert", timeout=10)
pem.raise_for_status()
with tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False) as f:
    f.write(pem.text)
session = requests.Session()
# REQUESTS_CA_BUNDLE in the environment would override session.verify.
session.trust_env = False
session.verify = f.name

client = create_vsphere_client(server="localhost:%d" % port, username="administrator@vsphere.local",
                               password="VMware1!", session=session)
vms = client.vcenter.VM.list()
assert vms, "the fixture inventory has VMs"
dcs = client.vcenter.Datacenter.list()
assert any(d.name == "DC0" for d in dcs), dcs
client.session_svc.delete()
print("OK create_vsphere_client over https: %d VMs, datacenters %s" % (len(vms), [d.name for d in dcs]))
