package no.maskinporten

// The core's plain value types are derived for uniffi in the core crate itself (not mirrored in
// the binding), so uniffi generates them into a package of their own (`no.maskinporten.core`:
// each generated file carries its own FFI helpers, which cannot share a package). These aliases
// let every public type be used from `no.maskinporten`.

/** The stable kind of every error (the core's `ErrorKind`); [stableName] gives its string. */
typealias ErrorKind = no.maskinporten.core.ErrorKind

/** RS256, RS384 or RS512. */
typealias Algorithm = no.maskinporten.core.Algorithm

/** Which certificates a grant's `x5c` carries: the leaf or the full chain. */
typealias X5c = no.maskinporten.core.X5c

/** Whether any or all required scopes must be granted. */
typealias ScopeMatch = no.maskinporten.core.ScopeMatch

/** Why an HTTP exchange got no answer: timeout, connect, reset, tls or other. */
typealias TransportFailure = no.maskinporten.core.TransportFailure

/** How loud a [FlowEvent] is. */
typealias EventLevel = no.maskinporten.core.EventLevel

/** The token flow's settings (retries, timeouts, deadline, refresh skew); null keeps the core's default. */
typealias FlowOptions = no.maskinporten.core.FlowOptions

/** The validator's settings (algorithms, leeway, JWKS age and refetch interval, JWKS timeout). */
typealias ValidatorOptions = no.maskinporten.core.ValidatorOptions

/** What an enterprise certificate says (no secrets). */
typealias CertificateInfo = no.maskinporten.core.CertificateInfo

/** An organisation as a token names it (`0192:991825827[:ER//987464291[:1]]`). */
typealias Organisation = no.maskinporten.core.Organisation

/** Which self-service call a request is; `selfServiceScope(call)` is the least admin scope it needs. */
typealias SelfServiceCall = no.maskinporten.core.SelfServiceCall

/** The self-service API's admin scopes (`idporten:dcr.read`, `.write`, `.modify`). */
typealias AdminScope = no.maskinporten.core.AdminScope

/** A new Maskinporten client for `SelfService.createClientRequest`. */
typealias NewClient = no.maskinporten.core.NewClient

/** A client's whole description for `SelfService.updateClientRequest`. */
typealias ClientUpdate = no.maskinporten.core.ClientUpdate

/** A client as the self-service API describes it. */
typealias RegisteredClient = no.maskinporten.core.RegisteredClient

/** One registered public key (`kid`, `expiresAt`, the JWK as JSON). */
typealias RegisteredKey = no.maskinporten.core.RegisteredKey

/** A client's registered key set. */
typealias ClientKeys = no.maskinporten.core.ClientKeys

/** A scope the organisation asked for or was granted. */
typealias ScopeAccess = no.maskinporten.core.ScopeAccess

/** A public scope. */
typealias PublicScope = no.maskinporten.core.PublicScope

// `RotationPlanner.plan` answers `no.maskinporten.core.RotationAction` (`Nothing`, `Publish`,
// `Switch`, `Remove`); it has no alias here because a Kotlin type alias does not carry a sealed
// class's cases: import it from `no.maskinporten.core`.
