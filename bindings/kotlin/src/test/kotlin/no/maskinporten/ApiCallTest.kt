package no.maskinporten

import com.sun.net.httpserver.HttpServer
import no.maskinporten.okhttp.MaskinportenInterceptor
import okhttp3.OkHttpClient
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Test
import java.net.InetSocketAddress
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.util.Collections

/**
 * Calling an API with the token: [TokenProvider.send] and the OkHttp interceptor,
 * against the simulator (tokens) and a JDK HttpServer standing in for the API, which rejects the
 * first token it sees with 401 (as an API does after a key rotation).
 */
class ApiCallTest {
    private val read = GrantOptions(scopes = listOf("test:scope.read"))

    private fun withApi(block: (api: URI, seen: MutableList<String>, maskinporten: TokenProvider, sim: Simulator) -> Unit) {
        val seen = Collections.synchronizedList(mutableListOf<String>())
        val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
        server.createContext("/resource") { exchange ->
            val auth = exchange.requestHeaders.getFirst("Authorization") ?: ""
            seen.add(auth)
            val status = if (seen.size == 1 || !auth.startsWith("Bearer ")) 401 else 200
            val body = if (status == 200) "ok".toByteArray() else ByteArray(0)
            exchange.sendResponseHeaders(status, if (body.isEmpty()) -1 else body.size.toLong())
            exchange.responseBody.use { it.write(body) }
        }
        server.start()
        try {
            Simulator.start().use { sim ->
                val client = Client("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", Key.fromPkcs12(Vectors.bytes("keys/client.p12"), "vector-password"), sim.environment())
                block(URI.create("http://127.0.0.1:${server.address.port}/resource"), seen, TokenProvider(client), sim)
            }
        } finally {
            server.stop(0)
        }
    }

    @Test
    fun sendRejectsTheTokenAndRetriesOnceAfter401() = withApi { api, seen, maskinporten, sim ->
        val response = maskinporten.send(HttpClient.newHttpClient(), HttpRequest.newBuilder(api).build(), HttpResponse.BodyHandlers.ofString(), read)
        assertEquals(200, response.statusCode())
        assertEquals("ok", response.body())
        assertEquals(2, seen.size)
        assertNotEquals(seen[0], seen[1], "the retry carries a new token")
        assertEquals(2, sim.stats()["tokens_issued"].asInt())
    }

    @Test
    fun okHttpInterceptorAddsTheTokenAndRejectsItOn401() = withApi { api, seen, maskinporten, sim ->
        val http = OkHttpClient.Builder().addInterceptor(MaskinportenInterceptor(maskinporten, read)).build()
        http.newCall(okhttp3.Request.Builder().url(api.toString()).build()).execute().use { response ->
            assertEquals(200, response.code)
            assertEquals("ok", response.body!!.string())
        }
        assertEquals(2, seen.size)
        assertNotEquals(seen[0], seen[1])
        http.newCall(okhttp3.Request.Builder().url(api.toString()).build()).execute().use { assertEquals(200, it.code) }
        assertEquals(3, seen.size)
        assertEquals(seen[1], seen[2], "the cached token is reused")
        assertEquals(2, sim.stats()["tokens_issued"].asInt())
    }
}
