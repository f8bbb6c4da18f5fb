package no.maskinporten

import com.fasterxml.jackson.databind.JsonNode
import java.io.IOException
import java.net.ConnectException
import java.net.SocketException
import java.net.http.HttpTimeoutException
import java.time.Duration
import java.util.Collections
import java.util.concurrent.atomic.AtomicLong
import java.util.function.LongSupplier
import javax.net.ssl.SSLHandshakeException

/** A clock the test moves: Unix milliseconds. */
class FakeClock(start: Long) : LongSupplier {
    private val now = AtomicLong(start)
    override fun getAsLong(): Long = now.get()
    fun set(ms: Long) = now.set(ms)
    fun advance(ms: Long) = now.addAndGet(ms)
}

/** A sleep that records each duration and moves the fake clock instead of waiting. */
class RecordingSleeper(private val clock: FakeClock) : Sleeper {
    val sleeps: MutableList<Long> = Collections.synchronizedList(mutableListOf())
    override fun sleep(millis: Long) {
        sleeps += millis
        clock.advance(millis)
    }
}

/**
 * A transport that answers from a script, in order: `{"status", "content_type", "retry_after",
 * "body"}`, or `{"failure": kind}` thrown as the exception `java.net.http` would throw for it, so
 * the executors' own mapping of HTTP client failures runs. Running out of answers fails the test.
 */
class ScriptedTransport(answers: List<JsonNode> = emptyList()) : HttpTransport {
    private val queue = ArrayDeque(answers)
    val requests: MutableList<String> = Collections.synchronizedList(mutableListOf())

    /** The flow vectors' view of each request: `token` (POST), `exchange <bearer>` (GET), with its URL. */
    val sent: MutableList<Pair<String, String>> = Collections.synchronizedList(mutableListOf())

    /** Answers still queued. */
    val left: Int get() = synchronized(queue) { queue.size }

    fun script(answers: List<JsonNode>) = synchronized(queue) { queue.addAll(answers) }

    override fun send(request: HttpRequest, timeout: Duration): HttpAnswer {
        check(!timeout.isNegative && !timeout.isZero) { "the executor passed no time to send in: $timeout" }
        requests += "${request.method()} ${request.url()}"
        val bearer = request.headers().firstOrNull { it.name.equals("Authorization", ignoreCase = true) }?.value?.removePrefix("Bearer ")
        sent += (if (request.method() == "POST") "token" else "exchange $bearer") to request.url()
        val answer = synchronized(queue) { queue.removeFirstOrNull() } ?: throw AssertionError("more requests than scripted answers")
        Vectors.str(answer, "failure")?.let { throw failure(it) }
        return HttpAnswer(
            answer["status"].asInt(),
            (Vectors.str(answer, "body") ?: "").toByteArray(),
            Vectors.str(answer, "content_type"),
            Vectors.str(answer, "retry_after"),
        )
    }

    companion object {
        fun failure(kind: String): IOException = when (kind) {
            "timeout" -> HttpTimeoutException("request timed out (scripted)")
            "connect" -> ConnectException("Connection refused (scripted)")
            "reset" -> SocketException("Connection reset (scripted)")
            "tls" -> SSLHandshakeException("PKIX path building failed (scripted)")
            "other" -> IOException("something else (scripted)")
            else -> error("unknown failure kind $kind")
        }

        fun ok(body: String, contentType: String = "application/json"): JsonNode =
            Vectors.mapper.createObjectNode().put("status", 200).put("body", body).put("content_type", contentType)
    }
}
