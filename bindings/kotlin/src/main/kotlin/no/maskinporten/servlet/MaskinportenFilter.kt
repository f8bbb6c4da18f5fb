package no.maskinporten.servlet

import jakarta.servlet.Filter
import jakarta.servlet.FilterChain
import jakarta.servlet.ServletRequest
import jakarta.servlet.ServletResponse
import jakarta.servlet.http.HttpServletRequest
import jakarta.servlet.http.HttpServletResponse
import no.maskinporten.Requirements
import no.maskinporten.TokenValidator
import no.maskinporten.ValidationResult
import no.maskinporten.checkRequirements

/**
 * A Jakarta Servlet filter for APIs that receive Maskinporten tokens: reads the `Authorization`
 * header and validates its token against [requirements]; a valid token goes on as the request
 * attribute [ATTRIBUTE], a refused request gets the core's [no.maskinporten.Rejection] as is
 * (status, `WWW-Authenticate`, JSON body, `Cache-Control: no-store`, `Retry-After`): 401 with a
 * bare `Bearer` challenge without a token (RFC 6750 §3.1), 401 `invalid_token`, 403
 * `insufficient_scope`, 503 when the issuer's keys cannot be had. `jakarta.servlet-api` is an
 * optional dependency: add it (your container provides it) to use this class.
 *
 * ```kotlin
 * val filter = MaskinportenFilter(TokenValidator(Environment.prod()), Requirements(scopes = listOf("my:scope")))
 * // in the servlet: val token = request.getAttribute(MaskinportenFilter.ATTRIBUTE) as ValidatedToken
 * ```
 *
 * @throws no.maskinporten.MaskinportenException `invalid_requirements` at construction when
 *   [requirements] name no scope or audience (and do not say `anyScopeUnchecked = true`).
 */
class MaskinportenFilter(
    private val validator: TokenValidator,
    private val requirements: Requirements,
) : Filter {
    init {
        checkRequirements(requirements)
    }

    companion object {
        /** Request attribute holding the [no.maskinporten.ValidatedToken]. */
        const val ATTRIBUTE = "no.maskinporten.token"
    }

    override fun doFilter(request: ServletRequest, response: ServletResponse, chain: FilterChain) {
        val http = request as HttpServletRequest
        when (val result = validator.validateRequest(http.getHeader("Authorization"), requirements)) {
            is ValidationResult.Valid -> {
                http.setAttribute(ATTRIBUTE, result.token)
                chain.doFilter(request, response)
            }
            is ValidationResult.Refused -> {
                val out = response as HttpServletResponse
                val rejection = result.rejection
                out.status = rejection.status.toInt()
                for (header in rejection.headers) out.setHeader(header.name, header.value)
                out.writer.write(rejection.body)
            }
        }
    }
}
