package no.maskinporten

import no.maskinporten.http.MaskinportenHttpClient
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

/** The java.net.http helper against the simulator over loopback. */
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
            val maskinporten = MaskinportenHttpClient(client)
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
        val maskinporten = MaskinportenHttpClient(x5cClient())
        val token = maskinporten.token(GrantOptions(scopes = listOf("brreg:reelle/rapporteringspliktig"), consumerOrg = "312000008"))
        val claims = claims(token.accessToken())
        assertEquals("0192:312000008", claims["consumer"]["ID"].asText())
        assertEquals("0192:311000004", claims["supplier"]["ID"].asText())
    }

    @Test
    fun refusalsCarryTheMpCodeAndHint() {
        val maskinporten = MaskinportenHttpClient(x5cClient())
        // Not delegated by this consumer.
        val notDelegated = assertThrows<MaskinportenException.OAuth> {
            maskinporten.token(GrantOptions(scopes = listOf("test:scope.read"), consumerOrg = "312000008"))
        }
        assertEquals("oauth_error", notDelegated.kind)
        assertTrue(notDelegated.mpCode!!.startsWith("MP-"), notDelegated.detail)
        assertEquals(400, notDelegated.status)
        assertTrue(!notDelegated.retryable)
        // A scope the client does not have.
        val unknown = assertThrows<MaskinportenException.OAuth> { maskinporten.token("test:scope.unknown") }
        assertEquals("invalid_scope", unknown.error)
        assertEquals("MP-200", unknown.mpCode)
        assertTrue(unknown.hint != null)
        assertEquals(0, sim.stats()["tokens_issued"].asInt())
    }

    @Test
    fun injectedFaultsBecomeTypedRetryableErrorsAndTheNextCallRecovers() {
        val maskinporten = MaskinportenHttpClient(kidClient())
        sim.fault("""{"kind":"html","status":502,"count":1}""")
        val html = assertThrows<MaskinportenException.Unavailable> { maskinporten.token(read) }
        assertEquals(502, html.status)
        assertTrue(html.retryable)
        sim.fault("""{"kind":"empty","status":503,"count":1}""")
        assertEquals(503, assertThrows<MaskinportenException.Unavailable> { maskinporten.token(read) }.status)
        sim.fault("""{"kind":"close","count":1}""")
        val closed = assertThrows<MaskinportenException.Unavailable> { maskinporten.token(read) }
        assertEquals(null, closed.status)
        // A failed fetch releases its ticket: the next call fetches at once and succeeds.
        assertEquals("Bearer", maskinporten.token(read).tokenType())
        assertEquals(1, sim.stats()["tokens_issued"].asInt())
    }

    @Test
    fun manyThreadsAskingAtOnceCauseOneTokenRequest() {
        sim.fault("""{"kind":"latency","latency_ms":300,"count":1}""")
        val maskinporten = MaskinportenHttpClient(x5cClient())
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
        val maskinporten = MaskinportenHttpClient(x5cClient())
        val a = maskinporten.token("test:scope.read")
        val b = maskinporten.token("test:scope.write")
        assertNotEquals(a.accessToken(), b.accessToken())
        assertEquals(2, sim.stats()["tokens_issued"].asInt())
        maskinporten.invalidate(GrantOptions(scopes = listOf("test:scope.read")))
        maskinporten.token("test:scope.read")
        assertEquals(3, sim.stats()["tokens_issued"].asInt())
    }
}
