import Foundation

/// SPEC 15: the exercises of a training workspace, in the order a trainee
/// meets the work (E2). Each is judged from what the workspace shows was
/// done (E3) and says in plain words what the step means, what the real
/// clouds' consoles call it and what each failure on the way means (E4).
public struct Exercise: Sendable {
    public let id: String
    public let title: String
    /// What to do, in one sentence.
    public let goal: String
    /// Where to start, in the console and on the command line.
    public let hint: String
    /// E4: what the step means, what Huawei SCM and Alibaba CAS call it, and
    /// what its failures mean and what an admin does about them.
    public let explain: String
    let isDone: @Sendable (ExerciseFacts) -> Bool

    public func done(_ facts: ExerciseFacts) -> Bool { isDone(facts) }
}

/// An exercise with whether the workspace shows it done.
public struct ExerciseStatus: Sendable {
    public let exercise: Exercise
    public let done: Bool
}

public enum Exercises {
    /// P4's refusal begins so (PushRules): how a name clash is told apart from other failures.
    static let nameClash = "CDN already has a certificate named"

    public static func status(_ facts: ExerciseFacts) -> [ExerciseStatus] {
        all.map { ExerciseStatus(exercise: $0, done: $0.done(facts)) }
    }

    public static let all: [Exercise] = [
        Exercise(
            id: "details", title: "Read a certificate's details",
            goal: "Open the details of any certificate and read its domains, status, source and where it is in use.",
            hint: "SSL Certificates: Enter on a row (or m, Details). CLI: certpush certs show c1.",
            explain: """
                A certificate's details are what you check before you touch it: the domains it covers (SAN), its status \
                (issued, hosted, expired), whether certpush holds its private key, and where it is already pushed or bound. \
                Huawei SCM calls this page "Certificate Details"; Alibaba CAS shows it under "Certificate Management > Details". \
                Nothing can fail here; an admin reads it to know what a change would replace.
                """,
            isDone: { $0.events.contains(ExerciseLog.Event.details.rawValue) }),
        Exercise(
            id: "push-cdn", title: "Push a certificate to CDN",
            goal: "Push a certificate into the CDN service's certificate store.",
            hint: "SSL Certificates: p on wildcard-example, Space on CDN, Tab, Enter. CLI: certpush push c2 --service cdn.",
            explain: """
                Pushing copies a certificate into a cloud service's own certificate store; it is not in use yet. \
                Huawei SCM calls it "Push Certificate" (to CDN, WAF, ELB); Alibaba CAS uploads a certificate to a product the same way. \
                It fails when the certificate is not issued or hosted, when its key is not held here (a manual CSR), \
                or when the service already has it (P3): an admin then uses the copy that is there.
                """,
            isDone: { facts in facts.pushes.contains { $0.succeeded && $0.service == "cdn" } }),
        Exercise(
            id: "push-elb-regions", title: "Push to ELB in three regions",
            goal: "Push one certificate to Elastic Load Balance in three regions at once.",
            hint: "Push page of pay.example.net: ELB, r to pick regions, Space on three, Enter, Tab, Enter. CLI: certpush push c4 --service elb --region R (three times).",
            explain: """
                ELB and WAF are regional: each region keeps its own store, so one push names the regions it goes to. \
                Huawei SCM's push dialog picks "target projects" (regions) for regional services; each region succeeds or fails \
                on its own. A region where the service is not enabled fails with that reason: an admin enables (buys) it there \
                or leaves that region out.
                """,
            isDone: { facts in
                Dictionary(grouping: facts.pushes.filter { $0.succeeded && $0.service == "elb" }, by: \.certificate)
                    .values.contains { Set($0.compactMap(\.region)).count >= 3 }
            }),
        Exercise(
            id: "region-cap", title: "Meet the region cap",
            goal: "Try to pick an 11th region for one push and read what certpush says.",
            hint: "In the region picker, Space on eleven regions. CLI: --region given eleven times.",
            explain: """
                One push names at most 10 regions (P5), as Huawei SCM's batch push takes 1 to 10 target projects. \
                certpush refuses the 11th with "You can select up to 10 regions." and nothing is pushed. \
                An admin with more regions pushes twice.
                """,
            isDone: { $0.events.contains(ExerciseLog.Event.regionCap.rawValue) }),
        Exercise(
            id: "name-clash", title: "Meet the CDN name clash",
            goal: "Push static-assets to CDN and read why CDN refuses it.",
            hint: "Push page on static-assets, CDN. CLI: certpush push c8 --service cdn.",
            explain: """
                CDN keeps one certificate per name (P4): someone uploaded a certificate called static-assets to CDN by hand, \
                so a second one with that name is refused, and the refusal is recorded. \
                Huawei SCM answers such a push with a "certificate name already exists" error; Alibaba CAS refuses an upload \
                whose name is taken. It is not a fault of the certificate: an admin renames one of the two.
                """,
            isDone: { facts in facts.pushes.contains { !$0.succeeded && $0.service == "cdn" && $0.reason.hasPrefix(nameClash) } }),
        Exercise(
            id: "name-clash-resolved", title: "Resolve the name clash",
            goal: "Rename the certificate CDN refused, then push it to CDN again.",
            hint: "SSL Certificates: m, Rename on static-assets, then p. CLI: certpush certs rename c8 static-assets-2026.",
            explain: """
                Renaming changes only the name a person and the cloud's store see; the certificate stays the same. \
                Both Huawei SCM and Alibaba CAS let you edit a certificate's name in their consoles. \
                After the rename the push succeeds: the clash was the name, not the certificate.
                """,
            isDone: { facts in
                let clashed = Set(facts.pushes.filter { !$0.succeeded && $0.service == "cdn" && $0.reason.hasPrefix(nameClash) }.map(\.certificate))
                return facts.actions.contains("certificate.rename")
                    && facts.pushes.contains { $0.succeeded && $0.service == "cdn" && clashed.contains($0.certificate) }
            }),
        Exercise(
            id: "configure-bind", title: "Configure Now and bind",
            goal: "After a push, choose Configure Now and bind the pushed certificate to a resource.",
            hint: "After a push: Configure Now, then b on a resource in the service view and confirm. CLI: certpush resources bind RID CID.",
            explain: """
                A pushed certificate is only in the store; binding puts it on a listener or a domain, where clients see it. \
                Huawei SCM's "Configure Now" after a push opens the service's console for exactly this step; in Alibaba CAS it is \
                part of a deployment. A bind can fail when the resource is in maintenance: an admin waits and binds again.
                """,
            isDone: { $0.actions.contains("resource.bind") }),
        Exercise(
            id: "refused-certificates", title: "Find why a certificate is refused",
            goal: "Try to deploy 测试证书 to the listener serving its domain, and read why it is refused.",
            hint: "SSL Certificates: d on 测试证书, add listener-shop-443, preview. CLI: certpush tasks preview --name x --cert c7 --resource r3.",
            explain: """
                Two rules refuse a certificate for a deployment: an SM (Chinese national) certificate goes only to CDN, DCDN and \
                Anti-DDoS, which accept SM (D4); and a certificate whose name has Chinese characters cannot be deployed (D3). \
                Alibaba CAS refuses both in its deployment task; an admin deploys SM certificates only where they are accepted, \
                and renames a certificate with a Chinese name before deploying it.
                """,
            isDone: { $0.events.contains(ExerciseLog.Event.smRefused.rawValue) || $0.events.contains(ExerciseLog.Event.chineseNameRefused.rawValue) }),
        Exercise(
            id: "smart-match", title: "A deployment task with smart matching",
            goal: "Create a deployment task for wildcard-example and accept the resources smart matching proposes.",
            hint: "SSL Certificates: d on wildcard-example, step 3 offers the matching resources: Add Them, then submit. CLI: tasks create --cert c2 --match.",
            explain: """
                Smart matching finds every resource that already serves a domain the certificate covers (a wildcard covers one label), \
                so a renewal reaches all of them at once. Alibaba CAS's "Deployment to Cloud Services" task proposes them the same \
                way. A resource the certificate does not cover blocks the preview: remove it or choose a certificate that covers it.
                """,
            isDone: { $0.events.contains(ExerciseLog.Event.smartMatch.rawValue) && $0.tasks > 0 }),
        Exercise(
            id: "preview", title: "Read the preview's pairs and quota",
            goal: "Reach a task's preview and read how many certificate-resource pairs it has and how much quota it takes.",
            hint: "The wizard's last step (Preview and Submit). CLI: certpush tasks preview --name x --cert c10 --match.",
            explain: """
                Each resource in a task gets one pair: the chosen certificate that covers it best. An uploaded certificate that is \
                not shared takes one unit of deployment quota per pair (D9); official and shared ones take none. Alibaba CAS shows \
                the same count and quota before you submit. A task that needs more quota than is left cannot be submitted: \
                an admin buys more, or deploys fewer pairs.
                """,
            isDone: { $0.events.contains(ExerciseLog.Event.preview.rawValue) }),
        Exercise(
            id: "failed-then-retried", title: "A failed listener, its cause, and a retry",
            goal: "Deploy to listener-hk-443, read why it fails, end its maintenance, and retry the failed pair.",
            hint: "A task with wildcard-example on r6 fails: \"listener in maintenance\". Cloud Resources, ELB: f on r6 ends it; task details: r retries. CLI: certpush training fix r6, certpush tasks retry T.",
            explain: """
                One failing resource never stops the others: the task ends partially failed and says why, per resource. \
                A listener in maintenance refuses changes until the maintenance ends; in Alibaba CAS the failed worker shows the \
                cause and offers a retry, which takes quota again and gives it back if it fails again. \
                An admin reads the cause, waits for the maintenance (here: training fix ends it), and retries only the failed pairs.
                """,
            isDone: { $0.succeededAfterFix && $0.actions.contains("task.retry") }),
        Exercise(
            id: "roll-back", title: "Roll a resource back",
            goal: "Roll back one resource of a finished task, so it holds its previous certificate again.",
            hint: "Deployment Tasks: Enter on a task, b on a succeeded row. CLI: certpush tasks rollback T --resource RID.",
            explain: """
                Roll Back puts back the certificate the resource had before the task (or none). Alibaba CAS rolls back a \
                deployment's resources the same way, one worker at a time. Only a succeeded resource can be rolled back; \
                a failed one never changed.
                """,
            isDone: { $0.pairStatuses.contains(.rolledBack) }),
        Exercise(
            id: "schedule", title: "Schedule a task",
            goal: "Create a task with a custom deployment time in the future.",
            hint: "The wizard's first step: Deployed At, custom time. CLI: tasks create ... --at \"2030-01-01 09:00\".",
            explain: """
                A scheduled task waits until its time and is then run by an open console or by `certpush tasks run-due` from cron. \
                Alibaba CAS calls it a "scheduled deployment"; it is how changes go out in a maintenance window. \
                A time in the past is refused.
                """,
            isDone: { $0.scheduledTasks > 0 }),
        Exercise(
            id: "delete-tasks", title: "Delete tasks",
            goal: "Delete one or more finished tasks.",
            hint: "Deployment Tasks: Space to select, x to delete, confirm. CLI: certpush tasks delete T.",
            explain: """
                Deleting a task removes its record for good ("cannot be restored"); what it deployed stays deployed. \
                A running task cannot be deleted. Alibaba CAS deletes deployment tasks the same way, with the same warning.
                """,
            isDone: { $0.actions.contains("task.delete") }),
    ]
}
