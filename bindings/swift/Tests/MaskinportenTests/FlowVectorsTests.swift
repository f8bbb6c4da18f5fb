import Foundation
import XCTest
@testable import Maskinporten

/// tests/vectors/flows.json through the real `TokenProvider` and `TokenValidator`: a fake clock
/// (Unix ms), a sleep that moves it and records each pause, the document's jitter, a scripted
/// transport (failures thrown as URLSession's `URLError`s), each phase's callers as concurrent
/// tasks. Compared as `flow_runner::check_scenario` does: requests, sleeps, every result.
final class FlowVectorsTests: XCTestCase {
    func document() throws -> [String: Any] {
        let data = try Data(contentsOf: Vectors.dir.appendingPathComponent("flows.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    func testTokenScenarios() async throws {
        let doc = try document()
        let start = Int64(doc["start_ms"] as! Int)
        let jitter = doc["jitter"] as! Double
        let spec = doc["client"] as! [String: Any]
        let keySpec = spec["key"] as! [String: Any]
        let scenarios = doc["token_scenarios"] as! [[String: Any]]
        XCTAssertGreaterThanOrEqual(scenarios.count, 10)
        for scenario in scenarios {
            let name = scenario["name"] as! String
            let clock = FakeClock(start)
            let transport = ScriptedTransport()
            let key = try Key.fromPkcs12(data: Vectors.bytes(keySpec["file"] as! String), password: keySpec["password"] as! String)
            let client = try Client(clientId: spec["client_id"] as! String, key: key, environment: Environment.fromName(name: spec["environment"] as! String))
            let provider = try TokenProvider(
                client: client,
                transport: transport,
                onEvent: { _ in },
                clock: { clock.value },
                sleep: { clock.sleep($0) },
                jitter: { jitter }
            )
            let options = GrantOptions(scopes: spec["scopes"] as! [String], resource: nil, consumerOrg: nil, issOnbehalfof: nil, pid: nil, authorizationDetails: [])
            for (index, phase) in (scenario["phases"] as! [[String: Any]]).enumerated() {
                let at = "\(name) phase \(index)"
                clock.set(start + Int64(phase["at_ms"] as! Int))
                clock.clearSleeps()
                let before = transport.count
                transport.script(phase["answers"] as! [[String: Any]])
                let rejected = phase["reject"] as? String
                let results = try await concurrently(phase["callers"] as! Int) { () -> [String: AnyHashable] in
                    if let rejected { provider.reject(token: rejected) }
                    do {
                        return ["token": try await provider.token(options).accessToken()]
                    } catch let error as MaskinportenError {
                        return ["error": error.kind.stableName, "status": error.status.map { AnyHashable(Int($0)) } ?? AnyHashable(NSNull()), "mp_code": nullable(error.mpCode)]
                    }
                }
                let expect = phase["expect"] as! [String: Any]
                XCTAssertEqual(transport.count - before, expect["requests"] as? Int, "\(at): token requests")
                XCTAssertEqual(transport.left, 0, "\(at): answers left over")
                if let sleeps = expect["sleeps_ms"] as? [Int] { XCTAssertEqual(clock.sleeps, sleeps.map(Int64.init), "\(at): sleeps") }
                for result in results { XCTAssertEqual(result, expected(expect["result"]), at) }
            }
        }
    }

    /// Exchange scenarios: Altinn tokens through the provider's `altinn:` (tests/vectors/README.md).
    func testExchangeScenarios() async throws {
        let doc = try document()
        let start = Int64(doc["start_ms"] as! Int)
        let jitter = doc["jitter"] as! Double
        let spec = doc["client"] as! [String: Any]
        let keySpec = spec["key"] as! [String: Any]
        let altinnSpec = doc["altinn"] as! [String: Any]
        let url = altinnSpec["url"] as! String
        let scenarios = doc["exchange_scenarios"] as! [[String: Any]]
        XCTAssertGreaterThanOrEqual(scenarios.count, 6)
        for scenario in scenarios {
            let name = scenario["name"] as! String
            let clock = FakeClock(start)
            let transport = ScriptedTransport()
            let key = try Key.fromPkcs12(data: Vectors.bytes(keySpec["file"] as! String), password: keySpec["password"] as! String)
            let client = try Client(clientId: spec["client_id"] as! String, key: key, environment: Environment.fromName(name: spec["environment"] as! String))
            let provider = try TokenProvider(
                client: client,
                transport: transport,
                onEvent: { _ in },
                clock: { clock.value },
                sleep: { clock.sleep($0) },
                jitter: { jitter }
            )
            let altinn = try AltinnExchange(platform: altinnSpec["platform"] as! String, testOrg: altinnSpec["test_org"] as! Bool)
            let options = GrantOptions(scopes: spec["scopes"] as! [String], resource: nil, consumerOrg: nil, issOnbehalfof: nil, pid: nil, authorizationDetails: [])
            for (index, phase) in (scenario["phases"] as! [[String: Any]]).enumerated() {
                let at = "\(name) phase \(index)"
                clock.set(start + Int64(phase["at_ms"] as! Int))
                clock.clearSleeps()
                let before = transport.sent.count
                transport.script(phase["answers"] as! [[String: Any]])
                let rejected = phase["reject"] as? String
                let results = try await concurrently(phase["callers"] as! Int) { () -> [String: AnyHashable] in
                    if let rejected { provider.reject(token: rejected) }
                    do {
                        return ["token": try await provider.token(options, altinn: altinn).accessToken()]
                    } catch let error as MaskinportenError {
                        return ["error": error.kind.stableName, "status": error.status.map { AnyHashable(Int($0)) } ?? AnyHashable(NSNull()), "mp_code": nullable(error.mpCode)]
                    }
                }
                let expect = phase["expect"] as! [String: Any]
                let sent = Array(transport.sent.dropFirst(before))
                XCTAssertEqual(sent.map(\.what), expect["sent"] as? [String], "\(at): requests sent")
                for request in sent where request.what.hasPrefix("exchange ") { XCTAssertEqual(request.url, url, "\(at): the exchange's URL") }
                XCTAssertEqual(transport.left, 0, "\(at): answers left over")
                if let sleeps = expect["sleeps_ms"] as? [Int] { XCTAssertEqual(clock.sleeps, sleeps.map(Int64.init), "\(at): sleeps") }
                for result in results { XCTAssertEqual(result, expected(expect["result"]), at) }
            }
        }
    }

    func testValidationScenarios() async throws {
        let doc = try document()
        let start = Int64(doc["start_ms"] as! Int)
        for scenario in doc["validation_scenarios"] as! [[String: Any]] {
            let name = scenario["name"] as! String
            let clock = FakeClock(start)
            let transport = ScriptedTransport()
            let validator = try TokenValidator(environment: Environment.test(), transport: transport, onEvent: { _ in }, clock: { clock.value })
            for (index, phase) in (scenario["phases"] as! [[String: Any]]).enumerated() {
                let at = "\(name) phase \(index)"
                clock.set(start + Int64(phase["at_ms"] as! Int))
                let before = transport.count
                transport.script(phase["answers"] as! [[String: Any]])
                let requirements = Requirements(scopes: (phase["requirements"] as! [String: Any])["scopes"] as! [String], scopeMatch: nil, audience: nil, requirePid: false, consumerOrgs: [], anyScopeUnchecked: false)
                let token = phase["token"] as! String
                let results = try await concurrently(phase["callers"] as! Int) { () -> [String: AnyHashable] in
                    switch try await validator.validateRequest(authorization: "Bearer \(token)", requirements: requirements) {
                    case let .valid(valid): return ["valid": AnyHashable(["consumer_org": AnyHashable(valid.consumer.orgNumber)])]
                    case let .refused(error, rejection): return ["error": error.kind.stableName, "rejection": AnyHashable(rejectionView(rejection))]
                    }
                }
                let expect = phase["expect"] as! [String: Any]
                XCTAssertEqual(transport.count - before, expect["requests"] as? Int, "\(at): JWKS requests")
                XCTAssertEqual(transport.left, 0, "\(at): answers left over")
                for result in results { XCTAssertEqual(result, expected(expect["result"]), at) }
            }
        }
    }
}
