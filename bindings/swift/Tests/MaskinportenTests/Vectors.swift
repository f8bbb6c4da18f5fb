import Foundation
import Maskinporten

/// The shared vectors in tests/vectors, loaded the way every binding's suite loads them.
enum Vectors {
    static let dir: URL = {
        if let path = ProcessInfo.processInfo.environment["MASKINPORTEN_VECTORS"] {
            return URL(fileURLWithPath: path)
        }
        // Tests/MaskinportenTests/Vectors.swift -> repository root
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("tests/vectors")
    }()

    static func cases(_ name: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: dir.appendingPathComponent(name))
        let document = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return document?["cases"] as? [[String: Any]] ?? []
    }

    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: dir.appendingPathComponent(path)) }
    static func text(_ path: String) throws -> String { String(decoding: try bytes(path), as: UTF8.self) }

    static func loadKey(_ spec: [String: Any]) throws -> Key {
        switch spec["type"] as? String {
        case "pkcs12":
            return try Key.fromPkcs12(data: bytes(spec["file"] as! String), password: spec["password"] as! String, alias: spec["alias"] as? String)
        case "pem":
            let cert = try (spec["cert_file"] as? String).map { try text($0) }
            let key = try Key.fromPem(keyPem: text(spec["key_file"] as! String), certChainPem: cert)
            if let kid = spec["kid"] as? String { return try key.withKid(kid: kid) }
            return key
        case "jwk":
            return try Key.fromJwk(jwkJson: text(spec["file"] as! String))
        default:
            fatalError("unknown key type \(String(describing: spec["type"]))")
        }
    }

    static func buildClient(_ spec: [String: Any], key: Key) throws -> Client {
        var client = try Client(clientId: spec["client_id"] as! String, key: key, environment: Environment.fromName(name: spec["environment"] as? String ?? "test"))
        if let alg = spec["algorithm"] as? String { client = client.withAlgorithm(algorithm: try algorithmFromName(name: alg)) }
        if let lifetime = spec["lifetime"] as? Int { client = try client.withLifetime(seconds: Int64(lifetime)) }
        if spec["x5c"] as? String == "full_chain" { client = client.withX5c(x5c: .fullChain) }
        return client
    }

    static func grantOptions(_ spec: [String: Any]) throws -> GrantOptions {
        var resource: Resource?
        if let one = spec["resource"] as? String { resource = .one(value: one) }
        if let many = spec["resource"] as? [String] { resource = .many(values: many) }
        var details: [AuthorizationDetail] = []
        if let raw = spec["authorization_details"], !(raw is NSNull) {
            let json = String(decoding: try JSONSerialization.data(withJSONObject: raw), as: UTF8.self)
            details = try authorizationDetailsFromJson(json: json)
        }
        return GrantOptions(
            scopes: spec["scopes"] as! [String],
            resource: resource,
            consumerOrg: spec["consumer_org"] as? String,
            issOnbehalfof: spec["iss_onbehalfof"] as? String,
            pid: spec["pid"] as? String,
            authorizationDetails: details
        )
    }

    static func runGrantCase(_ c: [String: Any]) throws -> (jwt: String, body: String) {
        let client = try buildClient(c["client"] as! [String: Any], key: loadKey(c["key"] as! [String: Any]))
        let options = try grantOptions(c["grant"] as! [String: Any])
        let now = Int64(c["now"] as! Int)
        let jwt = try client.grant(options: options, now: now, jti: c["jti"] as? String)
        return (jwt, client.tokenRequestForAssertion(jwt: jwt).body())
    }
}
