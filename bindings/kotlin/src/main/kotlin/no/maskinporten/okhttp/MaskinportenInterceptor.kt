package no.maskinporten.okhttp

import no.maskinporten.GrantOptions
import no.maskinporten.http.MaskinportenHttpClient
import okhttp3.Interceptor
import okhttp3.Response

/**
 * OkHttp `Interceptor` that adds `Authorization: Bearer <token>` for [options], and on a 401
 * drops the token and retries once with a fresh one. Tokens come from [maskinporten] (cached,
 * one token request in flight per key). OkHttp is an optional dependency: add
 * `com.squareup.okhttp3:okhttp` yourself to use this class.
 *
 * ```kotlin
 * val api = OkHttpClient.Builder()
 *     .addInterceptor(MaskinportenInterceptor(maskinporten, GrantOptions(scopes = listOf("brreg:losore/utlegg"))))
 *     .build()
 * ```
 */
class MaskinportenInterceptor(
    private val maskinporten: MaskinportenHttpClient,
    private val options: GrantOptions,
) : Interceptor {
    override fun intercept(chain: Interceptor.Chain): Response {
        val first = chain.proceed(withToken(chain))
        if (first.code != 401) return first
        first.close()
        maskinporten.invalidate(options)
        return chain.proceed(withToken(chain))
    }

    private fun withToken(chain: Interceptor.Chain) =
        chain.request().newBuilder().header("Authorization", maskinporten.token(options).authorizationHeader()).build()
}
