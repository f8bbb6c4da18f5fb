package no.maskinporten

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.security.KeyFactory
import java.security.PrivateKey
import java.security.Signature
import java.security.spec.PKCS8EncodedKeySpec
import java.util.Base64

/** The Kotlin surface: key loading, the external signer, errors, redaction, the cache. */
class ApiTest {
    private val x5cClientId = "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d"
    private val kidClientId = "a7c9e1f3-2b4d-4c6e-8f0a-1b3c5d7e9f20"
    private val now = 1_767_225_600L // 2026-01-01T00:00:00Z
    private val read = GrantOptions(scopes = listOf("test:scope.read"))

    private fun p12(): Key = Key.fromPkcs12(Vectors.bytes("keys/client.p12"), "vector-password")

    /** A JCA PrivateKey, as an HSM provider or the Android Keystore would hand out. */
    private fun jcaKey(): PrivateKey {
        val pem = Vectors.text("keys/client.key.pem")
        val der = Base64.getMimeDecoder().decode(pem.lines().filter { !it.startsWith("-----") }.joinToString(""))
        return KeyFactory.getInstance("RSA").generatePrivate(PKCS8EncodedKeySpec(der))
    }

    private class JcaSigner(private val key: PrivateKey) : ExternalSigner {
        var calls = 0
        override fun sign(signingInput: ByteArray, algorithm: String): ByteArray {
            calls++
            val jca = when (algorithm) {
                "RS256" -> "SHA256withRSA"
                "RS384" -> "SHA384withRSA"
                "RS512" -> "SHA512withRSA"
                else -> throw IllegalArgumentException(algorithm)
            }
            return Signature.getInstance(jca).run { initSign(key); update(signingInput); sign() }
        }
    }

    @Test
    fun externalJcaSignerProducesTheSameGrantAsTheInProcessKey() {
        val chain = Vectors.text("keys/client.chain.pem")
        val local = Client(x5cClientId, Key.fromPem(Vectors.text("keys/client.key.pem"), chain), Environment.test())
        val external = Key.fromExternal(certChainPem = chain)
        assertFalse(external.canSign())
        val remote = Client(x5cClientId, external, Environment.test()).withAlgorithm(Algorithm.RS384)
        val signer = JcaSigner(jcaKey())
        val jwt = remote.grantWithSigner(read, now, signer, jti = "jti-1")
        assertEquals(1, signer.calls)
        // RSASSA-PKCS1-v1_5 is deterministic: same input, same key, same bytes.
        assertEquals(local.withAlgorithm(Algorithm.RS384).grant(read, now, "jti-1"), jwt)

        // Two steps, for a signer that is asynchronous.
        val prepared = remote.prepareGrant(read, now, "jti-1")
        assertEquals(Algorithm.RS384, prepared.algorithm())
        val signature = JcaSigner(jcaKey()).sign(prepared.signingInput(), algorithmName(prepared.algorithm()))
        assertEquals(jwt, prepared.finish(signature))
        assertTrue(remote.tokenRequestForAssertion(jwt).body.endsWith(jwt))
    }

    @Test
    fun externalSignerFailuresBecomeMaskinportenExceptions() {
        val remote = Client(x5cClientId, Key.fromExternal(certChainPem = Vectors.text("keys/client.chain.pem")), Environment.test())
        // A signature by another key is caught before Maskinporten would answer MP-124.
        val wrong = assertThrows<MaskinportenException> {
            remote.grantWithSigner(read, now, object : ExternalSigner {
                override fun sign(signingInput: ByteArray, algorithm: String) = ByteArray(256) { 7 }
            })
        }
        assertEquals("invalid_signature", wrong.kind)
        assertEquals("signature", wrong.field)
        // A signer that throws does not crash the JVM or the native side.
        val thrown = assertThrows<MaskinportenException> {
            remote.grantWithSigner(read, now, object : ExternalSigner {
                override fun sign(signingInput: ByteArray, algorithm: String): ByteArray = throw IllegalStateException("HSM offline")
            })
        }
        assertTrue(thrown.detail.contains("HSM offline"), thrown.detail)
        // The in-process path refuses a key without a private key.
        val missing = assertThrows<MaskinportenException> { remote.grant(read, now) }
        assertEquals("missing_signing_key", missing.kind)
    }

