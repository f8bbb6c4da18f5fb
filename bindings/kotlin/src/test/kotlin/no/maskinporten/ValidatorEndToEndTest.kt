package no.maskinporten

import jakarta.servlet.FilterChain
import jakarta.servlet.http.HttpServletRequest
import jakarta.servlet.http.HttpServletResponse
import no.maskinporten.http.MaskinportenHttpClient
import no.maskinporten.http.MaskinportenTokenValidator
import no.maskinporten.servlet.MaskinportenFilter
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.lang.reflect.Proxy

/** Tokens issued by the simulator, validated with its JWKS fetched over loopback; the servlet filter. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ValidatorEndToEndTest {
    private lateinit var sim: Simulator
    private val read = Requirements(scopes = listOf("test:scope.read"))

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

    private fun tokens() = MaskinportenHttpClient(
        Client("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", Key.fromPkcs12(Vectors.bytes("keys/client.p12"), "vector-password"), sim.environment()),
    )

    @Test
    fun simulatorTokensValidateWithTheFetchedJwks() {
        val issued = tokens()
        val validator = MaskinportenTokenValidator(Validator(sim.environment()))
        val plain = validator.validate(issued.token("test:scope.read").accessToken(), read)
        assertEquals("311000004", plain.consumer.orgNumber)
        assertNull(plain.supplier)
        assertEquals("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", plain.clientId)
        val delegated = validator.validate(
            issued.token(GrantOptions(scopes = listOf("brreg:reelle/rapporteringspliktig"), consumerOrg = "312000008")).accessToken(),
            Requirements(scopes = listOf("brreg:reelle/rapporteringspliktig"), consumerOrgs = listOf("312000008")),
        )
        assertEquals("312000008", delegated.consumer.orgNumber)
        assertEquals("311000004", delegated.supplier?.orgNumber)
        val jwksFetches = sim.stats()["jwks_requests"].asInt()
        assertEquals(1, jwksFetches, "the JWKS is fetched once and reused")
        val wrongScope = assertThrows<MaskinportenException.InvalidToken> {
            validator.validate(issued.token("test:scope.read").accessToken(), Requirements(scopes = listOf("test:scope.write")))
        }
        assertEquals("insufficient_scope", wrongScope.kind)
        // A token of another issuer (a kid this JWKS does not know): one refetch at most, then unknown_kid.
        // (The core rate-limits unknown-kid refetches: none within 60 s of the last fetch.)
        val foreign = Vectors.document("validation.json")["cases"].first { it["name"].asText() == "valid" }["token"].asText()
        assertEquals("unknown_kid", assertThrows<MaskinportenException.InvalidToken> { validator.validate(foreign, read) }.kind)
        assertEquals(1, sim.stats()["jwks_requests"].asInt(), "a flood of unknown kids does not hammer the issuer")
    }

    @Test
    fun jwksFailureIsUnavailableNotAnInvalidToken() {
        sim.fault("""{"kind":"status","status":503,"count":1,"path":"/jwk"}""")
        var now = java.time.Instant.now().epochSecond
        val validator = MaskinportenTokenValidator(Validator(sim.environment()), clock = { now })
        val token = tokens().token("test:scope.read").accessToken()
        val error = assertThrows<MaskinportenException.Unavailable> { validator.validate(token, read) }
        assertTrue(error.retryable)
        // The core backs off after a failed fetch (min refetch interval, 60 s): no request per API call.
        assertEquals("jwks_missing", assertThrows<MaskinportenException.InvalidToken> { validator.validate(token, read) }.kind)
        now += 61
        assertEquals("311000004", validator.validate(token, read).consumer.orgNumber, "after the pause it fetches and succeeds")
    }

    /** Minimal servlet request/response fakes (java.lang.reflect.Proxy; no mocking library). */
    private class Exchange(authorization: String?) {
        var status = 200
        val headers = mutableMapOf<String, String>()
        val attributes = mutableMapOf<String, Any>()
        var passed = false
        val request = Proxy.newProxyInstance(javaClass.classLoader, arrayOf(HttpServletRequest::class.java)) { _, method, args ->
            when (method.name) {
                "getHeader" -> if ((args[0] as String).equals("Authorization", true)) authorization else null
                "setAttribute" -> { attributes[args[0] as String] = args[1]; null }
                "getAttribute" -> attributes[args[0] as String]
                else -> null
            }
        } as HttpServletRequest
        val response = Proxy.newProxyInstance(javaClass.classLoader, arrayOf(HttpServletResponse::class.java)) { _, method, args ->
            when (method.name) {
                "sendError" -> { status = args[0] as Int; null }
                "setHeader" -> { headers[args[0] as String] = args[1] as String; null }
                else -> null
            }
        } as HttpServletResponse
        val chain = FilterChain { _, _ -> passed = true }
    }

    @Test
    fun servletFilterLetsValidTokensThroughAndAnswers401Or403() {
        val filter = MaskinportenFilter(MaskinportenTokenValidator(Validator(sim.environment())), read)
        val token = tokens().token("test:scope.read").accessToken()

        val ok = Exchange("Bearer $token")
        filter.doFilter(ok.request, ok.response, ok.chain)
        assertTrue(ok.passed)
        assertEquals("311000004", (ok.attributes[MaskinportenFilter.ATTRIBUTE] as ValidatedToken).consumer.orgNumber)

        val missing = Exchange(null)
        filter.doFilter(missing.request, missing.response, missing.chain)
        assertEquals(401, missing.status)
        assertTrue(!missing.passed)

        val tampered = Exchange("Bearer ${token.dropLast(4)}AAAA")
        filter.doFilter(tampered.request, tampered.response, tampered.chain)
        assertEquals(401, tampered.status)
        assertEquals("Bearer error=\"invalid_token\"", tampered.headers["WWW-Authenticate"])

        val strict = MaskinportenFilter(MaskinportenTokenValidator(Validator(sim.environment())), Requirements(scopes = listOf("test:scope.write")))
        val forbidden = Exchange("Bearer $token")
        strict.doFilter(forbidden.request, forbidden.response, forbidden.chain)
        assertEquals(403, forbidden.status)
        assertTrue(!forbidden.passed)
    }
}
