import CertpushConsole
import CertpushCore
import CertpushSetup
import Foundation
import TerminalKit

// Speed at scale (SPEC 9), measured rather than asserted. Run in release:
//   swift run -c release certpush-bench list [certificates]      first screen and filter keys (100,000)
//   swift run -c release certpush-bench match [resources] [certificates]
//                                                 smart matching (1,000,000 resources, 1,000 certificates)
//   swift run -c release certpush-bench make-db PATH [certificates] [resources]
//                                                 a database at scale (100,000 and 1,000,000) to measure the real binary on
//   swift run -c release certpush-bench budgets PATH [path/to/certpush]
//                                                 every SPEC 9 budget, measured on a copy of a make-db database
//   swift run -c release certpush-bench busy-rollback [pairs] [latency-ms]
//                                                 other commands during a slow roll back (60 pairs, 300 ms)
//   swift run -c release certpush-bench fleet [hosts] [sites] [path/to/certpush]
//                                                 a task over real nginx hosts on loopback (20 of 10 sites): deploy, roll back
// Each run builds its database in a temporary folder.

let arguments = Array(CommandLine.arguments.dropFirst())
let mode = arguments.first ?? "list"

if mode == "make-db" {
    guard arguments.count >= 2 else {
        print("usage: certpush-bench make-db PATH [certificates] [resources]")
        exit(2)
    }
    try makeDatabase(path: arguments[1], certificates: arguments.dropFirst(2).first.flatMap(Int.init) ?? 100_000,
                     resources: arguments.dropFirst(3).first.flatMap(Int.init) ?? 1_000_000)
    exit(0)
}

if mode == "budgets" {
    guard arguments.count >= 2 else {
        print("usage: certpush-bench budgets PATH [--postgres URL] [path/to/certpush]   (PATH made by make-db; CERTPUSH_KEYRING as when it was made)")
        exit(2)
    }
    // T1: `--postgres URL` measures the same paths on a workspace in PostgreSQL (an empty database the copy goes into).
    var rest = Array(arguments.dropFirst(2))
    var postgres: String?
    if let flag = rest.firstIndex(of: "--postgres"), flag + 1 < rest.count {
        postgres = rest[flag + 1]
        rest.removeSubrange(flag...(flag + 1))
    }
    let binary = rest.first ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("certpush").path
    try budgets(database: arguments[1], binary: binary, postgres: postgres)
    exit(0)
}

if mode == "fleet" {
    let binary = arguments.dropFirst(3).first ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("certpush").path
    try fleet(hosts: arguments.dropFirst().first.flatMap(Int.init) ?? 20, sites: arguments.dropFirst(2).first.flatMap(Int.init) ?? 10, binary: binary)
    exit(0)
}

let count = arguments.dropFirst().first.flatMap(Int.init) ?? (mode == "match" ? 1_000_000 : 100_000)
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("certpush-bench-\(getpid())")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }
let path = folder.appendingPathComponent("bench.sqlite").path

func measure<T>(_ body: () throws -> T) rethrows -> (T, Duration) {
    let clock = ContinuousClock()
    let start = clock.now
    let result = try body()
    return (result, clock.now - start)
}

func milliseconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) * 1_000 + Double(attoseconds) / 1e15
}

func report(_ label: String, _ samples: [Duration]) {
    let sorted = samples.map(milliseconds).sorted()
    let median = sorted[sorted.count / 2], worst = sorted.last!
    print(String(format: "%-44@ median %8.2f ms   worst %8.2f ms   (%d runs)", label as NSString, median, worst, sorted.count))
}

let seeded = try Workspace.open(path: path, user: "bench")
let template = try seeded.certificates.certificate(CertificateID(1))

if mode == "busy-rollback" {
    let pairs = arguments.dropFirst().first.flatMap(Int.init) ?? 60
    let latency = arguments.dropFirst(2).first.flatMap(Int.init) ?? 300
    try busyRollback(seeded: seeded, path: path, folder: folder, pairs: pairs, latency: latency)
    exit(0)
}

