import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import Maskinporten

/// A clock the test moves: Unix milliseconds.
final class FakeClock: @unchecked Sendable {
    private let lock = NSLock()
    private var now: Int64
    private(set) var sleeps: [Int64] = []

    init(_ now: Int64) { self.now = now }

    var value: Int64 { lock.lock(); defer { lock.unlock() }; return now }
    func set(_ ms: Int64) { lock.lock(); now = ms; lock.unlock() }
    func clearSleeps() { lock.lock(); sleeps = []; lock.unlock() }

    /// The provider's sleep: records the pause and moves the clock instead of waiting.
    func sleep(_ ms: Int64) {
        lock.lock()
        sleeps.append(ms)
        now += ms
        lock.unlock()
    }
}

/// Answers from a script, in order: `{"status", "content_type", "retry_after", "body"}`, or
/// `{"failure": kind}` thrown as the `URLError` URLSession would throw, so the executors' own
/// mapping runs. Running out of answers fails the test.
final class ScriptedTransport: MaskinportenTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [[String: Any]]
    private(set) var requests: [String] = []
    /// The flow vectors' view of each request: `token` (POST) or `exchange <bearer>` (GET), and its URL.
    private(set) var sent: [(what: String, url: String)] = []

    init(_ answers: [[String: Any]] = []) { self.answers = answers }

    var left: Int { lock.lock(); defer { lock.unlock() }; return answers.count }
    var count: Int { lock.lock(); defer { lock.unlock() }; return requests.count }
    func script(_ more: [[String: Any]]) { lock.lock(); answers += more; lock.unlock() }

    func send(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
        let answer: [String: Any]? = {
            lock.lock(); defer { lock.unlock() }
            requests.append("\(request.httpMethod ?? "?") \(request.url?.absoluteString ?? "?")")
            let bearer = (request.value(forHTTPHeaderField: "Authorization") ?? "").replacingOccurrences(of: "Bearer ", with: "")
            sent.append((request.httpMethod == "POST" ? "token" : "exchange \(bearer)", request.url?.absoluteString ?? "?"))
            return answers.isEmpty ? nil : answers.removeFirst()
        }()
        guard let answer else { throw ScriptError.noAnswerLeft }
        if let failure = answer["failure"] as? String { throw ScriptedTransport.failure(failure) }
        var headers: [String: String] = [:]
        if let type = answer["content_type"] as? String { headers["Content-Type"] = type }
        if let after = answer["retry_after"] as? String { headers["Retry-After"] = after }
        let response = HTTPURLResponse(url: request.url!, statusCode: answer["status"] as! Int, httpVersion: "HTTP/1.1", headerFields: headers)!
        return (Data(((answer["body"] as? String) ?? "").utf8), response)
    }

    static func failure(_ kind: String) -> URLError {
        switch kind {
        case "timeout": return URLError(.timedOut)
        case "connect": return URLError(.cannotConnectToHost)
        case "reset": return URLError(.networkConnectionLost)
        case "tls": return URLError(.secureConnectionFailed)
        default: return URLError(.unknown)
        }
    }

    static func ok(_ body: String) -> [String: Any] {
        ["status": 200, "body": body, "content_type": "application/json"]
    }
}

enum ScriptError: Error { case noAnswerLeft }

/// `body` on `callers` tasks at once; their results in order.
func concurrently<T: Sendable>(_ callers: Int, _ body: @escaping @Sendable () async throws -> T) async throws -> [T] {
    try await withThrowingTaskGroup(of: (Int, T).self) { group in
        for index in 0..<callers { group.addTask { (index, try await body()) } }
        var results = [(Int, T)]()
        for try await result in group { results.append(result) }
        return results.sorted { $0.0 < $1.0 }.map(\.1)
    }
}

/// The vectors' view of a rejection: status, the challenge's `error` code and `scope`.
func rejectionView(_ rejection: Rejection) -> [String: AnyHashable] {
    let challenge = rejection.wwwAuthenticate ?? ""
    var code: String?
    if let range = challenge.range(of: "error=\"") {
        code = String(challenge[range.upperBound...].prefix { $0 != "\"" })
    }
    var scope: String?
    if let range = challenge.range(of: ", scope=\"") {
        scope = String(challenge[range.upperBound...].dropLast())
    }
    return ["status": Int(rejection.status), "error": nullable(code), "scope": nullable(scope)]
}

/// A string, or NSNull for nil (as JSONSerialization reads a JSON null).
func nullable(_ text: String?) -> AnyHashable {
    text.map { AnyHashable($0) } ?? AnyHashable(NSNull())
}

/// A JSON value from the vectors (NSNull for null) as a comparable dictionary.
func expected(_ value: Any?) -> [String: AnyHashable] {
    var out: [String: AnyHashable] = [:]
    for (key, item) in (value as? [String: Any]) ?? [:] {
        switch item {
        case let nested as [String: Any]: out[key] = AnyHashable(expected(nested))
        case let number as NSNumber: out[key] = number.intValue
        case let text as String: out[key] = text
        default: out[key] = NSNull()
        }
    }
    return out
}
