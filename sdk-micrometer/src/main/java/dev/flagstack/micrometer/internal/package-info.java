/** Implementation of the Micrometer binding; not an API, may change in any release. */
package dev.flagstack.micrometer.internal;
