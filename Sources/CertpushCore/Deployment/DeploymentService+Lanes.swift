import Foundation

/// S11: a fleet at once. Pairs of an account whose deployer works in lanes
/// (a servers account: one lane per host, the pair's `region`) run lane by
/// lane, up to the account's `parallel` lanes at once, each lane's pairs in
/// order; every other pair runs one after another, as before. Each pair is
/// still its own intent, call and result (R3): lanes only overlap the calls.
extension DeploymentService {
    struct Lane {
        var account: String
        var pairs: [(index: Int, pair: TaskPair)]
    }

    /// Runs `body` on each pair, lanes at once; the results in the pairs' order.
    /// A thrown error (a lost claim) stops lanes from starting and is rethrown.
    func inLanes<Result>(_ pairs: [TaskPair], _ body: @escaping @Sendable (TaskPair) throws -> Result) throws -> [Result] {
        var lanes: [Lane] = [], laneOf: [String: Int] = [:], limits: [String: Int] = [:]
        for (index, pair) in pairs.enumerated() {
            let parallel = limits[pair.account] ?? ((try? drivers.deployer(pair.account).parallel) ?? 1)
            limits[pair.account] = parallel
            // One lane for the pairs that run one after another; one per host otherwise.
            let key = parallel > 1 ? laneKey(pair) : "\u{0}sequential"
            if let lane = laneOf[key] {
                lanes[lane].pairs.append((index, pair))
            } else {
                laneOf[key] = lanes.count
                lanes.append(Lane(account: parallel > 1 ? pair.account : "", pairs: [(index, pair)]))
            }
        }
        guard lanes.count > 1 else { return try pairs.map(body) }

        let gates = Dictionary(uniqueKeysWithValues: Set(lanes.map(\.account)).map { account in
            (account, DispatchSemaphore(value: account.isEmpty ? 1 : max(1, limits[account] ?? 1)))
        })
        let state = LaneState<Result>(count: pairs.count), all = lanes
        let workers = min(lanes.count, gates.keys.reduce(0) { $0 + (limits[$1] ?? 1) } + 1, 64)
        // Threads of their own, not Dispatch's pool: a lane mostly waits on a host, and the pool is as wide as the CPUs.
        let done = DispatchGroup()
        for _ in 0..<workers {
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                while let lane = state.nextLane(of: all) {
                    let gate = gates[lane.account]!
                    gate.wait()
                    defer { gate.signal() }
                    for (index, pair) in lane.pairs {
                        guard !state.stopped else { return }
                        do { state.set(index, try body(pair)) } catch { state.stop(error) }
                    }
                }
            }
            thread.start()
        }
        done.wait()
        if let error = state.error { throw error }
        return state.results.map { $0! }
    }
}

/// S11: a canary host's pair failed; the task stops there.
struct CanaryFailed: Error {
    var host: String
}

extension DeploymentService {
    /// A pair's lane: its account and host.
    func laneKey(_ pair: TaskPair) -> String { "\(pair.account)\u{0}\(pair.region ?? "")" }

    /// The lanes that go first: each account's first `canary` hosts, in the account's order.
    func canaryLanes(of pairs: [TaskPair]) -> Set<String> {
        var canaries = Set<String>()
        for account in Set(pairs.map(\.account)) {
            guard let deployer = try? drivers.deployer(account), deployer.canary > 0 else { continue }
            let used = Set(pairs.filter { $0.account == account }.compactMap(\.region))
            for host in deployer.lanes.filter(used.contains).prefix(deployer.canary) { canaries.insert("\(account)\u{0}\(host)") }
        }
        return canaries
    }

    /// Every pair of the task not started yet becomes skipped, with why (D11).
    func skipPending(of id: TaskID, because cause: String) throws {
        try store.write { db in
            for var pair in try db.task(id)?.pairs.filter({ $0.status == .pending }) ?? [] {
                pair.status = .skipped
                pair.cause = cause
                try db.update(pair, at: time.now())
            }
        }
    }
}

/// What the lanes share: which lane is next, the results, the first error.
private final class LaneState<Result>: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var stored: [Result?]
    private var failure: Error?

    init(count: Int) { stored = Array(repeating: nil, count: count) }

    func nextLane(of lanes: [DeploymentService.Lane]) -> DeploymentService.Lane? {
        lock.withLock {
            guard failure == nil, next < lanes.count else { return nil }
            defer { next += 1 }
            return lanes[next]
        }
    }

    func set(_ index: Int, _ value: Result) { lock.withLock { stored[index] = value } }
    func stop(_ error: Error) { lock.withLock { if failure == nil { failure = error } } }
    var stopped: Bool { lock.withLock { failure != nil } }
    var error: Error? { lock.withLock { failure } }
    var results: [Result?] { lock.withLock { stored } }
}
