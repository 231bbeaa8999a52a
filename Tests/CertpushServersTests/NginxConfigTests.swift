import CertpushCore
import CertpushServers
import CertpushTestSupport
import Foundation
import Testing

/// S1: what `nginx -T` says nginx serves, read as nginx reads it.
@Suite struct NginxConfigTests {
    static let dump = """
        # configuration file /etc/nginx/nginx.conf:
        user www-data;  # a comment
        events { worker_connections 768; }
        http {
            ssl_certificate     /etc/ssl/default.pem;
            ssl_certificate_key /etc/ssl/default.key;
            include /etc/nginx/conf.d/*.conf;
            include sites-enabled/*;
            server { listen 80; server_name plain.example.com; }
        }

        # configuration file /etc/nginx/conf.d/shop.conf:
        server {
            listen 443 ssl http2;
            listen [::]:443 ssl;
            server_name shop.example.com "www.shop.example.com";
            ssl_certificate "/etc/ssl/shop fullchain.pem";
            ssl_certificate_key /etc/ssl/shop.key;
            location / { try_files $uri $uri/ =404; }
        }

        # configuration file /etc/nginx/sites-enabled/api:
        server {
            listen 127.0.0.1:8443 ssl;
            server_name _ api.example.org;
            # inherits the http level's certificate
        }
        server {
            listen 9443 ssl;
            server_name dyn.example.org;
            ssl_certificate /etc/ssl/$ssl_server_name.pem;
            ssl_certificate_key /etc/ssl/$ssl_server_name.key;
        }

        # configuration file /etc/nginx/unused.conf:
        server { listen 7443 ssl; server_name never.example.com; ssl_certificate /x; ssl_certificate_key /y; }
        """

    @Test("S7: a relative certificate is resolved as nginx resolves it, against its configuration folder; one block's IPv4 and IPv6 listens of a port are one site")
    func relativeAndTwice() throws {
        let sites = try NginxConfig.sites(fromDump: """
            # configuration file /etc/nginx/nginx.conf:
            http { include sites-enabled/*; }
            # configuration file /etc/nginx/sites-enabled/default:
            server {
                listen 443 ssl default_server;
                listen [::]:443 ssl default_server;
                server_name www.example.com;
                ssl_certificate empty_cert.pem;
                ssl_certificate_key ssl/empty_cert.key;
            }
            """, host: "web1")
        #expect(sites == [ServerSite(host: "web1", address: "*", port: 443, serverNames: ["www.example.com"],
                                     certificatePath: "/etc/nginx/empty_cert.pem", keyPath: "/etc/nginx/ssl/empty_cert.key", servedFingerprint: nil)])
    }

    @Test("every TLS listen of every server block becomes a site, through includes (absolute, relative, globs), with inherited files; plain HTTP is left out, a variable file is listed with why")
    func sites() throws {
        let sites = try NginxConfig.sites(fromDump: Self.dump, host: "web1")
        #expect(sites == [
            ServerSite(host: "web1", address: "*", port: 443, serverNames: ["shop.example.com", "www.shop.example.com"],
                       certificatePath: "/etc/ssl/shop fullchain.pem", keyPath: "/etc/ssl/shop.key", servedFingerprint: nil),
            ServerSite(host: "web1", address: "127.0.0.1", port: 8443, serverNames: ["_", "api.example.org"],
                       certificatePath: "/etc/ssl/default.pem", keyPath: "/etc/ssl/default.key", servedFingerprint: nil),
            // S7: a file chosen per connection is listed with why, never deployed to.
            ServerSite(host: "web1", address: "*", port: 9443, serverNames: ["dyn.example.org"],
                       certificatePath: "/etc/ssl/$ssl_server_name.pem", keyPath: "/etc/ssl/$ssl_server_name.key", servedFingerprint: nil,
                       problem: "its certificate is chosen per connection (/etc/ssl/$ssl_server_name.pem): certpush cannot tell which file to replace"),
        ])
        #expect(sites[1].domain == "api.example.org")
        #expect(sites[0].connectAddress == "127.0.0.1")
    }

    @Test("a broken dump is an error, not a guess")
    func broken() {
        #expect(throws: NginxConfig.ParseError.self) { try NginxConfig.sites(fromDump: "# configuration file /a.conf:\nhttp { server { listen 443 ssl;\n") }
        #expect(throws: NginxConfig.ParseError.self) { try NginxConfig.sites(fromDump: "nothing here") }
    }
}

