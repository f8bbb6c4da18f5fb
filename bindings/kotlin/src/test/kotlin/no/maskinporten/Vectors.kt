package no.maskinporten

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import java.nio.file.Files
import java.nio.file.Path

/** The shared vectors in tests/vectors, loaded the way every binding's suite loads them. */
object Vectors {
    val dir: Path = Path.of(System.getProperty("maskinporten.vectors") ?: "../../tests/vectors").toAbsolutePath().normalize()
    val mapper = ObjectMapper()

    fun document(name: String): JsonNode {
        val file = dir.resolve(name)
        check(Files.exists(file)) { "shared vector file $file is missing: generate it with `cargo run -p maskinporten-vectors -- write`" }
        return mapper.readTree(file.toFile())
    }

    fun cases(name: String): List<JsonNode> = document(name)["cases"].toList()

    fun bytes(path: String): ByteArray = Files.readAllBytes(dir.resolve(path))

    fun text(path: String): String = Files.readString(dir.resolve(path))

    fun str(node: JsonNode?, name: String): String? = node?.get(name)?.takeIf { it.isTextual }?.asText()

    fun loadKey(spec: JsonNode): Key = when (val type = str(spec, "type")) {
        "pkcs12" -> Key.fromPkcs12(bytes(str(spec, "file")!!), str(spec, "password")!!, str(spec, "alias"))
        "pem" -> {
            val key = Key.fromPem(text(str(spec, "key_file")!!), str(spec, "cert_file")?.let { text(it) })
            str(spec, "kid")?.let { key.withKid(it) } ?: key
        }
        "jwk" -> Key.fromJwk(text(str(spec, "file")!!))
        else -> error("unknown key type $type")
    }

    fun buildClient(spec: JsonNode, key: Key): Client {
        var client = Client(str(spec, "client_id")!!, key, Environment.fromName(str(spec, "environment") ?: "test"))
        str(spec, "algorithm")?.let { client = client.withAlgorithm(algorithmFromName(it)) }
        spec["lifetime"]?.takeIf { it.isIntegralNumber }?.let { client = client.withLifetime(it.asLong()) }
        if (str(spec, "x5c") == "full_chain") client = client.withX5c(X5c.FULL_CHAIN)
        return client
    }

    fun grantOptions(spec: JsonNode): GrantOptions {
        val resource = spec["resource"]?.let {
            when {
                it.isTextual -> Resource.One(it.asText())
                it.isArray -> Resource.Many(it.map(JsonNode::asText))
                else -> null
            }
        }
        val details = spec["authorization_details"]?.takeIf { !it.isNull }?.let { authorizationDetailsFromJson(mapper.writeValueAsString(it)) } ?: emptyList()
        return GrantOptions(
            scopes = spec["scopes"].map(JsonNode::asText),
            resource = resource,
            consumerOrg = str(spec, "consumer_org"),
            issOnbehalfof = str(spec, "iss_onbehalfof"),
            pid = str(spec, "pid"),
            authorizationDetails = details,
        )
    }

    /** Loads the key, builds the client and signs: the compact JWT and the token request. */
    fun runGrantCase(case: JsonNode): Pair<String, HttpRequest> {
        val client = buildClient(case["client"], loadKey(case["key"]))
        val options = grantOptions(case["grant"])
        val jwt = client.grant(options, case["now"].asLong(), str(case, "jti"))
        return jwt to client.tokenRequest(options, case["now"].asLong(), str(case, "jti"))
    }
}
