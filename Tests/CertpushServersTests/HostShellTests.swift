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

    @Test("S12: the user's ssh_config wins over certpush's time limits; a host's connect_timeout wins over both")
    func userSettingsWin() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("certpush-ssh-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("ssh_config").path
        try "Host slow.example.com\n  ConnectTimeout 3\n  ServerAliveInterval 9\n".write(toFile: config, atomically: true, encoding: .utf8)
        let slow = HostShell.userSettings(configFile: config, destination: "deploy@slow.example.com")
        let plain = HostShell.userSettings(configFile: config, destination: "deploy@web1.example.com")
        #expect(slow["connecttimeout"] == "3" && plain["connecttimeout"] == "none", "as ssh -G says")
        var host = ServerHost(name: "web1", ssh: "deploy@slow.example.com", server: .nginx)
        #expect(HostShell.timeOptions(host: host, timeLimit: 30, users: slow).isEmpty, "the user's ConnectTimeout and ServerAliveInterval stand")
        #expect(HostShell.timeOptions(host: host, timeLimit: 30, users: plain) == ["-o", "ConnectTimeout=15", "-o", "ServerAliveInterval=5"])
        host.connectTimeout = 7
        #expect(HostShell.timeOptions(host: host, timeLimit: 30, users: slow) == ["-o", "ConnectTimeout=7"])
    }
}
