// The fields every MaskinportenError case carries, readable without a switch:
// `catch let error as MaskinportenError { print(error.kind, error.mpCode ?? "-") }`.

extension MaskinportenError {
    private var fields: (kind: String, detail: String, status: Int32?, error: String?, mpCode: String?, hint: String?, field: String?, retryable: Bool) {
        switch self {
        case let .Key(kind, detail, status, error, mpCode, hint, field, retryable),
             let .InvalidArgument(kind, detail, status, error, mpCode, hint, field, retryable),
             let .CertificateNotValid(kind, detail, status, error, mpCode, hint, field, retryable),
             let .OAuth(kind, detail, status, error, mpCode, hint, field, retryable),
             let .MalformedResponse(kind, detail, status, error, mpCode, hint, field, retryable),
             let .InvalidToken(kind, detail, status, error, mpCode, hint, field, retryable),
             let .Unavailable(kind, detail, status, error, mpCode, hint, field, retryable):
            return (kind, detail, status, error, mpCode, hint, field, retryable)
        }
    }

    /// The core's stable error kind (`wrong_password`, `invalid_consumer_org`, `oauth_error`, ...).
    public var kind: String { fields.kind }
    /// What happened and what to do (never a key, password or token).
    public var detail: String { fields.detail }
    /// HTTP status of a remote answer.
    public var status: Int32? { fields.status }
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
