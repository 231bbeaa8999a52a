import CertpushCore
import Foundation

/// What a screen listing certificates reads: the in-memory index (read again
/// only when certificates change), the ids a query matches (found again only
/// when the query changes), and the rows of the page in view. The unfiltered
/// list needs only ids, so it shows at once while the index loads on a thread
/// of its own, ready by the time a filter is typed (SPEC 9: first screen < 100 ms).
final class CertificatePages {
    private let session: Session
    private var index: (version: Int, loader: IndexLoader)?
    private var matches: (query: CertificateQuery, version: Int, ids: [CertificateID])?
    private var page: (ids: ArraySlice<CertificateID>, version: Int, rows: [Certificate])?

    init(session: Session) { self.session = session }

    func matching(_ query: CertificateQuery) -> [CertificateID] {
        let version = session.version(of: .certificates)
        if matches?.query == query, matches?.version == version { return matches!.ids }
        if index?.version != version { index = (version, IndexLoader(session.services.certificates)) }
        do {
            let ids: [CertificateID]
            if query == CertificateQuery(), !index!.loader.isReady {
                ids = try session.services.certificates.ids()
            } else {
                ids = try index!.loader.wait().matching(query)
            }
            matches = (query, version, ids)
            return ids
        } catch {
            session.complain(error)
            return []
        }
    }

    /// The rows of the query's matches in `range`, read from the store only
    /// when the range, the query or the data moved.
    func rows(_ query: CertificateQuery, in range: Range<Int>) -> [Certificate] {
        let all = matching(query)
        let ids = all[range.clamped(to: all.indices)]
        let version = session.version(of: .certificates)
        if let page, page.ids == ids, page.version == version { return page.rows }
        do {
            let rows = try session.services.certificates.certificates(Array(ids))
            page = (ids, version, rows)
            return rows
        } catch {
            session.complain(error)
            return []
        }
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
