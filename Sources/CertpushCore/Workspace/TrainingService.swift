import Foundation

/// W6: a training workspace practised in again. Handed only to a training
/// workspace: a live one has none, so neither front end can offer these there.
public struct TrainingService: Sendable {
    public let store: any Store
    public let time: any TimeSource
    public let user: String
    /// Makes a fresh seed of the sandbox (its CA, certificates, cloud).
    let seeder: any SandboxSeeding

    public init(store: any Store, time: any TimeSource, user: String, seeder: any SandboxSeeding) {
        self.store = store
        self.time = time
        self.user = user
        self.seeder = seeder
    }

    /// The seeded sandbox again, its quota full and the exercises to do, in
    /// one transaction: a kill leaves the old workspace or the new one.
    /// Refused while a task runs or has work in flight.
    public func reset() throws {
        let seed = try seeder.prepare()
        try store.write { db in
            let busy = try db.tasksInFlight()
            guard busy.isEmpty else {
                throw Refusal("Task \(busy.map(\.description).joined(separator: ", ")) is still running; reset the sandbox once it has finished. Nothing was changed.")
            }
            try db.eraseForReseed()
            try seed.write(into: db)
            try db.append(ActivityEntry(at: time.now(), user: user, action: "training.reset", subject: "sandbox",
                                        detail: "the seeded sandbox, its quota and the exercises again"))
        }
    }

    /// Ends the planned failure on a sandbox resource ("listener in
    /// maintenance"), so that a retry succeeds: the maintenance is over.
    @discardableResult
    public func fix(_ id: ResourceID) throws -> CloudResource {
        try store.write { db in
            guard let resource = try db.resource(id) else { throw Refusal("There is no resource \(id).") }
            guard let fault = resource.fault else {
                throw Refusal("\(id) \(DisplayText.neutralized(resource.name)) has no planned failure; nothing was changed.")
            }
            try db.setFault(nil, on: id)
            try db.append(ActivityEntry(at: time.now(), user: user, action: "training.fix", subject: id.description,
                                        detail: "ended: \(fault)"))
            return try db.resource(id) ?? resource
        }
    }
}

/// What makes the sandbox's contents: the slow part (keys, certificates)
/// first, outside any transaction, then a write that takes no time.
public protocol SandboxSeeding: Sendable {
    func prepare() throws -> any PreparedSeed
}

public protocol PreparedSeed: Sendable {
    func write(into db: any StoreWriter) throws
}
