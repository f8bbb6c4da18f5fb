package no.maskinporten

import java.io.IOException
import java.time.Duration
import java.util.concurrent.ConcurrentHashMap
import java.util.function.DoubleSupplier
import java.util.function.LongSupplier

/**
 * Obtains, caches and refreshes Maskinporten tokens: the executor of the core's token flow
 * ([TokenFlow]) over an [HttpTransport] (`java.net.http` by default). Thread-safe.
 *
 * Every decision is the core's and the same in every language: the cache and when to refresh
 * (30 s before expiry, at most half the lifetime), one token request per cache key whatever the
 * number of threads, retries (4 attempts, exponential back-off with jitter, `Retry-After`
 * honoured, 10 s per attempt, 30 s per call, only for 5xx, 429 and no answer), a refresh ahead
 * of expiry that fails never failing a caller while the token is valid, and a 401 dropping only
 * the rejected token ([reject]). Settings go through [FlowOptions].
 *
 * ```kotlin
 * val provider = TokenProvider(client)
 * val token = provider.token(GrantOptions(scopes = listOf("brreg:losore/utlegg")))
 * request.header("Authorization", token.authorizationHeader())
 * // the API answered 401 to it:
 * provider.reject(token)
 * // an Altinn token: the Maskinporten token exchanged (both cached, each refreshed by its own expiry)
 * val altinn = provider.token(GrantOptions(scopes = listOf("altinn:instances.read")), AltinnExchange("tt02"))
 * ```
 *
 * A token the core says is fresh is handed out from memory without calling into the native
 * library (no events are reported for such hits).
 *
 * @param client the Maskinporten client (id, key, environment).
 * @param options retries, timeouts, deadline and refresh skew (null fields keep the core's).
 * @param transport sends the token requests.
 * @param signer signs grants for a key made with [Key.fromExternal] (HSM, keystore).
 * @param listener receives the flow's events (default: `System.Logger` "maskinporten").
 * @param clock Unix milliseconds (tests pass a fake one).
 * @param sleeper waits out the back-off (tests pass one that moves the fake clock).
 * @param jitter a number in [0, 1] for each back-off (tests fix it).
 */
