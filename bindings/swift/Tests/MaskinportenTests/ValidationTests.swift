import Foundation
import XCTest
@testable import Maskinporten

/// tests/vectors/validation.json, and the JWKS-fetching validator over a fake transport.
final class ValidationTests: XCTestCase {
    func requirements(_ spec: [String: Any]) -> Requirements {
        Requirements(
            scopes: spec["scopes"] as? [String] ?? [],
            scopeMatch: spec["scope_match"] as? String == "all" ? ScopeMatch.all : ScopeMatch.any,
            audience: spec["audience"] as? String,
            requirePid: spec["require_pid"] as? Bool ?? false,
            consumerOrgs: spec["consumer_orgs"] as? [String] ?? []
        )
    }

    func testValidationVectors() throws {
        let data = try Data(contentsOf: Vectors.dir.appendingPathComponent("validation.json"))
        let document = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let jwks = try Vectors.bytes(document["jwks_file"] as! String)
        let cases = document["cases"] as! [[String: Any]]
        XCTAssertFalse(cases.isEmpty)
        for c in cases {
            let name = c["name"] as! String
            let now = Int64(c["now"] as! Int)
            let validator = Validator(environment: try Environment.fromName(name: document["issuer"] as! String))
            XCTAssertNotNil(validator.jwksRequest(now: now), name)
            try validator.updateJwks(body: jwks, now: now)
            let token = c["token"] as! String
            let reqs = requirements(c["requirements"] as! [String: Any])
            if let expected = c["expected"] as? [String: Any] {
                let validated = try validator.validate(token: token, now: now, requirements: reqs)
                XCTAssertEqual(validated.consumer.orgNumber, expected["consumer_org"] as? String, name)
                XCTAssertEqual(validated.supplier?.orgNumber, expected["supplier_org"] as? String, name)
                XCTAssertEqual(validated.consumer.subUnit, expected["consumer_sub_unit"] as? [String], name)
                XCTAssertEqual(validated.clientId, expected["client_id"] as? String, name)
                XCTAssertEqual(validated.expiresAt, Int64(expected["expires_at"] as! Int), name)
            } else {
                XCTAssertThrowsError(try validator.validate(token: token, now: now, requirements: reqs), name) { error in
                    XCTAssertEqual((error as? MaskinportenError)?.kind, c["expected_error"] as? String, name)
                }
            }
        }
    }

    func testValidatorFetchesTheJwksOnce() async throws {
        let data = try Data(contentsOf: Vectors.dir.appendingPathComponent("validation.json"))
        let document = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let jwks = try Vectors.text(document["jwks_file"] as! String)
        let valid = (document["cases"] as! [[String: Any]]).first { $0["name"] as? String == "valid" }!
        let transport = FakeTransport(answers: [(200, jwks, "application/json")])
        let now = Int64(valid["now"] as! Int)
        let tokens = MaskinportenTokenValidator(validator: Validator(environment: Environment.test()), transport: transport, clock: { now })
        let reqs = requirements(valid["requirements"] as! [String: Any])
        let first = try await tokens.validate(valid["token"] as! String, requirements: reqs)
        let second = try await tokens.validate("Bearer " + (valid["token"] as! String), requirements: reqs)
        XCTAssertEqual(first.consumer.orgNumber, "311000004")
        XCTAssertEqual(second.clientId, first.clientId)
        XCTAssertEqual(transport.count, 1)
        XCTAssertEqual(transport.requests[0].url?.absoluteString, "https://test.maskinporten.no/jwk")
    }
}
