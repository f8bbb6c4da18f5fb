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

/** The Kotlin surface: key loading, the external signer, errors and their kinds, argument checks. */
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
        val again = assertThrows<MaskinportenException.InvalidArgument> { prepared.finish(signature) }
        assertEquals(ErrorKind.INVALID_ARGUMENT, again.kind, "PreparedGrant.finish is single use")
        assertTrue(remote.tokenRequestForAssertion(jwt).body().endsWith(jwt))
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
        assertEquals(ErrorKind.INVALID_SIGNATURE, wrong.kind)
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
        assertEquals(ErrorKind.MISSING_SIGNING_KEY, missing.kind)
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
        assertEquals(ErrorKind.WRONG_PASSWORD, error.kind)
        assertEquals("wrong_password", error.kind.stableName)
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
        assertEquals(ErrorKind.WRONG_KEY_PASSWORD, noKeyPassword.kind)
        val wrongStore = assertThrows<MaskinportenException.Key> { Key.fromJks(bytes, "pæsswørd", null, "nøkkel€") }
        assertEquals(ErrorKind.WRONG_PASSWORD, wrongStore.kind)
        assertFalse(wrongStore.message!!.contains("nøkkel€"))
    }

    @Test
    fun invalidArgumentsNameTheField() {
        val client = Client(x5cClientId, p12(), Environment.test())
        val error = assertThrows<MaskinportenException.InvalidArgument> {
            client.grant(read.copy(consumerOrg = "312000009"), now)
        }
        assertEquals(ErrorKind.INVALID_CONSUMER_ORG, error.kind)
        assertEquals("consumer_org", error.field)
        assertEquals(ErrorKind.INVALID_LIFETIME, assertThrows<MaskinportenException> { client.withLifetime(121) }.kind)
        assertEquals(ErrorKind.INVALID_ALGORITHM, assertThrows<MaskinportenException> { algorithmFromName("ES256") }.kind)
        assertEquals(ErrorKind.INVALID_ENVIRONMENT, assertThrows<MaskinportenException> { Environment.fromName("http://example.com/") }.kind)
    }

    @Test
    fun environmentsAndRequests() {
        assertEquals("https://maskinporten.no/", Environment.prod().issuer())
        assertEquals("https://test.maskinporten.no/token", Environment.test().tokenEndpoint())
        val sim = Environment.fromName("http://127.0.0.1:8123/")
        assertEquals("http://127.0.0.1:8123/jwk", sim.jwksUri())
        val metadata = metadataRequest("https://test.maskinporten.no/")
        assertEquals("GET", metadata.method())
        assertEquals("https://test.maskinporten.no/.well-known/oauth-authorization-server", metadata.url())
        val request = Client(kidClientId, Key.fromJwk(Vectors.text("keys/client.jwk.json")), Environment.test()).tokenRequest(read, now)
        assertEquals("https://test.maskinporten.no/token", request.url())
        assertEquals("application/x-www-form-urlencoded", request.headers().first { it.name.equals("Content-Type", true) }.value)
        assertTrue(request.body().startsWith("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion="))
    }

    @Test
    fun errorKindsAreTheCoresEnum() {
        // The Kotlin enum is generated from the core's ErrorKind; its strings are the core's list.
        assertEquals(errorKinds(), ErrorKind.entries.map { it.stableName })
        for (kind in ErrorKind.entries) assertEquals(errorKindName(kind), kind.stableName)
        assertTrue("invalid_requirements" in errorKinds() && "token_missing" in errorKinds())
    }

    @Test
    fun anEnvironmentIsAlwaysRequired() {
        // No silent test default: every constructor of a client or validator takes an Environment
        // and none has a default for it (Kotlin would add a constructor without the parameter).
        for (type in listOf(Client::class.java, TokenValidator::class.java, Validator::class.java)) {
            // (uniffi's own handle constructors aside.)
            val constructors = type.constructors.filter { c -> c.parameterTypes.none { it.simpleName.endsWith("Handle") } }
            assertTrue(constructors.isNotEmpty(), "$type")
            for (constructor in constructors) {
                assertTrue(constructor.parameterTypes.any { it == Environment::class.java }, "$constructor takes no Environment")
            }
        }
    }

    @Test
    fun argumentsAreCheckedWithTheirNames() {
        val status = assertThrows<IllegalArgumentException> { HttpAnswer(42, ByteArray(0)) }
        assertTrue(status.message!!.startsWith("status:"), status.message)
        // A Java caller passing null gets the parameter's name, not a crash in the native glue.
        val provider = TokenProvider(Client(x5cClientId, p12(), Environment.test()), transport = { _, _ -> error("not sent") })
        val npe = assertThrows<java.lang.reflect.InvocationTargetException> {
            TokenProvider::class.java.getMethod("token", GrantOptions::class.java).invoke(provider, null)
        }.targetException
        assertTrue(npe is NullPointerException && npe.message!!.contains("options"), "$npe")
        // Flow settings are checked by the core and name the field.
        val bad = assertThrows<MaskinportenException.InvalidArgument> {
            TokenProvider(Client(x5cClientId, p12(), Environment.test()), FlowOptions(maxAttempts = 0u))
        }
        assertEquals("max_attempts", bad.field)
        val badValidator = assertThrows<MaskinportenException.InvalidArgument> { TokenValidator(Environment.test(), ValidatorOptions(leeway = 3600)) }
        assertEquals("leeway", badValidator.field)
        // Requirements that name no scope or audience are refused up front.
        val any = assertThrows<MaskinportenException> { checkRequirements(Requirements()) }
        assertEquals(ErrorKind.INVALID_REQUIREMENTS, any.kind)
        checkRequirements(Requirements(anyScopeUnchecked = true))
    }

    @Test
    fun aHeaderThatIsNotValidUtf16IsRefusedNotACrash() {
        val validator = TokenValidator(Environment.test(), transport = { _, _ -> error("nothing to fetch") })
        val refused = validator.validateRequest("Bearer abc\uD800def", Requirements(scopes = listOf("a:b")))
        refused as ValidationResult.Refused
        assertEquals(ErrorKind.INVALID_AUTHORIZATION_HEADER, refused.error.kind)
        assertEquals(400, refused.rejection.status.toInt())
    }
}
