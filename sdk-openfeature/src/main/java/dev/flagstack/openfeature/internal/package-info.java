/** Implementation of the OpenFeature provider; not an API, may change in any release. */
package dev.flagstack.openfeature.internal;