    @Test
    fun keysLoadFromEveryFormatAndNeverPrintSecrets() {
        val key = p12()
        val certificate = key.certificate()!!
        assertEquals("311000004", certificate.orgNumber)
        assertTrue(certificate.notBefore < certificate.notAfter)
        assertNull(key.kid())
        assertTrue(key.canSign())
        val jwk = Key.fromJwk(Vectors.text("keys/client.jwk.json"))
        assertEquals("mp-vector-key-1", jwk.kid())
        assertTrue(jwk.publicJwk()!!.contains("\"n\""))
        assertFalse(jwk.publicJwk()!!.contains("\"d\""), "public JWK must not carry the private exponent")
        val privateD = Vectors.mapper.readTree(Vectors.text("keys/client.jwk.json"))["d"].asText()
        for (text in listOf(key.toString(), jwk.toString())) {
            assertFalse(text.contains(privateD), "toString leaks the private key")
            assertFalse(text.contains("vector-password"))
        }
        assertEquals("kid-2", key.withKid("kid-2").kid())
        assertTrue(key.certificateChainDer().isNotEmpty())
    }

    @Test
    fun wrongPasswordIsAKeyErrorWithoutThePassword() {
        val error = assertThrows<MaskinportenException.Key> { Key.fromPkcs12(Vectors.bytes("keys/client.p12"), "hunter2-secret") }
        assertEquals("wrong_password", error.kind)
        assertFalse(error.detail.contains("hunter2-secret"))
        assertFalse(error.message!!.contains("hunter2-secret"))
        assertFalse(error.retryable)
    }

    /** A JKS written by this JVM's own KeyStore (not a fixture): UTF-16 passwords, a key password. */
    @Test
    fun jksWrittenByTheJvmLoadsWithItsOwnKeyPassword() {
        val source = java.security.KeyStore.getInstance("PKCS12")
        source.load(Vectors.bytes("keys/client.p12").inputStream(), "vector-password".toCharArray())
        val alias = source.aliases().toList().first { source.isKeyEntry(it) }
        val jks = java.security.KeyStore.getInstance("JKS")
        jks.load(null, null)
        val privateKey = source.getKey(alias, "vector-password".toCharArray())
        jks.setKeyEntry("Virksomhet", privateKey, "nøkkel€".toCharArray(), source.getCertificateChain(alias))
        val bytes = java.io.ByteArrayOutputStream().also { jks.store(it, "pæsswørd€".toCharArray()) }.toByteArray()

        val key = Key.fromJks(bytes, "pæsswørd€", "VIRKSOMHET", "nøkkel€")
        assertEquals(p12().fingerprint(), key.fingerprint())
        assertEquals(p12().certificateChainDer().first().toList(), key.certificateChainDer().first().toList())
        val noKeyPassword = assertThrows<MaskinportenException.Key> { Key.fromJks(bytes, "pæsswørd€") }
        assertEquals("wrong_key_password", noKeyPassword.kind)
        val wrongStore = assertThrows<MaskinportenException.Key> { Key.fromJks(bytes, "pæsswørd", null, "nøkkel€") }
        assertEquals("wrong_password", wrongStore.kind)
        assertFalse(wrongStore.message!!.contains("nøkkel€"))
    }

