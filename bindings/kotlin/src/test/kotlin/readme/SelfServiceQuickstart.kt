// The README's self-service example, verbatim between the markers; SelfServiceTest runs it
// against the simulator and checks the README still carries exactly this text.
package readme

// selfservice:start
import no.maskinporten.Client
import no.maskinporten.Environment
import no.maskinporten.HttpRequest
import no.maskinporten.JavaHttpTransport
import no.maskinporten.Key
import no.maskinporten.NewClient
import no.maskinporten.RotationPlanner
import no.maskinporten.RotationPolicy
import no.maskinporten.SelfService
import no.maskinporten.SelfServiceCall
import no.maskinporten.TokenProvider
import no.maskinporten.checkAdminClient
import no.maskinporten.parseClient
import no.maskinporten.parseClientKeys
import no.maskinporten.selfServiceScope
import no.maskinporten.unixNow
import no.maskinporten.core.RotationAction
import java.time.Duration

/** Creates a client through Digdir's self-service API and registers [newKey] (a key you made) on it. */
fun createClientWithKey(admin: Client, environment: Environment, newKey: String): Pair<String, Key> {
    checkAdminClient(admin) // the admin client signs with the enterprise certificate (x5c), not a kid
    val api = SelfService(environment)
    val tokens = TokenProvider(admin)
    val http = JavaHttpTransport()
    fun send(call: SelfServiceCall, build: (String) -> HttpRequest): Triple<SelfServiceCall, UShort, ByteArray> {
        // Each call with a token for the least admin scope it needs.
        val answer = http.send(build(tokens.token(selfServiceScope(call)).accessToken()), Duration.ofSeconds(10))
        return Triple(call, answer.status.toUShort(), answer.body) // the parser names the call's scope on a refusal
    }

    val created = send(SelfServiceCall.CREATE_CLIENT) { token ->
        api.createClientRequest(token, NewClient("Utlegg", "Reads the register", listOf("test:scope.read")))
    }.let { (call, status, body) -> parseClient(call, status, body) }

    // The planner decides from the registered keys alone (safe to repeat from cron).
    val keys = send(SelfServiceCall.GET_KEYS) { api.clientKeysRequest(it, created.clientId) }
        .let { (call, status, body) -> parseClientKeys(call, status, body) }
    val action = RotationPlanner(RotationPolicy()).plan(keys, null, unixNow())
    check(action is RotationAction.Publish) { "a new client has no key yet: $action" }
    val key = Key.fromPem(newKey).withKid(action.kid)
    val public = key.publicJwk()!!.removeSuffix("}") + ",\"exp\":${action.expiresAt}}"
    val kept = keys.keys.filter { it.kid in action.keep }.map { it.jwkJson }
    send(SelfServiceCall.REPLACE_KEYS) { api.replaceKeysRequest(it, created.clientId, kept + public) }
        .let { (call, status, body) -> parseClientKeys(call, status, body) }
    return created.clientId to key
}
// selfservice:end
