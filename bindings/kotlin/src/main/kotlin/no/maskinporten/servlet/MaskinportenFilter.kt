package no.maskinporten.servlet

import jakarta.servlet.Filter
import jakarta.servlet.FilterChain
import jakarta.servlet.ServletRequest
import jakarta.servlet.ServletResponse
import jakarta.servlet.http.HttpServletRequest
import jakarta.servlet.http.HttpServletResponse
import no.maskinporten.MaskinportenException
import no.maskinporten.Requirements
import no.maskinporten.http.MaskinportenTokenValidator
import no.maskinporten.kind

/**
 * A Jakarta Servlet filter for APIs that receive Maskinporten tokens: validates the bearer token
 * against [requirements] and puts the [no.maskinporten.ValidatedToken] in the request attribute
 * [ATTRIBUTE]; otherwise answers 401 (no or invalid token), 403 (valid token, wrong scope,
 * audience, pid or consumer) or 503 (the JWKS could not be fetched). `jakarta.servlet-api` is an
 * optional dependency: add it (your container provides it) to use this class.
 *
 * ```kotlin
 * val filter = MaskinportenFilter(MaskinportenTokenValidator(Validator(Environment.prod())),
 *     Requirements(scopes = listOf("my:scope")))
 * // in the servlet: val token = request.getAttribute(MaskinportenFilter.ATTRIBUTE) as ValidatedToken
 * ```
 */
class MaskinportenFilter(
    private val tokens: MaskinportenTokenValidator,
    private val requirements: Requirements,
) : Filter {
    companion object {
        /** Request attribute holding the [no.maskinporten.ValidatedToken]. */
        const val ATTRIBUTE = "no.maskinporten.token"
        private val FORBIDDEN = setOf("insufficient_scope", "audience_mismatch", "pid_missing", "consumer_not_allowed")
    }

    override fun doFilter(request: ServletRequest, response: ServletResponse, chain: FilterChain) {
        val http = request as HttpServletRequest
        val out = response as HttpServletResponse
        val header = http.getHeader("Authorization")
        if (header == null || !header.regionMatches(0, "Bearer ", 0, 7, ignoreCase = true)) {
            out.setHeader("WWW-Authenticate", "Bearer")
            out.sendError(401, "a Maskinporten bearer token is required")
            return
        }
        val token = try {
            tokens.validate(header.substring(7).trim(), requirements)
        } catch (e: MaskinportenException.Unavailable) {
            out.sendError(503, "cannot validate tokens right now")
            return
        } catch (e: MaskinportenException) {
            // RFC 6750 error codes; the kind names the failed check, never the token.
            if (e.kind in FORBIDDEN) {
                out.setHeader("WWW-Authenticate", "Bearer error=\"insufficient_scope\"")
                out.sendError(403, e.kind)
            } else {
                out.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"")
                out.sendError(401, e.kind)
            }
            return
        }
        http.setAttribute(ATTRIBUTE, token)
        chain.doFilter(request, response)
    }
}
