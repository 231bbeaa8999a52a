import CertpushCore
import CertpushServers
import Foundation
import Testing

/// S4: every command has a time limit, input goes on standard input, and a failure is the command's own words.
@Suite struct HostShellTests {
    let here = HostShell(host: ServerHost(name: "here", ssh: "local", server: .nginx), timeLimit: 1)

    @Test("a command past its time limit is stopped, with everything it started, and says so")
    func timeLimit() throws {
        let started = Date()
        let output = try here.run("sleep 30 & sleep 30")
        #expect(output.timedOut)
        #expect(output.failure == "no answer within the time limit")
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test("input goes on standard input; a failure is the last thing the command said on stderr")
    func inputAndFailure() throws {
        let here = HostShell(host: ServerHost(name: "here", ssh: "local", server: .nginx), timeLimit: 10)
        let echoed = try here.run("cat", input: Data("secret key material\n".utf8))
        #expect(echoed.succeeded && echoed.stdout == "secret key material\n", "\(echoed)")
        let failed = try here.run("echo starting >&2; echo 'nginx: [emerg] unknown directive \"x\" in /etc/nginx.conf:3' >&2; echo done >&2; exit 1")
        #expect(!failed.succeeded)
        #expect(failed.failure == "nginx: [emerg] unknown directive \"x\" in /etc/nginx.conf:3")
    }
}