/// haproxy has no dump: its config is read as it reads it.
@Suite struct HAProxyConfigTests {
    @Test("TLS binds of frontend and listen sections, each crt (file or folder), several addresses on one bind; plain binds and backends are left out")
    func binds() {
        let text = """
            global
                daemon
            defaults
                mode http
            frontend www  # the web
                bind :80
                bind 127.0.0.1:8443,[::1]:8443 ssl crt /etc/haproxy/certs/ alpn h2
                bind *:443 ssl crt /etc/ssl/a.pem crt /etc/ssl/b.pem
            backend app
                bind :9443 ssl crt /never.pem
            listen api
                bind 10.0.0.1:4443 ssl crt /etc/ssl/api.pem
            """
        let binds = HAProxyConfig.binds(in: text)
        #expect(binds.map { "\($0.address):\($0.port) \($0.crts.joined(separator: ","))" } == [
            "127.0.0.1:8443 /etc/haproxy/certs/", "[::1]:8443 /etc/haproxy/certs/", "*:443 /etc/ssl/a.pem,/etc/ssl/b.pem",
            "10.0.0.1:4443 /etc/ssl/api.pem",
        ])
        #expect(HAProxyConfig.configFiles(command: "sudo haproxy -f /etc/haproxy/haproxy.cfg -f /etc/haproxy/conf.d") == ["/etc/haproxy/haproxy.cfg", "/etc/haproxy/conf.d"])
    }

    @Test("S7: relative files as haproxy resolves them: crt-base for certificates, default-path (config, parent, origin) for the rest, crt-list lines")
    func relativeFiles() {
        let text = """
            global
                crt-base certs
                default-path config
            frontend www
                bind :443 ssl crt pub1.pem crt /abs/pub2.pem crt-list lists/sites.list
            """
        let paths = HAProxyConfig.paths(in: text)
        #expect(paths == HAProxyConfig.Paths(crtBase: "certs", defaultPath: "config", origin: nil))
        let binds = HAProxyConfig.binds(in: text, file: "/etc/haproxy/haproxy.cfg")
        #expect(binds == [HAProxyConfig.Bind(address: "*", port: 443, crts: ["/etc/haproxy/certs/pub1.pem", "/abs/pub2.pem"],
                                             crtLists: ["/etc/haproxy/lists/sites.list"])])
        #expect(HAProxyConfig.certificates(inList: "# sites\nshop.pem [alpn h2] shop.example.com\n\n/x/y.pem\n", file: "/etc/haproxy/haproxy.cfg",
                                           paths: paths) == ["/etc/haproxy/certs/shop.pem", "/x/y.pem"])
        #expect(HAProxyConfig.Paths(defaultPath: "parent").other("a.pem", in: "/etc/haproxy/conf.d/x.cfg") == "/etc/haproxy/a.pem")
        #expect(HAProxyConfig.Paths(defaultPath: "origin", origin: "/srv/lb").certificate("a.pem", in: "/x.cfg") == "/srv/lb/a.pem")
        #expect(HAProxyConfig.configFiles(command: "haproxy") == ["/etc/haproxy/haproxy.cfg"])
    }
}

