package no.maskinporten

import java.io.EOFException
import java.io.IOException
import java.net.ConnectException
import java.net.NoRouteToHostException
import java.net.PortUnreachableException
import java.net.SocketException
import java.net.SocketTimeoutException
import java.net.URI
import java.net.UnknownHostException
import java.net.http.HttpClient
import java.net.http.HttpResponse
import java.net.http.HttpTimeoutException
import java.nio.channels.ClosedChannelException
import java.time.Duration
import java.util.concurrent.CompletionException
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit
import java.util.concurrent.TimeoutException
import javax.net.ssl.SSLException

/**
 * Sends the requests the core's flows ask for (token requests, JWKS fetches) and hands back the
 * answer. [JavaHttpTransport] (`java.net.http`) is the default; pass your own to use another HTTP
 * client, or a scripted one in tests.
 *
 * Throw an [IOException] when there is no HTTP answer: a timeout ([HttpTimeoutException]), a
 * refused connection ([ConnectException]), a broken one ([SocketException], [EOFException]), a
 * TLS failure ([SSLException]); the executors map it to the core's transport failure kinds.
 */
fun interface HttpTransport {
    /** Sends [request] as is and returns the answer, giving up after [timeout]. */
    @Throws(IOException::class, InterruptedException::class)
    fun send(request: HttpRequest, timeout: Duration): HttpAnswer
}

/**
 * An HTTP answer: [status] (100 to 999), the body, and the two headers the flows read,
 * `Content-Type` (to tell an HTML error page from JSON) and `Retry-After`.
 */
class HttpAnswer @JvmOverloads constructor(
    val status: Int,
    val body: ByteArray,
    val contentType: String? = null,
    val retryAfter: String? = null,
) {
    init {
        require(status in 100..999) { "status: $status is not an HTTP status code (100 to 999)" }
    }

    override fun toString(): String = "HttpAnswer(status=$status, contentType=$contentType, retryAfter=$retryAfter, body=<${body.size} bytes>)"
}

/**
 * The default [HttpTransport]: `java.net.http.HttpClient`, the whole exchange bounded by the
 * timeout the flow gives (no timeout of its own).
 */
class JavaHttpTransport @JvmOverloads constructor(
    val http: HttpClient = HttpClient.newHttpClient(),
) : HttpTransport {
    override fun send(request: HttpRequest, timeout: Duration): HttpAnswer {
        val body = request.body()
        val builder = java.net.http.HttpRequest.newBuilder(URI.create(request.url()))
            .timeout(timeout)
            .method(
                request.method(),
                if (body.isEmpty()) java.net.http.HttpRequest.BodyPublishers.noBody() else java.net.http.HttpRequest.BodyPublishers.ofString(body),
            )
        for (header in request.headers()) builder.header(header.name, header.value)
        val future = http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofByteArray())
        val response = try {
            future.get(timeout.toMillis().coerceAtLeast(1), TimeUnit.MILLISECONDS)
        } catch (e: TimeoutException) {
            future.cancel(true)
            throw HttpTimeoutException("no answer within ${timeout.toMillis()} ms (${request.method()} ${request.url()})")
        } catch (e: InterruptedException) {
            future.cancel(true)
            throw e
        } catch (e: ExecutionException) {
            throw e.cause as? IOException ?: IOException(e.cause?.toString() ?: "the request failed", e.cause)
        }
        val headers = response.headers()
        return HttpAnswer(
            response.statusCode(),
            response.body(),
            headers.firstValue("Content-Type").orElse(null),
            headers.firstValue("Retry-After").orElse(null),
        )
    }
}

/** The core's kind for an HTTP client's failure to get an answer. */
internal fun transportFailureOf(error: Throwable): TransportFailure {
    val e = if ((error is CompletionException || error is ExecutionException) && error.cause != null) error.cause!! else error
    val message = e.message?.lowercase().orEmpty()
    return when (e) {
        is HttpTimeoutException, is SocketTimeoutException, is TimeoutException -> TransportFailure.TIMEOUT
        is ConnectException, is UnknownHostException, is NoRouteToHostException, is PortUnreachableException -> TransportFailure.CONNECT
        is SSLException -> TransportFailure.TLS
        is EOFException, is SocketException, is ClosedChannelException -> TransportFailure.RESET
        // java.net.http reports a connection closed before the answer as a plain IOException.
        is IOException -> if ("reset" in message || "closed" in message || "received no bytes" in message || "eof" in message) {
            TransportFailure.RESET
        } else {
            TransportFailure.OTHER
        }
        else -> TransportFailure.OTHER
    }
}

/** The HTTP client's description of a failure, for the core's error (no secrets: class and message). */
internal fun describe(error: Throwable): String = "${error.javaClass.simpleName}: ${error.message ?: "no answer"}"
