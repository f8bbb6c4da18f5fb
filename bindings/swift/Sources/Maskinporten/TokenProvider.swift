import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(os)
import os
#endif

/// Obtains, caches and refreshes Maskinporten tokens with `URLSession` (async/await): the
/// executor of the core's token flow (`TokenFlow`). Thread-safe.
///
/// Every decision is the core's, the same as in every other language: the cache and when to
/// refresh, one token request per cache key for all concurrent callers, retries (5xx, 429, no
/// answer; back-off with jitter, `Retry-After`, 10 s per attempt, 30 s per call), a failed refresh
/// ahead of expiry never failing a caller while the token is valid, and a 401 dropping only the
/// rejected token (`reject(token:)`). A cancelled task's fetch is released for the next caller.
///
/// ```swift
/// let provider = try TokenProvider(client: client)
/// let token = try await provider.token(GrantOptions(scopes: ["brreg:losore/utlegg"]))
/// request.setValue(token.authorizationHeader(), forHTTPHeaderField: "Authorization")
/// // the API answered 401 to it:
/// provider.reject(token: token.accessToken())
/// // an Altinn token: the Maskinporten token exchanged (both cached, each by its own expiry)
/// let altinn = try await provider.token(options, altinn: try AltinnExchange(platform: "tt02"))
/// ```
public final class TokenProvider: @unchecked Sendable {
    public let client: Client
    private let flow: TokenFlow
    private let transport: MaskinportenTransport
    private let signer: ExternalSigner?
    private let onEvent: @Sendable (FlowEvent) -> Void
    private let clock: @Sendable () -> Int64
    private let sleep: @Sendable (Int64) async throws -> Void
    private let jitter: @Sendable () -> Double
    private let generation: Generation
    private let lock = NSLock()
    private var keys: [OptionsKey: TokenKey] = [:]
    private var handedOut: [String: (key: TokenKey, token: String)] = [:]

