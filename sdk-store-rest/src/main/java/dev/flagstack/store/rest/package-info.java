/**
 * The primary store over REST: {@link dev.flagstack.store.rest.RestFlagStore} speaks the OpenFeature Remote
 * Evaluation Protocol (OFREP) with OkHttp, so it works against flagd, the GO Feature Flag relay proxy,
 * Flipt, ConfigCat Proxy or any other OFREP server. Parameters and return values are non-null unless a
 * method says otherwise.
 */
package dev.flagstack.store.rest;
