package no.maskinporten

import com.nimbusds.jose.JOSEObjectType
import com.nimbusds.jose.JWSAlgorithm
import com.nimbusds.jose.JWSHeader
import com.nimbusds.jose.crypto.RSASSASigner
import com.nimbusds.jose.util.Base64 as NimbusBase64
import com.nimbusds.jwt.JWTClaimsSet
import com.nimbusds.jwt.SignedJWT
import org.junit.jupiter.api.Tag
import org.junit.jupiter.api.Test
import java.security.KeyFactory
import java.security.Signature
import java.security.interfaces.RSAPrivateKey
import java.security.spec.PKCS8EncodedKeySpec
import java.util.Base64
import java.util.Date
import java.util.UUID

/**
 * `client.grant()` from Kotlin against nimbus-jose-jwt building the same grant (RS256, x5c leaf,
 * the same claims, a fresh jti), in one run. Prints figures; asserts nothing about time.
 * Run: `mvn test -Pbench` (release build of the native library).
 * Target (issue 6): within 1.2 x of the fastest JVM library.
 */
@Tag("bench")
class GrantBenchmarkTest {
    private val clientId = "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d"

    private fun measure(name: String, warmup: Int, iterations: Int, body: () -> Any): Double {
        var sink = 0
        repeat(warmup) { sink += body().hashCode() }
        var best = Double.MAX_VALUE
        repeat(5) {
            val start = System.nanoTime()
            repeat(iterations) { sink += body().hashCode() }
            best = minOf(best, (System.nanoTime() - start) / 1000.0 / iterations)
        }
        println(String.format("  %-44s %9.1f µs/op  %9.0f ops/s  (best of 5 x %d)", name, best, 1e6 / best, iterations))
        if (sink == 42) println() // keep the JIT from dropping the work
        return best
    }

    private fun batch(iterations: Int, body: () -> Any): Double {
        var sink = 0
        val start = System.nanoTime()
        repeat(iterations) { sink += body().hashCode() }
        if (sink == 42) println()
        return (System.nanoTime() - start) / 1000.0 / iterations
    }

    private fun median(values: List<Double>): Double = values.sorted()[values.size / 2]

    @Test
    fun grantVersusNimbus() {
        val key = Key.fromPkcs12(Vectors.bytes("keys/client.p12"), "vector-password")
        val client = Client(clientId, key, Environment.test())
        val options = GrantOptions(scopes = listOf("test:scope.read"))

        val pem = Vectors.text("keys/client.key.pem")
        val der = Base64.getMimeDecoder().decode(pem.lines().filter { !it.startsWith("-----") }.joinToString(""))
        val privateKey = KeyFactory.getInstance("RSA").generatePrivate(PKCS8EncodedKeySpec(der)) as RSAPrivateKey
        val leaf = key.certificateChainDer().first()
        val signer = RSASSASigner(privateKey)

        fun nimbusGrant(): String {
            val now = System.currentTimeMillis() / 1000 * 1000
            val header = JWSHeader.Builder(JWSAlgorithm.RS256)
                .type(JOSEObjectType.JWT)
                .x509CertChain(listOf(NimbusBase64.encode(leaf)))
                .build()
            val claims = JWTClaimsSet.Builder()
                .audience("https://test.maskinporten.no/")
                .issuer(clientId)
                .claim("scope", "test:scope.read")
                .issueTime(Date(now))
                .expirationTime(Date(now + 120_000))
                .jwtID(UUID.randomUUID().toString())
                .build()
            return SignedJWT(header, claims).apply { sign(signer) }.serialize()
        }

        fun jcaSignOnly(): ByteArray = Signature.getInstance("SHA256withRSA").run {
            initSign(privateKey); update("eyJhbGciOiJSUzI1NiJ9.eyJzY29wZSI6InRlc3QifQ".toByteArray()); sign()
        }

        // Sanity: both produce a three-part JWT with the same claims shape.
        check(client.grant(options, unixNow()).count { it == '.' } == 2)
        check(nimbusGrant().count { it == '.' } == 2)

        println("grant benchmark (crypto backend ${cryptoBackend()}, ${Runtime.getRuntime().availableProcessors()} cpus, ${System.getProperty("java.vm.name")} ${System.getProperty("java.version")})")
        val rounds = 3
        var ours = Double.MAX_VALUE
        var nimbus = Double.MAX_VALUE
        var jca = Double.MAX_VALUE
        repeat(rounds) { round ->
            println(" round ${round + 1}")
            ours = minOf(ours, measure("maskinporten client.grant() (uniffi/JNA)", 300, 1000) { client.grant(options, unixNow()) })
            nimbus = minOf(nimbus, measure("nimbus-jose-jwt SignedJWT.sign (JCA)", 300, 1000) { nimbusGrant() })
            jca = minOf(jca, measure("JCA SHA256withRSA sign only (reference)", 300, 1000) { jcaSignOnly() })
        }
        println(String.format("result: maskinporten %.1f µs, nimbus %.1f µs, JCA sign only %.1f µs; maskinporten/nimbus = %.2f (target <= 1.20)", ours, nimbus, jca, ours / nimbus))
    }