    /// - Parameters:
    ///   - options: retries, timeouts, deadline, refresh skew (nil fields keep the core's).
    ///   - signer: signs grants for a key made with `Key.fromExternal` (keychain, Secure Enclave).
    ///   - onEvent: the flow's events (default: `os.Logger`, subsystem `no.maskinporten`).
    ///   - clock: Unix milliseconds; `sleep`: the back-off's pause; `jitter`: 0 to 1 (tests fix them).
    public init(
        client: Client,
        options: FlowOptions = FlowOptions(),
        transport: MaskinportenTransport = URLSession.shared,
        signer: ExternalSigner? = nil,
        onEvent: @escaping @Sendable (FlowEvent) -> Void = logFlowEvent,
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) },
        sleep: @escaping @Sendable (Int64) async throws -> Void = { try await Task.sleep(nanoseconds: UInt64($0) * 1_000_000) },
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) throws {
        let flow = try TokenFlow(client: client, options: options)
        self.client = client
        self.flow = flow
        self.transport = transport
        self.signer = signer
        self.onEvent = onEvent
        self.clock = clock
        self.sleep = sleep
        self.jitter = jitter
        self.generation = Generation(flow.generation())
    }

    /// A token for these scopes (no other claims).
    public func token(scopes: [String]) async throws -> AccessToken {
        try await token(GrantOptions(scopes: scopes, resource: nil, consumerOrg: nil, issOnbehalfof: nil, pid: nil, authorizationDetails: []))
    }

    /// A valid token for `options`: held, or fetched once for all concurrent callers. Throws
    /// `MaskinportenError` (`.OAuth` with `mpCode`/`hint`, `.Unavailable` after the core's
    /// retries, ...) or `CancellationError`.
    ///
    /// With `altinn`, an **Altinn token**: the Maskinporten token exchanged through it (Altinn 3's
    /// `exchange/maskinporten`), both stages run by the core's flow. The Altinn token is cached by
    /// its own expiry; the Maskinporten token is shared with plain callers and renewed once when
    /// Altinn refuses it (401). Refusals are typed (`altinn_token_rejected`, `altinn_forbidden`,
    /// `altinn_exchange_invalid`); 429 and 5xx are retried. `reject(token:)` works for both.
    public func token(_ options: GrantOptions, altinn: AltinnExchange? = nil) async throws -> AccessToken {
        let plain = tokenKey(options)
        // The exchanged key is derived anew per call (cheap); the core caches by its content.
        let key = altinn.map { flow.exchangedKey(key: plain, exchange: $0) } ?? plain
        let call = flow.start(key: key, nowMs: clock())
        var ended = false
        defer {
            if !ended { generation.advance(flow.cancel(call: call)) }
            for event in flow.pollEvents() { onEvent(event) }
        }
        while true {
            let step: TokenStep
            do {
                step = try flow.poll(call: call, nowMs: clock())
            } catch {
                ended = true
                generation.advance(flow.generation())
                throw error
            }
            switch step {
            case let .token(token, _):
                ended = true
                remember(key, token.accessToken())
                return token
            case let .send(request, _, timeoutAtMs):
                try await send(call, request, timeoutAtMs)
            case let .sign(signingInput, algorithm, _):
                sign(call, signingInput, algorithm)
            case let .sleep(untilMs):
                let millis = untilMs - clock()
                if millis > 0 { try await self.sleep(millis) }
            case let .wait(untilMs, seen):
                await generation.wait(seen: seen, milliseconds: untilMs - clock())
                try Task.checkCancellation()
            }
        }
    }

    /// Reports that an API answered 401 to `rejectedAccessToken`: the core drops that token,
    /// and only that one.
    public func reject(token rejectedAccessToken: String) {
        lock.lock()
        let rejected = handedOut.values.filter { $0.token == rejectedAccessToken }.map { $0.key }
        lock.unlock()
        for key in rejected {
            generation.advance(flow.reject(key: key, accessToken: rejectedAccessToken))
        }
        for event in flow.pollEvents() { onEvent(event) }
    }

    /// The token last handed out for `key`, for `reject(token:)` to find the key.
    private func remember(_ key: TokenKey, _ accessToken: String) {
        let label = key.label()
        lock.lock()
        handedOut[label] = (key, accessToken)
        lock.unlock()
    }

    /// The options converted once (the core computes their cache key then, not on every call).
    private func tokenKey(_ options: GrantOptions) -> TokenKey {
        let id = OptionsKey(options)
        lock.lock()
        if let key = keys[id] {
            lock.unlock()
            return key
        }
        // Options made anew for each call (new authorization detail objects) are new keys here:
        // bound the memo; the core's cache is keyed by content and keeps the tokens.
        if keys.count >= 1024 { keys.removeAll() }
        let key = flow.key(options: options)
        keys[id] = key
        lock.unlock()
        warn(key)
        return key
    }

    /// Shows once per options, as a `warn` event, what the core finds doubtful in them (an
    /// unusual `externalRef`): never an error.
    private func warn(_ key: TokenKey) {
        for message in key.warnings() {
            let object = ["event": "options_warning", "level": "warn", "message": message]
            let json = (try? JSONSerialization.data(withJSONObject: object)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
            onEvent(FlowEvent(name: "options_warning", level: .warn, message: message, json: json))
        }
    }

    private func send(_ call: TokenCall, _ request: HttpRequest, _ timeoutAtMs: Int64) async throws {
        let reported: UInt64
        do {
            let (body, response) = try await exchange(transport, request, timeoutMs: timeoutAtMs - clock())
            reported = flow.handleResponse(
                call: call,
                status: UInt16(clamping: response.statusCode),
                contentType: response.value(forHTTPHeaderField: "Content-Type"),
                retryAfter: response.value(forHTTPHeaderField: "Retry-After"),
                body: body,
                nowMs: clock(),
                jitter: jitter()
            )
        } catch {
            if isCancellation(error) { throw CancellationError() }
            reported = flow.handleFailure(call: call, failure: transportFailure(of: error), detail: describe(error), nowMs: clock(), jitter: jitter())
        }
        generation.advance(reported)
    }

    private func sign(_ call: TokenCall, _ signingInput: Data, _ algorithm: Algorithm) {
        let reported: UInt64
        if let signer {
            do {
                let signature = try signer.sign(signingInput: signingInput, algorithm: algorithmName(algorithm: algorithm))
                reported = flow.handleSignature(call: call, signature: signature, nowMs: clock())
            } catch {
                reported = flow.handleSignerFailure(call: call, message: describe(error), nowMs: clock())
            }
        } else {
            reported = flow.handleSignerFailure(
                call: call,
                message: "the key has no private key here (Key.fromExternal): pass the signer to TokenProvider(signer:)",
                nowMs: clock()
            )
        }
        generation.advance(reported)
    }
}

/// What makes two `GrantOptions` the same request (`GrantOptions` is not `Hashable`: its
/// authorization details are objects, compared by identity here).
private struct OptionsKey: Hashable {
    let scopes: [String]
    let resource: Resource?
    let consumerOrg: String?
    let issOnbehalfof: String?
    let pid: String?
    let details: [ObjectIdentifier]

    init(_ options: GrantOptions) {
        scopes = options.scopes
        resource = options.resource
        consumerOrg = options.consumerOrg
        issOnbehalfof = options.issOnbehalfof
        pid = options.pid
        details = options.authorizationDetails.map { ObjectIdentifier($0) }
    }
}

/// The default event sink: `os.Logger` (subsystem `no.maskinporten`, category `flow`) where it
/// exists; elsewhere events are dropped (pass `onEvent:` to keep them).
public func logFlowEvent(_ event: FlowEvent) {
    #if canImport(os)
    if #available(macOS 11.0, iOS 14.0, *) {
        let logger = Logger(subsystem: "no.maskinporten", category: "flow")
        switch event.level {
        case .debug: logger.debug("\(event.message, privacy: .public)")
        case .info: logger.info("\(event.message, privacy: .public)")
        case .warn: logger.warning("\(event.message, privacy: .public)")
        case .error: logger.error("\(event.message, privacy: .public)")
        }
    }
    #endif
}
