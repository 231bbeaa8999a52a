import CertpushCore
import Foundation
import Testing

/// H1 and A1: the clouds' published examples, reproduced exactly.
@Suite struct RequestSigningTests {
    @Test("Huawei APIG SDK-HMAC-SHA256: the signing guide's GET on /v1/{project}/vpcs/")
    func huawei() {
        let request = SignableRequest(
            method: "GET", path: "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/",
            query: [("limit", "2"), ("marker", "13551d6b-755d-4757-b956-536f674975c0")],
            headers: ["Content-Type": "application/json", "Host": "service.region.example.com", "X-Sdk-Date": "20191115T033655Z"])
        let signed = RequestSigning.huawei(request, accessKey: "QTWAOYTTINDUT2QVKYUC", secretKey: "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc")
        #expect(signed.stringToSign.hasSuffix("b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"), "\(signed.canonicalRequest)")
        #expect(signed.signature == "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe")
        #expect(signed.authorization == "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe")
    }

    @Test("Alibaba Cloud ACS3-HMAC-SHA256: the signing guide's RunInstances POST")
    func alibaba() {
        let request = SignableRequest(
            method: "POST", path: "/",
            query: [("RegionId", "cn-shanghai"), ("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd")],
            headers: ["host": "ecs.cn-shanghai.aliyuncs.com", "x-acs-action": "RunInstances", "x-acs-version": "2014-05-26",
                      "x-acs-date": "2023-10-26T10:22:32Z", "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d"])
        let signed = RequestSigning.alibaba(request, accessKeyID: "YourAccessKeyId", secret: "YourAccessKeySecret")
        #expect(signed.hashedCanonicalRequest == "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259", "\(signed.canonicalRequest)")
        #expect(signed.signature == "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0")
    }
}
