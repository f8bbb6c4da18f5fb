package no.maskinporten

import java.io.IOException
import java.nio.ByteBuffer
import java.nio.CharBuffer
import java.nio.charset.CodingErrorAction
import java.time.Duration
import java.util.concurrent.ConcurrentHashMap
import java.util.function.LongSupplier

/**
 * For API providers: validates Maskinporten access tokens, the executor of the core's
 * validation flow over an [HttpTransport] (`java.net.http` by default). Thread-safe.
 *
 * The core decides everything: the checks (signature with an RS256/384/512 allow-list, `kid`,
 * `iss`, `exp`/`iat`/`nbf` with leeway, `token_type`, scopes, audience, `pid`, consumers), when the
 * JWKS is fetched (first use, after 24 h, an unknown `kid` at most once per 60 s), that one request
 * fetches while the others wait, that an unreachable issuer with no keys is the retryable
 * `unavailable` (503), and the HTTP answer to a refusal ([Rejection], RFC 6750).
 *
 * ```kotlin
 * val validator = TokenValidator(Environment.prod())
 * val api = Requirements(scopes = listOf("nav:aareg/v1/arbeidsforhold"))
 * val token = validator.validate(request.getHeader("Authorization"), api)
 * authorize(token.consumer.orgNumber)   // never on token.clientId
 * ```
 *
 * [Requirements] must name a scope or an audience, or say `anyScopeUnchecked = true`;
 * otherwise validation fails with `invalid_requirements`.
 *
 * @param environment the issuer whose tokens are accepted (required: no default environment).
 * @param options algorithms, leeway, JWKS age and refetch interval, JWKS timeout.
 * @param transport fetches the JWKS.
 * @param listener receives the JWKS events (default: `System.Logger` "maskinporten").
 * @param clock Unix milliseconds (tests pass a fake one).
 */
class TokenValidator @JvmOverloads constructor(
    environment: Environment,
    options: ValidatorOptions = ValidatorOptions(),
    private val transport: HttpTransport = JavaHttpTransport(),
    private val listener: FlowEventListener = FlowEventListener.systemLogger(),
    private val clock: LongSupplier = HostDefaults.CLOCK,
) {
    private val validator = Validator(environment, options)
    private val generation = Generation(validator.generation())
    private val guards = ConcurrentHashMap<Requirements, Bound>()

    /** A guard and its number: the hot call names the guard by number (one call fewer). */
    private class Bound(val guard: Guard) {
        val id = guard.id()
    }

    /**
     * Validates [authorizationOrToken] (the token, or the whole `Authorization` value, scheme in
     * any case) against [requirements]. Throws [MaskinportenException.InvalidToken] naming the
     * failed check, [MaskinportenException.Unavailable] when the issuer's keys cannot be had, or
     * [MaskinportenException.InvalidArgument] (`invalid_requirements`) for requirements that
     * would accept any token.
     */
    @Throws(InterruptedException::class)
    fun validate(authorizationOrToken: String, requirements: Requirements): ValidatedToken =
        when (val result = result(authorizationOrToken, requirements)) {
            is ValidationResult.Valid -> result.token
            is ValidationResult.Refused -> throw result.error
        }

    /** [validate]'s outcome as a value (the refusal with its [Rejection]). */
    internal fun result(authorizationOrToken: String, requirements: Requirements): ValidationResult =
        run(authorizationOrToken, false, requirements)

    /**
     * Validates the request whose `Authorization` header is [authorization] (null when absent),
     * for framework adapters: the token, or the error with the core's [Rejection] to answer
     * with (status, `WWW-Authenticate`, JSON body, `Retry-After`, `Cache-Control: no-store`).
     */
    @Throws(InterruptedException::class)
    fun validateRequest(authorization: String?, requirements: Requirements): ValidationResult =
        run(authorization ?: "", true, requirements)

    /** Whether the issuer's keys have been loaded. */
    fun hasJwks(): Boolean = validator.hasJwks()

    private fun run(text: String, header: Boolean, requirements: Requirements): ValidationResult {
        val bound = guards[requirements] ?: guards.computeIfAbsent(requirements) { Bound(validator.bind(it)) }
        val step = guardBegin(bound.id, utf8(text), header, clock.asLong)
        return ended(step) ?: fetching(bound.guard, step)
    }

    /** The validation needs the JWKS (its own fetch, or another request's). */
    private fun fetching(guard: Guard, first: ValidationStep): ValidationResult {
        var step = first
        var call: ValidationCall? = null
        try {
            while (true) {
                ended(step)?.let {
                    call = null
                    return it
                }
                val pending = when (val current = step) {
                    is ValidationStep.FetchJwks -> {
                        call = current.call
                        generation.advance(fetch(guard, current))
                        current.call
                    }
                    is ValidationStep.Wait -> {
                        call = current.call
                        generation.await(current.generation, current.untilMs, clock)
                        current.call
                    }
                    else -> error("unreachable: ended steps return above")
                }
                step = guard.poll(pending, clock.asLong)
            }
        } finally {
            call?.let { generation.advance(guard.cancel(it)) }
            listener.deliver(validator.pollEvents())
        }
    }

    private fun fetch(guard: Guard, step: ValidationStep.FetchJwks): ULong {
        val left = step.timeoutAtMs - clock.asLong
        return try {
            if (left <= 0) throw java.net.http.HttpTimeoutException("the JWKS fetch's time ran out before it was sent")
            val answer = transport.send(step.request, Duration.ofMillis(left))
            guard.handleJwksResponse(step.call, answer.status.toUShort(), answer.contentType, answer.body, clock.asLong)
        } catch (e: IOException) {
            guard.handleJwksFailure(step.call, transportFailureOf(e), describe(e), clock.asLong)
        }
    }

    private fun ended(step: ValidationStep): ValidationResult? = when (step) {
        is ValidationStep.Valid -> ValidationResult.Valid(step.token)
        is ValidationStep.Refused -> ValidationResult.Refused(step.error, step.rejection)
        else -> null
    }

    private companion object {
        /** Longest text encoded into the reused buffer (the core refuses tokens over 16 KiB). */
        const val BUFFER_BYTES = 16 * 1024 + 64

        /** A direct buffer per thread: the token crosses into the library without a copy there. */
        val buffers: ThreadLocal<ByteBuffer> = ThreadLocal.withInitial { ByteBuffer.allocateDirect(BUFFER_BYTES) }

        /** [text] as UTF-8 in a direct buffer (position 0); a lone surrogate becomes `?`. */
        fun utf8(text: String): ByteBuffer {
            val ascii = text.length <= BUFFER_BYTES && text.all { it < '\u0080' }
            if (ascii) {
                val buffer = buffers.get()
                buffer.clear()
                for (c in text) buffer.put(c.code.toByte())
                return buffer.flip()
            }
            val encoded = Charsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)
                .encode(CharBuffer.wrap(text))
            return ByteBuffer.allocateDirect(encoded.remaining()).put(encoded).flip()
        }
    }
}

/** What [TokenValidator.validateRequest] found. */
sealed class ValidationResult {
    /** The token passed every check: authorize on [ValidatedToken.consumer]. */
    class Valid(val token: ValidatedToken) : ValidationResult() {
        override fun toString() = "Valid(consumer=${token.consumer.id}, clientId=${token.clientId})"
    }

    /** Refused: answer the request with [rejection] as is; [error] says why, for the logs. */
    class Refused(val error: MaskinportenException, val rejection: Rejection) : ValidationResult() {
        override fun toString() = "Refused(kind=${error.kind.stableName}, status=${rejection.status})"
    }
}
