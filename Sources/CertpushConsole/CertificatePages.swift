import CertpushCore
import Foundation

/// What a screen listing certificates reads: the in-memory index (read again
/// only when certificates change), the ids a query matches (found again only
/// when the query changes), and the rows of the page in view.
///
/// The first frame waits for no index (SPEC 9: first screen < 100 ms): the
/// unfiltered list is counted and paged in the store (a count and one page of
/// ids), and the index starts loading on a thread of its own only at the next
/// frame, so that it takes nothing from the first one and is ready by the
/// time a filter is typed.
final class CertificatePages {
    private let session: Session
    private var index: (version: Int, loader: IndexLoader)?
    private var matches: (query: CertificateQuery, version: Int, ids: [CertificateID])?
    private var page: (query: CertificateQuery, range: Range<Int>, version: Int, rows: [Certificate])?
    /// The unfiltered count read from the store, while there is no index.
    private var unfilteredCount: (version: Int, count: Int)?

    init(session: Session) { self.session = session }

    /// Whether the query can be answered without the index: the whole list,
    /// newest first, until it is loaded. It starts loading once a frame has
    /// been drawn since the list was first asked for.
    private func withoutIndex(_ query: CertificateQuery, version: Int) -> Bool {
        guard query == CertificateQuery() else { return false }
        guard let index, index.version == version else {
            if let askedAt = firstAsked, session.framesPainted > askedAt {
                self.index = (version, IndexLoader(session.services.certificates))
            } else if firstAsked == nil {
                firstAsked = session.framesPainted
            }
            return true
        }
        return !index.loader.isReady
    }

    /// The frame in which the unfiltered list was first asked for.
    private var firstAsked: Int?

    /// How many certificates the query matches.
    func count(_ query: CertificateQuery) -> Int {
        let version = session.version(of: .certificates)
        if withoutIndex(query, version: version) {
            if let unfilteredCount, unfilteredCount.version == version { return unfilteredCount.count }
            let count = session.attempt({ try session.services.certificates.count() }, default: 0)
            unfilteredCount = (version, count)
            return count
        }
        return matching(query, version: version).count
    }

    private func matching(_ query: CertificateQuery, version: Int) -> [CertificateID] {
        if let matches, matches.query == query, matches.version == version { return matches.ids }
        if index?.version != version { index = (version, IndexLoader(session.services.certificates)) }
        let ids = session.attempt({ try index!.loader.wait().matching(query) }, default: [])
        matches = (query, version, ids)
        return ids
    }

    /// The rows of the query's matches in `range`, read from the store only
    /// when the range, the query or the data moved.
    func rows(_ query: CertificateQuery, in range: Range<Int>) -> [Certificate] {
        let version = session.version(of: .certificates)
        if let page, page.query == query, page.range == range, page.version == version { return page.rows }
        let certificates = session.services.certificates
        let ids: [CertificateID]
        if withoutIndex(query, version: version) {
            ids = session.attempt({ try certificates.ids(offset: range.lowerBound, limit: range.count) }, default: [])
        } else {
            let all = matching(query, version: version)
            ids = Array(all[range.clamped(to: all.indices)])
        }
        let rows = session.attempt({ try certificates.certificates(ids) }, default: [])
        page = (query, range, version, rows)
        return rows
    }
}

/// Builds the certificate index on a thread of its own; `wait` takes it.
private final class IndexLoader: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<CertificateIndex, Error>?

    init(_ certificates: CertificateService) {
        Thread.detachNewThread { [self] in
            let built = Result { try certificates.index() }
            condition.withLock {
                result = built
                condition.broadcast()
            }
        }
    }

    var isReady: Bool { condition.withLock { result != nil } }

    func wait() throws -> CertificateIndex {
        try condition.withLock {
            while result == nil { condition.wait() }
            return try result!.get()
        }
    }
}