if mode == "match" {
    // N resources serving www.site-K.example.com, half ELB listeners already bound, half CDN
    // domains without HTTPS; M certificates for *.site-K.example.com, each matching one resource.
    let certificateCount = arguments.dropFirst(2).first.flatMap(Int.init) ?? 1_000
    let (ids, fill) = try measure {
        try seeded.store.write { db -> [CertificateID] in
            for n in 0..<count {
                _ = try db.insertResource(CloudResource(
                    id: ResourceID(0), service: n % 2 == 0 ? "elb" : "cdn", region: n % 2 == 0 ? "cn-north-4" : nil,
                    name: "r-\(n)", domain: "www.site-\(n).example.com", certificateID: n % 2 == 0 ? template.id : nil))
            }
            return try (0..<certificateCount).map { n in
                var certificate = template
                certificate.name = "site-\(n * (count / certificateCount))"
                certificate.domains = ["*.site-\(n * (count / certificateCount)).example.com"]
                certificate.fingerprint = String(format: "%064x", n + 2_000_000)
                return try db.insert(CertificateDraft(certificate: certificate, privateKeyPEM: nil))
            }
        }
    }
    print("filled \(count) resources and \(certificateCount) certificates in \(Int(milliseconds(fill))) ms")
    var runs: [Duration] = []
    var found = 0
    for _ in 0..<5 {
        let (matches, elapsed) = try measure { try seeded.deployments.smartMatches(for: ids) }
        found = matches.count
        runs.append(elapsed)
    }
    report("smart matching, \(certificateCount) certificates (\(found) found)", runs)
    exit(0)
}

// Fill: the sandbox's first certificate, stored N times under other names and domains.
let (_, fill) = try measure {
    try seeded.store.write { db in
        for n in 0..<count {
            var certificate = template
            certificate.name = "site-\(n).example.com"
            certificate.domains = ["site-\(n).example.com", "www.site-\(n).example.com"]
            certificate.fingerprint = String(format: "%064x", n + 1_000_000)
            _ = try db.insert(CertificateDraft(certificate: certificate, privateKeyPEM: nil))
        }
    }
}
print("filled \(count) certificates in \(Int(milliseconds(fill))) ms")

let size = Size(width: 100, height: 30)
func openConsole() throws -> Console {
    let workspace = try Workspace.open(path: path, user: "bench")
    return Console(context: ConsoleContext(
        certificates: workspace.certificates, push: workspace.push, deployments: workspace.deployments, databaseLabel: path, workspace: .training, theme: .standard,
        readFile: InputFile.load(path:)))
}

// First screen: open the database and render the certificate list.
var firstScreen: [Duration] = []
for _ in 0..<10 {
    let (_, elapsed) = try measure { try openConsole().render(size: size) }
    firstScreen.append(elapsed)
}
report("first screen (open + render)", firstScreen)

// Filter: each key typed after "/" is handled and the screen redrawn.
var filterKeys: [Duration] = []
for _ in 0..<5 {
    let console = try openConsole()
    _ = console.handle(.character("/"), size: size)
    _ = console.render(size: size)
    for character in "site-4242" {
        let (_, elapsed) = measure {
            _ = console.handle(.character(character), size: size)
            _ = console.render(size: size)
        }
        filterKeys.append(elapsed)
    }
}
report("filter key (handle + render)", filterKeys)

// Scrolling a page down.
var pageDown: [Duration] = []
let console = try openConsole()
_ = console.render(size: size)
for _ in 0..<20 {
    let (_, elapsed) = measure {
        _ = console.handle(.pageDown, size: size)
        _ = console.render(size: size)
    }
    pageDown.append(elapsed)
}
report("page down (handle + render)", pageDown)

// Where the first screen's time goes: reading the list entries, and indexing them.
let workspace = try Workspace.open(path: path, user: "bench")
var reads: [Duration] = [], indexing: [Duration] = []
for _ in 0..<10 {
    let (entries, read) = try measure { try workspace.store.read { try $0.certificateListing() } }
    let (_, built) = measure { CertificateIndex(listing: entries) }
    reads.append(read)
    indexing.append(built)
}
report("  of which: read list entries", reads)
report("  of which: build the index", indexing)
