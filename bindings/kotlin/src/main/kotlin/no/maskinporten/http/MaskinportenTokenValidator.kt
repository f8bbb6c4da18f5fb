package no.maskinporten.http

import no.maskinporten.MaskinportenException
import no.maskinporten.Requirements
import no.maskinporten.ValidatedToken
import no.maskinporten.Validator
import no.maskinporten.kind
import no.maskinporten.transportError
import java.io.IOException
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.time.Instant
import java.util.concurrent.locks.ReentrantLock
import kotlin.concurrent.withLock

/**
 * For API providers: validates Maskinporten access tokens, fetching the issuer's JWKS with
 * `java.net.http.HttpClient` when the core's [Validator] says a fetch is due (first use, older
 * than its maximum age, or an unknown `kid` within the core's rate limit). Thread-safe; one JWKS
 * fetch at a time. Every check is the core's.
 *
 * ```kotlin
 * val tokens = MaskinportenTokenValidator(Validator(Environment.prod()))
 * val token = tokens.validate(authorizationHeader, Requirements(scopes = listOf("nav:aareg/v1/arbeidsforhold")))
 * authorize(token.consumer.orgNumber)   // never on token.clientId
 * ```
 */
class MaskinportenTokenValidator @JvmOverloads constructor(
    val validator: Validator,
    private val http: HttpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(),
    private val requestTimeout: Duration = Duration.ofSeconds(10),
    private val clock: () -> Long = { Instant.now().epochSecond },
) {
    private val fetchLock = ReentrantLock()

    /**
     * Validates [token] (with or without `Bearer `). Throws [MaskinportenException.InvalidToken]
     * naming the failed check, or [MaskinportenException.Unavailable] when no JWKS could be fetched.
     */
    fun validate(token: String, requirements: Requirements): ValidatedToken {
        val fetchError = fetchJwksIfDue()
        try {
            return validator.validate(token, clock(), requirements)
        } catch (e: MaskinportenException) {
            if (e.kind == "jwks_missing" && fetchError != null) throw fetchError
            if (e.kind != "unknown_kid") throw e
        }
        // An unknown kid: the issuer may have rotated its keys. Refetch once if the core allows.
        fetchJwksIfDue()?.let { throw it }
        return validator.validate(token, clock(), requirements)
    }

    /** Fetches the JWKS if the validator asks for it; returns the failure, if any, instead of throwing. */
    private fun fetchJwksIfDue(): MaskinportenException? {
        if (validator.jwksRequest(clock()) == null) return null
        return fetchLock.withLock {
            val request = validator.jwksRequest(clock()) ?: return@withLock null // another thread fetched it
            val builder = HttpRequest.newBuilder(URI.create(request.url)).timeout(requestTimeout).GET()
            for (header in request.headers) builder.header(header.name, header.value)
            val failure = try {
                val response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray())
                // The core reads the status: a non-200 or a bad body keeps the keys and backs off.
                validator.updateJwksResponse(response.statusCode().toUShort(), response.body(), clock())
                return@withLock null
            } catch (e: MaskinportenException) {
                return@withLock e
            } catch (e: IOException) {
                transportError("${e.javaClass.simpleName}: ${e.message ?: "no answer"} (GET ${request.url})")
            } catch (e: InterruptedException) {
                Thread.currentThread().interrupt()
                transportError("interrupted while fetching ${request.url}")
            }
            // A transport failure: the core backs off, so a down issuer is not asked on every request.
            validator.jwksFetchFailed(clock())
            failure
        }
    }
}
