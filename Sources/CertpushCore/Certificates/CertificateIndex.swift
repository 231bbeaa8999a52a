import Foundation

/// What the list needs of one certificate to decide whether a query shows it.
public struct CertificateListEntry: Sendable, Equatable {
    public var id: CertificateID
    public var source: CertificateSource
    public var lifecycle: CertificateLifecycle
    public var notAfter: Date?
    /// Lowercased id, name and domains: what a filter looks in.
    public var searchText: String

    public init(id: CertificateID, source: CertificateSource, lifecycle: CertificateLifecycle, notAfter: Date?, searchText: String) {
        self.id = id
        self.source = source
        self.lifecycle = lifecycle
        self.notAfter = notAfter
        self.searchText = searchText
    }

    /// The one definition of what a filter matches against.
    public static func searchText(id: CertificateID, name: String, domains: [String]) -> String {
        ([id.description, name] + domains).joined(separator: " ").lowercased()
            .replacingOccurrences(of: "\n", with: " ")
    }
}

/// All certificates' list entries as the store hands them over in one read:
/// their attributes, newest first, and their search texts in the same order,
/// each ending in a newline. Columns rather than rows, so that 100,000 of
/// them load without 100,000 strings being made.
public struct CertificateListing: Sendable {
    public var entries: [Attributes]
    public var searchText: [UInt8]

    public struct Attributes: Sendable, Equatable {
        public var id: CertificateID
        public var source: CertificateSource
        public var lifecycle: CertificateLifecycle
        public var notAfter: Date?

        public init(id: CertificateID, source: CertificateSource, lifecycle: CertificateLifecycle, notAfter: Date?) {
            self.id = id
            self.source = source
            self.lifecycle = lifecycle
            self.notAfter = notAfter
        }
    }

    public init(entries: [Attributes], searchText: [UInt8]) {
        self.entries = entries
        self.searchText = searchText
    }
}

/// Every certificate's list entry in memory, newest first. A query is one
/// pass over a few megabytes at 100,000 certificates, so filtering keeps up
/// with typing; the rows themselves are read from the store a window at a time.
public struct CertificateIndex: Sendable {
    private let entries: [CertificateListing.Attributes]
    /// All search texts, each followed by a newline, so one pass finds them all.
    private let text: [UInt8]
    /// Where each entry's text starts in `text`, ascending.
    private let starts: [Int]

    public init(listing: CertificateListing) {
        entries = listing.entries
        text = listing.searchText
        var starts: [Int] = []
        starts.reserveCapacity(entries.count)
        text.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                starts.append(offset)
                guard let newline = memchr(bytes.baseAddress! + offset, 0x0A, bytes.count - offset) else { break }
                offset = bytes.baseAddress!.distance(to: UnsafeRawPointer(newline)) + 1
            }
        }
        precondition(starts.count == entries.count, "a listing's texts and entries must pair up")
        self.starts = starts
    }

    /// From whole entries, in any order (for tests and small lists).
    public init(entries: [CertificateListEntry]) {
        let sorted = entries.sorted { $0.id > $1.id }
        self.init(listing: CertificateListing(
            entries: sorted.map { .init(id: $0.id, source: $0.source, lifecycle: $0.lifecycle, notAfter: $0.notAfter) },
            searchText: Array(sorted.map { $0.searchText + "\n" }.joined().utf8)))
    }

    public var count: Int { entries.count }

    /// The ids the query shows, newest first.
    public func matching(_ query: CertificateQuery) -> [CertificateID] {
        let needle = Array(query.text.trimmingCharacters(in: .whitespaces).lowercased().utf8)
        let candidates: [Int] = needle.isEmpty ? Array(entries.indices) : entriesContaining(needle)
        return candidates.lazy.map { entries[$0] }.filter { entry in
            if let source = query.source, entry.source != source { return false }
            if let window = query.expiring {
                guard entry.lifecycle == .issued || entry.lifecycle == .hosted,
                      let notAfter = entry.notAfter, window.contains(notAfter) else { return false }
            }
            return true
        }.map(\.id)
    }

    private func entriesContaining(_ needle: [UInt8]) -> [Int] {
        guard !needle.contains(0x0A), text.count >= needle.count else { return [] }
        var found: [Int] = []
        text.withUnsafeBytes { haystack in
            needle.withUnsafeBytes { pattern in
                let base = haystack.baseAddress!, length = pattern.count, last = haystack.count - length
                var offset = 0
                // memchr finds each candidate first byte; memcmp checks the rest.
                while offset <= last,
                      let candidate = memchr(base + offset, Int32(needle[0]), last - offset + 1) {
                    let position = base.distance(to: UnsafeRawPointer(candidate))
                    guard memcmp(base + position, pattern.baseAddress!, length) == 0 else {
                        offset = position + 1
                        continue
                    }
                    let entry = entryIndex(containing: position)
                    found.append(entry)
                    // Go on from the next entry: one hit per certificate is enough.
                    offset = entry + 1 < starts.count ? starts[entry + 1] : haystack.count
                }
            }
        }
        return found
    }

    private func entryIndex(containing position: Int) -> Int {
        var low = 0, high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= position { low = middle } else { high = middle - 1 }
        }
        return low
    }
}