/// apache's config is read as apache reads it.
@Suite struct ApacheConfigTests {
    @Test("TLS virtual hosts with their names and files; includes relative to the ServerRoot; plain hosts and SSLEngine off are left out")
    func virtualHosts() {
        let main = """
            ServerRoot "/etc/apache2"
            Include ports.conf
            IncludeOptional sites-enabled/*.conf
            IncludeOptional conf.d/
            """
        #expect(ApacheConfig.serverRoot(in: main) == "/etc/apache2")
        #expect(ApacheConfig.includes(in: main, serverRoot: "/etc/apache2")
            == ["/etc/apache2/ports.conf", "/etc/apache2/sites-enabled/*.conf", "/etc/apache2/conf.d/*"])
        let site = """
            <VirtualHost *:80>
                ServerName www.example.com
            </VirtualHost>
            <VirtualHost _default_:443 [::1]:8443>
                ServerName www.example.com
                ServerAlias example.com \\
                    m.example.com
                SSLEngine on
                SSLCertificateFile ssl/www.pem
                SSLCertificateKeyFile /etc/ssl/private/www.key
            </VirtualHost>
            <VirtualHost 10.0.0.1:443>
                SSLEngine off
                SSLCertificateFile /x.pem
            </VirtualHost>
            """
        let sites = ApacheConfig.sites(main: "/etc/apache2/apache2.conf",
                                       files: ["/etc/apache2/apache2.conf": main, "/etc/apache2/sites-enabled/www.conf": site],
                                       host: "www1", serverRoot: "/etc/apache2")
        #expect(sites == [
            ServerSite(host: "www1", address: "*", port: 443, serverNames: ["www.example.com", "example.com", "m.example.com"],
                       certificatePath: "/etc/apache2/ssl/www.pem", keyPath: "/etc/ssl/private/www.key", servedFingerprint: nil),
            ServerSite(host: "www1", address: "[::1]", port: 8443, serverNames: ["www.example.com", "example.com", "m.example.com"],
                       certificatePath: "/etc/apache2/ssl/www.pem", keyPath: "/etc/ssl/private/www.key", servedFingerprint: nil),
        ])
    }

    @Test("S7: an Include inside a virtual host counts where it stands: certbot's options file turns SSLEngine on; a port named twice is one site")
    func includeInsideVirtualHost() throws {
        let options = try String(contentsOf: Fixtures.certbot.appendingPathComponent("options-ssl-apache.conf"), encoding: .utf8)
        let files = [
            "/etc/apache2/apache2.conf": "IncludeOptional sites-enabled/*.conf\n",
            "/etc/apache2/sites-enabled/www-le-ssl.conf": """
                <IfModule mod_ssl.c>
                <VirtualHost *:443 [::]:443>
                    ServerName www.example.com
                    Include /etc/letsencrypt/options-ssl-apache.conf
                    SSLCertificateFile /etc/letsencrypt/live/www.example.com/fullchain.pem
                    SSLCertificateKeyFile /etc/letsencrypt/live/www.example.com/privkey.pem
                </VirtualHost>
                </IfModule>
                """,
            "/etc/letsencrypt/options-ssl-apache.conf": options,
        ]
        #expect(ApacheConfig.sites(main: "/etc/apache2/apache2.conf", files: files, host: "www1", serverRoot: "/etc/apache2") == [
            ServerSite(host: "www1", address: "*", port: 443, serverNames: ["www.example.com"],
                       certificatePath: "/etc/letsencrypt/live/www.example.com/fullchain.pem",
                       keyPath: "/etc/letsencrypt/live/www.example.com/privkey.pem", servedFingerprint: nil),
        ])
    }

    @Test("S7: certbot's Debian tree (multiple_vhosts): the one virtual host with SSLEngine on is the one site; certificate files alone are not TLS")
    func certbotDebianTree() throws {
        let tree = Fixtures.certbot.appendingPathComponent("multiple_vhosts")
        var files: [String: String] = [:]
        for name in ["apache2.conf", "ports.conf"] + (try FileManager.default.contentsOfDirectory(atPath: tree.path + "/sites-enabled")).map({ "sites-enabled/" + $0 }) {
            files["/etc/apache2/" + name] = try String(contentsOf: tree.appendingPathComponent(name), encoding: .utf8)
        }
        let sites = ApacheConfig.sites(main: "/etc/apache2/apache2.conf", files: files, host: "web", serverRoot: "/etc/apache2")
        #expect(sites == [
            ServerSite(host: "web", address: "*", port: 443, serverNames: [], certificatePath: "/etc/apache2/certs/certbot-cert_5.pem",
                       keyPath: "/etc/apache2/ssl/key-certbot_15.pem", servedFingerprint: nil),
        ], "\(sites)")
    }
}
