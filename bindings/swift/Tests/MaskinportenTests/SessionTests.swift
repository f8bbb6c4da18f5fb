import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
@testable import Maskinporten

/// A token endpoint in memory: counts requests, answers after a short delay.
final class FakeTransport: MaskinportenTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [(Int, String, String?)]
    private(set) var requests: [URLRequest] = []

    init(answers: [(Int, String, String?)]) { self.answers = answers }

    var count: Int { lock.lock(); defer { lock.unlock() }; return requests.count }

    func send(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
        let answer: (Int, String, String?) = {
            lock.lock(); defer { lock.unlock() }
            requests.append(request)
            return answers.count > 1 ? answers.removeFirst() : answers[0]
        }()
        try await Task.sleep(nanoseconds: 100_000_000)
        var headers: [String: String] = [:]
        if let type = answer.2 { headers["Content-Type"] = type }
        let response = HTTPURLResponse(url: request.url!, statusCode: answer.0, httpVersion: "HTTP/1.1", headerFields: headers)!
        return (Data(answer.1.utf8), response)
    }
}

final class SessionTests: XCTestCase {
    let token = #"{"access_token":"token-1","token_type":"Bearer","expires_in":120,"scope":"test:scope.read"}"#

    func client() throws -> Client {
        try Client(
            clientId: "a7c9e1f3-2b4d-4c6e-8f0a-1b3c5d7e9f20",
            key: Key.fromJwk(jwkJson: Vectors.text("keys/client.jwk.json")),
            environment: Environment.fromName(name: "http://127.0.0.1:8123/")
        )
    }

    func testConcurrentCallersShareOneTokenRequest() async throws {
        let transport = FakeTransport(answers: [(200, token, "application/json")])
        let session = MaskinportenSession(client: try client(), transport: transport)
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await session.token(scopes: ["test:scope.read"]).accessToken() } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        XCTAssertEqual(tokens, ["token-1"])
        XCTAssertEqual(transport.count, 1)
        let sent = transport.requests[0]
        XCTAssertEqual(sent.httpMethod, "POST")
        XCTAssertEqual(sent.url?.absoluteString, "http://127.0.0.1:8123/token")
        XCTAssertEqual(sent.value(forHTTPHeaderField: "Content-Type"), "application/x-www-form-urlencoded")
    }

    func testErrorsAreTypedAndTheNextCallRecovers() async throws {
        let refusal = #"{"error":"invalid_scope","error_description":"Scope not registered on client (MP-200)"}"#
        let transport = FakeTransport(answers: [
            (502, "<html>bad gateway</html>", "text/html"),
            (400, refusal, "application/json"),
            (200, token, "application/json"),
        ])
        let session = MaskinportenSession(client: try client(), transport: transport)
        do {
            _ = try await session.token(scopes: ["test:scope.read"])
            XCTFail("expected unavailable")
        } catch let error as MaskinportenError {
            XCTAssertEqual(error.kind, "unavailable")
            XCTAssertTrue(error.retryable)
            XCTAssertEqual(error.status, 502)
        }
        do {
            _ = try await session.token(scopes: ["test:scope.read"])
            XCTFail("expected oauth_error")
        } catch let error as MaskinportenError {
            XCTAssertEqual(error.mpCode, "MP-200")
            XCTAssertNotNil(error.hint)
        }
        let recovered = try await session.token(scopes: ["test:scope.read"])
        XCTAssertEqual(recovered.accessToken(), "token-1")
        XCTAssertEqual(transport.count, 3)
    }

    func testTokensAreCachedUntilTheirRefreshTime() async throws {
        let transport = FakeTransport(answers: [(200, token, "application/json")])
        let now = LockedClock(1_767_225_600)
        let session = MaskinportenSession(client: try client(), transport: transport, clock: { now.value })
        _ = try await session.token(scopes: ["test:scope.read"])
        _ = try await session.token(scopes: ["test:scope.read"])
        XCTAssertEqual(transport.count, 1)
        now.advance(by: 100) // past expiry - 30 s skew
        _ = try await session.token(scopes: ["test:scope.read"])
        XCTAssertEqual(transport.count, 2)
    }
}

final class LockedClock: @unchecked Sendable {
    private let lock = NSLock()
    private var now: Int64
    init(_ now: Int64) { self.now = now }
    var value: Int64 { lock.lock(); defer { lock.unlock() }; return now }
    func advance(by seconds: Int64) { lock.lock(); now += seconds; lock.unlock() }
}
