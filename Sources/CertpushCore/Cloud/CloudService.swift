/// A cloud service certificates go to (SPEC 3).
public struct CloudService: Sendable, Hashable {
    public let code: String
    public let name: String
    /// Regional services take 1 to 10 regions; global ones none.
    public let regional: Bool
    public let pushable: Bool
    public let deployable: Bool
    /// Resources without HTTPS yet can be deployed to (D5, D6).
    public let firstDeployment: Bool
    /// The new certificate must cover the replaced one's domain (D7).
    public let replacementDomainRule: Bool
    public let acceptsSM: Bool
    /// A server kind (SPEC 13): its "regions" are the hosts of an account.
    public var onServers = false

    /// The catalog, in the order consoles list it.
    public static let all: [CloudService] = [
        CloudService(code: "cdn", name: "Content Delivery Network", regional: false, pushable: true, deployable: true, firstDeployment: true, replacementDomainRule: false, acceptsSM: true),
        CloudService(code: "dcdn", name: "Dynamic Content Delivery Network", regional: false, pushable: false, deployable: true, firstDeployment: true, replacementDomainRule: false, acceptsSM: true),
        CloudService(code: "waf", name: "Web Application Firewall", regional: true, pushable: true, deployable: true, firstDeployment: false, replacementDomainRule: false, acceptsSM: false),
        CloudService(code: "elb", name: "Elastic Load Balance", regional: true, pushable: true, deployable: true, firstDeployment: false, replacementDomainRule: true, acceptsSM: false),
        CloudService(code: "ga", name: "Global Accelerator", regional: false, pushable: false, deployable: true, firstDeployment: false, replacementDomainRule: true, acceptsSM: false),
        CloudService(code: "ddos", name: "Anti-DDoS", regional: false, pushable: false, deployable: true, firstDeployment: false, replacementDomainRule: false, acceptsSM: true),
        CloudService(code: "oss", name: "Object Storage custom domains", regional: true, pushable: false, deployable: true, firstDeployment: false, replacementDomainRule: false, acceptsSM: false),
        CloudService(code: "apig", name: "API Gateway", regional: true, pushable: false, deployable: true, firstDeployment: false, replacementDomainRule: false, acceptsSM: false),
        CloudService(code: "fc", name: "Function Compute", regional: true, pushable: false, deployable: true, firstDeployment: false, replacementDomainRule: false, acceptsSM: false),
        CloudService(code: "mse", name: "Microservices Engine gateway", regional: true, pushable: false, deployable: true, firstDeployment: false, replacementDomainRule: false, acceptsSM: false),
        CloudService(code: "sae", name: "Serverless App Engine gateway", regional: true, pushable: false, deployable: true, firstDeployment: false, replacementDomainRule: false, acceptsSM: false),
        CloudService(code: "pai", name: "PAI-EAS dedicated gateway", regional: true, pushable: false, deployable: true, firstDeployment: false, replacementDomainRule: false, acceptsSM: false),
    ]

    /// The servers certpush deploys to over SSH (SPEC 13): a site is a
    /// resource, its host stands where a cloud's region does.
    public static let servers: [CloudService] = ServerHost.Server.all.map { server in
        // A TLS site always serves a certificate, if not one certpush knows: any site may be deployed to (D5, D6).
        var service = CloudService(code: server.rawValue, name: "\(server.rawValue) servers", regional: true, pushable: false, deployable: true,
                                   firstDeployment: true, replacementDomainRule: false, acceptsSM: false)
        service.onServers = true
        return service
    }

    /// The cloud services, then the server kinds.
    public static var catalog: [CloudService] { all + servers }

    public static func named(_ code: String) -> CloudService? {
        catalog.first { $0.code == code.lowercased() }
    }

    public static var pushTargets: [CloudService] { all.filter(\.pushable) }

    /// Short upper-case label: "ELB", "CDN".
    public var label: String { code.uppercased() }
}

public struct Region: Sendable, Hashable {
    public let code: String
    public let name: String
    public init(code: String, name: String) {
        self.code = code
        self.name = name
    }
}
