/** Implementation details of the REST store; not an API, may change in any release. */
package dev.flagstack.store.rest.internal;