    /**
     * Issue 13: `TokenValidator.validate()` (every check, through the core's validation flow: one
     * call into the native library) against nimbus-jose-jwt's parse and signature check alone,
     * same token and JWKS. Target: at or below nimbus.
     */
    @Test
    fun validateVersusNimbusVerify() {
        val document = Vectors.document("validation.json")
        val case = document["cases"].first { it["name"].asText() == "valid" }
        val token = case["token"].asText()
        val (validator, transport) = ValidationVectorsTest.validator(document, case["now"].asLong())
        val requirements = ValidationVectorsTest.requirements(case["requirements"])
        check(validator.validate(token, requirements).consumer.orgNumber == "311000004")
        check(transport.requests.size == 1)
        val jwks = Vectors.bytes(document["jwks_file"].asText())
        val rsa = com.nimbusds.jose.jwk.JWKSet.parse(String(jwks)).keys.first().toRSAKey()
        val verifier = com.nimbusds.jose.crypto.RSASSAVerifier(rsa)
        check(SignedJWT.parse(token).verify(verifier))
        println("validation benchmark (same token and JWKS; crypto backend ${cryptoBackend()})")
        // Short batches of each, alternated, so load from other processes hits both alike (this
        // machine is shared); the medians and the median of the per-round ratios.
        var sink = 0
        repeat(3000) { sink += validator.validate(token, requirements).hashCode() + SignedJWT.parse(token).verify(verifier).hashCode() }
        val oursRounds = mutableListOf<Double>()
        val nimbusRounds = mutableListOf<Double>()
        repeat(61) {
            oursRounds += batch(400) { validator.validate(token, requirements) }
            nimbusRounds += batch(400) { SignedJWT.parse(token).verify(verifier) }
        }
        val ours = median(oursRounds)
        val nimbus = median(nimbusRounds)
        val roundRatio = median(oursRounds.zip(nimbusRounds) { a, b -> a / b })
        println(String.format("  %-44s %9.1f µs/op  (median of 61 batches of 400)", "maskinporten TokenValidator.validate() (all checks)", ours))
        println(String.format("  %-44s %9.1f µs/op  (median of 61 batches of 400)", "nimbus SignedJWT.parse + verify (signature only)", nimbus))
        println(String.format("  median of the per-round ratios %.2f", roundRatio))
        if (sink == 42) println()
        // Where the time goes: the cheapest calls into the library (a function; a method, which
        // also clones the object's handle), the sans-IO `Guard.begin` alone (one method call, the
        // record lifted), and the same call refused before any work (no Authorization header).
        val floorFunction = measure("FFI floor: unixNow() (one call)", 2000, 20000) { unixNow() }
        val floorMethod = measure("FFI floor: validator.hasJwks() (clone + call)", 2000, 20000) { validator.hasJwks() }
        val guard = Validator(Environment.test(), ValidatorOptions()).bind(requirements)
        val bytes = java.nio.ByteBuffer.allocateDirect(token.length).put(token.toByteArray()).flip()
        val nowMs = case["now"].asLong() * 1000
        val fetch = guard.begin(bytes, false, nowMs) as ValidationStep.FetchJwks
        guard.handleJwksResponse(fetch.call, 200u, "application/json", jwks, nowMs)
        check(guard.poll(fetch.call, nowMs) is ValidationStep.Valid)
        val empty = java.nio.ByteBuffer.allocateDirect(0)
        val begin = measure("guard.begin(token) (method: clone + call)", 2000, 5000) { guard.begin(bytes, false, nowMs) }
        val byId = measure("guardBegin(id, token) (function: one call)", 2000, 5000) { guardBegin(guard.id(), bytes, false, nowMs) }
        val refused = measure("guardBegin(id, no header) (refused, no crypto)", 2000, 5000) { guardBegin(guard.id(), empty, true, nowMs) }
        println(String.format("result: maskinporten validate %.1f µs, nimbus parse+verify %.1f µs; ratio %.2f (target <= 1.00); FFI floor %.1f / %.1f µs; guard.begin %.1f µs, guardBegin %.1f µs, refused %.1f µs", ours, nimbus, ours / nimbus, floorFunction, floorMethod, begin, byId, refused))
    }

    /** Issue 13: a cache hit through `TokenProvider.token()` (target under 2 µs: no call into the library). */
    @Test
    fun cacheHit() {
        val body = """{"access_token":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln","token_type":"Bearer","expires_in":3600}"""
        val transport = ScriptedTransport(listOf(ScriptedTransport.ok(body)))
        val client = Client(clientId, Key.fromPkcs12(Vectors.bytes("keys/client.p12"), "vector-password"), Environment.test())
        val provider = TokenProvider(client, transport = transport, listener = FlowEventListener.NONE)
        val options = GrantOptions(scopes = listOf("test:scope.read"))
        check(provider.token(options).expiresIn() == 3600L)
        println("cache-hit benchmark")
        var hit = Double.MAX_VALUE
        repeat(3) { hit = minOf(hit, measure("TokenProvider.token(options), a hit", 20000, 200000) { provider.token(options) }) }
        val header = measure("TokenProvider.authorizationHeader(options), a hit", 20000, 200000) { provider.authorizationHeader(options) }
        check(transport.requests.size == 1)
        println(String.format("result: cache hit %.2f µs (target < 2), header %.2f µs", hit, header))
    }
}
