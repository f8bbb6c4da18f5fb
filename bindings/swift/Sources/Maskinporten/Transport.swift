import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends one HTTP request the core's flows ask for (a token request, a JWKS fetch).
/// `URLSession` is the default; tests pass a scripted one. Throw (a `URLError`) when there is
/// no HTTP answer; the executors map it to the core's transport failure kinds. Stop when the
/// task is cancelled: that is how the flow's timeout aborts an exchange.
public protocol MaskinportenTransport: Sendable {
    func send(_ request: URLRequest) async throws -> (Data, HTTPURLResponse)
}

extension URLSession: MaskinportenTransport {
    public func send(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
        let running = RunningTask()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let task = self.dataTask(with: request) { data, response, error in
                    if let error {
                        continuation.resume(throwing: error)
                    } else if let http = response as? HTTPURLResponse {
                        continuation.resume(returning: (data ?? Data(), http))
                    } else {
                        continuation.resume(throwing: URLError(.badServerResponse))
                    }
                }
                running.start(task)
            }
        } onCancel: {
            running.cancel()
        }
    }
}

/// A data task that a cancellation may reach before or after it starts.
private final class RunningTask: @unchecked Sendable {
    private let lock = NSLock()
    private var task: URLSessionTask?
    private var cancelled = false

    func start(_ task: URLSessionTask) {
        lock.lock()
        self.task = task
        let cancelled = self.cancelled
        lock.unlock()
        task.resume()
        if cancelled { task.cancel() }
    }

    func cancel() {
        lock.lock()
        cancelled = true
        let task = self.task
        lock.unlock()
        task?.cancel()
    }
}

/// Sends `request` with `transport`, the whole exchange bounded by `timeoutMs` (the flow's
/// `timeoutAtMs` minus now): no timeout of its own.
func exchange(_ transport: MaskinportenTransport, _ request: HttpRequest, timeoutMs: Int64) async throws -> (Data, HTTPURLResponse) {
    guard timeoutMs > 0 else { throw URLError(.timedOut) }
    guard let url = URL(string: request.url()) else { throw URLError(.badURL) }
    var urlRequest = URLRequest(url: url, timeoutInterval: TimeInterval(timeoutMs) / 1000)
    urlRequest.httpMethod = request.method()
    let body = request.body()
    if !body.isEmpty { urlRequest.httpBody = Data(body.utf8) }
    for header in request.headers() {
        urlRequest.setValue(header.value, forHTTPHeaderField: header.name)
    }
    let finalRequest = urlRequest
    return try await withThrowingTaskGroup(of: (Data, HTTPURLResponse)?.self) { group in
        group.addTask { try await transport.send(finalRequest) }
        group.addTask {
            try await Task.sleep(nanoseconds: UInt64(timeoutMs) * 1_000_000)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let answer = first else { throw URLError(.timedOut) }
        return answer
    }
}

/// The core's kind for a failure to get an answer.
func transportFailure(of error: Error) -> TransportFailure {
    guard let url = error as? URLError else { return .other }
    switch url.code {
    case .timedOut:
        return .timeout
    case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet:
        return .connect
    case .networkConnectionLost:
        return .reset
    case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
         .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected,
         .clientCertificateRequired:
        return .tls
    default:
        return .other
    }
}

/// The HTTP client's description of a failure (no secrets).
func describe(_ error: Error) -> String {
    "\(type(of: error)): \(error.localizedDescription)"
}

/// Whether `error` means the calling task was cancelled (not a network failure).
func isCancellation(_ error: Error) -> Bool {
    error is CancellationError || (error as? URLError)?.code == .cancelled || Task.isCancelled
}
