import Foundation
import XCTest
@testable import Maskinporten

/// The self-service API and the rotation planner through uniffi: requests built by the core,
/// answers recorded in the shapes Digdir documents, typed refusals and each planner step.
final class SelfServiceTests: XCTestCase {
    let clientId = "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d"
    let t0: Int64 = 1_767_225_600
    let day: Int64 = 86_400

    func publicJwk(_ kid: String) throws -> String {
        try Key.fromJwk(jwkJson: Vectors.text("keys/client.jwk.json")).withKid(kid: kid).publicJwk()!
    }

    func testRequestsCarryTheTokenAndEachCallItsLeastScope() throws {
        let api = try SelfService(environment: Environment.test())
        XCTAssertEqual(api.base(), "https://api.test.samarbeid.digdir.no/api/v1")
        let request = try api.createClientRequest(
            accessToken: "admin-token",
            client: NewClient(clientName: "Løsøre", description: "Utlegg", scopes: ["brreg:losore/utlegg"])
        )
        XCTAssertEqual(request.method(), "POST")
        XCTAssertEqual(request.url(), "https://api.test.samarbeid.digdir.no/api/v1/clients")
        XCTAssertTrue(request.headers().contains(Header(name: "Authorization", value: "Bearer admin-token")))
        XCTAssertEqual(selfServiceScope(call: .createClient), "idporten:dcr.write")
        XCTAssertEqual(selfServiceScope(call: .getKeys), "idporten:dcr.read")
        XCTAssertEqual(selfServiceScope(call: .replaceKeys), "idporten:dcr.modify")
        XCTAssertThrowsError(try api.getClientRequest(accessToken: "t", clientId: "../admin")) { error in
            XCTAssertEqual((error as? MaskinportenError)?.field, "client_id")
        }
    }

    func testKeySetsAreCheckedBeforeAnythingIsBuilt() throws {
        let api = try SelfService(environment: Environment.prod())
        let request = try api.replaceKeysRequest(accessToken: "t", clientId: clientId, publicJwks: [publicJwk("k1")])
        XCTAssertTrue(request.body().contains(#""kid":"k1""#))
        XCTAssertThrowsError(try api.replaceKeysRequest(accessToken: "t", clientId: clientId, publicJwks: [Vectors.text("keys/client.jwk.json")])) { error in
            XCTAssertEqual((error as? MaskinportenError)?.kind.stableName, "invalid_key_set")
        }
        XCTAssertThrowsError(try checkPublicKeySet(publicJwks: (0...5).map { try publicJwk("k\($0)") }))
        XCTAssertEqual(maxRegisteredKeys(), 5)
    }

    func testRecordedAnswersAreRead() throws {
        let clients = #"[{"client_id":"5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d","client_name":"Utlegg","client_orgno":"311000004","scopes":["brreg:losore/utlegg"],"active":true,"created":"2026-01-01T00:00:00Z"}]"#
        let client = try XCTUnwrap(parseClients(status: 200, body: Data(clients.utf8)).first)
        XCTAssertEqual(client.clientId, clientId)
        XCTAssertEqual(client.clientOrgno, "311000004")
        XCTAssertEqual(client.created, t0)
        let keys = try parseClientKeys(call: .getKeys, status: 200, body: Data(#"{"keys":[{"kid":"mp-1","kty":"RSA","n":"xyz","e":"AQAB","exp":1775001600}],"last_updated":1767225600}"#.utf8))
        XCTAssertEqual(keys.keys.map { $0.kid }, ["mp-1"])
        XCTAssertEqual(keys.keys.first?.expiresAt, 1_775_001_600)
        XCTAssertEqual(keys.lastUpdated, t0)
        try parseEmpty(status: 204, body: Data())
    }

    func testRefusalsAreTyped() {
        XCTAssertThrowsError(try parseEmpty(status: 403, body: Data(#"{"error":"insufficient_scope"}"#.utf8))) { error in
            let refused = error as? MaskinportenError
            XCTAssertEqual(refused?.kind, .adminScopeMissing)
            XCTAssertEqual(refused?.neededScope, "idporten:dcr.modify")
        }
        XCTAssertThrowsError(try parseClient(call: .createClient, status: 400, body: Data(#"{"errors":[{"field":"client_name","message":"must not be blank"}]}"#.utf8))) { error in
            XCTAssertEqual((error as? MaskinportenError)?.fieldErrors, [FieldError(field: "client_name", reason: "must not be blank")])
        }
        XCTAssertThrowsError(try parseClients(status: 428, body: Data())) { error in
            XCTAssertEqual((error as? MaskinportenError)?.kind, .termsNotAccepted)
        }
    }

    func testThePlannerAnswersEachStep() throws {
        let planner = try RotationPlanner(policy: RotationPolicy(propagationDelay: 60, gracePeriod: day))
        guard case let .publish(kid, expiresAt, keep) = try planner.plan(keys: ClientKeys(keys: [], created: nil, lastUpdated: nil), signingKid: nil, now: t0) else {
            return XCTFail("a client without keys publishes one")
        }
        XCTAssertTrue(kid.hasPrefix("mp-"))
        XCTAssertEqual(expiresAt, t0 + 90 * day)
        XCTAssertEqual(keep, [])
        let t1 = t0 + 60 * day
        let two = ClientKeys(
            keys: [RegisteredKey(kid: "a", expiresAt: t0 + 90 * day, jwkJson: ""), RegisteredKey(kid: "b", expiresAt: t1 + 90 * day, jwkJson: "")],
            created: t0, lastUpdated: t1
        )
        XCTAssertEqual(try planner.plan(keys: two, signingKid: "a", now: t1 + 60), .switch(kid: "b"))
        XCTAssertEqual(try planner.plan(keys: two, signingKid: "b", now: t1 + 60 + day), .remove(remove: ["a"], keep: ["b"]))
        XCTAssertThrowsError(try RotationPlanner(policy: RotationPolicy(maxKeys: 6)))
    }
}
