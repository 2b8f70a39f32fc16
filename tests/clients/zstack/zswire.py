"""A Python 3 client that puts on the wire exactly what ZStack's Python SDK (zssdk.py) sends.

zssdk.py is not published on any package registry (it ships inside the ZStack source tree, Python 2 only), so this
module reproduces its wire behaviour as recorded in shared/reference/zstack.md section 10, using the same HTTP
library (urllib3) the SDK uses:
- every call sends X-Job-UUID (uuid4 hex), Content-Type: application/json and Connection: close;
- calls that need a session send "Authorization: OAuth <sid>"; login/logout/validate send none;
- PUT/POST bodies are {"<actionName>": {every non-None parameter except sessionId}} - URL variables and
  systemTags/userTags included, inside the action map (the SDK's placeholder regex never matches);
- GET/DELETE put every parameter in an unencoded query string (sessionId included); urllib3 escapes what RFC 3986
  forbids (">" becomes %3E, "%" becomes %25);
- 200 -> {"value": body}; 202 -> poll the returned location as-is every second with only Authorization;
  poll 200 -> value, poll 503 -> the body ({"error": ...}); any other status -> sdk.1000 error.
"""
import hashlib
import json
import string
import time
import uuid

import urllib3

HTTP_ERROR = "sdk.1000"
POLLING_TIMEOUT_ERROR = "sdk.1001"


class Obj(object):
    def __init__(self, d):
        for k, v in d.items():
            if isinstance(v, (list, tuple)):
                setattr(self, k, [Obj(x) if isinstance(x, dict) else x for x in v])
            else:
                setattr(self, k, Obj(v) if isinstance(v, dict) else v)

    def __getattr__(self, item):
        return None


class Client(object):
    def __init__(self, hostname="127.0.0.1", port=8080, context_path="/zstack", read_timeout=15,
                 polling_interval=1, on_poll=None):
        self.hostname = hostname
        self.port = port
        self.context_path = context_path
        self.read_timeout = read_timeout
        self.polling_interval = polling_interval
        # Called before each poll sleep; a test under a virtual clock advances the clock here.
        self.on_poll = on_poll
        self.requests = []

    def _http(self, method, url, headers, body=None, timeout=120.0):
        pool = urllib3.PoolManager(timeout=timeout, retries=urllib3.util.retry.Retry(15))
        headers = dict(headers)
        headers.update({"Content-Type": "application/json", "Connection": "close"})
        if body is not None:
            body = json.dumps(body).encode("utf-8")
            headers["Content-Length"] = str(len(body))
            rsp = pool.request(method, url, body=body, headers=headers)
        else:
            rsp = pool.request(method, url, headers=headers)
        self.requests.append((method, url, headers, body, rsp.status))
        return rsp

    def call(self, method, path, param_name=None, params=None, need_session=True, need_poll=False,
             session_id=None, query=False, api_id=None):
        params = {k: v for k, v in (params or {}).items() if v is not None}
        url = "http://%s:%s%s/v1%s" % (self.hostname, self.port, self.context_path,
                                        string.Template(path.replace("{", "${")).substitute(params))
        if method in ("GET", "DELETE"):
            qs = dict(params)
            if session_id is not None:
                qs["sessionId"] = session_id
            if query:
                parts = []
                for k, v in qs.items():
                    if k == "sortBy":
                        d = qs.get("sortDirection")
                        parts.append("sort=%s%s" % ("" if d is None else ("+" if d == "asc" else "-"), v))
                    elif k == "sortDirection":
                        continue
                    elif k == "conditions":
                        parts.extend("q=%s" % c for c in v)
                    elif k == "fields":
                        parts.append("fields=%s" % ",".join(v))
                    else:
                        parts.append("%s=%s" % (k, v))
                url += "?" + "&".join(parts)
            else:
                url += "?" + "&".join("%s=%s" % (k, v) for k, v in qs.items())
        headers = {"X-Job-UUID": api_id or uuid.uuid4().hex}
        if need_session:
            headers["Authorization"] = "OAuth %s" % session_id
        body = None
        if method in ("PUT", "POST"):
            body = {param_name: params}
        rsp = self._http(method, url, headers, body, timeout=self.read_timeout)
        if rsp.status < 200 or rsp.status >= 300:
            return Obj(self._http_error(rsp))
        if rsp.status in (200, 204):
            return Obj({"value": json.loads(rsp.data or b"{}")})
        if rsp.status == 202:
            if not need_poll:
                raise RuntimeError("the api is not an async API but the server returns 202 status code")
            location = json.loads(rsp.data)["location"]
            return self._poll(location, session_id)
        raise RuntimeError("unknown status code %s" % rsp.status)

    def _http_error(self, rsp):
        return {"error": {"code": HTTP_ERROR,
                          "description": "the http status code[%s] indicates a failure happened" % rsp.status,
                          "details": rsp.data.decode("utf-8", "replace")}}

    def _poll(self, location, session_id):
        count = 0
        while count < self.read_timeout:
            rsp = self._http("GET", location, {"Authorization": "OAuth %s" % session_id})
            if rsp.status not in (200, 202, 503):
                return Obj(self._http_error(rsp))
            if rsp.status == 200:
                return Obj({"value": json.loads(rsp.data or b"{}")})
            if rsp.status == 503:
                return Obj(json.loads(rsp.data))
            if self.on_poll:
                self.on_poll()
            time.sleep(self.polling_interval)
            count += self.polling_interval
        return Obj({"error": {"code": POLLING_TIMEOUT_ERROR, "description": "polling an API result time out"}})

    # The SDK actions used by the check script, with the SDK's paths, methods and parameter names.

    def login(self, account, password):
        return self.call("PUT", "/accounts/login", "logInByAccount",
                         {"accountName": account, "password": hashlib.sha512(password.encode()).hexdigest()},
                         need_session=False)

    def logout(self, session_uuid):
        return self.call("DELETE", "/accounts/sessions/{sessionUuid}", params={"sessionUuid": session_uuid},
                         need_session=False)

    def validate_session(self, session_uuid):
        return self.call("GET", "/accounts/sessions/{sessionUuid}/valid", params={"sessionUuid": session_uuid},
                         need_session=False)

    def query(self, path, session_id, conditions, **kw):
        params = {"conditions": conditions}
        params.update(kw)
        return self.call("GET", path, params=params, session_id=session_id, query=True)

    def action(self, param_name, vm_uuid_field, vm_uuid, session_id, **params):
        params[vm_uuid_field] = vm_uuid
        return self.call("PUT", "/vm-instances/{%s}/actions" % vm_uuid_field, param_name, params,
                         need_poll=True, session_id=session_id)

    def stop_vm(self, vm_uuid, session_id, **kw):
        return self.action("stopVmInstance", "uuid", vm_uuid, session_id, **kw)

    def start_vm(self, vm_uuid, session_id, **kw):
        return self.action("startVmInstance", "uuid", vm_uuid, session_id, **kw)

    def change_vm_image(self, vm_uuid, image_uuid, session_id, **kw):
        return self.action("changeVmImage", "vmInstanceUuid", vm_uuid, session_id, imageUuid=image_uuid, **kw)
