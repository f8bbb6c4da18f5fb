package no.maskinporten

import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.util.Base64
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

/** [TokenProvider] (java.net.http) against the simulator over loopback, faults injected. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndToEndTest {
    private lateinit var sim: Simulator
    private val x5cClientId = "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d"
    private val kidClientId = "a7c9e1f3-2b4d-4c6e-8f0a-1b3c5d7e9f20"
    private val read = GrantOptions(scopes = listOf("test:scope.read"))

    @BeforeAll
    fun start() {
        sim = Simulator.start()
    }

    @AfterAll
    fun stop() {
        sim.close()
    }

    @BeforeEach
    fun reset() {
        sim.reset()
        sim.clearFaults()
    }

    private fun x5cClient() = Client(x5cClientId, Key.fromPkcs12(Vectors.bytes("keys/client.p12"), "vector-password"), sim.environment())
    private fun kidClient() = Client(kidClientId, Key.fromJwk(Vectors.text("keys/client.jwk.json")), sim.environment())

    private fun claims(jwt: String) = Vectors.mapper.readTree(Base64.getUrlDecoder().decode(jwt.split('.')[1]))

    @Test
    fun x5cAndKidClientsGetTokensAndTheCacheReusesThem() {
        for (client in listOf(x5cClient(), kidClient())) {
            sim.reset()
            val maskinporten = TokenProvider(client)
            val token = maskinporten.token(read)
            assertEquals("Bearer", token.tokenType())
            assertEquals("test:scope.read", token.scope())
            val claims = claims(token.accessToken())
            assertEquals(sim.issuer, claims["iss"].asText())
            assertEquals(client.clientId(), claims["client_id"].asText())
            assertEquals("0192:311000004", claims["consumer"]["ID"].asText())
            assertEquals(token.accessToken(), maskinporten.token(read).accessToken(), "second call is a cache hit")
            assertEquals(1, sim.stats()["tokens_issued"].asInt())
        }
    }

    @Test
    fun delegationCarriesTheConsumerOrg() {
        val maskinporten = TokenProvider(x5cClient())
        val token = maskinporten.token(GrantOptions(scopes = listOf("brreg:reelle/rapporteringspliktig"), consumerOrg = "312000008"))
        val claims = claims(token.accessToken())
        assertEquals("0192:312000008", claims["consumer"]["ID"].asText())
        assertEquals("0192:311000004", claims["supplier"]["ID"].asText())
    }

    @Test
    fun refusalsCarryTheMpCodeAndHint() {
        val maskinporten = TokenProvider(x5cClient())
        // Not delegated by this consumer.
        val notDelegated = assertThrows<MaskinportenException.OAuth> {
            maskinporten.token(GrantOptions(scopes = listOf("test:scope.read"), consumerOrg = "312000008"))
        }
        assertEquals(ErrorKind.OAUTH_ERROR, notDelegated.kind)
        assertTrue(notDelegated.mpCode!!.startsWith("MP-"), notDelegated.detail)
        assertEquals(400, notDelegated.status?.toInt())
        assertTrue(!notDelegated.retryable)
        // A scope the client does not have.
        val unknown = assertThrows<MaskinportenException.OAuth> { maskinporten.token("test:scope.unknown") }
        assertEquals("invalid_scope", unknown.error)
        assertEquals("MP-200", unknown.mpCode)
        assertTrue(unknown.hint != null)
        assertEquals(0, sim.stats()["tokens_issued"].asInt())
        assertEquals(2, sim.stats()["requests"].asInt(), "refusals are not retried")
    }

    @Test
    fun faultsAreRetriedByTheCoresPolicy() {
        val events = java.util.Collections.synchronizedList(mutableListOf<String>())
        val provider = TokenProvider(kidClient(), listener = { events += it.name })
        sim.fault("""{"kind":"status","status":503,"count":2}""")
        assertEquals("Bearer", provider.token(read).tokenType())
        val stats = sim.stats()
        assertEquals(3, stats["requests"].asInt(), "two 503s, then the token: $stats")
        assertEquals(1, stats["tokens_issued"].asInt())
        assertEquals(listOf("retry_scheduled", "retry_scheduled"), events.filter { it == "retry_scheduled" })
        assertTrue("fetch_succeeded" in events, "$events")
    }

    @Test
    fun withoutRetriesFaultsBecomeTypedRetryableErrorsAndTheNextCallRecovers() {
        val provider = TokenProvider(kidClient(), FlowOptions(maxAttempts = 1u))
        sim.fault("""{"kind":"html","status":502,"count":1}""")
        val html = assertThrows<MaskinportenException.Unavailable> { provider.token(read) }
        assertEquals(502, html.status?.toInt())
        assertTrue(html.retryable)
        sim.fault("""{"kind":"empty","status":503,"count":1}""")
        assertEquals(503, assertThrows<MaskinportenException.Unavailable> { provider.token(read) }.status?.toInt())
        sim.fault("""{"kind":"close","count":1}""")
        val closed = assertThrows<MaskinportenException.Unavailable> { provider.token(read) }
        assertEquals(null, closed.status)
        // A failed fetch releases its right to fetch: the next call fetches at once and succeeds.
        assertEquals("Bearer", provider.token(read).tokenType())
        assertEquals(1, sim.stats()["tokens_issued"].asInt())
    }

    @Test
    fun aRejectedTokenIsDroppedAndOnlyThatOne() {
        val provider = TokenProvider(x5cClient())
        val first = provider.token(read).accessToken()
        provider.reject(first)
        val second = provider.token(read).accessToken()
        assertNotEquals(first, second, "the rejected token is not served again")
        provider.reject(first) // a late report of the old token
        assertEquals(second, provider.token(read).accessToken(), "the new token is kept")
        assertEquals(2, sim.stats()["tokens_issued"].asInt())
    }

    @Test
    fun manyThreadsAskingAtOnceCauseOneTokenRequest() {
        sim.fault("""{"kind":"latency","latency_ms":300,"count":1}""")
        val maskinporten = TokenProvider(x5cClient())
        val threads = 32
        val pool = Executors.newFixedThreadPool(threads)
        val start = CountDownLatch(1)
        try {
            val futures = (1..threads).map { pool.submit<String> { start.await(); maskinporten.token(read).accessToken() } }
            start.countDown()
            val tokens = futures.map { it.get(30, TimeUnit.SECONDS) }.toSet()
            assertEquals(1, tokens.size, "every thread got the same token")
        } finally {
            pool.shutdownNow()
        }
        val stats = sim.stats()
        assertEquals(1, stats["tokens_issued"].asInt(), stats.toString())
        assertEquals(1, stats["requests"].asInt(), stats.toString())
    }

    @Test
    fun differentOptionsAreDifferentTokens() {
        val maskinporten = TokenProvider(x5cClient())
        val a = maskinporten.token("test:scope.read")
        val b = maskinporten.token("test:scope.write")
        assertNotEquals(a.accessToken(), b.accessToken())
        assertEquals(2, sim.stats()["tokens_issued"].asInt())
        maskinporten.reject(a)
        maskinporten.token("test:scope.read")
        assertEquals(3, sim.stats()["tokens_issued"].asInt())
    }
}
