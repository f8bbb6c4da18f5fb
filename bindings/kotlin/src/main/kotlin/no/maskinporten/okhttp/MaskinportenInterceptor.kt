package no.maskinporten.okhttp

import no.maskinporten.GrantOptions
import no.maskinporten.TokenProvider
import okhttp3.Interceptor
import okhttp3.Response

/**
 * OkHttp `Interceptor` that adds `Authorization: Bearer <token>` for [options] from [provider].
 * A 401 from the API is handled by [TokenProvider.callApi]: the token is reported with
 * [TokenProvider.reject] (the core drops that token only) and the call is sent once more. OkHttp
 * is an optional dependency: add `com.squareup.okhttp3:okhttp` yourself to use this class.
 *
 * ```kotlin
 * val api = OkHttpClient.Builder()
 *     .addInterceptor(MaskinportenInterceptor(provider, GrantOptions(scopes = listOf("brreg:losore/utlegg"))))
 *     .build()
 * ```
 */
class MaskinportenInterceptor(
    private val provider: TokenProvider,
    private val options: GrantOptions,
) : Interceptor {
    override fun intercept(chain: Interceptor.Chain): Response =
        provider.callApi(options, { it.code == 401 }, { it.close() }) { authorization ->
            chain.proceed(chain.request().newBuilder().header("Authorization", authorization).build())
        }
}
