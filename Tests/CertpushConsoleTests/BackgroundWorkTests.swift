import CertpushCore
import CertpushTestSupport
import Foundation
import TerminalKit
import Testing

/// K1 and K2: provider work runs away from the keys, several pieces at once,
/// each named on the message line while it runs; quitting asks.
@Suite struct BackgroundWorkTests {
    @Test("K1: while a deployment runs, keys move, other screens open and a roll back starts; both finish and both results show")
    func deploymentAndRollBackAtOnce() throws {
        let runner = HeldRunner()
        let driver = try ConsoleDriver(size: Size(width: 120, height: 30), background: runner)
        let deployments = driver.fixture.workspace.deployments
        // A finished task to roll back from: media-upload on img.example.com.
        let done = try deployments.create(TaskRequest(name: "done", certificates: [try driver.fixture.certificateID(named: "media-upload")],
                                                      resources: [try driver.fixture.resource("cdn", "img.example.com").id]))
        #expect(done.status == .succeeded)

        // A new deployment from the wizard: it is held, as a slow provider would hold it.
        driver.select("wildcard-example").press("d", "Enter", "Enter", "Enter", "Enter", "Enter")
        #expect(runner.running.map(\.label) == ["t2 deploy"], "\(driver.screen)")
        // The keys still work: move, open other sections and screens.
        driver.press("Esc", "Tab", "j", "Enter")
        #expect(driver.screen.contains("RESOURCES"), "\(driver.screen)")
        driver.press("Tab", "k", "Enter")
        #expect(driver.screen.contains("t1"))
        // A roll back of t1's resource while t2 runs.
        driver.press("j", "Enter")
        #expect(driver.screen.contains("Task t1"), "\(driver.screen)")
        driver.press("b", "Tab", "Enter")
        #expect(Set(runner.running.map(\.label)) == ["t2 deploy", "roll back r9"], "\(runner.running)")
        #expect(driver.screen.contains("2 running: t2 deploy 0/12, roll back r9"), "\(driver.screen)")
        // The roll back ends first; its result arrives on the message line at the next tick.
        runner.release("roll back r9")
        driver.console.tick()
        // r9 held c12 before the task too (smart matching chose it): the sentence says it keeps it (issue 22, 9).
        #expect(driver.screen.contains("r9 img.example.com: keeps c12, which it held before"), "\(driver.screen)")
        #expect(runner.running.map(\.label) == ["t2 deploy"])
        runner.release("t2 deploy")
        driver.console.tick()
        #expect(driver.screen.contains("t2 Deploy wildcard-example: partially failed."), "\(driver.screen)")
        #expect(try deployments.task(TaskID(2)).status == .partiallyFailed)
        #expect(try deployments.task(TaskID(1)).pairs.first?.status == .rolledBack)
    }

    @Test("K2: q while work runs says what runs and asks; Keep Working stays, Quit quits")
    func quitAsks() throws {
        let runner = HeldRunner()
        let driver = try ConsoleDriver(size: Size(width: 100, height: 30), background: runner)
        driver.select("wildcard-example").press("d", "Enter", "Enter", "Enter", "Enter", "Enter", "Esc")
        #expect(runner.isBusy)
        driver.press("q")
        #expect(driver.screen.contains("Quit while work runs?"), "\(driver.screen)")
        #expect(driver.screen.contains("1 running: t1 deploy"))
        driver.press("Enter")
        #expect(driver.running)
        driver.press("q", "Tab", "Enter")
        #expect(!driver.running)
    }
}
