import CertpushCore

/// What a screen listing certificates reads: the in-memory index (read again
/// only when certificates change), the ids a query matches (found again only
/// when the query changes), and the rows of the page in view.
final class CertificatePages {
    private let session: Session
    private var index: (version: Int, value: CertificateIndex)?
    private var matches: (query: CertificateQuery, version: Int, ids: [CertificateID])?
    private var page: (ids: ArraySlice<CertificateID>, version: Int, rows: [Certificate])?

    init(session: Session) { self.session = session }

    func matching(_ query: CertificateQuery) -> [CertificateID] {
        let version = session.version(of: .certificates)
        do {
            if index?.version != version { index = (version, try session.context.certificates.index()) }
        } catch {
            session.complain(error)
            return []
        }
        if matches?.query != query || matches?.version != version {
            matches = (query, version, index!.value.matching(query))
        }
        return matches!.ids
    }

    /// The rows of the query's matches in `range`, read from the store only
    /// when the range, the query or the data moved.
    func rows(_ query: CertificateQuery, in range: Range<Int>) -> [Certificate] {
        let all = matching(query)
        let ids = all[range.clamped(to: all.indices)]
        let version = session.version(of: .certificates)
        if let page, page.ids == ids, page.version == version { return page.rows }
        do {
            let rows = try session.context.certificates.certificates(Array(ids))
            page = (ids, version, rows)
            return rows
        } catch {
            session.complain(error)
            return []
        }
    }
}
