#!/usr/bin/env python3
"""Records the requests the clouds' official SDKs make (SPEC A7).

For every operation certpush makes against Huawei Cloud SCM (and IAM) and
Alibaba Cloud CAS, this calls the official Python SDK against a capture
server on loopback and writes what reached it -- method, path, query, headers
(the signature among them) and body -- to Tests/Fixtures/golden/<cloud>.json.
The capture server answers as the SDKs' response models say the clouds do,
so every call completes. The Swift tests read the recordings; CI never needs
the SDKs. Run through scripts/golden/record.sh, which makes the virtual
environment.

With --check FILE (requests certpush made, written by the Swift golden tests
under CERTPUSH_GOLDEN_CAPTURE=FILE), it instead verifies each of certpush's
signatures with the SDKs' own signers.
"""
import argparse
import json
import os
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HUAWEI_AK, HUAWEI_SK = "HWGOLDENACCESSKEY001", "hw-golden-secret"
ALIBABA_AK, ALIBABA_SK = "LTAIGOLDENACCESSKEY", "ali-golden-secret"
DOMAIN_ID = "0970d7b7d400f2470fbec00316a03560"
SCM_ID = "scs1554192131150"

CERT = """-----BEGIN CERTIFICATE-----
MIIBfjCCASWgAwIBAgIUb2xkZW4tY2VydGlmaWNhdGUwCgYIKoZIzj0EAwIwFjEUMBIGA1UEAwwL
-----END CERTIFICATE-----
"""
CHAIN = """-----BEGIN CERTIFICATE-----
MIIBgDCCASagAwIBAgIUZ29sZGVuLWNoYWluMAoGCCqGSM49BAMCMBYxFDASBgNVBAMMC2V4YW1w
-----END CERTIFICATE-----
"""
KEY = """-----BEGIN PRIVATE KEY-----
golden-not-a-key
-----END PRIVATE KEY-----
"""

# What each route answers: shaped as the SDKs' response models read it.
HUAWEI_ANSWERS = {
    ("GET", "/v3/auth/domains"): {"domains": [{"id": DOMAIN_ID, "name": "golden-account", "enabled": True}]},
    ("GET", "/v3/scm/certificates"): {"certificates": [], "total_count": 0},
    ("POST", "/v3/scm/certificates/import"): {"certificate_id": SCM_ID},
    ("POST", f"/v3/scm/certificates/{SCM_ID}/push"): None,
    ("POST", f"/v3/scm/certificates/{SCM_ID}/batch-push"): {"results": [
        {"project_name": "cn-north-4", "cert_id": SCM_ID, "message": "success"},
        {"project_name": "ap-southeast-1", "cert_id": SCM_ID, "message": "success"}]},
    ("POST", "/v3/scm/deployed-resources"): {"results": [{"certificate_id": SCM_ID, "total_num": 1, "deployed_resources": [
        {"service": "ELB", "resource_num": 1, "resource_location": "region",
         "region_resources": [{"region_id": "cn-north-4", "is_error": False,
                               "resources": [{"resource_id": "elb-1", "resource_name": "www listener"}]}]}]}]},
}


