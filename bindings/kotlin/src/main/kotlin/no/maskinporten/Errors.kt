package no.maskinporten

// The fields every MaskinportenException variant carries, readable without a cast:
// `catch (e: MaskinportenException) { log.warn("{} {}", e.kind.stableName, e.mpCode) }`.
// (uniffi declares them on each subclass; these only forward.)

import java.util.Locale

/**
 * The kind's stable string (`wrong_password`, `oauth_error`), as the core, the shared vectors and
 * every other language write it: the enum constant's name in lower case (a test checks every
 * constant against the core's list, [errorKinds]).
 */
val ErrorKind.stableName: String
    get() = name.lowercase(Locale.ROOT)

/** The core's error kind, such as [ErrorKind.WRONG_PASSWORD] (see [stableName] for its string). */
val MaskinportenException.kind: ErrorKind
    get() = when (this) {
        is MaskinportenException.Key -> kind
        is MaskinportenException.InvalidArgument -> kind
        is MaskinportenException.CertificateNotValid -> kind
        is MaskinportenException.OAuth -> kind
        is MaskinportenException.MalformedResponse -> kind
        is MaskinportenException.InvalidToken -> kind
        is MaskinportenException.Unavailable -> kind
        is MaskinportenException.SelfServiceRefused -> kind
    }

/** What happened and what to do (the core's message; `message` lists every field). */
val MaskinportenException.detail: String
    get() = when (this) {
        is MaskinportenException.Key -> detail
        is MaskinportenException.InvalidArgument -> detail
        is MaskinportenException.CertificateNotValid -> detail
        is MaskinportenException.OAuth -> detail
        is MaskinportenException.MalformedResponse -> detail
        is MaskinportenException.InvalidToken -> detail
        is MaskinportenException.Unavailable -> detail
        is MaskinportenException.SelfServiceRefused -> detail
    }

/** HTTP status of a remote answer, or null. */
val MaskinportenException.status: UShort?
    get() = when (this) {
        is MaskinportenException.Key -> status
        is MaskinportenException.InvalidArgument -> status
        is MaskinportenException.CertificateNotValid -> status
        is MaskinportenException.OAuth -> status
        is MaskinportenException.MalformedResponse -> status
        is MaskinportenException.InvalidToken -> status
        is MaskinportenException.Unavailable -> status
        is MaskinportenException.SelfServiceRefused -> status
    }

/** The OAuth error code (`invalid_grant`, ...), for [MaskinportenException.OAuth]. */
val MaskinportenException.error: String?
    get() = when (this) {
        is MaskinportenException.Key -> error
        is MaskinportenException.InvalidArgument -> error
        is MaskinportenException.CertificateNotValid -> error
        is MaskinportenException.OAuth -> error
        is MaskinportenException.MalformedResponse -> error
        is MaskinportenException.InvalidToken -> error
        is MaskinportenException.Unavailable -> error
        is MaskinportenException.SelfServiceRefused -> error
    }

/** The `MP-nnn` code of an OAuth error, or null. */
val MaskinportenException.mpCode: String?
    get() = when (this) {
        is MaskinportenException.Key -> mpCode
        is MaskinportenException.InvalidArgument -> mpCode
        is MaskinportenException.CertificateNotValid -> mpCode
        is MaskinportenException.OAuth -> mpCode
        is MaskinportenException.MalformedResponse -> mpCode
        is MaskinportenException.InvalidToken -> mpCode
        is MaskinportenException.Unavailable -> mpCode
        is MaskinportenException.SelfServiceRefused -> mpCode
    }

/** One actionable line for the MP code, or null. */
val MaskinportenException.hint: String?
    get() = when (this) {
        is MaskinportenException.Key -> hint
        is MaskinportenException.InvalidArgument -> hint
        is MaskinportenException.CertificateNotValid -> hint
        is MaskinportenException.OAuth -> hint
        is MaskinportenException.MalformedResponse -> hint
        is MaskinportenException.InvalidToken -> hint
        is MaskinportenException.Unavailable -> hint
        is MaskinportenException.SelfServiceRefused -> hint
    }

/** The argument at fault, for [MaskinportenException.InvalidArgument]. */
val MaskinportenException.field: String?
    get() = when (this) {
        is MaskinportenException.Key -> field
        is MaskinportenException.InvalidArgument -> field
        is MaskinportenException.CertificateNotValid -> field
        is MaskinportenException.OAuth -> field
        is MaskinportenException.MalformedResponse -> field
        is MaskinportenException.InvalidToken -> field
        is MaskinportenException.Unavailable -> field
        is MaskinportenException.SelfServiceRefused -> field
    }

/** Whether trying again later may succeed (5xx, 429, no answer). */
val MaskinportenException.retryable: Boolean
    get() = when (this) {
        is MaskinportenException.Key -> retryable
        is MaskinportenException.InvalidArgument -> retryable
        is MaskinportenException.CertificateNotValid -> retryable
        is MaskinportenException.OAuth -> retryable
        is MaskinportenException.MalformedResponse -> retryable
        is MaskinportenException.InvalidToken -> retryable
        is MaskinportenException.Unavailable -> retryable
        is MaskinportenException.SelfServiceRefused -> retryable
    }