class TokenProvider @JvmOverloads constructor(
    val client: Client,
    options: FlowOptions = FlowOptions(),
    private val transport: HttpTransport = JavaHttpTransport(),
    private val signer: ExternalSigner? = null,
    private val listener: FlowEventListener = FlowEventListener.systemLogger(),
    private val clock: LongSupplier = HostDefaults.CLOCK,
    private val sleeper: Sleeper = HostDefaults.SLEEPER,
    private val jitter: DoubleSupplier = HostDefaults.JITTER,
) {
    private val flow = TokenFlow(client, options)
    private val generation = Generation(flow.generation())
    private val entries = ConcurrentHashMap<GrantOptions, Entry>()

    /** The entries of Altinn tokens, by their grant options and exchange. */
    private val exchanged = ConcurrentHashMap<Pair<GrantOptions, AltinnExchange>, Entry>()

    /** The token last handed out per cache key (by its label), for [reject] to find the key. */
    private val handedOut = ConcurrentHashMap<String, Pair<TokenKey, String>>()

    /** The converted options of one [GrantOptions] value, and its memo. */
    private class Entry(val key: TokenKey) {
        /** The cache key's short name (also the events'). */
        val label: String = key.label()

        /** Reused until its `freshUntilMs`; null when the core said not to. */
        @Volatile
        var memo: Memo? = null
    }

    /** A token as handed out; [freshUntilMs] is the core's word on how long it may be reused. */
    private class Memo(val token: AccessToken, val accessToken: String, val freshUntilMs: Long) {
        val header = "Bearer $accessToken"
    }

    /** A token for these scopes (no other claims). */
    fun token(vararg scopes: String): AccessToken = token(GrantOptions(scopes = scopes.toList()))

    /**
     * A valid token for [options]: held, or fetched once for all concurrent callers. Throws
     * [MaskinportenException] (`OAuth` with `mpCode`/`hint`; `Unavailable` after the core's
     * retries, ...); an interrupted thread gets [InterruptedException] and its fetch is released.
     */
    @Throws(InterruptedException::class)
    fun token(options: GrantOptions): AccessToken = memo(options).token

    /**
     * An **Altinn token** for [options]: the Maskinporten token exchanged through [altinn]
     * (Altinn 3's `exchange/maskinporten`), both stages run by the core's flow. The Altinn token
     * is cached by its own expiry; the Maskinporten token is shared with [token]'s callers and
     * renewed once when Altinn refuses it (401). Altinn's refusals are typed
     * (`altinn_token_rejected`, `altinn_forbidden`, `altinn_exchange_invalid`); 429/5xx are retried.
     * A null [altinn] is [token] (options).
     */
    @Throws(InterruptedException::class)
    fun token(options: GrantOptions, altinn: AltinnExchange?): AccessToken = memo(options, altinn).token

    /** `Bearer <token>` for [options], as [token] gives it. Secret: do not log it. */
    @Throws(InterruptedException::class)
    fun authorizationHeader(options: GrantOptions): String = memo(options).header

    /** `Bearer <Altinn token>` for [options] and [altinn], as [token] gives it. Secret: do not log it. */
    @Throws(InterruptedException::class)
    fun authorizationHeader(options: GrantOptions, altinn: AltinnExchange?): String = memo(options, altinn).header

    /**
     * Reports that an API answered 401 to [rejectedAccessToken]: the core drops that token, and
     * only that one (when many callers report the same 401, the first one's new token is kept).
     */
    fun reject(rejectedAccessToken: String) {
        for (entry in entries.values + exchanged.values) {
            if (entry.memo?.accessToken == rejectedAccessToken) entry.memo = null
        }
        for ((key, handed) in handedOut.values) {
            if (handed == rejectedAccessToken) generation.advance(flow.reject(key, rejectedAccessToken))
        }
        listener.deliver(flow.pollEvents())
    }

    /** [reject] for a token as [token] gave it. */
    fun reject(token: AccessToken) = reject(token.accessToken())

    /**
     * Calls an API with a token for [options] (an Altinn token with [altinn]): [call] gets the
     * `Authorization` value. When [unauthorized] says the answer is a 401, the token is
     * [reject]ed, the answer handed to [discard] (close it), and [call] runs once more with the
     * provider's next token.
     */
    @Throws(InterruptedException::class)
    fun <R> callApi(
        options: GrantOptions,
        unauthorized: (R) -> Boolean,
        discard: (R) -> Unit = {},
        altinn: AltinnExchange? = null,
        call: (authorization: String) -> R,
    ): R {
        val header = authorizationHeader(options, altinn)
        val first = call(header)
        if (!unauthorized(first)) return first
        discard(first)
        reject(header.removePrefix("Bearer "))
        return call(authorizationHeader(options, altinn))
    }

    /**
     * Sends [request] with [http], adding the token for [options] (an Altinn token with
     * [altinn]); a 401 is handled as by [callApi] (the token rejected, the request sent once more).
     */
    @Throws(IOException::class, InterruptedException::class)
    fun <T> send(
        http: java.net.http.HttpClient,
        request: java.net.http.HttpRequest,
        handler: java.net.http.HttpResponse.BodyHandler<T>,
        options: GrantOptions,
        altinn: AltinnExchange? = null,
    ): java.net.http.HttpResponse<T> = callApi(options, { it.statusCode() == 401 }, altinn = altinn) { authorization ->
        http.send(java.net.http.HttpRequest.newBuilder(request) { _, _ -> true }.setHeader("Authorization", authorization).build(), handler)
    }

    private fun memo(options: GrantOptions, altinn: AltinnExchange? = null): Memo {
        val entry = if (altinn == null) entries[options] ?: entry(options) else exchangedEntry(options, altinn)
        val memo = entry.memo
        if (memo != null && clock.asLong < memo.freshUntilMs) return memo
        return execute(entry)
    }

    private fun entry(options: GrantOptions): Entry {
        // Options made anew for each call (a new AuthorizationDetail object each time) are new
        // keys here: bound the memo; the core's cache is keyed by content and keeps the tokens.
        if (entries.size >= MAX_ENTRIES) entries.clear()
        return entries.computeIfAbsent(options) { Entry(flow.key(it).also(::warn)) }
    }

    /** Shows once, as a `warn` event, what the core finds doubtful in new options (not an error). */
    private fun warn(key: TokenKey) {
        val events = key.warnings().map { message ->
            val quoted = buildString {
                append('"')
                for (c in message) when {
                    c == '"' || c == '\\' -> append('\\').append(c)
                    c < ' ' -> append("\\u%04x".format(c.code))
                    else -> append(c)
                }
                append('"')
            }
            FlowEvent("options_warning", EventLevel.WARN, message, "{\"event\":\"options_warning\",\"level\":\"warn\",\"message\":$quoted}")
        }
        if (events.isNotEmpty()) listener.deliver(events)
    }

    private fun exchangedEntry(options: GrantOptions, altinn: AltinnExchange): Entry {
        val key = options to altinn
        exchanged[key]?.let { return it }
        if (exchanged.size >= MAX_ENTRIES) exchanged.clear()
        return exchanged.computeIfAbsent(key) { Entry(flow.exchangedKey(flow.key(options).also(::warn), altinn)) }
    }

    /** One call of the core's flow, step by step, until its token or its error. */
    private fun execute(entry: Entry): Memo {
        val call = flow.start(entry.key, clock.asLong)
        var ended = false
        try {
            while (true) {
                val step = try {
                    flow.poll(call, clock.asLong)
                } catch (e: MaskinportenException) {
                    ended = true
                    // A fetch that failed inside the poll released its right to fetch.
                    generation.advance(flow.generation())
                    throw e
                }
                when (step) {
                    is TokenStep.Token -> {
                        ended = true
                        val memo = Memo(step.token, step.token.accessToken(), step.freshUntilMs ?: Long.MIN_VALUE)
                        handedOut[entry.label] = entry.key to memo.accessToken
                        entry.memo = if (step.freshUntilMs != null) memo else null
                        return memo
                    }
                    is TokenStep.Send -> send(call, step)
                    is TokenStep.Sign -> sign(call, step)
                    is TokenStep.Sleep -> {
                        val millis = step.untilMs - clock.asLong
                        if (millis > 0) sleeper.sleep(millis)
                    }
                    is TokenStep.Wait -> generation.await(step.generation, step.untilMs, clock)
                }
            }
        } finally {
            // Interrupted, or a transport or signer that threw something unexpected: release the
            // call's right to fetch so the next caller fetches.
            if (!ended) generation.advance(flow.cancel(call))
            listener.deliver(flow.pollEvents())
        }
    }

    private companion object {
        /** Distinct [GrantOptions] values memoized at once. */
        const val MAX_ENTRIES = 1024
    }

    private fun send(call: TokenCall, step: TokenStep.Send) {
        val left = step.timeoutAtMs - clock.asLong
        val reported = try {
            if (left <= 0) throw java.net.http.HttpTimeoutException("the attempt's time ran out before it was sent")
            val answer = transport.send(step.request, Duration.ofMillis(left))
            flow.handleResponse(
                call,
                answer.status.toUShort(),
                answer.contentType,
                answer.retryAfter,
                answer.body,
                clock.asLong,
                jitter.asDouble,
            )
        } catch (e: IOException) {
            flow.handleFailure(call, transportFailureOf(e), describe(e), clock.asLong, jitter.asDouble)
        }
        generation.advance(reported)
    }

    private fun sign(call: TokenCall, step: TokenStep.Sign) {
        val reported = if (signer == null) {
            flow.handleSignerFailure(
                call,
                "the key has no private key here (Key.fromExternal): pass the signer to TokenProvider(signer = ...)",
                clock.asLong,
            )
        } else {
            try {
                val signature = signer.sign(step.signingInput, step.algorithm.name)
                flow.handleSignature(call, signature, clock.asLong)
            } catch (e: InterruptedException) {
                throw e
            } catch (e: Exception) {
                flow.handleSignerFailure(call, describe(e), clock.asLong)
            }
        }
        generation.advance(reported)
    }
}
