package no.maskinporten

import jakarta.servlet.FilterChain
import jakarta.servlet.http.HttpServletRequest
import jakarta.servlet.http.HttpServletResponse
import no.maskinporten.servlet.MaskinportenFilter
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.io.PrintWriter
import java.io.StringWriter
import java.lang.reflect.Proxy

/** Tokens issued by the simulator, validated by [TokenValidator] with its JWKS fetched over loopback; the servlet filter. */
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

    private fun tokens() = TokenProvider(
        Client("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", Key.fromPkcs12(Vectors.bytes("keys/client.p12"), "vector-password"), sim.environment()),
    )

    @Test
    fun simulatorTokensValidateWithTheFetchedJwks() {
        val issued = tokens()
        val validator = TokenValidator(sim.environment())
        val plain = validator.validate(issued.token("test:scope.read").accessToken(), read)
        assertEquals("311000004", plain.consumer.orgNumber)
        assertNull(plain.supplier)
        assertEquals("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", plain.clientId)
        val delegated = validator.validate(
            issued.token(GrantOptions(scopes = listOf("brreg:reelle/rapporteringspliktig"), consumerOrg = "312000008")).authorizationHeader(),
            Requirements(scopes = listOf("brreg:reelle/rapporteringspliktig"), consumerOrgs = listOf("312000008")),
        )
        assertEquals("312000008", delegated.consumer.orgNumber)
        assertEquals("311000004", delegated.supplier?.orgNumber)
        assertEquals(1, sim.stats()["jwks_requests"].asInt(), "the JWKS is fetched once and reused")
        val wrongScope = assertThrows<MaskinportenException.InvalidToken> {
            validator.validate(issued.token("test:scope.read").accessToken(), Requirements(scopes = listOf("test:scope.write")))
        }
        assertEquals(ErrorKind.INSUFFICIENT_SCOPE, wrongScope.kind)
        // A token of another issuer (a kid this JWKS does not know): the core allows no refetch
        // within 60 s of the last fetch, so a flood of made-up kids cannot hammer the issuer.
        val foreign = Vectors.document("validation.json")["cases"].first { it["name"].asText() == "valid" }["token"].asText()
        assertEquals(ErrorKind.UNKNOWN_KID, assertThrows<MaskinportenException.InvalidToken> { validator.validate(foreign, read) }.kind)
        assertEquals(1, sim.stats()["jwks_requests"].asInt())
    }

    @Test
    fun concurrentFirstValidationsFetchTheJwksOnce() {
        val token = tokens().token("test:scope.read").accessToken()
        val validator = TokenValidator(sim.environment())
        sim.fault("""{"kind":"latency","latency_ms":300,"count":1,"path":"/jwk"}""")
        val orgs = FlowVectorsTest.concurrently(16) { validator.validate(token, read).consumer.orgNumber }
        assertEquals(setOf("311000004"), orgs.toSet())
        assertEquals(1, sim.stats()["jwks_requests"].asInt(), "one JWKS fetch for every concurrent caller")
    }

    @Test
    fun jwksOutageIsUnavailableNotAnInvalidToken() {
        sim.fault("""{"kind":"status","status":503,"count":1,"path":"/jwk"}""")
        val clock = FakeClock(System.currentTimeMillis())
        val validator = TokenValidator(sim.environment(), clock = clock)
        val token = tokens().token("test:scope.read").accessToken()
        val error = assertThrows<MaskinportenException.Unavailable> { validator.validate(token, read) }
        assertTrue(error.retryable)
        // The core backs off after a failed fetch (the minimum refetch interval, 60 s): no JWKS
        // request per API call meanwhile, and still `unavailable` (503), never an invalid token.
        val again = validator.validateRequest("Bearer $token", read)
        again as ValidationResult.Refused
        assertEquals(ErrorKind.UNAVAILABLE, again.error.kind)
        assertEquals(503, again.rejection.status.toInt())
        assertTrue(again.rejection.retryAfterSeconds!! in 1u..60u, "${again.rejection.retryAfterSeconds}")
        assertEquals(1, sim.stats()["jwks_requests"].asInt())
        clock.advance(61_000)
        assertEquals("311000004", validator.validate(token, read).consumer.orgNumber, "after the pause it fetches and succeeds")
    }

    /** Minimal servlet request/response fakes (java.lang.reflect.Proxy; no mocking library). */
    private class Exchange(authorization: String?) {
        var status = 200
        val headers = mutableMapOf<String, String>()
        val attributes = mutableMapOf<String, Any>()
        val body = StringWriter()
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
                "setStatus" -> { status = args[0] as Int; null }
                "sendError" -> throw AssertionError("the filter writes the core's rejection, never the container's error page")
                "setHeader" -> { headers[args[0] as String] = args[1] as String; null }
                "getWriter" -> PrintWriter(body, true)
                else -> null
            }
        } as HttpServletResponse
        val chain = FilterChain { _, _ -> passed = true }
    }

    private fun filtered(filter: MaskinportenFilter, authorization: String?) = Exchange(authorization).also {
        filter.doFilter(it.request, it.response, it.chain)
    }

    @Test
    fun servletFilterAnswersWithTheCoresRejection() {
        val filter = MaskinportenFilter(TokenValidator(sim.environment()), read)
        val token = tokens().token("test:scope.read").accessToken()

        val ok = filtered(filter, "Bearer $token")
        assertTrue(ok.passed)
        assertEquals("311000004", (ok.attributes[MaskinportenFilter.ATTRIBUTE] as ValidatedToken).consumer.orgNumber)
        assertEquals(200, ok.status)

        // RFC 6750 §3.1: no token (no header, another scheme) gets a bare challenge, no error code.
        for (none in listOf(null, "", "Basic dXNlcjpwYXNz")) {
            val missing = filtered(filter, none)
            assertEquals(401, missing.status, "$none")
            assertEquals("Bearer", missing.headers["WWW-Authenticate"], "$none")
            assertFalse(missing.body.toString().contains("\"error\""), missing.body.toString())
            assertEquals("no-store", missing.headers["Cache-Control"])
            assertFalse(missing.passed)
        }

        val malformed = filtered(filter, "Bearer a b")
        assertEquals(400, malformed.status)
        assertTrue(malformed.headers["WWW-Authenticate"]!!.startsWith("Bearer error=\"invalid_request\""))

        val tampered = filtered(filter, "bearer ${token.dropLast(4)}AAAA")
        assertEquals(401, tampered.status)
        assertTrue(tampered.headers["WWW-Authenticate"]!!.startsWith("Bearer error=\"invalid_token\""), tampered.headers.toString())
        assertTrue(tampered.body.toString().contains("\"kind\":\"signature_invalid\""), tampered.body.toString())
        assertEquals("application/json", tampered.headers["Content-Type"])

        val strict = MaskinportenFilter(TokenValidator(sim.environment()), Requirements(scopes = listOf("test:scope.write")))
        val forbidden = filtered(strict, "Bearer $token")
        assertEquals(403, forbidden.status)
        assertTrue(forbidden.headers["WWW-Authenticate"]!!.contains("scope=\"test:scope.write\""), forbidden.headers.toString())
        assertFalse(forbidden.passed)

        // Requirements that would accept a token for any API are refused when the filter is made.
        val any = assertThrows<MaskinportenException.InvalidArgument> { MaskinportenFilter(TokenValidator(sim.environment()), Requirements()) }
        assertEquals(ErrorKind.INVALID_REQUIREMENTS, any.kind)
    }
}
