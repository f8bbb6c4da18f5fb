// The README's validator quickstart, verbatim between the markers (see QuickstartTest).
package readme

// validator:start
import no.maskinporten.Environment
import no.maskinporten.Requirements
import no.maskinporten.TokenValidator
import no.maskinporten.ValidationResult

class AccountsApi(environment: Environment) {
    // One per issuer (thread-safe); fetches the issuer's keys when the core says so.
    private val validator = TokenValidator(environment)

    // Name the scope(s) this API requires (or its audience); `anyScopeUnchecked = true` is the
    // explicit opt-out. Requirements naming neither fail with invalid_requirements.
    private val requirements = Requirements(scopes = listOf("test:scope.read"))

    /** The status and body this API answers a request with. */
    fun handle(authorization: String?): Pair<Int, String> =
        when (val result = validator.validateRequest(authorization, requirements)) {
            // Authorize on the consumer, never on the client id.
            is ValidationResult.Valid -> 200 to "accounts of ${result.token.consumer.orgNumber}"
            // The core's RFC 6750 answer; also send result.rejection.headers
            // (WWW-Authenticate, Content-Type, Cache-Control: no-store, Retry-After).
            is ValidationResult.Refused -> result.rejection.status.toInt() to result.rejection.body
        }
}
// validator:end