class Capture(BaseHTTPRequestHandler):
    """Keeps every request; answers by route (Huawei) or by action (Alibaba)."""
    seen = []

    def log_message(self, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
        Capture.seen.append({
            "method": self.command, "path": url.path, "rawQuery": url.query, "query": query,
            "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body.decode("utf-8"),
        })
        answer = answer_to(Capture.seen[-1])
        payload = b"" if answer is None else json.dumps(answer).encode()
        self.send_response(200 if answer is not None else 204)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = handle_any


ALIBABA_ANSWERS = {
    "ListCloudResources": {"RequestId": "r", "Total": 1, "CurrentPage": 1, "ShowSize": 50, "Data": [
        {"Id": 1001, "CloudName": "aliyun", "CloudProduct": "DDOS", "RegionId": "cn-hangzhou", "InstanceId": "ddos-1",
         "Domain": "www.example.com", "CertId": 14440149, "EnableHttps": 1, "ListenerPort": 443}]},
    "GetUserCertificateDetail": {"RequestId": "r", "Id": 14440149, "Name": "www", "Cert": CERT},
    "UploadUserCertificate": {"RequestId": "r", "CertId": 14440150},
    "ListContact": {"RequestId": "r", "TotalCount": 1, "CurrentPage": 1, "ShowSize": 20,
                    "ContactList": [{"ContactId": 519580, "Name": "ops"}]},
    "CreateDeploymentJob": {"RequestId": "r", "JobId": 8888},
    "UpdateDeploymentJobStatus": {"RequestId": "r"},
    "ListWorkerResource": {"RequestId": "r", "Total": 1, "CurrentPage": 1, "ShowSize": 50, "Data": [
        {"Id": 700, "JobId": 8888, "ResourceId": 1001, "CertId": 14440150, "Status": "success", "CloudProduct": "DDOS"}]},
    "CreateRollbackTask": {"RequestId": "r", "Data": 9001},
}


def answer_to(request):
    """What the capture server answers a request: the SDK's response model, filled in."""
    action = request["headers"].get("x-acs-action")
    return ALIBABA_ANSWERS[action] if action else HUAWEI_ANSWERS[(request["method"], request["path"])]


def serve():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def record_huawei(base):
    """Each SCM operation certpush makes, and the IAM lookup of the account's domain id."""
    from huaweicloudsdkcore.auth.credentials import GlobalCredentials
    from huaweicloudsdkcore.http.http_config import HttpConfig
    from huaweicloudsdkscm.v3 import (ScmClient, ListCertificatesRequest, ImportCertificateRequest, ImportCertificateRequestBody,
                                      PushCertificateRequest, PushCertificateRequestBody, BatchPushCertificateRequest,
                                      BatchPushCertificateRequestBody, ListDeployedResourcesRequest, ListDeployedResourcesRequestBody)
    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = True
    # No domain id: the SDK looks it up through IAM, once.
    credentials = GlobalCredentials(HUAWEI_AK, HUAWEI_SK).with_iam_endpoint(base)
    from huaweicloudsdkcore.region.region import Region
    # Built with a region, as Huawei's examples build it: that is when the SDK looks the domain id up.
    client = ScmClient.new_builder().with_http_config(config).with_credentials(credentials).with_region(Region("cn-north-4", base)).build()
    lookup = list(Capture.seen)
    assert [r["path"] for r in lookup] == ["/v3/auth/domains"], lookup
    recorded = {}

    def call(name, invoke):
        before = len(Capture.seen)
        invoke()
        recorded[name] = Capture.seen[before:]

    call("ListCertificates", lambda: client.list_certificates(ListCertificatesRequest(limit=10, offset=0)))
    call("ImportCertificate", lambda: client.import_certificate(ImportCertificateRequest(body=ImportCertificateRequestBody(
        name="star.example.com-c12", certificate=CERT, private_key=KEY))))
    call("ImportCertificateWithChain", lambda: client.import_certificate(ImportCertificateRequest(body=ImportCertificateRequestBody(
        name="www.example.com-c3", certificate=CERT, certificate_chain=CHAIN, private_key=KEY))))
    call("PushCertificate", lambda: client.push_certificate(PushCertificateRequest(certificate_id=SCM_ID, body=PushCertificateRequestBody(
        target_project="cn-north-4", target_service="CDN"))))
    call("BatchPushCertificate", lambda: client.batch_push_certificate(BatchPushCertificateRequest(
        certificate_id=SCM_ID, body=BatchPushCertificateRequestBody(target_projects=["cn-north-4", "ap-southeast-1"], target_service="ELB"))))
    call("ListDeployedResources", lambda: client.list_deployed_resources(ListDeployedResourcesRequest(
        body=ListDeployedResourcesRequestBody(certificate_ids=[SCM_ID], service_names=["ALL"]))))
    recorded["KeystoneListAuthDomains"] = lookup
    for name, requests in recorded.items():
        assert len(requests) == 1, (name, requests)
    return {name: requests[0] for name, requests in recorded.items()}


def record_alibaba(base):
    """Each CAS action certpush makes."""
    from alibabacloud_tea_openapi.models import Config
    from alibabacloud_cas20200407.client import Client
    from alibabacloud_cas20200407 import models as cas
    endpoint = base[len("http://"):]
    client = Client(Config(access_key_id=ALIBABA_AK, access_key_secret=ALIBABA_SK, endpoint=endpoint, protocol="http"))
    recorded = {}

    def call(name, invoke):
        before = len(Capture.seen)
        invoke()
        requests = Capture.seen[before:]
        assert len(requests) == 1, (name, requests)
        recorded[name] = requests[0]

    call("ListCloudResources", lambda: client.list_cloud_resources(cas.ListCloudResourcesRequest(
        cloud_name="aliyun", cloud_product="DDOS", current_page=1, show_size=50)))
    call("GetUserCertificateDetail", lambda: client.get_user_certificate_detail(cas.GetUserCertificateDetailRequest(cert_id=14440149)))
    call("UploadUserCertificate", lambda: client.upload_user_certificate(cas.UploadUserCertificateRequest(
        name="www.example.com-c3-1a2b3c4d", cert=CERT + CHAIN, key=KEY)))
    call("ListContact", lambda: client.list_contact(cas.ListContactRequest(current_page=1, show_size=20)))
    call("CreateDeploymentJob", lambda: client.create_deployment_job(cas.CreateDeploymentJobRequest(
        name="certpush t7", job_type="user", cert_ids="14440150", resource_ids="1001,1002", contact_ids="519580")))
    call("UpdateDeploymentJobStatus", lambda: client.update_deployment_job_status(cas.UpdateDeploymentJobStatusRequest(
        job_id=8888, status="pending")))
    call("ListWorkerResource", lambda: client.list_worker_resource(cas.ListWorkerResourceRequest(job_id=8888, current_page=1, show_size=50)))
    call("CreateRollbackTask", lambda: client.create_rollback_task(cas.CreateRollbackTaskRequest(job_id=8888, worker_id=700)))
    return recorded


def sdk_versions():
    from importlib.metadata import version
    return {name: version(name) for name in ["huaweicloudsdkscm", "huaweicloudsdkcore", "alibabacloud-cas20200407", "alibabacloud-tea-openapi"]}


def check(path):
    """Verifies certpush's signatures (a capture the Swift golden tests wrote) with the SDKs' own signers."""
    from huaweicloudsdkcore.signer.signer import Signer
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from alibabacloud_tea_openapi.utils import Utils
    captured = json.load(open(path))
    failures = 0
    for entry in captured:
        headers = entry["headers"]
        authorization = headers["authorization"]
        if authorization.startswith("SDK-HMAC-SHA256 "):
            fields = dict(part.split("=", 1) for part in authorization[len("SDK-HMAC-SHA256 "):].split(", "))
            signed = {name: headers[name] for name in fields["SignedHeaders"].split(";")}
            request = SdkRequest(method=entry["method"], schema="http", host=headers["host"], resource_path=entry["path"],
                                 query_params=[tuple(pair) for pair in entry["query"]], header_params=signed,
                                 body=entry["body"].encode())
            credentials = type("Keys", (), {"ak": HUAWEI_AK, "sk": HUAWEI_SK})()
            expected = Signer(credentials).sign(request).header_params["Authorization"]
        else:
            fields = dict(part.split("=", 1) for part in authorization[len("ACS3-HMAC-SHA256 "):].split(","))
            request = type("Request", (), {})()
            request.method, request.pathname = entry["method"], entry["path"]
            request.query = dict(entry["query"])
            request.headers = {name: headers[name] for name in fields["SignedHeaders"].split(";")}
            expected = Utils.get_authorization(request, "ACS3-HMAC-SHA256", headers["x-acs-content-sha256"], ALIBABA_AK, ALIBABA_SK)
        ok = expected == authorization
        print(("ok   " if ok else "FAIL ") + entry["name"] + ("" if ok else f"\n  certpush: {authorization}\n  SDK:      {expected}"))
        failures += 0 if ok else 1
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "golden"))
    parser.add_argument("--check")
    arguments = parser.parse_args()
    if arguments.check:
        sys.exit(1 if check(arguments.check) else 0)
    server, base = serve()
    os.makedirs(arguments.out, exist_ok=True)
    for cloud, record in [("huawei", record_huawei), ("alibaba", record_alibaba)]:
        Capture.seen.clear()
        operations = record(base)
        for name, request in operations.items():
            request["answer"] = answer_to(request)
        document = {"sdk": sdk_versions(), "keys": {"huawei": [HUAWEI_AK, HUAWEI_SK], "alibaba": [ALIBABA_AK, ALIBABA_SK]}[cloud],
                    "material": {"certificate": CERT, "chain": CHAIN, "key": KEY}, "operations": operations}
        with open(os.path.join(arguments.out, f"{cloud}.json"), "w") as out:
            json.dump(document, out, indent=2, sort_keys=True)
            out.write("\n")
        print(f"{cloud}: {len(document['operations'])} operations recorded")
    server.shutdown()


if __name__ == "__main__":
    main()
