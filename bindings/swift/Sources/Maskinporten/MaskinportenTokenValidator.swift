import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// For API providers: validates Maskinporten access tokens, fetching the issuer's JWKS with the
/// transport (`URLSession` by default) when the core's `Validator` says a fetch is due (first
/// use, older than its maximum age, or an unknown `kid` within the core's rate limit).
///
/// ```swift
/// let tokens = MaskinportenTokenValidator(validator: Validator(environment: Environment.prod()))
/// let token = try await tokens.validate(bearer, requirements: Requirements(scopes: ["my:scope"]))
/// authorize(token.consumer.orgNumber)   // never on token.clientId
/// ```
public actor MaskinportenTokenValidator {
    public nonisolated let validator: Validator
    private let transport: MaskinportenTransport
    private let clock: @Sendable () -> Int64

    public init(
        validator: Validator,
        transport: MaskinportenTransport = URLSession.shared,
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.validator = validator
        self.transport = transport
        self.clock = clock
    }

    /// Validates `token` (with or without `Bearer `); throws `MaskinportenError.InvalidToken`
    /// naming the failed check, or `.Unavailable` when no JWKS could be fetched.
    public func validate(_ token: String, requirements: Requirements) async throws -> ValidatedToken {
        let fetchError = await fetchJwksIfDue()
        do {
            return try validator.validate(token: token, now: clock(), requirements: requirements)
        } catch let error as MaskinportenError where error.kind == "jwks_missing" && fetchError != nil {
            throw fetchError!
        } catch let error as MaskinportenError where error.kind == "unknown_kid" {
            // The issuer may have rotated its keys: refetch once if the core allows.
            if let failure = await fetchJwksIfDue() { throw failure }
            return try validator.validate(token: token, now: clock(), requirements: requirements)
        }
    }

    private func fetchJwksIfDue() async -> Error? {
        guard let request = validator.jwksRequest(now: clock()), let url = URL(string: request.url) else { return nil }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        for header in request.headers {
            urlRequest.setValue(header.value, forHTTPHeaderField: header.name)
        }
        do {
            let (data, response) = try await transport.send(urlRequest)
            // The core reads the status: a non-200 or a bad body keeps the keys and backs off.
            try validator.updateJwksResponse(status: UInt16(clamping: response.statusCode), body: data, now: clock())
            return nil
        } catch let error as MaskinportenError {
            return error
        } catch {
            // A transport failure: the core backs off, so a down issuer is not asked on every request.
            validator.jwksFetchFailed(now: clock())
            return transportError(message: "\(type(of: error)): \(error.localizedDescription) (GET \(request.url))")
        }
    }
}
