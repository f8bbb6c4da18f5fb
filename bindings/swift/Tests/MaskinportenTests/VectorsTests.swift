import Foundation
import XCTest
@testable import Maskinporten

/// tests/vectors: byte-identical grants, negative grant cases and token responses.
final class VectorsTests: XCTestCase {
    func testGrants() throws {
        let cases = try Vectors.cases("grants.json")
        XCTAssertFalse(cases.isEmpty)
        for c in cases {
            let expected = c["expected"] as! [String: Any]
            let (jwt, body) = try Vectors.runGrantCase(c)
            XCTAssertEqual(jwt, expected["jwt"] as? String, "\(c["name"]!)")
            XCTAssertEqual(body, expected["body"] as? String, "\(c["name"]!)")
        }
    }

    func testGrantErrors() throws {
        let cases = try Vectors.cases("grant_errors.json")
        XCTAssertFalse(cases.isEmpty)
        for c in cases {
            do {
                _ = try Vectors.runGrantCase(c)
                XCTFail("\(c["name"]!): expected \(c["expected_error"]!), got a grant")
            } catch let error as MaskinportenError {
                XCTAssertEqual(error.kind.stableName, c["expected_error"] as? String, "\(c["name"]!): \(error.detail)")
                XCTAssertFalse(error.retryable)
            }
        }
    }

    func testResponses() throws {
        let cases = try Vectors.cases("responses.json")
        XCTAssertFalse(cases.isEmpty)
        for c in cases {
            let name = c["name"] as! String
            let status = UInt16(c["status"] as! Int)
            let body = Data((c["body"] as! String).utf8)
            let contentType = c["content_type"] as? String
            let now = Int64(c["now"] as! Int)
            if let expected = c["expected"] as? [String: Any] {
                let token = try parseTokenResponse(status: status, body: body, contentType: contentType, now: now)
                XCTAssertEqual(token.accessToken(), expected["access_token"] as? String, name)
                XCTAssertEqual(token.expiresIn(), Int64(expected["expires_in"] as! Int), name)
                XCTAssertEqual(token.scope(), expected["scope"] as? String, name)
                XCTAssertEqual(token.expiresAt(), Int64(expected["expires_at"] as! Int), name)
            } else {
                let want = c["expected_error"] as! [String: Any]
                XCTAssertThrowsError(try parseTokenResponse(status: status, body: body, contentType: contentType, now: now), name) { error in
                    guard let error = error as? MaskinportenError else { return XCTFail("\(name): \(error)") }
                    XCTAssertEqual(error.kind.stableName, want["kind"] as? String, name)
                    XCTAssertEqual(error.mpCode, want["mp_code"] as? String, name)
                    XCTAssertEqual(error.oauthError, want["error"] as? String, name)
                    XCTAssertEqual(error.retryable, want["retryable"] as? Bool, name)
                    XCTAssertEqual(error.status.map(Int.init), want["status"] as? Int, name)
                    if want["has_hint"] as? Bool == true { XCTAssertNotNil(error.hint, name) }
                }
            }
        }
    }
}
