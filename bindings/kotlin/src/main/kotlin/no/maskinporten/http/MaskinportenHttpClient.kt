package no.maskinporten.http

import no.maskinporten.AccessToken
import no.maskinporten.CacheLookup
import no.maskinporten.Client
import no.maskinporten.ExternalSigner
import no.maskinporten.GrantOptions
import no.maskinporten.MaskinportenException
import no.maskinporten.TokenCache
import no.maskinporten.transportError
import java.io.IOException
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.time.Instant
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.TimeUnit
import java.util.concurrent.locks.Condition
import java.util.concurrent.locks.ReentrantLock
import kotlin.concurrent.withLock

/**
 * Obtains, caches and refreshes Maskinporten tokens over `java.net.http.HttpClient`.
 *
 * Thread-safe. Per cache key (client, key, scopes, resource, delegation, pid,
 * authorization_details, environment) at most one token request is in flight: the core's
 * [TokenCache] hands one caller a ticket to fetch; the others wait on that key's condition, or
 * keep using the still-valid token while it is refreshed ahead of expiry.
 *
 * All protocol decisions (the grant, the request, reading the answer, when to refresh) are the
 * core's; this class only moves bytes between the core and the HTTP client.
 *
 * ```kotlin
 * val maskinporten = MaskinportenHttpClient(client)
 * val token = maskinporten.token(GrantOptions(scopes = listOf("brreg:losore/utlegg")))
 * request.header("Authorization", token.authorizationHeader())
 * ```
 *
 * @param client the Maskinporten client (id, key, environment).
 * @param http the HTTP client to send token requests with.
 * @param cache the token cache (share one between helpers to share tokens).
 * @param signer an external signer, for a [no.maskinporten.Key.fromExternal] key (HSM, keystore).
 * @param requestTimeout timeout of one token request.
 * @param clock the current time in Unix seconds (tests may pass a fake one).
 */
class MaskinportenHttpClient @JvmOverloads constructor(
    val client: Client,
    private val http: HttpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(),
    private val cache: TokenCache = TokenCache(),
    private val signer: ExternalSigner? = null,
    private val requestTimeout: Duration = Duration.ofSeconds(30),
    private val clock: () -> Long = { Instant.now().epochSecond },
) {
    private class KeyLock {
        val lock = ReentrantLock()
        val changed: Condition = lock.newCondition()
    }

    private val locks = ConcurrentHashMap<String, KeyLock>()

    /** A token for these scopes (no other claims). */
    fun token(vararg scopes: String): AccessToken = token(GrantOptions(scopes = scopes.toList()))

    /**
     * A valid token for [options]: from the cache, or fetched (once for all concurrent callers).
     * Throws [MaskinportenException] (`OAuth` with `mpCode`/`hint`, `Unavailable` when retryable, ...).
     */
    fun token(options: GrantOptions): AccessToken {
        val key = client.cacheKey(options)
        val keyLock = locks.computeIfAbsent(key) { KeyLock() }
        while (true) {
            val lookup = keyLock.lock.withLock {
                var lookup = cache.lookup(key, clock())
                while (lookup is CacheLookup.Wait) {
                    // Another thread is fetching and nothing valid is held: wait for its
                    // complete/fail signal, or for its lease to end (then we take over).
                    val millis = ((lookup.until - clock()) * 1000).coerceIn(10, 30_000)
                    keyLock.changed.await(millis, TimeUnit.MILLISECONDS)
                    lookup = cache.lookup(key, clock())
                }
                lookup
            }
            when (lookup) {
                is CacheLookup.Hit -> return lookup.token
                is CacheLookup.Fetch -> return fetchWithTicket(options, keyLock, lookup)
                is CacheLookup.Wait -> continue
            }
        }
    }

    private fun fetchWithTicket(options: GrantOptions, keyLock: KeyLock, lookup: CacheLookup.Fetch): AccessToken {
        val token = try {
            fetch(options)
        } catch (e: Throwable) {
            keyLock.lock.withLock {
                cache.fail(lookup.ticket)
                keyLock.changed.signalAll()
            }
            // Refresh ahead failed but the held token is still valid: keep using it; the next
            // call past the refresh time tries again.
            val current = lookup.current
            if (current != null && !current.isExpired(clock())) return current
            throw e
        }
        keyLock.lock.withLock {
            cache.complete(lookup.ticket, token, clock())
            keyLock.changed.signalAll()
        }
        return token
    }

    /** Forgets the cached token for [options] (after the API answered 401). */
    fun invalidate(options: GrantOptions) {
        cache.invalidate(client.cacheKey(options))
    }

    /** Adds `Authorization: Bearer <token>` for [options] to [builder]. */
    fun authorize(builder: HttpRequest.Builder, options: GrantOptions): HttpRequest.Builder =
        builder.setHeader("Authorization", token(options).authorizationHeader())

    /**
     * Sends [request] to an API with a token for [options]. On a 401 the token is dropped and
     * the request is sent once more with a fresh one.
     */
    fun <T> send(request: HttpRequest, handler: HttpResponse.BodyHandler<T>, options: GrantOptions): HttpResponse<T> {
        val first = http.send(withToken(request, options), handler)
        if (first.statusCode() != 401) return first
        invalidate(options)
        return http.send(withToken(request, options), handler)
    }

    private fun withToken(request: HttpRequest, options: GrantOptions): HttpRequest =
        HttpRequest.newBuilder(request) { _, _ -> true }
            .setHeader("Authorization", token(options).authorizationHeader())
            .build()

    /** One token request: built by the core, sent here, read by the core. */
    private fun fetch(options: GrantOptions): AccessToken {
        val now = clock()
        val request = if (signer != null) client.tokenRequestWithSigner(options, now, signer) else client.tokenRequest(options, now)
        val builder = HttpRequest.newBuilder(URI.create(request.url))
            .timeout(requestTimeout)
            .method(request.method, HttpRequest.BodyPublishers.ofString(request.body))
        for (header in request.headers) builder.header(header.name, header.value)
        val response = try {
            http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray())
        } catch (e: IOException) {
            throw transportError("${e.javaClass.simpleName}: ${e.message ?: "no answer"} (POST ${request.url})")
        } catch (e: InterruptedException) {
            Thread.currentThread().interrupt()
            throw transportError("interrupted while waiting for ${request.url}")
        }
        val contentType = response.headers().firstValue("Content-Type").orElse(null)
        return client.parseTokenResponse(response.statusCode(), response.body(), contentType, clock())
    }
}
