import CertpushCore
import CertpushSetup
import Crypto
import Foundation
import X509

/// SPEC R3 and 9: a long roll back in one process while others import,
/// list and run the queue. Each of them must finish in well under 2 s and
/// never see "database is locked", however long the provider takes.
///   swift run -c release certpush-bench busy-rollback [pairs] [latency-ms]
func busyRollback(seeded: Workspace, path: String, folder: URL, pairs: Int, latency: Int) throws {
    let wildcard = try require(try seeded.certificates.list(CertificateQuery()).first { $0.name == "wildcard-example" })
    let resources = try seeded.store.write { db in
        try (0..<pairs).map { n in
            try db.insertResource(CloudResource(id: ResourceID(0), service: "cdn", region: nil, name: "edge-\(n).example.com",
                                                domain: "edge-\(n).example.com", certificateID: nil))
        }
    }
    let task = try seeded.deployments.create(TaskRequest(name: "busy", certificates: [wildcard.id], resources: resources))
    print("\(task.id): \(task.count(.succeeded)) pairs succeeded; rolling back at \(latency) ms a pair in another process")

    let config = folder.appendingPathComponent("config")
    try FileManager.default.createDirectory(at: config.appendingPathComponent("certpush"), withIntermediateDirectories: true)
    try "sandbox_latency_ms = \(latency)\n".write(to: config.appendingPathComponent("certpush/config.toml"), atomically: true, encoding: .utf8)
    let certificate = try selfSigned("busy.example.org")
    let certFile = folder.appendingPathComponent("busy.pem"), keyFile = folder.appendingPathComponent("busy.key")
    try certificate.certificate.write(to: certFile, atomically: true, encoding: .utf8)
    try certificate.key.write(to: keyFile, atomically: true, encoding: .utf8)

    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("certpush")
    let environment = ProcessInfo.processInfo.environment.merging(["XDG_CONFIG_HOME": config.path]) { $1 }
    func start(_ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments + ["--db", path]
        process.environment = environment
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        return (process, errors)
    }

    let clock = ContinuousClock()
    let began = clock.now
    let (rollback, rollbackErrors) = try start(["tasks", "rollback", task.id.description])
    Thread.sleep(forTimeInterval: 0.5)
    var worst = 0.0
    for command in [["certs", "import", "--cert", certFile.path, "--key", keyFile.path], ["certs", "list"], ["tasks", "run-due"],
                    ["activity", "--limit", "5"]] {
        let started = clock.now
        let (process, errors) = try start(command)
        process.waitUntilExit()
        let elapsed = milliseconds(clock.now - started)
        worst = max(worst, elapsed)
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let verdict = process.terminationStatus == 0 && !said.contains("locked") ? "ok" : "FAILED: \(said)"
        let label = command.prefix(2).joined(separator: " ").padding(toLength: 22, withPad: " ", startingAt: 0)
        print("  \(label)" + String(format: "%7.1f ms while the roll back ran  ", elapsed) + verdict)
    }
    rollback.waitUntilExit()
    let rollbackErrorsText = String(decoding: rollbackErrors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let label = "roll back of \(pairs) pairs".padding(toLength: 22, withPad: " ", startingAt: 0)
    print("  \(label)" + String(format: "%7.0f ms, exit %d ", milliseconds(clock.now - began), rollback.terminationStatus) + rollbackErrorsText)
    print(String(format: "worst other command: %.1f ms (budget 2000 ms)", worst))
}

private func selfSigned(_ domain: String) throws -> (certificate: String, key: String) {
    let key = P256.Signing.PrivateKey()
    let name = try DistinguishedName { CommonName(domain) }
    let certificate = try X509.Certificate(
        version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
        notValidBefore: Date().addingTimeInterval(-3_600), notValidAfter: Date().addingTimeInterval(86_400 * 90),
        issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
        extensions: try X509.Certificate.Extensions { SubjectAlternativeNames([.dnsName(domain)]) },
        issuerPrivateKey: .init(key))
    return (try certificate.serializeAsPEM().pemString, key.pemRepresentation)
}

private func require<T>(_ value: T?) throws -> T {
    guard let value else { throw Refusal("The sandbox lacks what the benchmark needs.") }
    return value
}
