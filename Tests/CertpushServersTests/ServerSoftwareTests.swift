import CertpushCore
@testable import CertpushServers
import Testing

/// The registry of servers: a server named in the catalog has its driver, and its driver's words are the ones each server takes.
@Suite struct ServerSoftwareTests {
    @Test("every server of ServerHost.Server.all has its ServerSoftware and is a service of the catalog")
    func everyServerHasItsSoftware() {
        #expect(ServerHost.Server.all.map { $0.software.server } == ServerHost.Server.all)
        #expect(ServerHost.Server.all.allSatisfy { CloudService.named($0.rawValue)?.onServers == true })
        #expect(Set(ServerHost.Server.software.map(\.server)).count == ServerHost.Server.software.count)
    }

    @Test("each server's own tool, check and reload, and the config's command in their place")
    func toolsCheckAndReload() {
        let words = ServerHost.Server.all.map { ($0.software.tool, $0.software.checkArgument, $0.software.reload(tool: "sudo x")) }
        #expect(words.map(\.0) == ["nginx", "haproxy", "apachectl"])
        #expect(words.map(\.1) == ["-t", "-c", "-t"])
        #expect(words.map(\.2) == ["sudo x -s reload", "systemctl reload haproxy", "sudo x -k graceful"])
        let custom = HostShell(host: ServerHost(name: "h", ssh: "local", server: .apache, command: "sudo apache2ctl"))
        #expect(custom.tool == "sudo apache2ctl")
        #expect(HostShell(host: ServerHost(name: "h", ssh: "local", server: .haproxy)).tool == "haproxy")
    }
}
