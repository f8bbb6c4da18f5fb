import Foundation
import XCTest
@testable import Maskinporten

/// tests/vectors/validation.json through the real `TokenValidator` (the JWKS served by a
/// scripted transport): each case's token or error kind and HTTP rejection, and the `headers`
/// list read by `bearerToken` and by `validateRequest`.
final class ValidationTests: XCTestCase {
    func requirements(_ spec: [String: Any]) -> Requirements {
        Requirements(
            scopes: spec["scopes"] as? [String] ?? [],
            scopeMatch: spec["scope_match"] as? String == "all" ? ScopeMatch.all : ScopeMatch.any,
            audience: spec["audience"] as? String,
            requirePid: spec["require_pid"] as? Bool ?? false,
            consumerOrgs: spec["consumer_orgs"] as? [String] ?? [],
            anyScopeUnchecked: spec["any_scope_unchecked"] as? Bool ?? false,
            esealConsumers: spec["eseal_consumers"] as? Bool ?? false,
            consent: (spec["consent"] as? [String: Any]).map { ConsentRequirement(id: $0["id"] as? String, from: $0["from"] as? String) },
            systemUser: (spec["system_user"] as? [String: Any]).map { SystemUserRequirement(org: $0["org"] as? String, systemId: $0["system_id"] as? String) }
        )
    }

    func document() throws -> [String: Any] {
        let data = try Data(contentsOf: Vectors.dir.appendingPathComponent("validation.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    func makeValidator(_ document: [String: Any], now: Int64) throws -> (TokenValidator, ScriptedTransport) {
        let transport = ScriptedTransport([ScriptedTransport.ok(try Vectors.text(document["jwks_file"] as! String))])
        let environment = try Environment.fromName(name: document["issuer"] as! String)
        return (try TokenValidator(environment: environment, transport: transport, onEvent: { _ in }, clock: { now * 1000 }), transport)
    }

    func testValidationVectors() async throws {
        let document = try document()
        let cases = document["cases"] as! [[String: Any]]
        XCTAssertFalse(cases.isEmpty)
        for c in cases {
            let name = c["name"] as! String
            let (validator, transport) = try makeValidator(document, now: Int64(c["now"] as! Int))
            let token = c["token"] as! String
            let header = token.contains(" ") ? token : "Bearer \(token)"
            let reqs = requirements(c["requirements"] as! [String: Any])
            if let want = c["expected"] as? [String: Any] {
                let validated = try await validator.validate(token, requirements: reqs)
                XCTAssertEqual(validated.consumer.orgNumber, want["consumer_org"] as? String, name)
                XCTAssertEqual(validated.consumer.authority, want["consumer_authority"] as? String, name)
                XCTAssertEqual(validated.consumer.id, want["consumer_id"] as? String, name)
                XCTAssertEqual(validated.supplier?.orgNumber, want["supplier_org"] as? String, name)
                XCTAssertEqual(validated.consumer.subUnit, want["consumer_sub_unit"] as? [String], name)
                XCTAssertEqual(validated.clientId, want["client_id"] as? String, name)
                XCTAssertEqual(validated.expiresAt, Int64(want["expires_at"] as! Int), name)
                let again = try await validator.validate(header, requirements: reqs)
                XCTAssertEqual(again, validated, name)
                XCTAssertEqual(transport.count, 1, "\(name): one JWKS fetch, reused")
            } else {
                let kind = c["expected_error"] as! String
                do {
                    _ = try await validator.validate(token, requirements: reqs)
                    XCTFail("\(name): expected \(kind)")
                } catch let error as MaskinportenError {
                    XCTAssertEqual(error.kind.stableName, kind, name)
                    XCTAssertFalse(error.retryable, name)
                }
                // A token no Authorization header can carry (malformed_base64's `%`) is refused
                // by the header rules first; its rejection is checked through the Kotlin suite.
                if token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._~+/= ".contains($0)) }) {
                    guard case let .refused(error, rejection) = try await validator.validateRequest(authorization: header, requirements: reqs) else {
                        return XCTFail("\(name): expected a refusal")
                    }
                    XCTAssertEqual(error.kind.stableName, kind, name)
                    XCTAssertEqual(rejectionView(rejection), expected(c["expected_rejection"]), name)
                }
                XCTAssertLessThanOrEqual(transport.count, 1, name)
            }
        }
    }

    func testAuthorizationHeaders() async throws {
        let document = try document()
        for c in document["headers"] as! [[String: Any]] {
            let authorization = c["authorization"] as? String
            if let token = c["expected_token"] as? String {
                XCTAssertEqual(try bearerToken(authorization: authorization), token)
                continue
            }
            let kind = c["expected_error"] as! String
            XCTAssertThrowsError(try bearerToken(authorization: authorization)) { error in
                XCTAssertEqual((error as? MaskinportenError)?.kind.stableName, kind)
            }
            let (validator, transport) = try makeValidator(document, now: 1_767_225_600)
            let reqs = Requirements(scopes: ["test:scope.read"], scopeMatch: nil, audience: nil, requirePid: false, consumerOrgs: [], anyScopeUnchecked: false)
            guard case let .refused(error, rejection) = try await validator.validateRequest(authorization: authorization, requirements: reqs) else {
                return XCTFail("\(String(describing: authorization)): expected a refusal")
            }
            XCTAssertEqual(error.kind.stableName, kind)
            XCTAssertEqual(rejectionView(rejection), expected(c["expected_rejection"]))
            if kind == "token_missing" { XCTAssertEqual(rejection.wwwAuthenticate, "Bearer", "RFC 6750 §3.1: no error code without a token") }
            XCTAssertEqual(transport.count, 0)
        }
    }
}