    @Test
    fun invalidArgumentsNameTheField() {
        val client = Client(x5cClientId, p12(), Environment.test())
        val error = assertThrows<MaskinportenException.InvalidArgument> {
            client.grant(read.copy(consumerOrg = "312000009"), now)
        }
        assertEquals("invalid_consumer_org", error.kind)
        assertEquals("consumer_org", error.field)
        assertEquals("invalid_lifetime", assertThrows<MaskinportenException> { client.withLifetime(121) }.kind)
        assertEquals("invalid_algorithm", assertThrows<MaskinportenException> { algorithmFromName("ES256") }.kind)
        assertEquals("invalid_environment", assertThrows<MaskinportenException> { Environment.fromName("http://example.com/") }.kind)
    }

    @Test
    fun environmentsAndRequests() {
        assertEquals("https://maskinporten.no/", Environment.prod().issuer())
        assertEquals("https://test.maskinporten.no/token", Environment.test().tokenEndpoint())
        val sim = Environment.fromName("http://127.0.0.1:8123/")
        assertEquals("http://127.0.0.1:8123/jwk", sim.jwksUri())
        val metadata = metadataRequest("https://test.maskinporten.no/")
        assertEquals("GET", metadata.method)
        assertEquals("https://test.maskinporten.no/.well-known/oauth-authorization-server", metadata.url)
        val request = Client(kidClientId, Key.fromJwk(Vectors.text("keys/client.jwk.json")), Environment.test()).tokenRequest(read, now)
        assertEquals("https://test.maskinporten.no/token", request.url)
        assertEquals("application/x-www-form-urlencoded", request.headers.first { it.name.equals("Content-Type", true) }.value)
        assertTrue(request.body.startsWith("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion="))
    }

    @Test
    fun cacheKeysCoverWhatChangesTheToken() {
        val client = Client(x5cClientId, p12(), Environment.test())
        val base = client.cacheKey(read)
        assertEquals(base, client.cacheKey(GrantOptions(scopes = listOf("test:scope.read"))))
        assertTrue(base != client.cacheKey(read.copy(consumerOrg = "312000008")))
        assertTrue(base != client.cacheKey(read.copy(resource = Resource.One("https://api.example.no/"))))
        assertTrue(base != Client(x5cClientId, p12(), Environment.prod()).cacheKey(read))
    }

    @Test
    fun tokenCacheHandsOutOneTicketAndRefreshesAhead() {
        val cache = TokenCache(refreshSkew = 30)
        val first = cache.lookup("k", 1000)
        assertTrue(first is CacheLookup.Fetch)
        first as CacheLookup.Fetch
        assertNull(first.current)
        val second = cache.lookup("k", 1000)
        assertTrue(second is CacheLookup.Wait, "one fetch in flight per key")
        assertEquals(1030L, (second as CacheLookup.Wait).until)
        val body = """{"access_token":"secret-token-value","token_type":"Bearer","expires_in":120,"scope":"test:scope.read"}"""
        val token = parseTokenResponse(200, body.toByteArray(), "application/json", 1000)
        assertFalse(token.toString().contains("secret-token-value"))
        assertEquals("Bearer secret-token-value", token.authorizationHeader())
        cache.complete(first.ticket, token, 1000)
        cache.complete(first.ticket, token, 1000) // a used ticket is ignored, not a crash
        val hit = cache.lookup("k", 1089)
        assertTrue(hit is CacheLookup.Hit)
        assertEquals("secret-token-value", (hit as CacheLookup.Hit).token.accessToken())
        val ahead = cache.lookup("k", 1091)
        assertTrue(ahead is CacheLookup.Fetch, "refresh 30 s before expiry")
        assertNotNull((ahead as CacheLookup.Fetch).current)
        assertTrue(cache.lookup("k", 1092) is CacheLookup.Hit, "others keep the valid token meanwhile")
        cache.fail(ahead.ticket)
        cache.invalidate("k")
        assertTrue(cache.lookup("k", 1093) is CacheLookup.Fetch)
    }

    @Test
    fun transportErrorsAreRetryable() {
        val error = transportError("connect timed out")
        assertTrue(error is MaskinportenException.Unavailable)
        assertEquals("unavailable", error.kind)
        assertTrue(error.retryable)
        assertNull(error.status)
    }
}
