// The fields every MaskinportenError case carries, readable without a switch:
// `catch let error as MaskinportenError { print(error.kind.stableName, error.mpCode ?? "-") }`.

extension MaskinportenError {
    private var fields: (kind: ErrorKind, detail: String, status: UInt16?, error: String?, mpCode: String?, hint: String?, field: String?, retryable: Bool) {
        switch self {
        case let .Key(kind, detail, status, error, mpCode, hint, field, retryable),
             let .InvalidArgument(kind, detail, status, error, mpCode, hint, field, retryable),
             let .CertificateNotValid(kind, detail, status, error, mpCode, hint, field, retryable),
             let .OAuth(kind, detail, status, error, mpCode, hint, field, retryable),
             let .MalformedResponse(kind, detail, status, error, mpCode, hint, field, retryable),
             let .InvalidToken(kind, detail, status, error, mpCode, hint, field, retryable),
             let .Unavailable(kind, detail, status, error, mpCode, hint, field, retryable):
            return (kind, detail, status, error, mpCode, hint, field, retryable)
        case let .SelfServiceRefused(kind, detail, status, error, mpCode, hint, field, retryable, _, _):
            return (kind, detail, status, error, mpCode, hint, field, retryable)
        }
    }

    /// The admin scope a refused self-service call needed (`.SelfServiceRefused`, 401 and 403).
    public var neededScope: String? {
        if case let .SelfServiceRefused(_, _, _, _, _, _, _, _, neededScope, _) = self { return neededScope }
        return nil
    }

    /// The fields the self-service API named as wrong (`.SelfServiceRefused`, kind `selfServiceInvalid`).
    public var fieldErrors: [FieldError] {
        if case let .SelfServiceRefused(_, _, _, _, _, _, _, _, _, fieldErrors) = self { return fieldErrors }
        return []
    }

    /// The core's error kind (`.wrongPassword`, `.oauthError`, ...); `kind.stableName` is its string.
    public var kind: ErrorKind { fields.kind }
    /// What happened and what to do (never a key, password or token).
    public var detail: String { fields.detail }
    /// HTTP status of a remote answer.
    public var status: UInt16? { fields.status }
    /// OAuth error code (`invalid_grant`, ...).
    public var oauthError: String? { fields.error }
    /// The `MP-nnn` code.
    public var mpCode: String? { fields.mpCode }
    /// One actionable line for the code.
    public var hint: String? { fields.hint }
    /// The argument at fault.
    public var field: String? { fields.field }
    /// Whether trying again later may succeed.
    public var retryable: Bool { fields.retryable }
}

extension ErrorKind {
    /// The kind's stable string (`wrong_password`), as the core and every language write it.
    public var stableName: String { errorKindName(kind: self) }
}
