import CertpushCore
@testable import CertpushStore
import CertpushTestSupport
import Foundation
import Testing

/// Screens page resources through the store (SPEC 9): every page must be the
/// slice of the whole list, in order, that the same filter gives in memory.
@Suite struct ResourcePageTests {
    static let services = [("cdn", nil), ("elb", "cn-north-4"), ("elb", "ap-southeast-1"), ("waf", "cn-north-4")] as [(String, String?)]

    /// `count` resources spread over four places, names and domains varied, every fifth bound.
    func inventory(_ count: Int, store: any Store, domain: (Int) -> String = { "h\($0).site-\($0 % 97).example.com" }) throws {
        let bound = try makeTestService(store: store).importCertificate(ImportRequest(certificate: Fixtures.file("rsa-www.crt.pem"))).id
        try store.write { db in
            for n in 0..<count {
                let (service, region) = Self.services[(n * 7) % Self.services.count]
                _ = try db.insertResource(CloudResource(id: ResourceID(0), service: service, region: region, name: "Res_\(n)%",
                                                        domain: domain(n), certificateID: n % 5 == 0 ? bound : nil))
            }
        }
    }

    /// The list every screen shows: service, region, id.
    func reference(_ store: any Store, _ filter: ResourceFilter) throws -> [CloudResource] {
        try store.read { try $0.resources(filter) }.sorted {
            ($0.service, $0.region ?? "", $0.id) < ($1.service, $1.region ?? "", $1.id)
        }
    }

    @Test("walking pages forward and back gives the whole list once, in order, for every filter", arguments: Backend.all)
    func walk(_ backend: Backend) throws {
        let store = try makeTestStore(backend)
        try inventory(300, store: store)
        let filters = [ResourceFilter(), ResourceFilter(service: "elb"), ResourceFilter(service: "elb", region: "cn-north-4"),
                       ResourceFilter(service: "cdn", region: ""), ResourceFilter(text: "SITE-1"), ResourceFilter(text: "s_"),
                       ResourceFilter(text: "_1"), ResourceFilter(text: "%"), ResourceFilter(service: "waf", text: "h2"),
                       ResourceFilter(text: "nothing like it"), ResourceFilter(certificateID: CertificateID(1), text: "site"),
                       ResourceFilter(text: "r17"), ResourceFilter(text: "17"), ResourceFilter(service: "elb", text: "R250")]
        for filter in filters {
            let expected = try reference(store, filter).map(\.id)
            for size in [1, 7, 50] {
                var forward: [ResourceID] = []
                var page = try store.read { try $0.resourcePage(filter, .first, limit: size) }
                while let last = page.last {
                    forward += page.map(\.id)
                    page = try store.read { try $0.resourcePage(filter, .after(ResourcePosition(of: last)), limit: size) }
                }
                #expect(forward == expected, "forward by \(size): \(filter)")
                var backward: [ResourceID] = []
                page = try store.read { try $0.resourcePage(filter, .last, limit: size) }
                while let first = page.first {
                    backward = page.map(\.id) + backward
                    page = try store.read { try $0.resourcePage(filter, .before(ResourcePosition(of: first)), limit: size) }
                }
                #expect(backward == expected, "backward by \(size): \(filter)")
            }
            if expected.count > 3 {
                let middle = try store.read { try $0.resource(expected[3])! }
                let from = try store.read { try $0.resourcePage(filter, .from(ResourcePosition(of: middle)), limit: 2) }
                #expect(from.map(\.id) == Array(expected[3...4]))
            }
            let count = try store.read { try $0.resourceCount(filter, upTo: 1_000) }
            #expect(count == expected.count, "count: \(filter)")
            #expect(try store.read { try $0.resourceCount(filter, upTo: 2) } == min(2, expected.count))
        }
    }

    @Test("text beyond the rows a page scans is found through the trigram index, in order", arguments: Backend.all)
    func rareText(_ backend: Backend) throws {
        let store = try makeTestStore(backend)
        let count = SQLSession.textScanBudget + 2_000
        // Rows past the scan budget in list order carry the needle.
        try inventory(count, store: store) { n in n >= count - 1_500 && n % 3 == 0 ? "needle-\(n).example.com" : "h\(n).example.com" }
        let filter = ResourceFilter(text: "NEEDLE")
        let expected = try reference(store, filter).map(\.id)
        #expect(expected.count == 500)
        let first = try store.read { try $0.resourcePage(filter, .first, limit: 30) }
        #expect(first.map(\.id) == Array(expected.prefix(30)))
        let after = try store.read { try $0.resourcePage(filter, .after(ResourcePosition(of: first[29])), limit: 30) }
        #expect(after.map(\.id) == Array(expected[30..<60]))
        #expect(try store.read { try $0.resourceCount(filter, upTo: 10_000) } == 500)
        // An id is found however far down the list it is (issue 22, 8): r1234 as the lists write it.
        let last = try #require(expected.last)
        let byID = ResourceFilter(text: last.description)
        #expect(try store.read { try $0.resourcePage(byID, .first, limit: 30) }.map(\.id) == [last])
        #expect(try store.read { try $0.resourceCount(byID, upTo: 10) } == 1)
    }

    @Test("the tally follows inserts, moves and deletes", arguments: Backend.all)
    func tally(_ backend: Backend) throws {
        let store = try makeTestStore(backend)
        try inventory(40, store: store)
        func counts() throws -> [String: Int] {
            Dictionary(uniqueKeysWithValues: try store.read { try $0.resourceTally() }.map { ("\($0.service) \($0.region ?? "global")", $0.count) })
        }
        func scanned() throws -> [String: Int] {
            Dictionary(grouping: try store.read { try $0.resources(ResourceFilter()) }, by: { "\($0.service) \($0.region ?? "global")" })
                .mapValues(\.count)
        }
        #expect(try counts() == scanned())
        try store.write { db in
            let some = try db.resourcePage(ResourceFilter(service: "elb"), .first, limit: 3)
            let session = try #require(db as? SQLSession)
            try session.db.execute("UPDATE resource SET service = 'cdn', region = '' WHERE id = ?", [some[0].id.rawValue])
            try session.db.execute("DELETE FROM resource WHERE id = ?", [some[1].id.rawValue])
            try session.db.execute("UPDATE resource SET domain = 'moved.example.net' WHERE id = ?", [some[2].id.rawValue])
        }
        #expect(try counts() == scanned())
        #expect(try store.read { try $0.resourceCount(ResourceFilter(text: "moved.example"), upTo: 10) } == 1)
        #expect(try store.read { try $0.resourceCount(ResourceFilter(service: "cdn", region: ""), upTo: 100) } == scanned()["cdn global"])
    }
}
