/// A store that can only be read: every write is refused with one sentence
/// before anything changes. What a database that needs a split is (W7).
public struct ReadOnlyStore: Store {
    public let base: any Store
    public let refusal: Refusal

    public init(_ base: any Store, refusal: Refusal) {
        self.base = base
        self.refusal = refusal
    }

    public var location: String { base.location }

    public func read<T>(_ body: (any StoreReader) throws -> T) throws -> T { try base.read(body) }

    public func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T { throw refusal }
}
