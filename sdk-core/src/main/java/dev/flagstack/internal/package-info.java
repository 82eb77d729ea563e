/** Implementation details; not an API, may change in any release. */
package dev.flagstack.internal;
