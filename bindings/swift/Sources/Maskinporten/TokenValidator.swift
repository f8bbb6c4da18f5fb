import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What `TokenValidator.validateRequest` found.
public enum ValidationResult {
    /// The token passed every check: authorize on `consumer`, never on `clientId`.
    case valid(ValidatedToken)
    /// Refused: answer the request with `rejection` as is (status, headers, JSON body); `error`
    /// says why, for the logs.
    case refused(MaskinportenError, Rejection)
}

/// For API providers: validates Maskinporten access tokens, the executor of the core's
/// validation flow over `URLSession`. Thread-safe. The core decides the checks, when the JWKS is
/// fetched (first use, after 24 h, an unknown `kid` at most once per 60 s), that one request
/// fetches while concurrent ones wait for it, that an unreachable issuer with no keys is the
/// retryable `.unavailable` (503), and the HTTP answer to a refusal (`Rejection`, RFC 6750).
///
/// ```swift
/// let validator = try TokenValidator(environment: Environment.prod())
/// let api = Requirements(scopes: ["my:api.read"])
/// switch try await validator.validateRequest(authorization: request.value(forHTTPHeaderField: "Authorization"), requirements: api) {
/// case let .valid(token): authorize(token.consumer.orgNumber)
/// case let .refused(_, rejection): respond(rejection.status, rejection.headers, rejection.body)
/// }
/// ```
///
/// `Requirements` must name a scope or an audience, or say `anyScopeUnchecked: true`.
public final class TokenValidator: @unchecked Sendable {
    private let validator: Validator
    private let transport: MaskinportenTransport
    private let onEvent: @Sendable (FlowEvent) -> Void
    private let clock: @Sendable () -> Int64
    private let generation: Generation
    private let lock = NSLock()
    private var guards: [Requirements: Guard] = [:]

    /// A validator for `environment`'s issuer (required: there is no default environment).
    public init(
        environment: Environment,
        options: ValidatorOptions = ValidatorOptions(),
        transport: MaskinportenTransport = URLSession.shared,
        onEvent: @escaping @Sendable (FlowEvent) -> Void = logFlowEvent,
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) throws {
        let validator = try Validator(environment: environment, options: options)
        self.validator = validator
        self.transport = transport
        self.onEvent = onEvent
        self.clock = clock
        self.generation = Generation(validator.generation())
    }

    /// Validates `authorizationOrToken` (the token, or a whole `Authorization` value) against
    /// `requirements`; throws `MaskinportenError` (`.InvalidToken` naming the check,
    /// `.Unavailable` when the issuer's keys cannot be had) or `CancellationError`.
    public func validate(_ authorizationOrToken: String, requirements: Requirements) async throws -> ValidatedToken {
        switch try await run(Data(authorizationOrToken.utf8), header: false, requirements) {
        case let .valid(token): return token
        case let .refused(error, _): throw error
        }
    }

    /// Validates the request whose `Authorization` header is `authorization` (nil when absent),
    /// for framework adapters: the token, or the error with the core's `Rejection`.
    public func validateRequest(authorization: String?, requirements: Requirements) async throws -> ValidationResult {
        try await run(Data((authorization ?? "").utf8), header: true, requirements)
    }

    private func run(_ token: Data, header: Bool, _ requirements: Requirements) async throws -> ValidationResult {
        let bound = guardFor(requirements)
        var step = bound.begin(token: token, header: header, nowMs: clock())
        var pending: ValidationCall?
        var fetched = false
        defer {
            if let call = pending { generation.advance(bound.cancel(call: call)) }
            if fetched { for event in validator.pollEvents() { onEvent(event) } }
        }
        while true {
            switch step {
            case let .valid(token):
                pending = nil
                return .valid(token)
            case let .refused(error, rejection):
                pending = nil
                return .refused(error, rejection)
            case let .fetchJwks(call, request, timeoutAtMs):
                pending = call
                fetched = true
                generation.advance(try await fetch(bound, call, request, timeoutAtMs))
                step = bound.poll(call: call, nowMs: clock())
            case let .wait(call, untilMs, seen):
                pending = call
                await generation.wait(seen: seen, milliseconds: untilMs - clock())
                try Task.checkCancellation()
                step = bound.poll(call: call, nowMs: clock())
            }
        }
    }

    private func fetch(_ bound: Guard, _ call: ValidationCall, _ request: HttpRequest, _ timeoutAtMs: Int64) async throws -> UInt64 {
        do {
            let (body, response) = try await exchange(transport, request, timeoutMs: timeoutAtMs - clock())
            return bound.handleJwksResponse(
                call: call,
                status: UInt16(clamping: response.statusCode),
                contentType: response.value(forHTTPHeaderField: "Content-Type"),
                body: body,
                nowMs: clock()
            )
        } catch {
            if isCancellation(error) { throw CancellationError() }
            return bound.handleJwksFailure(call: call, failure: transportFailure(of: error), detail: describe(error), nowMs: clock())
        }
    }

    /// The validator bound to `requirements`, made once per requirements.
    private func guardFor(_ requirements: Requirements) -> Guard {
        lock.lock()
        defer { lock.unlock() }
        if let bound = guards[requirements] { return bound }
        let bound = validator.bind(requirements: requirements)
        guards[requirements] = bound
        return bound
    }
}
