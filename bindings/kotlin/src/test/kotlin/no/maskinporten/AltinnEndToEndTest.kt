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
import java.util.concurrent.atomic.AtomicLong

/**
 * Altinn tokens through [TokenProvider] against the simulator's Altinn platform (`/altinn`, its
 * tokens living 60 s in e2e.toml): both stages, the cached token reused, a due one refreshed,
 * and each error status typed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AltinnEndToEndTest {
    private lateinit var sim: Simulator
    private val altinnRead = GrantOptions(scopes = listOf("altinn:instances.read"))
    private val exchangePath = "/altinn/authentication/api/v1/exchange/maskinporten"

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

    /** The provider's clock runs [ahead] ms ahead of the system's (the simulator keeps real time). */
    private fun provider(ahead: AtomicLong = AtomicLong()): TokenProvider {
        val client = Client("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", Key.fromPkcs12(Vectors.bytes("keys/client.p12"), "vector-password"), sim.environment())
        val quick = FlowOptions(initialBackoffMs = 10, maxBackoffMs = 20)
        return TokenProvider(client, quick, clock = { System.currentTimeMillis() + ahead.get() })
    }

    private fun claims(jwt: String) = Vectors.mapper.readTree(Base64.getUrlDecoder().decode(jwt.split('.')[1]))

    private fun stat(name: String) = sim.stats()[name].asInt()

    @Test
    fun altinnTokenCachedRefreshedAndRejected() {
        val ahead = AtomicLong()
        val provider = provider(ahead)
        val altinn = AltinnExchange(sim.altinnPlatform)
        val first = provider.token(altinnRead, altinn)
        val claims = claims(first.accessToken())
        assertEquals("311000004", claims["urn:altinn:orgNumber"].asText())
        assertEquals("maskinporten", claims["urn:altinn:authenticatemethod"].asText())
        assertTrue(first.expiresIn() in 55L..60L, "the Altinn token's own exp (60 s here), not Maskinporten's 120 s: ${first.expiresIn()}")
        assertEquals(1 to 1, stat("tokens_issued") to stat("altinn_tokens_issued"))

        // Cached (an equal exchange is the same key); the Maskinporten token is shared with token().
        assertEquals(first.accessToken(), provider.token(altinnRead, AltinnExchange(sim.altinnPlatform)).accessToken())
        assertNotEquals(first.accessToken(), provider.token(altinnRead).accessToken())
        assertEquals(1, stat("tokens_issued"), "the exchange's Maskinporten token is shared")
        assertTrue(provider.authorizationHeader(altinnRead, altinn) == "Bearer ${first.accessToken()}")

        // 40 s later the Altinn token is due (refreshed 30 s before exp), the Maskinporten token is not.
        ahead.set(40_000)
        val refreshed = provider.token(altinnRead, altinn)
        assertNotEquals(first.accessToken(), refreshed.accessToken())
        assertEquals(1 to 2, stat("tokens_issued") to stat("altinn_tokens_issued"), "only the exchange again")

        // An API's 401 for the Altinn token drops that token only; the next call exchanges again.
        provider.reject(refreshed)
        val after = provider.token(altinnRead, altinn)
        assertNotEquals(refreshed.accessToken(), after.accessToken())
        assertEquals(1 to 3, stat("tokens_issued") to stat("altinn_tokens_issued"))

        // callApi with the Altinn option: an API answering 401 to the first Altinn token gets
        // the call again with a new one, and the Maskinporten token under it stays.
        val seen = mutableListOf<String>()
        val answer = provider.callApi(altinnRead, { status: Int -> status == 401 }, altinn = altinn) { authorization ->
            seen += authorization
            if (seen.size == 1) 401 else 200
        }
        assertEquals(200, answer)
        assertEquals(listOf("Bearer ${after.accessToken()}"), seen.take(1))
        assertNotEquals(seen[0], seen[1])
        assertEquals(1 to 4, stat("tokens_issued") to stat("altinn_tokens_issued"))
    }

    @Test
    fun testOrganisationAndPlatformChecks() {
        val token = provider().token(GrantOptions(scopes = listOf("altinn:serviceowner")), AltinnExchange(sim.altinnPlatform, testOrg = true))
        assertEquals("ttd", claims(token.accessToken())["urn:altinn:org"].asText())
        assertEquals("invalid_environment", assertThrows<MaskinportenException> { AltinnExchange("staging") }.kind.stableName)
        assertThrows<MaskinportenException> { AltinnExchange("prod", testOrg = true) }
        assertThrows<MaskinportenException> { AltinnExchange.forEnvironment(sim.environment()) }
        assertEquals("https://platform.tt02.altinn.no", AltinnExchange.forEnvironment(Environment.test()).platform())
        assertTrue(!AltinnExchange("tt02", subscriptionKey = "apim-secret-1").toString().contains("apim-secret-1"))
    }

    @Test
    fun eachErrorStatusIsTyped() {
        val provider = provider()
        val altinn = AltinnExchange(sim.altinnPlatform)
        fun fault(status: Int, count: Int) = sim.fault("""{"kind":"status","status":$status,"count":$count,"path":"$exchangePath"}""")
        fun refused(options: GrantOptions = altinnRead) = assertThrows<MaskinportenException> { provider.token(options, altinn) }
            .let { Triple(it.kind.stableName, it.status?.toInt(), it.retryable) }

        // 403 from the platform itself: the Maskinporten token has no Altinn scope.
        assertEquals(Triple("altinn_forbidden", 403, false), refused(GrantOptions(scopes = listOf("test:scope.read"))))
        fault(400, 1)
        assertEquals(Triple("altinn_exchange_invalid", 400, false), refused())
        fault(410, 1)
        assertEquals(Triple("altinn_exchange_invalid", 410, false), refused())

        // 401 twice: a new Maskinporten token once, then the typed error.
        val issued = stat("tokens_issued")
        fault(401, 2)
        assertEquals(Triple("altinn_token_rejected", 401, false), refused())
        assertEquals(issued + 1, stat("tokens_issued"), "renewed once after the first 401")

        // 429 and 503 are retried; four in a row exhaust the attempts.
        fault(429, 1)
        fault(503, 1)
        val before = stat("altinn_requests")
        val token = provider.token(altinnRead, altinn)
        assertEquals(before + 3, stat("altinn_requests"))
        provider.reject(token)
        fault(503, 4)
        assertEquals(Triple("unavailable", 503, true), refused())
    }
}
