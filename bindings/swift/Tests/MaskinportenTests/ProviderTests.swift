import Foundation
import XCTest
@testable import Maskinporten

/// The Swift executor's own paths: a 401 drops only the rejected token, a cancelled caller
/// releases its fetch, and error kinds are the core's.
final class ProviderTests: XCTestCase {
    func token(_ value: String) -> [String: Any] {
        ScriptedTransport.ok(#"{"access_token":"\#(value)","token_type":"Bearer","expires_in":120}"#)
    }

    func provider(_ transport: ScriptedTransport, _ clock: FakeClock) throws -> TokenProvider {
        let client = try Client(
            clientId: "a7c9e1f3-2b4d-4c6e-8f0a-1b3c5d7e9f20",
            key: Key.fromJwk(jwkJson: Vectors.text("keys/client.jwk.json")),
            environment: Environment.fromName(name: "http://127.0.0.1:8123/")
        )
        return try TokenProvider(client: client, transport: transport, onEvent: { _ in }, clock: { clock.value }, sleep: { clock.sleep($0) }, jitter: { 0.5 })
    }

    func testRejectDropsOnlyTheRejectedToken() async throws {
        let transport = ScriptedTransport([token("a"), token("b")])
        let provider = try provider(transport, FakeClock(1_767_225_600_000))
        XCTAssertEqual(try await provider.token(scopes: ["test:scope.read"]).accessToken(), "a")
        provider.reject(token: "a")
        XCTAssertEqual(try await provider.token(scopes: ["test:scope.read"]).accessToken(), "b")
        provider.reject(token: "a") // late report of the old token: the new one is kept
        XCTAssertEqual(try await provider.token(scopes: ["test:scope.read"]).accessToken(), "b")
        XCTAssertEqual(transport.requests, ["POST http://127.0.0.1:8123/token", "POST http://127.0.0.1:8123/token"])
    }

    func testErrorKindsAreTheCoresEnum() {
        // The Swift enum is generated from the core's ErrorKind (not mirrored); its names are the core's.
        let names = errorKinds()
        XCTAssertEqual(Set(names).count, names.count)
        for kind in [ErrorKind.invalidKey, .wrongPassword, .oauthError, .unavailable, .tokenMissing, .invalidRequirements, .invalidX5c] {
            XCTAssertTrue(names.contains(kind.stableName), kind.stableName)
        }
    }
}
