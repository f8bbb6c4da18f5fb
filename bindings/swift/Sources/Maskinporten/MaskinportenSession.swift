import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends one HTTP request. `URLSession` is the default; tests pass a fake.
public protocol MaskinportenTransport {
    func send(_ request: URLRequest) async throws -> (Data, HTTPURLResponse)
}

extension URLSession: MaskinportenTransport {
    public func send(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
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
            task.resume()
        }
    }
}

/// Obtains, caches and refreshes Maskinporten tokens with `URLSession` (async/await).
///
/// One token request is in flight per cache key: the core's `TokenCache` hands one caller a
/// ticket; concurrent callers await that fetch, or keep the still-valid token while it is
/// refreshed ahead of expiry. All protocol decisions are the core's; this actor moves bytes.
///
/// ```swift
/// let session = MaskinportenSession(client: client)
/// let token = try await session.token(GrantOptions(scopes: ["brreg:losore/utlegg"]))
/// request.setValue(token.authorizationHeader(), forHTTPHeaderField: "Authorization")
/// ```
public actor MaskinportenSession {
    public nonisolated let client: Client
    private let transport: MaskinportenTransport
    private let cache: TokenCache
    private let signer: ExternalSigner?
    private let clock: @Sendable () -> Int64
    private var inflight: [String: Task<AccessToken, Error>] = [:]

    public init(
        client: Client,
        transport: MaskinportenTransport = URLSession.shared,
        cache: TokenCache = TokenCache(refreshSkew: nil, fetchLease: nil),
        signer: ExternalSigner? = nil,
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.client = client
        self.transport = transport
        self.cache = cache
        self.signer = signer
        self.clock = clock
    }

    /// A token for these scopes (no other claims).
    public func token(scopes: [String]) async throws -> AccessToken {
        try await token(GrantOptions(scopes: scopes, resource: nil, consumerOrg: nil, issOnbehalfof: nil, pid: nil, authorizationDetails: []))
    }

    /// A valid token for `options`: cached, or fetched once for all concurrent callers.
    /// Throws `MaskinportenError` (`.OAuth` with `mpCode`/`hint`, `.Unavailable` when retryable, ...).
    public func token(_ options: GrantOptions) async throws -> AccessToken {
        let key = client.cacheKey(options: options)
        while true {
            switch cache.lookup(key: key, now: clock()) {
            case let .hit(token):
                return token
            case let .fetch(ticket, current):
                let task = Task { try await self.fetch(options) }
                inflight[key] = task
                defer { inflight[key] = nil }
                do {
                    let token = try await task.value
                    cache.complete(ticket: ticket, token: token, now: clock())
                    return token
                } catch {
                    cache.fail(ticket: ticket)
                    // Refresh ahead failed but the held token is still valid: keep using it.
                    if let current, !current.isExpired(now: clock()) { return current }
                    throw error
                }
            case let .wait(until):
                if let task = inflight[key] {
                    _ = try? await task.value // its owner reports the error; look up again
                } else {
                    // Fetched by another session sharing the cache: wait until its lease ends at most.
                    let seconds = max(until - clock(), 0)
                    try await Task.sleep(nanoseconds: UInt64(seconds) * 1_000_000_000 + 50_000_000)
                }
            }
        }
    }

    /// Forgets the cached token for `options` (after the API answered 401).
    public func invalidate(_ options: GrantOptions) {
        cache.invalidate(key: client.cacheKey(options: options))
    }

    /// Sends `request` to an API with a token for `options`; on 401 the token is dropped and the
    /// request is sent once more with a fresh one.
    public func data(for request: URLRequest, options: GrantOptions) async throws -> (Data, HTTPURLResponse) {
        var authorized = request
        authorized.setValue(try await token(options).authorizationHeader(), forHTTPHeaderField: "Authorization")
        let first = try await transport.send(authorized)
        guard first.1.statusCode == 401 else { return first }
        invalidate(options)
        authorized.setValue(try await token(options).authorizationHeader(), forHTTPHeaderField: "Authorization")
        return try await transport.send(authorized)
    }

    /// One token request: built by the core, sent here, read by the core.
    private func fetch(_ options: GrantOptions) async throws -> AccessToken {
        let now = clock()
        let request: HttpRequest
        if let signer {
            request = try client.tokenRequestWithSigner(options: options, now: now, signer: signer, jti: nil)
        } else {
            request = try client.tokenRequest(options: options, now: now, jti: nil)
        }
        guard let url = URL(string: request.url) else {
            throw transportError(message: "not a URL: \(request.url)")
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        urlRequest.httpBody = Data(request.body.utf8)
        for header in request.headers {
            urlRequest.setValue(header.value, forHTTPHeaderField: header.name)
        }
        let data: Data
        let response: HTTPURLResponse
        do {
            (data, response) = try await transport.send(urlRequest)
        } catch let error as MaskinportenError {
            throw error
        } catch {
            throw transportError(message: "\(type(of: error)): \(error.localizedDescription) (POST \(request.url))")
        }
        return try client.parseTokenResponse(
            status: Int32(clamping: response.statusCode),
            body: data,
            contentType: response.value(forHTTPHeaderField: "Content-Type"),
            now: clock()
        )
    }
}
